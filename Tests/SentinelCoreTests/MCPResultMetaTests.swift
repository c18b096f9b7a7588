import Testing
import SentinelCore

struct MCPResultMetaTests {
    static let sentinel = RawJSON(Array(#"{"name":"sentinel/eng","version":"1"}"#.utf8))

    static func modern(_ text: String) -> String { MCPResultMeta.modern(RawJSON(Array(text.utf8)), serverInfo: sentinel).text }
    static func handshake(_ text: String) -> String { MCPResultMeta.handshake(RawJSON(Array(text.utf8))).text }

    @Test func modernResultsNameTheGatewayInPlaceOfTheUpstream() {
        #expect(Self.modern(#"{"content":[],"_meta":{"a":1,"io.modelcontextprotocol/serverInfo":{"name":"up"},"b":[2]},"resultType":"complete"}"#)
            == #"{"content":[],"_meta":{"a":1,"io.modelcontextprotocol/serverInfo":{"name":"sentinel/eng","version":"1"},"b":[2]},"resultType":"complete"}"#)
    }

    @Test func modernResultsGainServerInfoAndResultTypeWhenAbsent() {
        #expect(Self.modern(#"{}"#) == #"{"resultType":"complete","_meta":{"io.modelcontextprotocol/serverInfo":{"name":"sentinel/eng","version":"1"}}}"#)
        #expect(Self.modern(#"{ "content" : [ 1 ,2 ] }"#)
            == #"{"resultType":"complete","_meta":{"io.modelcontextprotocol/serverInfo":{"name":"sentinel/eng","version":"1"}}, "content" : [ 1 ,2 ] }"#)
        #expect(Self.modern(#"{"_meta":{"x":"y"},"resultType":"input_required"}"#)
            == #"{"_meta":{"io.modelcontextprotocol/serverInfo":{"name":"sentinel/eng","version":"1"},"x":"y"},"resultType":"input_required"}"#)
        #expect(Self.modern(#"{"_meta":null}"#)
            == #"{"resultType":"complete","_meta":{"io.modelcontextprotocol/serverInfo":{"name":"sentinel/eng","version":"1"}}}"#)
        #expect(Self.modern("[1]") == "[1]")
    }

    @Test func handshakeResultsLoseTheUpstreamServerInfoAndNothingElse() {
        #expect(Self.handshake(#"{"content":[],"_meta":{"a":1, "io.modelcontextprotocol/serverInfo" : {"name":"up"} ,"b":2}}"#)
            == #"{"content":[],"_meta":{"a":1, "b":2}}"#)
        #expect(Self.handshake(#"{"content":[],"_meta":{"a":1,"io.modelcontextprotocol/serverInfo":{"name":"up"}}}"#)
            == #"{"content":[],"_meta":{"a":1}}"#)
        #expect(Self.handshake(#"{"content":[],"_meta":{"io.modelcontextprotocol/serverInfo":{"name":"up"}},"isError":false}"#)
            == #"{"content":[],"isError":false}"#)
        #expect(Self.handshake(#"{"_meta":{"io.modelcontextprotocol/serverInfo":{}}, "content":[]}"#) == #"{ "content":[]}"#)
        #expect(Self.handshake(#"{"content":[{"k\"_meta":1}],"_meta":{"keep":true}}"#) == #"{"content":[{"k\"_meta":1}],"_meta":{"keep":true}}"#)
    }

    @Test func aPrettyPrintedMetaKeepsItsMembers() {
        // `_meta` followed by whitespace: its members were once not found, and the upstream's `_meta` replaced.
        let upstream = "{\n  \"_meta\": {\"k\": 1, \"io.modelcontextprotocol/serverInfo\": {\"name\": \"up\"}}\n,\n  \"content\": []\n}"
        #expect(
            Self.modern(upstream)
                == "{\"resultType\":\"complete\",\n  \"_meta\": {\"k\": 1, \"io.modelcontextprotocol/serverInfo\": "
                + #"{"name":"sentinel/eng","version":"1"}}"# + "\n,\n  \"content\": []\n}")
        #expect(Self.handshake(upstream) == "{\n  \"_meta\": {\"k\": 1}\n,\n  \"content\": []\n}")
    }

    @Test func theMemberStartIsFoundPastEscapedQuotes() {
        let bytes = Array(#"{"a\"b":1}"#.utf8)
        #expect(MCPResultMeta.memberStart(in: bytes, valueStart: 8, notBefore: 0) == 1)
    }
}
