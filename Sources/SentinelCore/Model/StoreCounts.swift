/// How many of each object the store holds.
public struct StoreCounts: Sendable, Equatable {
    public var servers: Int
    public var endpoints: Int
    public var users: Int
    public var activeGrants: Int

    public init(servers: Int, endpoints: Int, users: Int, activeGrants: Int) {
        self.servers = servers
        self.endpoints = endpoints
        self.users = users
        self.activeGrants = activeGrants
    }
}
