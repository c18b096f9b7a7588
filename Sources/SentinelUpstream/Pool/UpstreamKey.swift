/// Which upstream connection a call uses: a server, and whose credentials it carries.
public struct UpstreamKey: Hashable, Sendable, CustomStringConvertible {
    public var server: String
    /// The user whose personal credentials the connection uses; nil for the shared connection.
    public var owner: String?

    public init(server: String, owner: String? = nil) {
        self.server = server
        self.owner = owner
    }

    public var description: String { owner.map { "\(server) (for \($0))" } ?? server }
}
