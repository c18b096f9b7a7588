import Foundation
import SentinelCore
@testable import SentinelUpstream
import Synchronization
import Testing

/// Credentials held in memory, keyed by server and owner (nil: the shared one).
private final class FakeCredentials: UpstreamCredentialSource {
    struct Key: Hashable {
        var server: String
        var owner: String?
    }

    let tokens: Mutex<[Key: String]>

    init(_ tokens: [Key: String]) {
        self.tokens = Mutex(tokens)
    }

    func set(server: String, owner: String?, token: String) {
        tokens.withLock { $0[Key(server: server, owner: owner)] = token }
    }

    func token(for server: Server, owner: String?) async throws -> String {
        guard let token = tokens.withLock({ $0[Key(server: server.name, owner: owner)] }) else {
            throw missing(server, owner: owner)
        }
        return token
    }

    func hasCredential(server: String, owner: String?) async throws -> Bool {
        tokens.withLock { $0[Key(server: server, owner: owner)] != nil }
    }

    func connectedOwners(server: String) async throws -> [String] {
        tokens.withLock { $0.keys.filter { $0.server == server }.compactMap(\.owner) }
    }

    func missing(_ server: Server, owner: String?) -> UpstreamCredentialRequired {
        UpstreamCredentialRequired("\(server.name) has no credential for \(owner ?? "the shared account")")
    }

    func rejected(server: Server, owner: String?, fingerprint: String?) async throws -> Bool { false }
}

/// A client that only remembers the configuration it was made with (its credential) and whether it was stopped.
private final class ConfiguredClient: UpstreamClient {
    let server: Server
    let stopped = Mutex(false)

    init(server: Server) {
        self.server = server
    }

    /// The credential this client would send: its bearer header (http) or credential variable (stdio).
    var credential: String? {
        switch server.transport {
        case .http: server.headers["Authorization"].map { String($0.dropFirst("Bearer ".count)) }
        case .stdio: server.environment[server.effectiveCredentialEnv]
        }
    }

    func start() async throws(UpstreamError) {}

    func request(_ method: String, params: RawJSON?, timeout: Duration, progress: (@Sendable (RawJSON) -> Void)?)
        async throws -> RawJSON
    {
        RawJSON(string: method)
    }

    var notifications: AsyncStream<UpstreamNotification> { AsyncStream { $0.finish() } }

    func shutdown() async {
        stopped.withLock { $0 = true }
    }
}

/// `PooledUpstreams` over a real `UpstreamPool` whose factory records every client it makes.
private struct Harness {
    /// Every client the pool's factory made, in order.
    final class Made: Sendable {
        let clients = Mutex<[ConfiguredClient]>([])
    }

    let credentials: FakeCredentials
    let made = Made()
    let upstreams: PooledUpstreams

    init(_ tokens: [FakeCredentials.Key: String]) {
        credentials = FakeCredentials(tokens)
        let made = made
        let pool = UpstreamPool(logger: StdioFixtures.logger) { server in
            let client = ConfiguredClient(server: server)
            made.clients.withLock { $0.append(client) }
            return client
        }
        upstreams = PooledUpstreams(pool: pool, credentials: credentials)
    }

    var clients: [ConfiguredClient] { made.clients.withLock { $0 } }
    var credentialsSent: [String?] { clients.map(\.credential) }

    static func server(_ name: String, _ mode: CredentialMode, transport: ServerTransport = .stdio) -> Server {
        switch transport {
        case .stdio:
            Server(name: name, transport: .stdio, command: ["/bin/true"], credentialMode: mode, createdAt: Date(), updatedAt: Date())
        case .http:
            Server(name: name, transport: .http, url: "http://127.0.0.1:9/mcp", credentialMode: mode, createdAt: Date(), updatedAt: Date())
        }
    }
}

@Suite("PooledUpstreams: whose credential an upstream call carries")
struct PooledUpstreamsTests {
    /// alice and bob each hold a personal credential for `files`; the server also has a shared one.
    private static let tokens: [FakeCredentials.Key: String] = [
        .init(server: "files", owner: "alice"): "alice-token",
        .init(server: "files", owner: "bob"): "bob-token",
        .init(server: "files", owner: nil): "shared-token",
    ]

