import Foundation
@testable import SentinelControl
import SentinelControlAPI
import SentinelCore
import SentinelStore
import SentinelVarlink
import Synchronization
import Testing

/// A personal server before anyone connects (issue 13, defect 4): the admin's catalog credential, tools enabled by
/// name ahead of the catalog, the waiting state as a state, and refusals that say why.
struct PersonalCatalogTests {
    static let personal: [String: JSONValue] = [
        "name": "wiki", "transport": "http", "url": "https://wiki.example.org/mcp", "credential_mode": "personal",
    ]

    static func server(_ reply: [String: JSONValue]) throws -> ManagerAPI.Server {
        try ManagerAPI.decode(ManagerAPI.ServerReply.self, from: reply).server
    }

    static func sample(_ mode: CredentialMode, refreshed: Bool = false, error: String? = nil, headers: Bool = false) -> Server {
        var server = Server(
            name: "s", transport: .http, url: "https://s.example.org/mcp", credentialMode: mode, createdAt: Date(),
            updatedAt: Date(), refreshedAt: refreshed ? Date() : nil, lastError: error)
        if headers { server.headers = ["Authorization": "Bearer x"] }
        return server
    }

    @Test func aCatalogThatNeedsAnUnconnectedCredentialIsWaitingNotFailed() {
        let state = ManagerInterface.catalogState
        let failed = "server s waits for a credential"
        #expect(state(Self.sample(.personal), nil, 0) == .waitingForCredential)
        #expect(state(Self.sample(.personal, refreshed: true, error: failed), nil, 0) == .waitingForCredential)
        #expect(state(Self.sample(.personal, refreshed: true, error: failed), "expired", 0) == .waitingForCredential)
        #expect(state(Self.sample(.shared, refreshed: true, error: failed), nil, 0) == .waitingForCredential)
        // With a credential to list with, a failure is a failure.
        #expect(state(Self.sample(.personal, refreshed: true, error: "HTTP 500"), "connected", 0) == .failed)
        #expect(state(Self.sample(.personal, refreshed: true, error: "HTTP 500"), nil, 2) == .failed)
        #expect(state(Self.sample(.shared, refreshed: true, error: "HTTP 500"), nil, 0) == .waitingForCredential)
        #expect(state(Self.sample(.shared, refreshed: true, error: "HTTP 500", headers: true), nil, 0) == .failed)
        #expect(state(Self.sample(.none, refreshed: true, error: "HTTP 500"), nil, 0) == .failed)
        #expect(state(Self.sample(.none), nil, 0) == .notRefreshed)
        #expect(state(Self.sample(.personal), "connected", 0) == .notRefreshed)
        #expect(state(Self.sample(.personal, refreshed: true), nil, 0) == .listed)
    }

    @Test func aCatalogTokenIsTheServersOwnCredentialAuditedWithoutItsValue() async throws {
        try await withHarness { harness in
            let added = try Self.server(try await harness.call("AddServer", ["server": .object(Self.personal)]))
            #expect((added.catalogCredential, added.catalogState) == ("missing", .waitingForCredential))

            let reply = try await harness.call("LoginServer", ["name": "wiki", "token": "tok-catalog-s3cret"])
            let login = try ManagerAPI.decode(ManagerAPI.LoginServer.Reply.self, from: reply)
            #expect(login.url == nil)
            #expect(login.server?.catalogCredential == "connected")
            #expect(login.server?.connectedUsers == 0 && login.server?.sharedCredential == nil)
            #expect(harness.credentials.tokens.withLock { $0[.init(server: "wiki", owner: nil)] } == "tok-catalog-s3cret")
            let event = try #require(harness.audit.events.last)
            #expect(event.fields[.action] == "server-login" && event.fields[.detail] == "catalog credential")
            #expect(event.message.hasPrefix("catalog credential of wiki connected"))
            #expect(!harness.audit.journalText.contains { $0.contains("s3cret") })
            #expect(!JSONValue.object(reply).text().contains("s3cret"))

            // It only ever listed the catalog: switching to shared mode discards it instead of sharing it.
            let shared = try Self.server(
                try await harness.call("UpdateServer", ["name": "wiki", "changes": ["credential_mode": "shared"]]))
            #expect(shared.sharedCredential == "missing")
            #expect(harness.credentials.tokens.withLock { $0.isEmpty })
        }
    }

