public import SentinelCore

/// Settings of the data plane, from `sentineld.conf`.
public struct GatewaySettings: Sendable {
    public var publicURL: String
    public var maxRequestBytes: Int
    public var maxConcurrentCallsPerEndpoint: Int
    /// Calls one caller (grant, or client address without authentication) may run at once on one endpoint.
    public var maxConcurrentCallsPerCaller: Int
    public var allowedOrigins: [String]
    /// Whether the HTTP listener only accepts loopback connections (required for auth=none endpoints).
    public var listenerIsLoopback: Bool
    public var version: String
    /// Tools per `tools/list` page. Large: every page is a round trip for the client, and the list is
    /// copied from serialised bytes (500 tools in one page answer within 2× of a ping, Benchmarks/).
    public var toolsPageSize: Int
    /// A handshake-era session unused for this long ends (`[HTTP] SessionIdleSec`).
    public var sessionIdleSeconds: Int

    public init(
        publicURL: String, maxRequestBytes: Int, maxConcurrentCallsPerEndpoint: Int, allowedOrigins: [String],
        listenerIsLoopback: Bool, version: String, toolsPageSize: Int = 1000,
        maxConcurrentCallsPerCaller: Int = DaemonConfiguration().maxConcurrentCallsPerCaller,
        sessionIdleSeconds: Int = DaemonConfiguration().sessionIdleSeconds
    ) {
        self.publicURL = publicURL
        self.maxRequestBytes = maxRequestBytes
        self.maxConcurrentCallsPerEndpoint = maxConcurrentCallsPerEndpoint
        self.maxConcurrentCallsPerCaller = maxConcurrentCallsPerCaller
        self.allowedOrigins = allowedOrigins
        self.listenerIsLoopback = listenerIsLoopback
        self.version = version
        self.toolsPageSize = toolsPageSize
        self.sessionIdleSeconds = sessionIdleSeconds
    }
}
