/// What a change did, with what it touched: the one contract between the control plane, the
/// authorization plane and the gateway (who switch over its cases; nothing matches strings).
///
/// `Codable`, so the same event can travel between hosts; `summaries` derives the names that
/// `WatchChanges` and the audit entry show.
public enum ChangeEvent: Sendable, Equatable, Codable {
    case userAdded(user: String)
    case userUpdated(user: String)
    case userRemoved(user: String)
    case passwordChanged(user: String)

    case serverAdded(server: String)
    case serverUpdated(server: String)
    case serverRemoved(server: String)
    /// `sentinelctl server refresh`: a refresh asked for through the control socket.
    case serverRefreshRequested(server: String)
    /// `sentinelctl server login`: an upstream sign-in started, or a token connected (a shared credential, or a
    /// personal server's catalog credential).
    case serverSignInStarted(server: String)
    /// The daemon fetched a server's catalog again (whether or not it succeeded).
    case catalogRefreshed(server: String)

    case endpointCreated(endpoint: String)
    case endpointUpdated(endpoint: String)
    case endpointDeleted(endpoint: String)
    case serverAttached(endpoint: String, server: String)
    case serverDetached(endpoint: String, server: String)
    case toolsSelected(endpoint: String, tools: [ToolReference], enabled: Bool)
    case promptsSelected(endpoint: String, prompts: [PromptReference], enabled: Bool)
    /// Resource rules added (`enabled`) or removed.
    case resourcesSelected(endpoint: String, rules: [ResourceRule], enabled: Bool)
    case accessAllowed(endpoint: String, users: [String], groups: [String])
    case accessDenied(endpoint: String, users: [String], groups: [String])

    /// Grants that are no longer active: their tokens must be refused and their streams closed.
    case grantsRevoked(grantIDs: [String])
    case secretKeyRotated
}

/// One upstream tool, as a tool selection names it.
public struct ToolReference: Sendable, Hashable, Codable {
    public var server: String
    public var tool: String

    public init(server: String, tool: String) {
        self.server = server
        self.tool = tool
    }
}
