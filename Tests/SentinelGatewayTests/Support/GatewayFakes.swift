import Foundation
import SentinelCore
@testable import SentinelGateway
@testable import SentinelStore
import SentinelUpstream
import Synchronization

/// Upstream clients whose tools behave by name: `echo` answers its arguments (with an upstream `serverInfo` the
/// gateway must not pass on), `fail` answers a JSON-RPC error, `late` times out at the limit it was given, and
/// `slow` runs until `releaseSlowCalls()` or until cancelled. `fail` takes its error's `code` from its arguments
/// (default -32000); `link` answers a `resource_link` and an embedded resource. With `requireCredential` set, every
/// call needs a credential (`UpstreamCredentialRequired`). Other methods: `prompts/get`, `resources/read` and
/// `completion/complete` answer as `surfaceAnswer` says.
final class FakeUpstreams: UpstreamProvider, Sendable {
    /// One call as the upstream received it.
    struct Call: Sendable {
        var method: String = "tools/call"
        var tool: String
        var params: JSONValue
        var timeout: Duration
        var user: String?
    }

    private struct State {
        var calls: [Call] = []
        var cancelled = 0
        var credential: (message: String, connectURL: String?)?
        var waiting: [OneShotSignal] = []
        /// Requests the upstream refuses as unauthorized before it takes the (refreshed) credential again.
        var refusals = 0
        var rejectedCredentials = 0
    }

    private let state = Mutex(State())
    /// The name of each `slow` call as it starts.
    let slowStarted: AsyncStream<String>
    private let slowStartedSink: AsyncStream<String>.Continuation

    init() {
        (slowStarted, slowStartedSink) = AsyncStream<String>.makeStream()
    }

    var calls: [Call] { state.withLock { $0.calls } }
    /// Calls that ended because the gateway cancelled them.
    var cancelledCalls: Int { state.withLock { $0.cancelled } }

    /// Every call needs a credential: `message` says so; `connectURL` is where the caller connects it (nil: only an
    /// administrator can). nil `message`: calls need none again.
    func requireCredential(_ message: String?, connectURL: String? = nil) {
        state.withLock { $0.credential = message.map { ($0, connectURL) } }
    }

    /// Lets every `slow` call running now finish; later ones wait for the next release.
    func releaseSlowCalls() {
        let waiting = state.withLock { state in
            defer { state.waiting = [] }
            return state.waiting
        }
        for signal in waiting { signal.fire() }
    }

    /// Waits until `count` `slow` calls have started.
    func waitForSlowCalls(_ count: Int) async {
        var seen = 0
        for await _ in slowStarted {
            seen += 1
            if seen == count { return }
        }
    }

    func client(for server: Server, user: String?) async throws -> any UpstreamClient {
        if let credential = state.withLock({ $0.credential }) {
            throw UpstreamCredentialRequired(credential.message, server: server.name, connectURL: credential.connectURL)
        }
        return FakeUpstreamClient(owner: self, user: user)
    }

    func catalogClient(for server: Server) async throws -> any UpstreamClient {
        FakeUpstreamClient(owner: self, user: nil)
    }

    /// How often the gateway reported a refused credential (`credentialRejected`).
    var rejectedCredentials: Int { state.withLock { $0.rejectedCredentials } }

    /// The next `count` requests are refused as unauthorized (a revoked token); each report of a refused credential
    /// then says a retry may succeed, as after a refresh.
    func refuseCredential(times count: Int) {
        state.withLock { $0.refusals = count }
    }

    func credentialRejected(server: Server, user: String?) async throws -> Bool {
        state.withLock { state in
            state.rejectedCredentials += 1
            return state.rejectedCredentials <= 1
        }
    }

    func invalidate(server: String) async {}

    fileprivate func answer(_ method: String, _ params: RawJSON?, timeout: Duration, user: String?) async throws -> RawJSON {
        let decoded = (try? params?.decoded()) ?? .null
        let tool = decoded["name"]?.stringValue ?? ""
        let refused = state.withLock { state -> Bool in
            guard state.refusals > 0 else { return false }
            state.refusals -= 1
            return true
        }
        if refused { throw UpstreamError.unauthorized("the token was revoked") }
        let release = OneShotSignal()
        state.withLock { state in
            state.calls.append(Call(method: method, tool: tool, params: decoded, timeout: timeout, user: user))
            if tool == "slow" { state.waiting.append(release) }
        }
        if method != "tools/call" { return try Self.surfaceAnswer(method, decoded) }
        switch tool {
        case "link":
            return RawJSON(Array(
                #"{"content":[{"type":"text","text":"see file:///README.md"},{"type":"resource_link","uri":"file:///README.md","name":"readme"},{"type":"resource","resource":{"uri":"ui://board/app.html","text":"<p>"}}],"structuredContent":{"uri":"file:///README.md"}}"#
                    .utf8))
        case "echo":
            let text = RawJSON(decoded["arguments"] ?? [:]).text
            return RawJSON([
                "content": [["type": "text", "text": .string(text)]],
                "_meta": [MCPProtocol.serverInfoKey: ["name": "upstream-files", "version": "0.1"]],
            ] as JSONValue)
        case "fail":
            let code = decoded["arguments"]?["code"]?.intValue ?? -32000
            throw UpstreamError.rpc(
                code: Int(code), message: "the disk is full", raw: RawJSON(["code": .int(code), "message": "the disk is full"] as JSONValue))
        case "late":
            throw UpstreamError.timeout(timeout)
        case "slow":
            slowStartedSink.yield(tool)
            // Released, cancelled, or after 3 s on its own: a broken cancellation fails a test instead of hanging it.
            await withTaskCancellationHandler {
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { await release.wait() }
                    group.addTask {
                        try? await Task.sleep(for: .seconds(3))
                        release.fire()
                    }
                    await group.next()
                    group.cancelAll()
                }
            } onCancel: {
                release.fire()
            }
            if Task.isCancelled {
                state.withLock { $0.cancelled += 1 }
                throw CancellationError()
            }
            return RawJSON(["content": [["type": "text", "text": "done"]]] as JSONValue)
        default:
            throw UpstreamError.rpc(code: -32602, message: "unknown tool \(tool)", raw: RawJSON(["code": -32602, "message": "unknown"] as JSONValue))
        }
    }
}

