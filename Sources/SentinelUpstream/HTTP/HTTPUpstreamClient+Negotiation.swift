import Foundation
import Logging
import SentinelCore
import Synchronization

extension HTTPUpstreamClient {
    /// Picks the era: `server/discover` first, `initialize` when the server does not speak 2026-07-28.
    func negotiate() async throws(UpstreamError) {
        guard url != nil else {
            throw UpstreamError.connectFailed("'\(server.url ?? "")' is not an http:// or https:// URL")
        }
        let limit = Duration.seconds(server.connectTimeoutSeconds)
        let deadline = ContinuousClock.now + limit
        let modern = Era.modern(listen: ListenFilter())
        let discovery: Outcome
        do {
            discovery = try await exchange("server/discover", params: nil, era: modern, deadline: deadline, limit: limit)
        } catch {
            switch error {
            case .connectFailed, .timeout, .unauthorized: throw error
            default:
                logger.debug("server/discover failed, trying initialize", metadata: ["error": "\(error)"])
                return try await initialize(deadline: deadline, limit: limit)
            }
        }
        if case .result(let result, _) = discovery, let decoded = try? result.decoded(),
            decoded["supportedVersions"]?.arrayValue?.contains(.string(Self.modernVersion)) == true
        {
            let declared = Self.capabilities(in: result)
            let filter = ListenFilter(
                tools: declared?.toolsListChanged == true,
                prompts: declared?.promptsListChanged == true,
                resources: declared?.resourcesListChanged == true
            )
            let era = Era.modern(listen: filter)
            state.withLock { state in
                state.era = era
                state.capabilities = declared
            }
            logger.debug("upstream speaks \(Self.modernVersion)")
            if !filter.isEmpty { startListener() }
            return
        }
        logger.debug("server/discover did not offer \(Self.modernVersion), trying initialize")
        try await initialize(deadline: deadline, limit: limit)
    }

    /// The handshake: `initialize`, then `notifications/initialized`.
    func initialize(deadline: ContinuousClock.Instant, limit: Duration) async throws(UpstreamError) {
        let params = RawJSON.object([
            ("protocolVersion", RawJSON(string: Self.handshakeVersion)),
            ("capabilities", .emptyObject),
            ("clientInfo", clientInfo),
        ])
        // No session and no version header yet: this is what a first contact looks like.
        let bare = Era.handshake(version: Self.handshakeVersion, sessionID: nil)
        let outcome = try await exchange("initialize", params: params, era: bare, deadline: deadline, limit: limit, versionHeader: false)
        guard case .result(let result, let head) = outcome else {
            if case .error(let code, let message, _) = outcome {
                throw UpstreamError.handshakeFailed("initialize: error \(code): \(message)")
            }
            throw UpstreamError.handshakeFailed("initialize: no result")
        }
        let version = (try? result.decoded())?["protocolVersion"]?.stringValue ?? Self.handshakeVersion
        let session = head.header("mcp-session-id")
        let era = Era.handshake(version: version, sessionID: session)
        let message = JSONRPC.notification(method: "notifications/initialized", params: nil)
        let request = HTTPUpstreamRequest(
            method: "POST",
            headers: headers(for: era, method: "notifications/initialized", params: nil),
            body: message.bytes,
            idleTimeout: limit
        )
        let transport = self.transport
        do {
            let status = try await withDeadline(deadline) {
                var iterator = transport.execute(request).makeAsyncIterator()
                let head = try await Self.readHead(&iterator)
                _ = try await Self.readBody(&iterator, limit: 64 << 10)
                return head.status
            }
            if !(200..<300).contains(status) {
                logger.warning("the server refused notifications/initialized", metadata: ["status": "\(status)"])
            }
        } catch is DeadlineReached {
            throw UpstreamError.timeout(limit)
        } catch {
            throw Self.upstreamError(error)
        }
        let declared = Self.capabilities(in: result)
        state.withLock { state in
            state.era = era
            state.capabilities = declared
        }
        logger.debug("upstream initialized", metadata: ["version": "\(version)", "session": "\(session ?? "-")"])
        startListener()
    }

    /// The `capabilities` object of an `initialize` or `server/discover` result, nil when it has none.
    static func capabilities(in result: RawJSON) -> ServerCapabilities? {
        guard let members = try? JSONScanner.members(of: result.bytes), let range = members["capabilities"] else {
            return nil
        }
        return ServerCapabilities(bytes: result.bytes, in: range)
    }

    /// Initializes again after the server forgot `session`, unless another caller already did.
    func reinitialize(replacing session: String, deadline: ContinuousClock.Instant) async throws(UpstreamError) {
        await gate.acquire()
        do {
            if case .handshake(_, let current) = try currentEra(), current == session {
                state.withLock { $0.era = nil }
                let limit = Duration.seconds(server.connectTimeoutSeconds)
                try await initialize(deadline: min(deadline, .now + limit), limit: limit)
            }
        } catch {
            await gate.release()
            throw error
        }
        await gate.release()
    }

    /// One request during negotiation, bounded by the connect timeout.
    func exchange(
        _ method: String,
        params: RawJSON?,
        era: Era,
        deadline: ContinuousClock.Instant,
        limit: Duration,
        versionHeader: Bool = true
    ) async throws(UpstreamError) -> Outcome {
        let (id, _) = nextIdentifiers(withToken: false)
        let message = JSONRPC.request(id: id, method: method, params: shape(params, for: era, progressToken: nil))
        let headers = headers(for: era, method: method, params: params).filter {
            versionHeader || $0.name != "MCP-Protocol-Version"
        }
        let call = Call(id: id, progressToken: nil, progress: nil)
        do {
            return try await withDeadline(deadline) {
                try await self.post(message, headers: headers, call: call, era: era, idleTimeout: limit)
            }
        } catch is DeadlineReached {
            throw UpstreamError.timeout(limit)
        } catch {
            throw Self.upstreamError(error)
        }
    }
}
