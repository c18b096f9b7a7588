import SentinelCore
@testable import SentinelUpstream
import Testing

@Suite("Progress token injection into raw params")
struct StdioProgressTokenTests {
    private let token = RawJSON(string: "sentinel-7")

    private func inject(_ params: String?) -> String {
        ProgressTokenInjector.params(params.map { RawJSON(Array($0.utf8)) }, withProgressToken: token).text
    }

    @Test func absentParamsBecomeAMetaWithTheToken() {
        #expect(inject(nil) == #"{"_meta":{"progressToken":"sentinel-7"}}"#)
    }

    @Test func otherMembersKeepTheirExactBytes() {
        let params = #"{ "name" : "echo", "arguments": {"b":1.50, "a":"\u00e9"} }"#
        #expect(inject(params) == #"{"_meta":{"progressToken":"sentinel-7"}, "name" : "echo", "arguments": {"b":1.50, "a":"\u00e9"} }"#)
    }

    @Test func anEmptyObjectGetsNoStrayComma() {
        #expect(inject("{ }") == #"{"_meta":{"progressToken":"sentinel-7"} }"#)
    }

    @Test func anExistingMetaKeepsItsOtherMembers() {
        let params = #"{"name":"x","_meta":{"traceparent":"00-ab"}}"#
        #expect(inject(params) == #"{"name":"x","_meta":{"progressToken":"sentinel-7","traceparent":"00-ab"}}"#)
    }

    @Test func theClientsOwnTokenIsReplaced() {
        let params = #"{"_meta":{"progressToken":42,"x":true},"name":"x"}"#
        #expect(inject(params) == #"{"_meta":{"progressToken":"sentinel-7","x":true},"name":"x"}"#)
    }

    @Test func aNullMetaBecomesAnObject() {
        #expect(inject(#"{"_meta":null}"#) == #"{"_meta":{"progressToken":"sentinel-7"}}"#)
    }

    @Test func paramsThatAreNotAnObjectPassUnchanged() {
        #expect(inject("[1,2]") == "[1,2]")
    }
}