extension FakeUpstreams {
    /// The fake server's prompts, resources and completions: `prompts/get` of `review` answers a message with its
    /// `code` argument and a `resource_link` to `file:///README.md`, any other prompt -32602; `resources/read` answers
    /// any URI with its text (`counter://value` with the upstream's own cache hints, public), except URIs holding
    /// `missing` (the SDKs' not-found: -32602, `data.uri`) or `gone` (the handshake era's -32002); `completion/complete`
    /// completes with the ref it got.
    static func surfaceAnswer(_ method: String, _ params: JSONValue) throws -> RawJSON {
        switch method {
        case "prompts/get":
            guard params["name"]?.stringValue == "review" else {
                throw UpstreamError.rpc(
                    code: -32602, message: "Unknown prompt", raw: RawJSON(["code": -32602, "message": "Unknown prompt"] as JSONValue))
            }
            let code = params["arguments"]?["code"]?.stringValue ?? ""
            return RawJSON([
                "description": "review",
                "messages": [
                    ["role": "user", "content": ["type": "text", "text": .string("review \(code)")]],
                    ["role": "user", "content": ["type": "resource_link", "uri": "file:///README.md", "name": "readme"]],
                ],
                "_meta": [MCPProtocol.serverInfoKey: ["name": "upstream", "version": "0.1"]],
            ] as JSONValue)
        case "resources/read":
            let uri = params["uri"]?.stringValue ?? ""
            if uri.contains("missing") {
                throw UpstreamError.rpc(
                    code: -32602, message: "Resource \(uri) not found",
                    raw: RawJSON(["code": -32602, "message": .string("Resource \(uri) not found"), "data": ["uri": .string(uri)]] as JSONValue))
            }
            if uri.contains("gone") {
                throw UpstreamError.rpc(
                    code: -32002, message: "Resource not found",
                    raw: RawJSON(["code": -32002, "message": "Resource not found", "data": ["uri": .string(uri)]] as JSONValue))
            }
            if uri == "counter://value" {
                return RawJSON(Array(#"{"contents":[{"uri":"counter://value","text":"7"}],"ttlMs":60000,"cacheScope":"public"}"#.utf8))
            }
            return RawJSON(["contents": [["uri": .string(uri), "mimeType": "text/plain", "text": .string("text of \(uri)")]]] as JSONValue)
        case "completion/complete":
            return RawJSON(["completion": ["values": [.string(RawJSON(params["ref"] ?? .null).text)], "hasMore": false]] as JSONValue)
        default:
            throw UpstreamError.rpc(code: -32601, message: "Method not found", raw: RawJSON(["code": -32601, "message": "Method not found"] as JSONValue))
        }
    }
}

/// A started client of `FakeUpstreams`.
struct FakeUpstreamClient: UpstreamClient {
    let owner: FakeUpstreams
    let user: String?

    func start() async throws(UpstreamError) {}

    func request(_ method: String, params: RawJSON?, timeout: Duration, progress: (@Sendable (RawJSON) -> Void)?) async throws -> RawJSON {
        try await owner.answer(method, params, timeout: timeout, user: user)
    }

    var notifications: AsyncStream<UpstreamNotification> { AsyncStream { $0.finish() } }

    func shutdown() async {}
}

/// Bearer checks against a fixed table of tokens; `token-scoped` lacks the scope (403).
final class FakeVerifier: AccessVerifier, Sendable {
    static let tokens: [String: AccessTokenGrant] = [
        "token-ada": grant("g-ada", user: "ada"),
        "token-bob": grant("g-bob", user: "bob"),
        "token-cyd": grant("g-cyd", user: "cyd"),
    ]

    static func grant(_ id: String, user: String) -> AccessTokenGrant {
        AccessTokenGrant(
            grantID: id, endpoint: "eng", user: user, clientID: "client-\(user)", scope: AuthorizationRequest.requiredScope,
            expiresAt: Date().addingTimeInterval(3600))
    }

    func verify(bearer: String?, endpoint: String, address: @Sendable () -> String?) async -> AccessCheck {
        guard let bearer else { return .refused(nil) }
        if bearer == "token-scoped" { return .refused(OAuthError(.insufficientScope, "the token lacks scope mcp")) }
        guard let grant = Self.tokens[bearer], grant.endpoint == endpoint else {
            return .refused(OAuthError(.invalidToken, "the access token is unknown, expired or revoked"))
        }
        return .granted(grant)
    }

    func isActive(grantID: String) async -> Bool { true }
}

/// Keeps every audit event.
final class RecordingAudit: AuditSink, Sendable {
    private let recorded = Mutex<[AuditEvent]>([])

    func record(_ event: AuditEvent) {
        recorded.withLock { $0.append(event) }
    }

    var events: [AuditEvent] { recorded.withLock { $0 } }

    /// The fields of the only tool event (a call or a refusal); nil unless there is exactly one.
    var onlyToolEvent: AuditEvent? {
        let tool = events.filter { $0.kind == .toolCall || $0.kind == .toolDenied }
        return tool.count == 1 ? tool[0] : nil
    }
}
