import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOEmbedded
import SentinelCore
import SentinelCrypto
@testable import SentinelGateway
@testable import SentinelStore
import Synchronization

/// The MCP endpoint as sentineld serves it (the same handler and router), in-process and without sockets: a real store
/// in a temporary SQLite file, with fakes at the three seams (upstreams, bearer checks, audit).
///
/// Two endpoints over one stdio server `files` (tools `echo`, `slow`, `late`, `fail`, `secret`; `secret` disabled):
/// `open` has no authentication and captures payloads; `eng` uses OAuth (`FakeVerifier`'s tokens).
final class GatewayHarness: Sendable {
    static let server = "files"
    /// The call timeout of `files`: a fake client answers `.timeout` with the limit it was given.
    static let callTimeoutSeconds = 7

    let directory: URL
    let store: Store
    let upstreams = FakeUpstreams()
    let verifier = FakeVerifier()
    let audit = RecordingAudit()
    let handler: MCPEndpointHandler
    let responder: RouterResponder<GatewayRequestContext>

    /// A harness with `settings` changed from the defaults (loopback listener, page size 1000, limits 64/16).
    static func make(_ change: (inout GatewaySettings) -> Void = { _ in }) async throws -> GatewayHarness {
        var settings = GatewaySettings(
            publicURL: "https://gw.example.org", maxRequestBytes: 64 * 1024, maxConcurrentCallsPerEndpoint: 64,
            allowedOrigins: [], listenerIsLoopback: true, version: "9.9.9-test", toolsPageSize: 1000,
            maxConcurrentCallsPerCaller: 16)
        change(&settings)
        return try await GatewayHarness(settings: settings)
    }

    private init(settings: GatewaySettings) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sentinel-gateway-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try Store(
            path: directory.appendingPathComponent("sentinel.sqlite").path, secrets: try SecretBox(key: SecretBox.generateKey()))
        let now = Date()
        _ = try await store.addServer(Server(
            name: Self.server, transport: .stdio, command: ["/bin/true"], callTimeoutSeconds: Self.callTimeoutSeconds,
            createdAt: now, updatedAt: now))
        try await store.replaceCatalog(
            server: Self.server,
            tools: ["echo", "slow", "late", "fail", "secret"].map { Tool(server: Self.server, name: $0, description: "does \($0)", discoveredAt: now) })
        for (name, auth) in [("open", EndpointAuth.none), ("eng", .oauth)] {
            _ = try await store.createEndpoint(Endpoint(
                name: name, description: "", auth: auth, capturePayloads: true, servers: [Self.server], createdAt: now, updatedAt: now))
            _ = try await store.setTools(endpoint: name, tools: [], allOf: [Self.server], enabled: true)
            _ = try await store.setTools(endpoint: name, tools: ["\(Self.server)/secret"], allOf: [], enabled: false)
        }
        let catalog = EndpointCatalog(store: store)
        handler = MCPEndpointHandler(
            catalog: catalog, upstreams: upstreams, audit: audit, hub: NotificationHub(), verifier: verifier,
            grantStreams: GrantStreams(), logger: Logger(label: "test.gateway"), settings: { settings })
        let router = GatewayRouter.make(version: settings.version)
        handler.register(on: router)
        responder = router.buildResponder()
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    /// The exposed name of a tool of `files`.
    static func exposed(_ tool: String) -> String { "\(server)__\(tool)" }

    // MARK: - Requests

    /// Sends one request through the router and collects the whole response.
    func send(
        _ method: HTTPRequest.Method = .post, endpoint: String = "open", body: String? = nil, headers: HTTPFields = [:],
        channel: (any Channel)? = nil, forwardedClient: IPAddress? = nil
    ) async throws -> TestReply {
        var fields = headers
        if body != nil, fields[.contentType] == nil { fields[.contentType] = "application/json" }
        let request = Request(
            head: HTTPRequest(method: method, scheme: "http", authority: "localhost", path: "/mcp/\(endpoint)", headerFields: fields),
            body: RequestBody(buffer: ByteBuffer(string: body ?? "")))
        var context = GatewayRequestContext(
            source: ApplicationRequestContextSource(channel: channel ?? NIOAsyncTestingChannel(), logger: Logger(label: "test.request")))
        context.forwardedClient = forwardedClient
        let response = try await responder.respond(to: request, context: context)
        let collector = ByteCollector()
        try await response.body.write(collector)
        return TestReply(status: response.status, headers: response.headers, bytes: collector.bytes)
    }

    /// POSTs a JSON-RPC request of the handshake era (no `_meta` envelope).
    func call(
        _ method: String, id: Int = 1, params: JSONValue = [:], endpoint: String = "open", headers: HTTPFields = [:],
        channel: (any Channel)? = nil
    ) async throws -> TestReply {
        let body: JSONValue = ["jsonrpc": "2.0", "id": .int(Int64(id)), "method": .string(method), "params": params]
        return try await send(endpoint: endpoint, body: RawJSON(body).text, headers: headers, channel: channel)
    }

    /// POSTs a 2026-07-28 request: `_meta` with version, client info and `capabilities`, and the matching headers.
    func modernCall(
        _ method: String, id: Int = 1, params: JSONValue = [:], endpoint: String = "open", headers: HTTPFields = [:],
        capabilities: JSONValue = [:]
    ) async throws -> TestReply {
        var params = params.objectValue ?? [:]
        params["_meta"] = [
            MCPProtocol.versionKey: .string(MCPProtocol.modernVersion),
            MCPProtocol.clientInfoKey: ["name": "harness", "version": "1.0"],
            MCPProtocol.clientCapabilitiesKey: capabilities,
        ]
        var fields: HTTPFields = [
            .mcpProtocolVersion: MCPProtocol.modernVersion, .mcpMethod: method,
        ]
        if let key = MCPProtocol.nameParameter(of: method), let name = params[key]?.stringValue { fields[.mcpName] = name }
        for field in headers { fields[field.name] = field.value }
        return try await call(method, id: id, params: .object(params), endpoint: endpoint, headers: fields)
    }

    /// A handshake-era `tools/call` of a tool of `files`.
    func callTool(
        _ tool: String, arguments: JSONValue = [:], id: Int = 1, endpoint: String = "open", headers: HTTPFields = [:],
        channel: (any Channel)? = nil
    ) async throws -> TestReply {
        try await call(
            "tools/call", id: id, params: ["name": .string(Self.exposed(tool)), "arguments": arguments], endpoint: endpoint,
            headers: headers, channel: channel)
    }
}

/// A response as the client receives it.
struct TestReply: Sendable {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let bytes: [UInt8]

    /// The body, parsed (`.null` when it is not JSON).
    var json: JSONValue { (try? JSONValue.parse(Data(bytes))) ?? .null }
    var result: JSONValue? { json["result"] }
    var errorCode: Int64? { json["error"]?["code"]?.intValue }
    var errorMessage: String { json["error"]?["message"]?.stringValue ?? "" }
    var text: String { String(decoding: bytes, as: UTF8.self) }
}
