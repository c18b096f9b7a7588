import Foundation
import Testing
import SentinelCore

struct JSONValueTests {
    @Test func parsingKeepsIntegersDoublesBoolsAndNesting() throws {
        let value = try JSONValue.parse(#"{"i": 1, "d": 1.5, "t": true, "f": false, "z": 0, "n": null, "s": "1", "a": [1, 2.25, "x", [false]], "o": {"k": {"k2": -7}}}"#)
        #expect(value["i"] == .int(1))
        #expect(value["d"] == .double(1.5))
        #expect(value["t"] == .bool(true))
        #expect(value["f"] == .bool(false))
        #expect(value["z"] == .int(0))
        #expect(value["n"] == .null)
        #expect(value["s"] == .string("1"))
        #expect(value["a"] == .array([.int(1), .double(2.25), .string("x"), .array([.bool(false)])]))
        #expect(value["o"]?["k"]?["k2"] == .int(-7))
    }

    @Test func serialisationRoundTripsAndSortsKeys() throws {
        let value: JSONValue = ["b": [1, 2.5, true, nil], "a": ["y": "é/\"q\"", "x": -3], "c": false]
        let text = value.text()
        #expect(text == #"{"a":{"x":-3,"y":"é/\"q\""},"b":[1,2.5,true,null],"c":false}"#)
        #expect(try JSONValue.parse(text) == value)
    }

    @Test func largeIntegersKeepTheirPrecision() throws {
        let value = try JSONValue.parse("9007199254740993")
        #expect(value == .int(9_007_199_254_740_993))
        #expect(value.text() == "9007199254740993")
    }

    @Test func wholeNumberedDoublesBecomeIntsAsDocumented() throws {
        let parsed = try JSONValue.parse("[1.0, 2e3, 1.5]")
        #expect(parsed == .array([.int(1), .int(2000), .double(1.5)]))
        #expect(try JSONValue.parse(JSONValue.double(1.5).text()) == .double(1.5))
    }

    @Test func boolsAndNumbersAreNotConfused() throws {
        #expect(try JSONValue.parse("1") != .bool(true))
        #expect(try JSONValue.parse("true") == .bool(true))
        #expect(try JSONValue.parse("0") == .int(0))
        #expect(JSONValue.bool(true).intValue == nil)
        #expect(JSONValue.int(1).boolValue == nil)
    }

    @Test func invalidTextIsRefused() {
        #expect(throws: (any Error).self) { try JSONValue.parse("{") }
        #expect(throws: (any Error).self) { try JSONValue.parse("") }
        #expect(throws: (any Error).self) { try JSONValue.parse("{'a': 1}") }
    }

    @Test func accessorsReturnNilForOtherKinds() {
        let value: JSONValue = "text"
        #expect(value.stringValue == "text")
        #expect(value.intValue == nil)
        #expect(value.objectValue == nil)
        #expect(value.arrayValue == nil)
        #expect(value["key"] == nil)
        #expect(JSONValue.double(3.0).intValue == 3)
        #expect(JSONValue.double(3.5).intValue == nil)
        #expect(JSONValue.null.isNull)
        #expect(!JSONValue.int(0).isNull)
    }

    @Test func optionalWrappersMapNilToNull() {
        #expect(JSONValue(nil as String?) == .null)
        #expect(JSONValue("a" as String?) == .string("a"))
        #expect(JSONValue(nil as Int?) == .null)
        #expect(JSONValue(5 as Int?) == .int(5))
        #expect(JSONValue(["x", "y"]) == .array([.string("x"), .string("y")]))
        #expect(JSONValue(["k": "v"]) == .object(["k": .string("v")]))
    }
}
