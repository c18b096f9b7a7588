import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import SentinelCore

extension HTTPServer {
    /// What the accept loop gets for each connection: one to serve, or one already being refused.
    enum AcceptedConnection: Sendable {
        case serve(HTTP1Channel, HTTP1Channel.Value)
        case refused
    }

    /// Hummingbird's HTTP/1.1 child channel for one connection: the router behind the request deadlines, with the
    /// client address resolved per request when the peer is a trusted proxy.
    static func connectionChannel(
        responder: RouterResponder<GatewayRequestContext>, logger: Logger, limits: HTTPConnectionLimits, peer: IPAddress?
    ) -> HTTP1Channel {
        let timeouts = RequestDeadlineHandler.Timeouts(
            header: TimeAmount(limits.headerTimeout), body: TimeAmount(limits.bodyTimeout),
            keepAlive: TimeAmount(limits.keepAliveTimeout))
        let proxies = limits.trustedProxies
        let proxy = peer.flatMap { proxies.trusts($0) ? $0 : nil }
        let header = HTTPField.Name(proxies.header.rawValue)!
        return HTTP1Channel(
            responder: { request, responseWriter, channel in
                var context = GatewayRequestContext(source: .init(channel: channel, logger: logger))
                if let proxy {
                    context.forwardedClient = proxies.clientAddress(peer: proxy, headerValues: request.headers[values: header])
                }
                let response: Response
                do {
                    response = try await responder.respond(to: request, context: context)
                } catch {
                    logger.error("request failed: \(error)", metadata: ["path": "\(request.uri.path)"])
                    response = Response(status: .internalServerError)
                }
                try await responseWriter.write(response: response.head, body: response.body)
            },
            // The deadline handler owns every connection timeout; Hummingbird's idle timer stays off.
            configuration: .init(additionalChannelHandlers: [RequestDeadlineHandler(timeouts: timeouts)], idleTimeout: nil))
    }

    /// Admits a new connection under the connection caps, or starts refusing it.
    func accept(_ child: any Channel) -> EventLoopFuture<AcceptedConnection> {
        let limits = self.limits()
        let admission = self.admission
        let logger = self.logger
        let peer = child.remoteAddress?.ipAddress.flatMap { IPAddress(parsing: $0) }
        let decision = admission.admit(peer: peer, limits: limits)
        guard case .admitted(let key) = decision else {
            if let refusals = admission.noteRefusal() {
                let which = decision == .refusedTotal
                    ? "[HTTP] MaxConnections=\(limits.maxConnections) are open"
                    : "[HTTP] MaxConnectionsPerAddress=\(limits.maxConnectionsPerAddress) are open from one address"
                logger.notice("refusing HTTP connections: \(which) (\(refusals) refused in the last 10 s)",
                              metadata: ["peer": "\(peer.map { "\($0)" } ?? "?")"])
            }
            guard admission.startRefusing() else {
                child.close(promise: nil)
                return child.eventLoop.makeSucceededFuture(.refused)
            }
            child.closeFuture.whenComplete { _ in admission.finishRefusing() }
            return child.eventLoop.makeCompletedFuture {
                try child.pipeline.syncOperations.addHandler(ConnectionRefusalHandler())
                return .refused
            }
        }
        child.closeFuture.whenComplete { _ in admission.release(key: key) }
        let http1 = Self.connectionChannel(responder: responder, logger: logger, limits: limits, peer: peer)
        return http1.setup(channel: child, logger: logger).map { .serve(http1, $0) }
    }
}
