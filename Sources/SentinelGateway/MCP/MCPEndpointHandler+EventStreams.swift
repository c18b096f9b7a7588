import Foundation
import Hummingbird
import HTTPTypes
import NIOCore
import SentinelCore
import SentinelStore

/// Event streams: the handshake era's GET stream, and the SSE body every stream (subscriptions, a streamed call) uses.
extension MCPEndpointHandler {
    func get(_ request: Request, context: GatewayRequestContext) async -> Response {
        let admission = await admit(request, context: context)
        guard case .admitted(let snapshot, let grant) = admission else { return admission.refusal }
        if request.headers[.mcpProtocolVersion] == MCPProtocol.modernVersion {
            return Response(status: .methodNotAllowed, headers: [.allow: "POST"])
        }
        if let sessionID = request.headers[.mcpSessionID] {
            switch await sessions.resolve(
                sessionID, endpoint: snapshot.endpoint.name, grant: grant?.grantID, idleSeconds: settings().sessionIdleSeconds)
            {
            case .valid: break
            case .refused(let why):
                return MCPReplies.jsonError(status: .notFound, id: nil, code: JSONRPCErrorCode.invalidRequest,
                                      message: why + "; send initialize to start a new session")
            case .unavailable(let why):
                return MCPReplies.jsonError(status: .internalServerError, id: nil, code: JSONRPCErrorCode.internalError, message: why)
            }
        }
        guard (request.headers[.accept] ?? "").contains("text/event-stream") else {
            return MCPReplies.jsonError(status: .notAcceptable, id: nil, code: JSONRPCErrorCode.invalidRequest,
                                  message: "GET opens an event stream: send Accept: text/event-stream")
        }
        // Every list change: the endpoint declares listChanged for tools, prompts and resources alike. Resource updates
        // need a subscription, which this stream does not serve yet.
        let listener = hub.listen(endpoint: snapshot.endpoint.name) { notice in
            if case .listChanged = notice { return true }
            return false
        }
        return eventStream(context: context, grant: grant) { send in
            try await send(nil)  // headers and a comment, so the client knows the stream is open
            for await notice in listener.stream {
                guard case .listChanged(let kind) = notice else { continue }
                try await send(JSONRPC.notification(method: kind.notificationMethod, params: nil))
            }
        }
    }

    /// An SSE response. `body` gets a `send` that writes one JSON-RPC message as an event (nil: a comment);
    /// it ends when `body` returns, the client goes away, the server shuts down, or the grant behind the
    /// request is revoked or expires.
    func eventStream(
        context: GatewayRequestContext, grant: AccessTokenGrant?,
        _ body: @escaping @Sendable (_ send: @escaping @Sendable (RawJSON?) async throws -> Void) async throws -> Void
    ) -> Response {
        let channel = context.channel
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache", .init("X-Accel-Buffering")!: "no"],
            body: .init { writer in
                let (events, sink) = AsyncStream<RawJSON?>.makeStream()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        defer { sink.finish() }
                        try await body { message in sink.yield(message) }
                    }
                    group.addTask {
                        // The peer closing the connection ends the stream (and cancels what feeds it).
                        await self.connectionClosed.signal(for: channel).wait()
                        sink.finish()
                    }
                    if let grant {
                        let streams = self.grantStreams
                        let verifier = self.verifier
                        group.addTask {
                            let (id, closed) = streams.register(grantID: grant.grantID)
                            defer { streams.remove(grantID: grant.grantID, id: id) }
                            // Revoked between the request's check and this registration: end now.
                            if let verifier, await !verifier.isActive(grantID: grant.grantID) {
                                sink.finish()
                                return
                            }
                            try await withThrowingTaskGroup(of: Void.self) { watch in
                                watch.addTask { await closed.wait() }
                                watch.addTask { try await Task.sleep(for: .seconds(max(0, grant.expiresAt.timeIntervalSinceNow))) }
                                try await watch.next()
                                watch.cancelAll()
                            }
                            sink.finish()
                        }
                    }
                    group.addTask {
                        // A comment every 15 s keeps proxies from timing the stream out and finds dead peers.
                        while true {
                            try await Task.sleep(for: .seconds(15))
                            sink.yield(nil)
                        }
                    }
                    for await event in events {
                        var buffer = ByteBuffer()
                        if let event {
                            buffer.writeString("event: message\ndata: ")
                            buffer.writeBytes(event.bytes)
                            buffer.writeString("\n\n")
                        } else {
                            buffer.writeString(": sentinel\n\n")
                        }
                        try await writer.write(buffer)
                    }
                    group.cancelAll()
                }
                try await writer.finish(nil)
            })
    }
}
