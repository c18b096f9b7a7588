extension ManagerAPI {
    /// Every method of the interface, typed, for the test that holds them to the IDL.
    public static let methods: [any ManagerMethod.Type] = [
        GetStatus.self, RotateSecretKey.self, WatchChanges.self,
        AddServer.self, ListServers.self, GetServer.self, UpdateServer.self, RemoveServer.self, LoginServer.self,
        ListServerTools.self, RefreshServer.self,
        ListSessions.self, RevokeSession.self,
        AddUser.self, UpdateUser.self, ListUsers.self, RemoveUser.self, SetPassword.self,
        CreateEndpoint.self, ListEndpoints.self, GetEndpoint.self, UpdateEndpoint.self, AllowAccess.self, DenyAccess.self,
        DeleteEndpoint.self, AttachServer.self, DetachServer.self, ListToolSelections.self, EnableTools.self, DisableTools.self,
        ListPromptSelections.self, EnablePrompts.self, DisablePrompts.self, ListResourceRules.self, EnableResources.self,
        DisableResources.self,
    ]
}
