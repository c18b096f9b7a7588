extension ManagerAPI {
    /// Every method that has a typed form, for the test that holds them to the IDL.
    public static let methods: [any ManagerMethod.Type] = [
        GetStatus.self, RotateSecretKey.self, WatchChanges.self,
        ListSessions.self, RevokeSession.self,
        AddUser.self, UpdateUser.self, ListUsers.self, RemoveUser.self, SetPassword.self,
        CreateEndpoint.self, ListEndpoints.self, GetEndpoint.self, UpdateEndpoint.self, AllowAccess.self, DenyAccess.self,
        DeleteEndpoint.self, AttachServer.self, DetachServer.self, ListToolSelections.self, EnableTools.self, DisableTools.self,
    ]
}
