public import Hummingbird
public import NIOCore

/// The request context of every route: Hummingbird's core context plus the connection,
/// so handlers can see the peer address and notice when a client goes away.
public struct GatewayRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }
}
