import SentinelCore
import Testing

@testable import SentinelUpstream

/// Raw `params` edits and routing headers of `HTTPUpstreamClient`.
@Suite("HTTPRequestParams")
struct HTTPRequestParamsTests {
    private let token = RawJSON(string: "sentinel-1")

    private func raw(_ text: String) -> RawJSON { RawJSON(Array(text.utf8)) }

    @Test func aProgressTokenIsAddedWithoutTouchingOtherMembers() {
        let params = raw(#"{"name":"echo", "arguments":{"n":1.50,"s":"\u00e9"} }"#)
        let shaped = HTTPRequestParams.settingMeta([(name: "progressToken", value: token)], in: params)
        #expect(shaped?.text == #"{"name":"echo", "arguments":{"n":1.50,"s":"\u00e9"} ,"_meta":{"progressToken":"sentinel-1"}}"#)
    }

    @Test func anExistingMetaKeepsItsMembersBytesAndLosesTheCallersToken() {
        let params = raw(#"{"_meta":{"trace\/id":"a\"b", "progressToken":5,"x":[1, 2]},"name":"echo"}"#)
        let shaped = HTTPRequestParams.settingMeta([(name: "progressToken", value: token)], in: params)
        #expect(shaped?.text == #"{"_meta":{"trace\/id":"a\"b","x":[1, 2],"progressToken":"sentinel-1"},"name":"echo"}"#)
        let decoded = try? shaped?.decoded()
        #expect(decoded?["_meta"]?["trace/id"]?.stringValue == "a\"b")
    }

    @Test func absentParamsBecomeAnObjectHoldingOnlyMeta() {
        let shaped = HTTPRequestParams.settingMeta([(name: "progressToken", value: token)], in: nil)
        #expect(shaped?.text == #"{"_meta":{"progressToken":"sentinel-1"}}"#)
        #expect(HTTPRequestParams.settingMeta([], in: nil) == nil)
    }

    @Test func modernEnvelopeKeysAreRemovedForHandshakeServers() {
        let params = raw(#"{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","keep":true},"name":"x"}"#)
        let shaped = HTTPRequestParams.settingMeta([], removing: ["io.modelcontextprotocol/protocolVersion"], in: params)
        #expect(shaped?.text == #"{"_meta":{"keep":true},"name":"x"}"#)
        let untouched = raw(#"{"name":"x"}"#)
        #expect(HTTPRequestParams.settingMeta([], removing: ["io.modelcontextprotocol/protocolVersion"], in: untouched) == untouched)
    }

    @Test func routingNamesComeFromNameOrURI() {
        #expect(HTTPRequestParams.routingName(method: "tools/call", params: raw(#"{"name":"echo"}"#)) == "echo")
        #expect(HTTPRequestParams.routingName(method: "prompts/get", params: raw(#"{"name":"greet"}"#)) == "greet")
        #expect(HTTPRequestParams.routingName(method: "resources/read", params: raw(#"{"uri":"file:///a"}"#)) == "file:///a")
        #expect(HTTPRequestParams.routingName(method: "tools/list", params: raw(#"{"name":"echo"}"#)) == nil)
    }

    @Test func unsafeHeaderValuesAreBase64Wrapped() {
        #expect(HTTPRequestParams.headerValue("get_weather") == "get_weather")
        #expect(HTTPRequestParams.headerValue("caf\u{E9}") == "=?base64?Y2Fmw6k=?=")
        #expect(HTTPRequestParams.headerValue(" padded") == "=?base64?IHBhZGRlZA==?=")
        #expect(HTTPRequestParams.headerValue("=?base64?abc?=") == "=?base64?PT9iYXNlNjQ/YWJjPz0=?=")
    }
}
