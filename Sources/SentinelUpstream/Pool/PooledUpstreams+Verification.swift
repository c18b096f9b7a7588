public import SentinelCore

extension PooledUpstreams: CredentialVerifying {
    /// The longest reason a `CredentialCheck` carries: the server's words, shown to the user.
    static let maximumReasonLength = 300
    static let unauthorizedPrefix = "HTTP 401: "

    /// Checks `token` with a client of its own (never pooled: it carries a credential nobody has saved yet), started
    /// from the pool's factory and shut down before returning. HTTP 401 and 403, and JSON-RPC errors other than
    /// "method not found" and internal errors, are refusals; everything that keeps the question open (no connection,
    /// no answer in time, a broken server) is `unreachable`.
    public func verify(_ server: Server, token: String, timeout: Duration) async -> CredentialCheck {
        var configured = server
        switch server.transport {
        case .http: configured.headers["Authorization"] = "Bearer \(token)"
        case .stdio: configured.environment[server.effectiveCredentialEnv] = token
        }
        configured.connectTimeoutSeconds = max(1, min(server.connectTimeoutSeconds, Int(timeout.components.seconds)))
        let client = pool.makeClient(configured)
        return await withTaskGroup(of: CredentialCheck?.self) { group in
            group.addTask {
                await client.run()
                return nil
            }
            group.addTask {
                let check = await Self.check(client, timeout: timeout)
                await client.shutdown()
                return check
            }
            var outcome = CredentialCheck.unreachable(reason: "the check did not finish")
            for await result in group {
                if let result {
                    outcome = result
                    group.cancelAll()
                }
            }
            return outcome
        }
    }

    private static func check(_ client: any UpstreamClient, timeout: Duration) async -> CredentialCheck {
        do {
            try await client.start()
            _ = try await client.request("tools/list", params: nil, timeout: timeout, progress: nil)
            return .accepted
        } catch let error as UpstreamError {
            return classify(error)
        } catch {
            return .unreachable(reason: bounded("\(error)"))
        }
    }

    /// What an upstream error says about the credential that was sent.
    static func classify(_ error: UpstreamError) -> CredentialCheck {
        switch error {
        case .unauthorized(let why):
            // HTTPUpstreamClient says "HTTP 401: <the server's reason>"; the user is shown the server's words.
            let reason = why.hasPrefix(unauthorizedPrefix) ? String(why.dropFirst(unauthorizedPrefix.count)) : why
            return .refused(reason: bounded(reason.isEmpty ? "HTTP 401" : reason))
        case .httpStatus(let status, let detail) where status == 401 || status == 403:
            return .refused(reason: bounded(detail.isEmpty ? "HTTP \(status)" : detail))
        case .rpc(let code, _, _) where code == JSONRPCErrorCode.methodNotFound:
            return .accepted  // reached and let in; the server just has no tools
        case .rpc(let code, let message, _) where code != JSONRPCErrorCode.internalError:
            return .refused(reason: bounded(message))
        default:
            return .unreachable(reason: bounded(error.description))
        }
    }

    static func bounded(_ text: String) -> String {
        let line = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return line.count <= maximumReasonLength ? line : String(line.prefix(maximumReasonLength - 1)) + "…"
    }
}
