import HTTPTypes
import SentinelCore
import Testing
@testable import SentinelGateway

/// `tools/list` from the cached catalog: enabled tools only, in pages of `toolsPageSize`, an opaque cursor.
struct MCPToolsListTests {
    static func names(_ reply: TestReply) -> [String] {
        reply.result?["tools"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
    }

    @Test func pagesFollowTheCursorUntilTheLastPageAndSkipDisabledTools() async throws {
        let gateway = try await GatewayHarness.make { $0.toolsPageSize = 2 }
        var pages: [[String]] = []
        var cursor: String?
        repeat {
            let params: JSONValue = cursor.map { ["cursor": .string($0)] } ?? [:]
            let reply = try await gateway.call("tools/list", params: params)
            #expect(reply.status == .ok)
            pages.append(Self.names(reply))
            cursor = reply.result?["nextCursor"]?.stringValue
        } while cursor != nil && pages.count < 10
        #expect(pages.map(\.count) == [2, 2])
        #expect(Set(pages.flatMap { $0 }) == Set(["echo", "slow", "late", "fail"].map(GatewayHarness.exposed)))
        #expect(gateway.upstreams.calls.isEmpty, "listing never asks an upstream")
    }

    @Test func onePageWhenTheListFits() async throws {
        let gateway = try await GatewayHarness.make()
        let reply = try await gateway.call("tools/list")
        #expect(Self.names(reply).count == 4)
        #expect(reply.result?["nextCursor"] == nil)
    }

    @Test func invalidCursorIsInvalidParams() async throws {
        let gateway = try await GatewayHarness.make { $0.toolsPageSize = 2 }
        for cursor in ["not base64!", "bzo5OQ==" /* o:99, past the end */, "eDox" /* x:1 */, "bzotMQ==" /* o:-1 */] {
            let reply = try await gateway.call("tools/list", params: ["cursor": .string(cursor)])
            #expect(reply.status == .ok, "a served request's error is a JSON-RPC error, not an HTTP one")
            #expect(reply.errorCode == Int64(JSONRPCErrorCode.invalidParams), "\(cursor)")
            #expect(reply.errorMessage == "invalid cursor")
        }
        let number = try await gateway.call("tools/list", params: ["cursor": 2])
        #expect(number.errorCode == Int64(JSONRPCErrorCode.invalidParams))
    }

    @Test func cursorAtTheEndGivesAnEmptyLastPage() async throws {
        let gateway = try await GatewayHarness.make { $0.toolsPageSize = 2 }
        let reply = try await gateway.call("tools/list", params: ["cursor": .string(MCPEndpointHandler.cursor(offset: 4))])
        #expect(reply.result?["tools"]?.arrayValue?.isEmpty == true)
        #expect(reply.result?["nextCursor"] == nil)
    }
}
