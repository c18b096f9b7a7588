import SentinelCore
import Testing

struct JSONRPCMessageTests {
    private static func parse(_ text: String) throws(JSONRPCMessage.Invalid) -> JSONRPCMessage {
        try JSONRPCMessage(parsing: Array(text.utf8))
    }

    @Test func anErrorResponseMayHaveANullID() throws {
        let message = try Self.parse(#"{"jsonrpc":"2.0","error":{"code":-32700,"message":"Parse error"},"id":null}"#)
        #expect(message.kind == .errorResponse)
        #expect(message.id == nil)
        #expect(message.errorDetails?.code == -32700)
        #expect(message.errorDetails?.message == "Parse error")
    }

    @Test(arguments: [
        #"{"jsonrpc":"2.0","result":{},"id":null}"#,
        #"{"jsonrpc":"2.0","method":"ping","id":null}"#,
        #"{"jsonrpc":"2.0","method":"ping","error":{"code":1,"message":""},"id":null}"#,
        #"{"jsonrpc":"2.0","error":{"code":1,"message":""},"id":true}"#,
    ])
    func otherMessagesMustNotHaveANullID(_ text: String) {
        #expect(throws: JSONRPCMessage.Invalid.self) { try Self.parse(text) }
        #expect((try? Self.parse(text)) == nil)
        do {
            _ = try Self.parse(text)
        } catch {
            #expect(error.code == JSONRPCErrorCode.invalidRequest)
        }
    }

    @Test func textThatIsNotUTF8IsAParseError() {
        let bytes = Array(#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"t","arguments":{"s":"bad"#.utf8)
            + [0xFF, 0xFE] + Array(#""}}}"#.utf8)
        do {
            _ = try JSONRPCMessage(parsing: bytes)
            Issue.record("accepted text that is not UTF-8")
        } catch {
            #expect(error.code == JSONRPCErrorCode.parseError)
        }
        // Lenient parsing still reads the envelope (to tell which request such text answered).
        let lenient = try? JSONRPCMessage(parsing: bytes, allowingInvalidUnicode: true)
        #expect(lenient?.kind == .request)
        #expect(lenient?.id?.text == "1")
    }

    @Test func anEscapedLoneSurrogateIsAParseError() {
        do {
            _ = try Self.parse(#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"arguments":{"s":"\ud800"}}}"#)
            Issue.record("accepted a lone surrogate")
        } catch {
            #expect(error.code == JSONRPCErrorCode.parseError)
        }
    }

    @Test func methodsWithEscapesAreDecoded() throws {
        let message = try Self.parse(#"{"jsonrpc":"2.0","id":"x","method":"tools\/call"}"#)
        #expect(message.method == "tools/call")
        #expect(message.kind == .request)
        #expect(message.id?.text == #""x""#)
    }
}