    @Test func personalServerCallsCarryOnlyTheCallersOwnCredential() async throws {
        let harness = Harness(Self.tokens)
        for transport in ServerTransport.allCases {
            let server = Harness.server("files", .personal, transport: transport)
            _ = try await harness.upstreams.client(for: server, user: "alice")
            _ = try await harness.upstreams.client(for: server, user: "bob")
            await harness.upstreams.invalidate(server: "files")
        }
        #expect(harness.credentialsSent == ["alice-token", "bob-token", "alice-token", "bob-token"])
        #expect(harness.clients[0].server.headers.isEmpty)
        #expect(harness.clients[2].server.environment.isEmpty)
    }

    @Test func personalServerWithoutTheCallersCredentialRequiresIt() async throws {
        let harness = Harness(Self.tokens)
        let server = Harness.server("files", .personal)
        // carol has no credential of her own: neither bob's nor the shared one stands in for it.
        await #expect(throws: UpstreamCredentialRequired.self) {
            _ = try await harness.upstreams.client(for: server, user: "carol")
        }
        // A call without a signed-in user has no owner whose credential it could carry.
        await #expect(throws: UpstreamCredentialRequired.self) {
            _ = try await harness.upstreams.client(for: server, user: nil)
        }
        #expect(harness.clients.isEmpty)
    }

    @Test func sharedServerUsesTheSharedCredentialForEveryUser() async throws {
        let harness = Harness(Self.tokens)
        let server = Harness.server("files", .shared, transport: .http)
        let forAlice = try await harness.upstreams.client(for: server, user: "alice")
        _ = try await harness.upstreams.client(for: server, user: "bob")
        _ = try await harness.upstreams.client(for: server, user: nil)
        #expect(harness.credentialsSent == ["shared-token"])
        #expect(try await forAlice.request("ping", params: nil, timeout: .seconds(1), progress: nil) == RawJSON(string: "ping"))

        let unconnected = Harness.server("wiki", .shared)
        await #expect(throws: UpstreamCredentialRequired.self) {
            _ = try await harness.upstreams.client(for: unconnected, user: "alice")
        }
    }

    @Test func sessionsAreKeyedByServerAndCredentialOwner() async throws {
        var tokens = Self.tokens
        tokens[.init(server: "mail", owner: "alice")] = "alice-mail-token"
        let harness = Harness(tokens)
        let files = Harness.server("files", .personal)
        let mail = Harness.server("mail", .personal)
        _ = try await harness.upstreams.client(for: files, user: "alice")
        _ = try await harness.upstreams.client(for: files, user: "alice")
        _ = try await harness.upstreams.client(for: files, user: "bob")
        _ = try await harness.upstreams.client(for: mail, user: "alice")
        #expect(harness.credentialsSent == ["alice-token", "bob-token", "alice-mail-token"])

        // A new token for alice stops her old session and starts one with it; bob's session stays.
        harness.credentials.set(server: "files", owner: "alice", token: "alice-token-2")
        _ = try await harness.upstreams.client(for: files, user: "alice")
        _ = try await harness.upstreams.client(for: files, user: "bob")
        #expect(harness.credentialsSent == ["alice-token", "bob-token", "alice-mail-token", "alice-token-2"])
        #expect(harness.clients.map { $0.stopped.withLock { $0 } } == [true, false, false, false])
    }

    @Test func catalogCredentialOfAPersonalServerListsTheCatalogButNeverServesAUsersCall() async throws {
        let harness = Harness([.init(server: "wiki", owner: nil): "catalog-token", .init(server: "files", owner: "alice"): "alice-token"])
        let wiki = Harness.server("wiki", .personal)
        _ = try await harness.upstreams.catalogClient(for: wiki)
        #expect(harness.credentialsSent == ["catalog-token"])
        // A user without their own credential gets none: not the catalog credential, whoever asks.
        await #expect(throws: UpstreamCredentialRequired.self) { _ = try await harness.upstreams.client(for: wiki, user: "alice") }
        await #expect(throws: UpstreamCredentialRequired.self) { _ = try await harness.upstreams.client(for: wiki, user: nil) }
        #expect(harness.credentialsSent == ["catalog-token"])
        // With both, the catalog is listed with the catalog credential and alice's calls carry hers.
        harness.credentials.set(server: "wiki", owner: "alice", token: "alice-wiki-token")
        _ = try await harness.upstreams.catalogClient(for: wiki)
        _ = try await harness.upstreams.client(for: wiki, user: "alice")
        #expect(harness.credentialsSent == ["catalog-token", "alice-wiki-token"])
    }

    @Test func catalogOfAPersonalServerIsListedWithAConnectedUsersCredential() async throws {
        // Without a catalog credential (the server's own, owner nil).
        let harness = Harness(Self.tokens.filter { $0.key.owner != nil })
        _ = try await harness.upstreams.catalogClient(for: Harness.server("files", .personal))
        #expect(harness.credentialsSent == ["alice-token"])
        await #expect(throws: UpstreamCredentialRequired.self) {
            _ = try await harness.upstreams.catalogClient(for: Harness.server("wiki", .personal))
        }
    }
}

