public import Hummingbird
public import NIOCore
public import SentinelCore

/// The request context of every route: Hummingbird's core context plus the connection,
/// so handlers can see the client's address and notice when a client goes away.
public struct GatewayRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let channel: any Channel
    /// The client a trusted reverse proxy forwarded this request for (set by `HTTPServer`); nil when the
    /// connection does not come from a trusted proxy.
    public var forwardedClient: IPAddress?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }

    /// The address of the client that sent this request: the TCP peer, or behind a trusted reverse proxy
    /// (`[HTTP] TrustedProxies=`) the address the proxy forwarded for. Every per-address rule (throttles,
    /// per-caller shares) and the audit's REMOTE_ADDRESS use this, never the channel's peer directly.
    /// Formatted on demand: most requests never need it.
    public var clientAddress: String? {
        if let forwardedClient { return forwardedClient.description }
        return channel.remoteAddress?.ipAddress
    }
}
