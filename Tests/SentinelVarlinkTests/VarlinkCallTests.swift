import Testing
import SentinelCore
import SentinelVarlink

struct VarlinkCallTests {
    @Test(arguments: [
        [:] as [String: JSONValue],
        ["parameters": .null],
        ["parameters": [:]],
    ])
    func absentNullOrEmptyParametersGiveAnEmptyCall(extra: [String: JSONValue]) throws {
        var message: [String: JSONValue] = ["method": "org.example.test.Ping"]
        message.merge(extra) { _, new in new }
        let call = try #require(VarlinkCall(message: .object(message)))
        #expect(call.method == "org.example.test.Ping")
        #expect(call.interface == "org.example.test")
        #expect(call.member == "Ping")
        #expect(call.parameters.isEmpty)
        #expect(!call.oneway && !call.more && !call.upgrade)
    }

    @Test func parametersAndFlagsAreRead() throws {
        let call = try #require(VarlinkCall(message: [
            "method": "org.example.test.Echo", "parameters": ["text": "hi"], "more": true, "oneway": .null, "upgrade": false,
        ]))
        #expect(call.parameters == ["text": "hi"])
        #expect(call.more)
        #expect(!call.oneway)
        #expect(!call.upgrade)
    }

    @Test(arguments: [
        ["method": "a.b.C", "parameters": []] as JSONValue,
        ["method": "a.b.C", "parameters": "text"],
        ["method": "a.b.C", "parameters": 1],
        ["method": "a.b.C", "more": "yes"],
        ["method": "a.b.C", "more": 1],
        ["method": "a.b.C", "oneway": "true"],
        ["method": "a.b.C", "upgrade": [true]],
        ["method": ""],
        ["method": 5],
        ["parameters": [:]],
        [:],
        ["a.b.C"],
        "a.b.C",
        .null,
    ])
    func malformedCallsAreRefused(message: JSONValue) {
        #expect(VarlinkCall(message: message) == nil)
    }

    @Test func wireFormRoundTrips() throws {
        let call = VarlinkCall(method: "org.example.test.Count", parameters: ["n": 3], more: true)
        #expect(call.message == ["method": "org.example.test.Count", "parameters": ["n": 3], "more": true])
        let decoded = try #require(VarlinkCall(message: call.message))
        #expect(decoded.method == call.method)
        #expect(decoded.parameters == call.parameters)
        #expect(decoded.more && !decoded.oneway && !decoded.upgrade)
        #expect(VarlinkCall(method: "a.b.C").message == ["method": "a.b.C"])
    }

    @Test func errorDescriptionIncludesParameters() {
        #expect(VarlinkError.invalidParameter("tools[1]").description == #"org.varlink.service.InvalidParameter {"parameter":"tools[1]"}"#)
        #expect(VarlinkError.permissionDenied.description == "org.varlink.service.PermissionDenied")
    }
}