@Suite("PooledUpstreams: checking a pasted token with its server")
struct CredentialVerificationTests {
    @Test func aTokenIsCheckedWithAClientOfItsOwnThatIsStoppedAfterwards() async throws {
        let harness = Harness([:])
        for transport in ServerTransport.allCases {
            let check = await harness.upstreams.verify(
                Harness.server("files", .personal, transport: transport), token: "pasted", timeout: .seconds(5))
            #expect(check == .accepted)
        }
        #expect(harness.credentialsSent == ["pasted", "pasted"])
        #expect(harness.clients.allSatisfy { $0.stopped.withLock { $0 } })
        // Nothing was pooled: a call for alice starts her own client with her own saved token.
        let harnessWithToken = Harness([.init(server: "files", owner: "alice"): "alice-token"])
        _ = await harnessWithToken.upstreams.verify(Harness.server("files", .personal), token: "pasted", timeout: .seconds(5))
        _ = try await harnessWithToken.upstreams.client(for: Harness.server("files", .personal), user: "alice")
        #expect(harnessWithToken.credentialsSent == ["pasted", "alice-token"])
    }

    @Test func refusalsAreToldApartFromAServerThatCannotBeAsked() {
        #expect(PooledUpstreams.classify(.unauthorized("HTTP 401: The access token is unknown")) == .refused(reason: "The access token is unknown"))
        #expect(PooledUpstreams.classify(.httpStatus(403, detail: "insufficient scope")) == .refused(reason: "insufficient scope"))
        #expect(PooledUpstreams.classify(.httpStatus(403, detail: "")) == .refused(reason: "HTTP 403"))
        #expect(PooledUpstreams.classify(.rpc(code: -32001, message: "bad token", raw: .null)) == .refused(reason: "bad token"))
        #expect(PooledUpstreams.classify(.rpc(code: -32601, message: "no tools", raw: .null)) == .accepted)
        for unknown: UpstreamError in [
            .connectFailed("connection refused"), .timeout(.seconds(10)), .httpStatus(502, detail: ""),
            .handshakeFailed("x"), .rpc(code: -32603, message: "boom", raw: .null),
        ] {
            guard case .unreachable = PooledUpstreams.classify(unknown) else {
                Issue.record("\(unknown) should leave the token unverified")
                continue
            }
        }
        let long = PooledUpstreams.classify(.unauthorized(String(repeating: "x\n", count: 400)))
        guard case .refused(let reason) = long else {
            Issue.record("not refused")
            return
        }
        #expect(reason.count == 300 && !reason.contains("\n"))
    }

    @Test func theServersReasonComesFromItsChallengeOrItsBody() {
        let challenge = HTTPResponseHead(
            status: 401,
            headers: ["WWW-Authenticate": #"Bearer resource_metadata="x", error="invalid_token", error_description="The token \"abc\" expired""#])
        #expect(HTTPUpstreamClient.refusalReason(challenge, body: Array(#"{"message":"ignored"}"#.utf8)) == #"The token "abc" expired"#)
        let bare = HTTPResponseHead(status: 403, headers: [:])
        #expect(HTTPUpstreamClient.refusalReason(bare, body: Array(#"{"error":{"code":-32001,"message":"no access to repo"}}"#.utf8)) == "no access to repo")
        #expect(HTTPUpstreamClient.refusalReason(bare, body: Array(#"{"error_description":"revoked"}"#.utf8)) == "revoked")
        #expect(HTTPUpstreamClient.refusalReason(bare, body: Array("Forbidden".utf8)) == "Forbidden")
    }
}
