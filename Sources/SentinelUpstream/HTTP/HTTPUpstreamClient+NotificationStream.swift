import Foundation
import Logging
import SentinelCore
import Synchronization

extension HTTPUpstreamClient {
    /// Asks `run()` to open the notification stream, unless one is open already.
    func startListener() {
        let wanted = state.withLock { state in
            guard !state.listening, !state.isShutDown else { return false }
            state.listening = true
            return true
        }
        if wanted { listenRequestSink.yield() }
    }

    /// Keeps the notification stream open whenever the session wants one, until `shutdown()` or cancellation.
    public func run() async {
        for await _ in listenRequests {
            await listen()
        }
    }

    /// Keeps a notification stream open: GET (handshake era) or `subscriptions/listen` (modern era).
    func listen() async {
        var backoff = Duration.milliseconds(500)
        var refusals = 0
        /// Where the last GET stream got to, and in which session (an id means nothing in another one).
        var position: (session: String?, eventID: String)?
        defer { state.withLock { $0.listening = false } }
        while !Task.isCancelled {
            let current: Era?
            do {
                current = try currentEra()
            } catch {
                return
            }
            guard let era = current else {
                // Between sessions (a failed re-initialization): wait for the next request to connect.
                guard (try? await Task.sleep(for: backoff)) != nil else { return }
                backoff = min(backoff * 2, .seconds(30))
                continue
            }
            if case .handshake(_, let session) = era, position?.session != session { position = nil }
            let opened = ContinuousClock.now
            let result = await openNotificationStream(era: era, position: &position)
            switch result {
            case .unsupported:
                logger.debug("the server offers no notification stream")
                return
            case .ended(let sawEvent, let retry):
                // A stream that is closed at once, over and over, is retried with growing delays.
                if sawEvent || ContinuousClock.now - opened > .seconds(5) {
                    refusals = 0
                    backoff = retry ?? .milliseconds(500)
                }
            case .sessionGone(let session):
                do {
                    try await reinitialize(replacing: session, deadline: .now + .seconds(server.connectTimeoutSeconds))
                    continue
                } catch {
                    logger.warning("cannot initialize again for the notification stream", metadata: ["error": "\(error)"])
                }
            case .refused(let why):
                refusals += 1
                logger.debug("the notification stream was refused", metadata: ["why": "\(why)"])
                if refusals >= 5 {
                    logger.warning("giving up on the notification stream", metadata: ["why": "\(why)"])
                    return
                }
            case .failed(let why):
                logger.debug("the notification stream failed", metadata: ["why": "\(why)"])
            }
            do {
                try await Task.sleep(for: backoff)
            } catch {
                return
            }
            backoff = min(backoff * 2, .seconds(30))
        }
    }

    enum StreamEnd {
        case unsupported
        case ended(sawEvent: Bool, retry: Duration?)
        case sessionGone(String)
        case refused(String)
        case failed(String)
    }

    func openNotificationStream(era: Era, position: inout (session: String?, eventID: String)?) async -> StreamEnd {
        let request: HTTPUpstreamRequest
        var call: Call?
        switch era {
        case .handshake(let version, let session):
            var headers: [(name: String, value: String)] = [("Accept", "text/event-stream"), ("MCP-Protocol-Version", version)]
            if let session { headers.append(("Mcp-Session-Id", session)) }
            if let position { headers.append(("Last-Event-ID", position.eventID)) }
            request = HTTPUpstreamRequest(method: "GET", headers: headers, idleTimeout: .seconds(86400))
        case .modern(let filter):
            var wanted: [(String, RawJSON)] = []
            if filter.tools { wanted.append(("toolsListChanged", RawJSON(.bool(true)))) }
            if filter.prompts { wanted.append(("promptsListChanged", RawJSON(.bool(true)))) }
            if filter.resources { wanted.append(("resourcesListChanged", RawJSON(.bool(true)))) }
            let params = RawJSON.object([("notifications", RawJSON.object(wanted))])
            let (id, _) = nextIdentifiers(withToken: false)
            call = Call(id: id, progressToken: nil, progress: nil)
            let message = JSONRPC.request(
                id: id,
                method: "subscriptions/listen",
                params: shape(params, for: era, progressToken: nil)
            )
            request = HTTPUpstreamRequest(
                method: "POST",
                headers: headers(for: era, method: "subscriptions/listen", params: params),
                body: message.bytes,
                idleTimeout: .seconds(86400)
            )
        }
        var iterator = transport.execute(request).makeAsyncIterator()
        do {
            let head = try await Self.readHead(&iterator)
            guard head.status == 200, head.mediaType == "text/event-stream" else {
                let body = (try? await Self.readBody(&iterator, limit: 64 << 10)) ?? []
                switch head.status {
                case 405: return .unsupported
                case 404:
                    if case .handshake(_, let session?) = era { return .sessionGone(session) }
                    return .unsupported
                default:
                    if case .modern = era, let answer = try? JSONRPCMessage(parsing: body), answer.kind == .errorResponse,
                        answer.errorDetails?.code == JSONRPCErrorCode.methodNotFound
                    {
                        return .unsupported
                    }
                    return .refused("HTTP \(head.status): \(Self.excerpt(body))")
                }
            }
            var parser = SSEParser()
            var sawEvent = false
            while let part = try await iterator.next() {
                guard case .body(let chunk) = part else { continue }
                let events = try parser.feed(chunk)
                for event in events {
                    if let outcome = try handle(event, call: call, era: era, head: head) {
                        // A listen stream's result means the server closed it on purpose.
                        if case .error(let code, _, _) = outcome, code == JSONRPCErrorCode.methodNotFound { return .unsupported }
                        return .ended(sawEvent: true, retry: nil)
                    }
                }
                if let id = parser.lastEventID, case .handshake(_, let session) = era { position = (session, id) }
                sawEvent = sawEvent || !events.isEmpty
            }
            return .ended(sawEvent: sawEvent, retry: parser.retryMilliseconds.map { .milliseconds($0) })
        } catch {
            return .failed("\(error)")
        }
    }
}
