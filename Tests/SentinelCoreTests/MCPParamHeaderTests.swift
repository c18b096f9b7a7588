import Testing
import SentinelCore

struct MCPParamHeaderTests {
    static let schema: JSONValue = [
        "type": "object",
        "properties": [
            "region": ["type": "string", "x-mcp-header": "Region"],
            "limit": ["type": "integer", "x-mcp-header": "Limit"],
            "dry": ["type": "boolean", "x-mcp-header": "Dry"],
            "nested": ["type": "object", "properties": ["zone": ["type": "string", "x-mcp-header": "Zone"]]],
            "query": ["type": "string"],
        ],
    ]

    static func check(_ arguments: String, _ headers: [(name: String, value: String)]) -> Int? {
        let bytes = Array(arguments.utf8)
        return MCPParamHeader.check(MCPParamHeader.declared(by: schema), bytes: bytes, arguments: 0..<bytes.count, headers: headers)?.code
    }

    @Test func declaredHeadersFollowOnlyPropertiesChains() {
        let declared = MCPParamHeader.declared(by: Self.schema)
        #expect(declared.map(\.token) == ["Dry", "Limit", "Region", "Zone"])
        #expect(declared.first { $0.token == "Zone" }?.path == ["nested", "zone"])
        let throughItems: JSONValue = ["type": "object", "properties": ["list": ["type": "array", "items": ["type": "string", "x-mcp-header": "Item"]]]]
        #expect(MCPParamHeader.declared(by: throughItems).isEmpty)
        let onNumber: JSONValue = ["type": "object", "properties": ["n": ["type": "number", "x-mcp-header": "N"]]]
        #expect(MCPParamHeader.declared(by: onNumber).isEmpty)
        let duplicated: JSONValue = ["type": "object", "properties": ["a": ["type": "string", "x-mcp-header": "X"], "b": ["type": "string", "x-mcp-header": "x"]]]
        #expect(MCPParamHeader.declared(by: duplicated).isEmpty)
        let notToken: JSONValue = ["type": "object", "properties": ["a": ["type": "string", "x-mcp-header": "A B"]]]
        #expect(MCPParamHeader.declared(by: notToken).isEmpty)
    }

    @Test func matchingHeadersPassAndTheSpecExamplesDecode() {
        #expect(Self.check(#"{"region":"us-west1","limit":42,"dry":false,"nested":{"zone":"Hello, 世界"},"query":"q"}"#, [
            ("Mcp-Param-Region", "us-west1"), ("mcp-param-limit", "42"), ("Mcp-Param-Dry", "false"),
            ("Mcp-Param-Zone", "=?base64?SGVsbG8sIOS4lueVjA==?="), ("Mcp-Param-Unknown", "ignored"),
        ]) == nil)
        // Integers compare as numbers; absent or null arguments expect no header.
        #expect(Self.check(#"{"limit":42.0}"#, [("Mcp-Param-Limit", "42")]) == nil)
        #expect(Self.check(#"{"limit":42}"#, [("Mcp-Param-Limit", "42.0")]) == nil)
        #expect(Self.check(#"{"region":null,"query":"q"}"#, []) == nil)
    }

    @Test func missingExtraDifferentOrRepeatedHeadersAreMismatches() {
        let mismatch = JSONRPCErrorCode.headerMismatch
        #expect(Self.check(#"{"region":"eu"}"#, []) == mismatch)
        #expect(Self.check(#"{"query":"q"}"#, [("Mcp-Param-Region", "eu")]) == mismatch)
        #expect(Self.check(#"{"region":"eu"}"#, [("Mcp-Param-Region", "us")]) == mismatch)
        #expect(Self.check(#"{"region":"eu"}"#, [("Mcp-Param-Region", "eu"), ("mcp-param-region", "eu")]) == mismatch)
        #expect(Self.check(#"{"limit":42}"#, [("Mcp-Param-Limit", "4.2e1")]) == mismatch)
        #expect(Self.check(#"{"dry":true}"#, [("Mcp-Param-Dry", "True")]) == mismatch)
        #expect(Self.check(#"{"region":"eu"}"#, [("Mcp-Param-Region", "=?base64?!!?=")]) == mismatch)
    }

    @Test func theGatewayMirrorsDeclaredArgumentsAsAClientWould() {
        let bytes = Array(#"{"region":" padded ","limit":7.0,"dry":true,"nested":{"zone":null},"query":"q"}"#.utf8)
        let mirrored = MCPParamHeader.mirrored(MCPParamHeader.declared(by: Self.schema), bytes: bytes, arguments: 0..<bytes.count)
        #expect(mirrored.map { "\($0.name): \($0.value)" } == [
            "Mcp-Param-Dry: true", "Mcp-Param-Limit: 7", "Mcp-Param-Region: =?base64?IHBhZGRlZCA=?=",
        ])
        // What it mirrors passes its own check.
        #expect(MCPParamHeader.check(MCPParamHeader.declared(by: Self.schema), bytes: bytes, arguments: 0..<bytes.count, headers: mirrored) == nil)
    }
}
