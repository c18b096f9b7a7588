import Testing
import SentinelCore

/// The table of sentineld(8) "PROTOCOL ERAS", row by row.
struct MCPRequestRulesTests {
    typealias Rules = MCPRequestRules

    static func modern(
        _ method: String = "tools/call", version: String = MCPProtocol.modernVersion, capabilities: Bool = true,
        name: String? = "demo__echo"
    ) -> Rules.Envelope {
        Rules.Envelope(method: method, version: .string(version), hasClientCapabilities: capabilities, routingName: name)
    }

    static let handshakeBody = Rules.Envelope(method: "tools/call", version: .absent, hasClientCapabilities: false, routingName: "demo__echo")

    static func headers(_ version: String? = MCPProtocol.modernVersion, method: String? = "tools/call", name: String? = "demo__echo")
        -> Rules.Headers
    {
        Rules.Headers(protocolVersion: version, method: method, name: name)
    }

    static func refusalCode(_ route: Rules.Route) -> Int? {
        if case .refused(let refusal) = route { return refusal.code }
        return nil
    }

    @Test func handshakeBodiesAreServedWithAnyOrNoVersionHeader() {
        #expect(Rules.route(Self.handshakeBody, headers: Self.headers(nil, method: nil, name: nil), sessionVersion: nil)
            == .handshake(versionHeaderDiffers: false))
        #expect(Rules.route(Self.handshakeBody, headers: Self.headers("2025-06-18"), sessionVersion: nil) == .handshake(versionHeaderDiffers: false))
        #expect(Rules.route(Self.handshakeBody, headers: Self.headers("2025-11-25"), sessionVersion: "2025-11-25")
            == .handshake(versionHeaderDiffers: false))
    }

    @Test func aModernHeaderAfterAHandshakeInitializeIsServedByTheSession() {
        #expect(Rules.route(Self.handshakeBody, headers: Self.headers(), sessionVersion: "2025-11-25") == .handshake(versionHeaderDiffers: true))
    }

    @Test func aModernHeaderOnAHandshakeBodyWithoutSessionIsInvalidParams() {
        #expect(Self.refusalCode(Rules.route(Self.handshakeBody, headers: Self.headers(), sessionVersion: nil)) == JSONRPCErrorCode.invalidParams)
    }

    @Test func aModernBodyWithMatchingHeadersIsServed() {
        #expect(Rules.route(Self.modern(), headers: Self.headers(), sessionVersion: nil) == .modern(versionHeaderDiffers: false))
        #expect(Rules.route(Self.modern("tools/list", name: nil), headers: Self.headers(method: "tools/list", name: nil), sessionVersion: nil)
            == .modern(versionHeaderDiffers: false))
    }

    @Test func aHandshakeOrMissingVersionHeaderOnAModernBodyIsServedByTheBodyAndNoted() {
        #expect(Rules.route(Self.modern(), headers: Self.headers("2025-11-25"), sessionVersion: nil) == .modern(versionHeaderDiffers: true))
        #expect(Rules.route(Self.modern(), headers: Self.headers(nil), sessionVersion: nil) == .modern(versionHeaderDiffers: true))
        // A session id on a modern body changes nothing.
        #expect(Rules.route(Self.modern(), headers: Self.headers(), sessionVersion: "2025-11-25") == .modern(versionHeaderDiffers: false))
    }

    @Test func missingOrDifferentMethodAndNameHeadersAreHeaderMismatch() {
        let mismatch = JSONRPCErrorCode.headerMismatch
        #expect(Self.refusalCode(Rules.route(Self.modern(), headers: Self.headers(method: nil), sessionVersion: nil)) == mismatch)
        #expect(Self.refusalCode(Rules.route(Self.modern(), headers: Self.headers(method: "tools/list"), sessionVersion: nil)) == mismatch)
        #expect(Self.refusalCode(Rules.route(Self.modern(), headers: Self.headers(name: nil), sessionVersion: nil)) == mismatch)
        #expect(Self.refusalCode(Rules.route(Self.modern(), headers: Self.headers(name: "demo__slow"), sessionVersion: nil)) == mismatch)
        #expect(Self.refusalCode(Rules.route(Self.modern(), headers: Self.headers(name: "=?base64?not base64?="), sessionVersion: nil))
            == mismatch)
        // Under claude.ai's handshake-era version header the method and name are still checked.
        #expect(Self.refusalCode(Rules.route(Self.modern(), headers: Self.headers("2025-11-25", method: nil), sessionVersion: nil)) == mismatch)
    }

    @Test func anEncodedNameHeaderIsDecodedBeforeTheComparison() {
        let envelope = Self.modern(name: "café")
        #expect(Rules.route(envelope, headers: Self.headers(name: MCPHeaderValue.encode("café")), sessionVersion: nil)
            == .modern(versionHeaderDiffers: false))
    }

    @Test func metaWithoutClientCapabilitiesIsInvalidParams() {
        #expect(Self.refusalCode(Rules.route(Self.modern(capabilities: false), headers: Self.headers(), sessionVersion: nil))
            == JSONRPCErrorCode.invalidParams)
        let malformed = Rules.Envelope(method: "tools/list", version: .malformed, hasClientCapabilities: true, routingName: nil)
        #expect(Self.refusalCode(Rules.route(malformed, headers: Self.headers(method: "tools/list"), sessionVersion: nil))
            == JSONRPCErrorCode.invalidParams)
    }

    @Test func anUnsupportedVersionInHeaderOrBodyNamesSupportedAndRequested() {
        guard case .refused(let inHeader) = Rules.route(Self.handshakeBody, headers: Self.headers("1999-01-01"), sessionVersion: nil),
            case .refused(let inBody) = Rules.route(Self.modern(version: "2030-01-01"), headers: Self.headers(), sessionVersion: nil),
            case .refused(let onModern) = Rules.route(Self.modern(), headers: Self.headers("1999-01-01"), sessionVersion: nil)
        else {
            Issue.record("an unsupported version was served")
            return
        }
        #expect(inHeader.code == JSONRPCErrorCode.unsupportedVersion && inHeader.requested == "1999-01-01")
        #expect(inBody.code == JSONRPCErrorCode.unsupportedVersion && inBody.requested == "2030-01-01")
        #expect(onModern.code == JSONRPCErrorCode.unsupportedVersion && onModern.requested == "1999-01-01")
        #expect(inBody.data?["supported"] == JSONValue(MCPProtocol.allVersions))
        #expect(inBody.data?["requested"] == "2030-01-01")
        #expect(Rules.versionHeaderRefusal("2025-03-26") == nil && Rules.versionHeaderRefusal(nil) == nil)
    }

    @Test func theEnvelopeIsReadFromTheBody() throws {
        let message = try JSONRPCMessage(parsing: Array(#"""
            {"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"uri":"file:///a b","_meta":{
            "io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities": {}}}}
            """#.utf8))
        let envelope = Rules.Envelope(message, meta: message.metaMembers())
        #expect(envelope == Rules.Envelope(method: "resources/read", version: .string("2026-07-28"), hasClientCapabilities: true, routingName: "file:///a b"))
        let plain = try JSONRPCMessage(parsing: Array(#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","_meta":{"progressToken":1}}}"#.utf8))
        #expect(Rules.Envelope(plain, meta: plain.metaMembers()).version == .absent)
        let nullCapabilities = try JSONRPCMessage(parsing: Array(#"""
            {"jsonrpc":"2.0","id":1,"method":"ping","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":7,"io.modelcontextprotocol/clientCapabilities":null}}}
            """#.utf8))
        let odd = Rules.Envelope(nullCapabilities, meta: nullCapabilities.metaMembers())
        #expect(odd.version == .malformed && !odd.hasClientCapabilities)
    }

    @Test func headerValuesRoundTripAndMalformedSentinelsDecodeToNothing() {
        for text in ["get_weather", "café", " padded ", "line1\nline2", "=?base64?literal?="] {
            #expect(MCPHeaderValue.decode(MCPHeaderValue.encode(text)) == text)
        }
        #expect(MCPHeaderValue.encode("us-west1") == "us-west1")
        #expect(MCPHeaderValue.encode("Hello, 世界") == "=?base64?SGVsbG8sIOS4lueVjA==?=")
        #expect(MCPHeaderValue.decode("=?base64?%%%?=") == nil)
        #expect(MCPHeaderValue.decode("=?base64?SGVsbG9=?=") == nil)  // non-canonical padding bits
        #expect(MCPHeaderValue.decode("=?base64?/w==?=") == nil)  // 0xFF is not UTF-8
    }
}