    @Test func loginRefusesWhatTheServerCannotTakeAndSaysWhy() async throws {
        try await withHarness { harness in
            _ = try await harness.call("AddServer", ["server": .object(Self.personal)])
            _ = try await harness.call("AddServer", ["server": .object(stdioSpec)])
            var oauth = Self.personal
            oauth["name"] = "gh"
            oauth["credential_kind"] = "oauth"
            _ = try await harness.call("AddServer", ["server": .object(oauth)])

            let bearer = await harness.callError("LoginServer", ["name": "wiki"])
            #expect(bearer?.parameters["reason"]?.stringValue?.contains("sentinelctl server login wiki --token-stdin") == true)
            let none = await harness.callError("LoginServer", ["name": "files", "token": "t"])
            #expect(none?.parameters["reason"]?.stringValue?.contains("needs no credential") == true)
            let token = await harness.callError("LoginServer", ["name": "gh", "token": "t"])
            #expect(token?.parameters["reason"]?.stringValue?.contains("signs in with OAuth") == true)
            // An OAuth personal server's catalog credential starts with a sign-in.
            let url = try ManagerAPI.decode(
                ManagerAPI.LoginServer.Reply.self, from: try await harness.call("LoginServer", ["name": "gh"])).url
            #expect(url == "https://auth.example.org/authorize?server=gh")
            #expect(harness.credentials.tokens.withLock { $0.isEmpty })
        }
    }

    @Test func toolsEnabledAheadOfTheCatalogAreListedAsSuchAndCountedOnTheEndpoint() async throws {
        try await withHarness { harness in
            _ = try await harness.call("AddServer", ["server": .object(Self.personal)])
            _ = try await harness.call("CreateEndpoint", ["name": "eng", "servers": ["wiki"]])
            let enabled = try ManagerAPI.decode(
                ManagerAPI.ToolChangeReply.self,
                from: try await harness.call("EnableTools", ["endpoint": "eng", "tools": ["wiki/search", "wiki__page"]]))
            #expect(enabled.changed.map(\.exposedName) == ["wiki__search", "wiki__page"])
            #expect(enabled.changed.allSatisfy { $0.enabled && !$0.listed })
            let change = try #require(harness.audit.events.last)
            #expect(change.fields[.action] == "endpoint-enable-tools")

            let endpoint = try ManagerAPI.decode(
                ManagerAPI.EndpointReply.self, from: try await harness.call("GetEndpoint", ["name": "eng"])).endpoint
            #expect((endpoint.enabledTools, endpoint.availableTools, endpoint.awaitingTools) == (0, 0, 2))
            // All of a catalog that is not there yet is nothing: refused with the way to name its tools instead.
            let all = await harness.callError("EnableTools", ["endpoint": "eng", "all_of": ["wiki"]])
            #expect(all?.name == "io.sentinel.Manager.InvalidValue")
            #expect(all?.parameters["reason"]?.stringValue?.contains("name its tools as wiki/TOOL") == true)

            try await harness.store.replaceCatalog(
                server: "wiki", tools: ["page", "search", "edit"].map { Tool(server: "wiki", name: $0, discoveredAt: Date()) })
            let selections = try ManagerAPI.decode(
                ManagerAPI.ListToolSelections.Reply.self, from: try await harness.call("ListToolSelections", ["endpoint": "eng"]))
            #expect(selections.tools.map { "\($0.exposedName) \($0.enabled) \($0.listed)" }
                == ["wiki__page true true", "wiki__search true true", "wiki__edit false true"])
        }
    }

    @Test func anUnknownToolIsRefusedWithTheReason() async throws {
        try await withHarness { harness in
            _ = try await harness.call("AddServer", ["server": .object(Self.personal)])
            _ = try await harness.call("AddServer", ["server": .object(stdioSpec)])
            _ = try await harness.call("CreateEndpoint", ["name": "eng", "servers": ["files"]])
            try await harness.store.replaceCatalog(server: "files", tools: [Tool(server: "files", name: "read", discoveredAt: Date())])

            func reason(_ tool: String) async -> String? {
                let error = await harness.callError("EnableTools", ["endpoint": "eng", "tools": [.string(tool)]])
                #expect(error?.name == "io.sentinel.Manager.NoSuchTool")
                return error?.parameters["reason"]?.stringValue
            }
            #expect(await reason("read") == "name it SERVER/TOOL, or by the exposed name that sentinelctl endpoint tools eng shows")
            #expect(await reason("ghost/x") == "no server named 'ghost'")
            #expect(await reason("wiki/search")
                == "server 'wiki' is not attached to endpoint 'eng' (sentinelctl endpoint attach eng wiki)")
            #expect(await reason("files/reed") == "server files lists 1 tool(s), none named 'reed'")
            #expect(try await harness.store.unlistedEnabledTools(endpoint: "eng").isEmpty)
        }
    }
}
