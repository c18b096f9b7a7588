import Testing
import SentinelCore
import SentinelVarlink

struct InvalidParameterTests {
    static let definition = try! VarlinkInterfaceDefinition(parsing: IDLParserTests.shop)

    static let customer: JSONValue = [
        "name": "Ada",
        "address": ["street": "1 Loop Road"],
        "tags": ["vip": [:]],
        "labels": ["source": "web"],
        "score": 4.5,
        "extra": ["anything": [1, 2]],
        "position": ["x": 1, "y": 2],
        "size": "small",
    ]

    static let order: [String: JSONValue] = [
        "customer": customer,
        "items": ["apple", "pear"],
        "quantities": ["apple": 3],
        "colour": "red",
    ]

    static func order(_ change: (inout [String: JSONValue]) -> Void) -> [String: JSONValue] {
        var parameters = order
        change(&parameters)
        return parameters
    }

    static func customer(_ change: (inout [String: JSONValue]) -> Void) -> [String: JSONValue] {
        var object = customer.objectValue!
        change(&object)
        return order { $0["customer"] = .object(object) }
    }

    static func problem(_ parameters: [String: JSONValue], method: String = "Order") -> String? {
        definition.invalidParameter(in: parameters, method: method)
    }

    @Test func validParametersPass() {
        #expect(Self.problem(Self.order) == nil)
        #expect(Self.problem([:], method: "Ping") == nil)
    }

    @Test func absentOrNullOptionalsPass() {
        #expect(Self.problem(Self.order { $0["express"] = nil }) == nil)
        #expect(Self.problem(Self.order { $0["express"] = .null }) == nil)
        #expect(Self.problem(Self.order { $0["express"] = true }) == nil)
        #expect(Self.problem(Self.customer { $0["nicknames"] = .null; $0["favourite"] = .null }) == nil)
        #expect(Self.problem(Self.customer { $0["nicknames"] = ["Countess"]; $0["favourite"] = "blue" }) == nil)
        #expect(Self.problem(["server": ["name": "x", "command": ["/bin/x"]]], method: "Configure") == nil)
        #expect(Self.problem(["server": ["name": "x", "command": [], "environment": .null], "tools": .null], method: "Configure") == nil)
    }

    @Test func unknownFieldIsReported() {
        #expect(Self.problem(Self.order { $0["discount"] = 5 }) == "discount")
        #expect(Self.problem(["unexpected": true], method: "Ping") == "unexpected")
    }

    @Test func missingOrNullRequiredFieldIsReported() {
        #expect(Self.problem(Self.order { $0["items"] = nil }) == "items")
        #expect(Self.problem(Self.order { $0["items"] = .null }) == "items")
    }

    @Test func wrongTypeIsReported() {
        #expect(Self.problem(Self.order { $0["items"] = "apple" }) == "items")
        #expect(Self.problem(Self.order { $0["express"] = "yes" }) == "express")
        #expect(Self.problem(Self.order { $0["customer"] = "Ada" }) == "customer")
        #expect(Self.problem(Self.customer { $0["score"] = "high" }) == "customer.score")
        #expect(Self.problem(Self.customer { $0["extra"] = [1] }) == "customer.extra")
        #expect(Self.problem(Self.customer { $0["tags"] = ["vip"] }) == "customer.tags")
    }

    @Test func integersMustBeWholeNumbers() {
        #expect(Self.problem(Self.order { $0["quantities"] = ["apple": 2.5] }) == "quantities.apple")
        #expect(Self.problem(Self.order { $0["quantities"] = ["apple": true] }) == "quantities.apple")
        #expect(Self.problem(Self.customer { $0["position"] = ["x": 1, "y": 2.0] }) == nil)
        #expect(Self.problem(Self.customer { $0["score"] = 4 }) == nil)
    }

    @Test func badEnumValueIsReported() {
        #expect(Self.problem(Self.order { $0["colour"] = "purple" }) == "colour")
        #expect(Self.problem(Self.order { $0["colour"] = 1 }) == "colour")
        #expect(Self.problem(Self.customer { $0["favourite"] = "pink" }) == "customer.favourite")
        #expect(Self.problem(Self.customer { $0["size"] = "medium" }) == "customer.size")
    }

    @Test func badArrayElementIsReportedWithItsIndex() {
        #expect(Self.problem(["server": ["name": "x", "command": []], "tools": ["a/b", 7]], method: "Configure") == "tools[1]")
        #expect(Self.problem(Self.customer { $0["nicknames"] = ["ok", "fine", .null] }) == "customer.nicknames[2]")
    }

    @Test func nestedStructFieldIsReportedWithItsPath() {
        #expect(Self.problem(["server": ["name": "x", "command": "/bin/x"]], method: "Configure") == "server.command")
        #expect(Self.problem(["server": ["name": "x"]], method: "Configure") == "server.command")
        #expect(Self.problem(["server": ["name": "x", "command": [], "environment": ["A": 1]]], method: "Configure") == "server.environment.A")
        #expect(Self.problem(Self.customer { $0["address"] = ["zip": "123"] }) == "customer.address.street")
        #expect(Self.problem(Self.customer { $0["address"] = ["street": "s", "city": "c"] }) == "customer.address.city")
        #expect(Self.problem(Self.customer { $0["position"] = ["x": 1] }) == "customer.position.y")
        #expect(Self.problem(Self.customer { $0["labels"] = ["a": "b", "c": 1] }) == "customer.labels.c")
    }

    @Test func unknownMethodHasNoParameterProblem() {
        #expect(Self.problem(["x": 1], method: "Nope") == nil)
    }

    @Test func replyFieldsAreCheckedAgainstTheOutput() {
        #expect(Self.definition.invalidReplyField(in: ["id": 1], method: "Order") == nil)
        #expect(Self.definition.invalidReplyField(in: [:], method: "Order") == "id")
        #expect(Self.definition.invalidReplyField(in: ["id": 1], method: "Nope") == "Nope")
    }
}
