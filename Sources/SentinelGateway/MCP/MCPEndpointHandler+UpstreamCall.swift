import NIOCore
import SentinelCore
import SentinelCrypto
import SentinelStore
import SentinelUpstream

/// One tool call upstream: the credential retry, progress relayed in order, cancellation (`notifications/cancelled`
/// or the client's connection closing), the timeout, and the reply and audit entry for each way it can end.
extension MCPEndpointHandler {
    /// Calls the upstream and returns the JSON-RPC response for the client, auditing the call.
    func run(
        _ call: UpstreamToolCall, id: RawJSON, exchange: MCPExchange, exposed: ExposedTool, started: ContinuousClock.Instant,
        requestBytes: Int, capture: RawJSON?, progress: (@Sendable (RawJSON) async -> Void)?,
        closing: (any Channel)? = nil
    ) async -> RawJSON {
        let server = call.server
        let replies = exchange.replies
        // Upstream progress is re-tagged with the client's token and relayed in order through a stream.
        let relay: (stream: AsyncStream<RawJSON>, continuation: AsyncStream<RawJSON>.Continuation)? =
            progress != nil && call.clientToken != nil ? AsyncStream<RawJSON>.makeStream(bufferingPolicy: .bufferingNewest(64)) : nil
        var progressSink: (@Sendable (RawJSON) -> Void)?
        if let relay, let clientToken = call.clientToken {
            progressSink = { upstreamParams in
                relay.continuation.yield(JSONRPC.notification(
                    method: "notifications/progress", params: Self.replacingProgressToken(upstreamParams, with: clientToken)))
            }
        }
        let sink = progressSink

        let outcome: ToolCallOutcome
        let reply: RawJSON
        var detail: String?
        var resultBytes: RawJSON?
        do {
            let raw = try await withThrowingTaskGroup(of: RawJSON?.self) { group in
                if let relay, let progress {
                    group.addTask {
                        for await notification in relay.stream { await progress(notification) }
                        return nil
                    }
                }
                // `settled` wakes this task when the call ends or must stop: a client's notifications/cancelled,
                // or the client's connection closing. One child task per call, no watcher tasks.
                let settled = OneShotSignal()
                let cancelled = OneShotSignal()
                group.addTask {
                    defer {
                        relay?.continuation.finish()
                        settled.fire()
                    }
                    let user = exchange.grant?.user
                    do {
                        let client = try await self.upstreams.client(for: server, user: user)
                        return try await client.request(
                            "tools/call", params: call.params, headers: call.headers, timeout: .seconds(server.callTimeoutSeconds),
                            progress: sink)
                    } catch UpstreamError.unauthorized(let why) {
                        // The upstream no longer takes the token (revoked or expired early): refresh it once and retry.
                        guard try await self.upstreams.credentialRejected(server: server, user: user) else {
                            throw UpstreamError.unauthorized(why)
                        }
                        let client = try await self.upstreams.client(for: server, user: user)
                        return try await client.request(
                            "tools/call", params: call.params, headers: call.headers, timeout: .seconds(server.callTimeoutSeconds),
                            progress: sink)
                    }
                }
                let token = self.inFlight.register(call.key) {
                    cancelled.fire()
                    settled.fire()
                }
                defer { self.inFlight.unregister(call.key, token: token) }
                let closeSignal = closing.map { self.connectionClosed.signal(for: $0) }
                let closeAction = closeSignal?.onFire {
                    cancelled.fire()
                    settled.fire()
                }
                defer { if let closeSignal, let closeAction { closeSignal.removeAction(closeAction) } }
                await settled.wait()
                if cancelled.hasFired { group.cancelAll() }
                // The call's answer ends the group; progress relaying stops with it.
                while let value = try await group.next() {
                    if let value {
                        group.cancelAll()
                        return value
                    }
                }
                throw CancellationError()
            }
            // One scan of the top level serves both the isError check and the _meta edit.
            let members = try? JSONScanner.members(of: raw.bytes)
            resultBytes = raw
            reply = replies.passedThrough(id: id, raw, members: members)
            let isError = members?["isError"].map { raw.bytes[$0].elementsEqual("true".utf8) } ?? false
            outcome = isError ? .error : .ok
            if isError { detail = "the tool reported an error" }
        } catch let error as UpstreamError {
            switch error {
            case .rpc(let code, let message, let rawError):
                reply = MCPReplies.upstreamError(id: id, server: server.name, code: code, message: message, raw: rawError)
                outcome = .error
                detail = message
            case .timeout(let limit):
                reply = MCPReplies.timeout(id: id, server: server.name, limit: limit)
                outcome = .timeout
                detail = error.description
            default:
                reply = MCPReplies.upstreamUnavailable(id: id, server: server.name, why: error.description)
                outcome = .error
                detail = error.description
            }
        } catch let error as UpstreamCredentialRequired {
            // A tool error, so the model can tell the user what to do; or, for a client that can show a URL, the
            // spec's request to open the page where the user connects the account.
            let prompt = Self.connectPrompt(for: error, call: call, exchange: exchange)
            reply = replies.credentialRequired(
                id: id, message: error.message, server: error.server ?? server.name, url: error.connectURL ?? "", prompt: prompt,
                elicitationID: SecureRandom.token(bytes: 16))
            outcome = .error
            switch prompt {
            case .toolError: detail = error.message
            case .urlElicitationRequired, .inputRequired: detail = error.message + " (the client was asked to open the page)"
            }
        } catch is CancellationError {
            reply = MCPReplies.cancelled(id: id)
            outcome = .cancelled
            detail = "cancelled by the client"
        } catch {
            reply = MCPReplies.internalError(id: id, server: server.name, why: "\(error)")
            outcome = .error
            detail = "\(error)"
        }
        auditCall(
            exchange: exchange, exposedName: exposed.exposedName, tool: exposed.tool, outcome: outcome, started: started,
            requestBytes: requestBytes, responseBytes: resultBytes?.bytes.count ?? 0, detail: detail, arguments: capture,
            result: exchange.snapshot.endpoint.capturePayloads ? resultBytes : nil)
        return reply
    }

    /// How to tell this caller to connect the credential `error` names (see `MCPConnectPrompt`).
    static func connectPrompt(for error: UpstreamCredentialRequired, call: UpstreamToolCall, exchange: MCPExchange) -> MCPConnectPrompt {
        let answered = call.answered.contains(MCPConnectPrompt.inputKey(server: error.server ?? call.server.name))
        return MCPConnectPrompt.choose(
            modern: exchange.era == .modern, capabilities: exchange.capabilities, hasURL: error.connectURL != nil,
            answered: answered)
    }

    /// Rewrites an upstream progress notification's params to carry the client's own token.
    static func replacingProgressToken(_ params: RawJSON, with token: RawJSON) -> RawJSON {
        guard let members = try? JSONScanner.members(of: params.bytes) else { return params }
        var rebuilt: [(String, RawJSON)] = [("progressToken", token)]
        for (key, range) in members.sorted(by: { $0.value.lowerBound < $1.value.lowerBound }) where key != "progressToken" {
            rebuilt.append((key, RawJSON(params.bytes[range])))
        }
        return RawJSON.object(rebuilt)
    }
}
