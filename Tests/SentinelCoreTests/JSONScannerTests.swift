import Foundation
import SentinelCore
import Testing

/// RFC 8259 §8.1: JSON exchanged between systems is UTF-8, and strings hold no lone surrogates.
struct JSONScannerTests {
    /// `{"a":"<bytes>"}` with `bytes` inside the string.
    private static func document(string bytes: [UInt8]) -> [UInt8] {
        Array(#"{"a":""#.utf8) + bytes + Array(#""}"#.utf8)
    }

    private static func accepts(_ bytes: [UInt8]) -> Bool {
        (try? JSONScanner.validate(bytes)) != nil
    }

    @Test(arguments: [
        ("stray continuation byte", [0x80]),
        ("bytes that never occur in UTF-8", [0x62, 0x61, 0x64, 0xFF, 0xFE]),
        ("overlong two-byte form of '/'", [0xC0, 0xAF]),
        ("overlong two-byte form (C1)", [0xC1, 0xBF]),
        ("overlong three-byte form", [0xE0, 0x80, 0xAF]),
        ("overlong four-byte form", [0xF0, 0x80, 0x80, 0xAF]),
        ("UTF-8-encoded high surrogate U+D800", [0xED, 0xA0, 0x80]),
        ("UTF-8-encoded low surrogate U+DFFF", [0xED, 0xBF, 0xBF]),
        ("code point above U+10FFFF (F4 90)", [0xF4, 0x90, 0x80, 0x80]),
        ("lead byte F5", [0xF5, 0x80, 0x80, 0x80]),
        ("truncated sequence", [0xE2, 0x82]),
        ("lead byte followed by ASCII", [0xC3, 0x41]),
    ] as [(String, [UInt8])])
    func invalidUTF8InAStringIsRefused(_ kind: String, _ bytes: [UInt8]) {
        #expect(!Self.accepts(Self.document(string: bytes)), "\(kind)")
        #expect(throws: JSONScanner.SyntaxError.self) { try JSONScanner.members(of: Self.document(string: bytes)) }
    }

    @Test(arguments: [
        ("two bytes", [0xC3, 0xA9]),
        ("three bytes", [0xE2, 0x82, 0xAC]),
        ("last before the surrogates", [0xED, 0x9F, 0xBF]),
        ("first after the surrogates", [0xEE, 0x80, 0x80]),
        ("four bytes", [0xF0, 0x9F, 0x98, 0x80]),
        ("U+10FFFF", [0xF4, 0x8F, 0xBF, 0xBF]),
    ] as [(String, [UInt8])])
    func wellFormedUTF8IsAccepted(_ kind: String, _ bytes: [UInt8]) throws {
        let document = Self.document(string: bytes)
        let members = try JSONScanner.members(of: document)
        let value = try #require(members["a"])
        #expect(RawJSON.string(from: document[value]) == String(decoding: bytes, as: UTF8.self), "\(kind)")
    }

    @Test(arguments: [
        #"{"a":"\ud800"}"#, #"{"a":"\uDBFF x"}"#, #"{"a":"\udc00"}"#, #"{"a":"\ud800\u0041"}"#,
        #"{"a":"\ud800\ud800"}"#, #"{"a":"\ud800\n"}"#, #"{"\udfff":1}"#,
    ])
    func escapedLoneSurrogatesAreRefused(_ text: String) {
        #expect(!Self.accepts(Array(text.utf8)), "\(text)")
    }

    @Test func escapedSurrogatePairsAreAccepted() throws {
        let document = Array(#"{"a":"\ud83d\ude00","\uD834\uDD1E":2}"#.utf8)
        let members = try JSONScanner.members(of: document)
        #expect(RawJSON.string(from: document[try #require(members["a"])]) == "😀")
        #expect(members["𝄞"] != nil)
    }

    @Test(arguments: [#"{"a":"\x"}"#, #"{"a":"\u12"}"#, #"{"a":"\u12G4"}"#, #"{"a":"\"#, #"{"a":"\u"}"#, #"{"a":"\'"}"#])
    func invalidEscapesAreRefused(_ text: String) {
        #expect(!Self.accepts(Array(text.utf8)), "\(text)")
    }

    @Test func everyValidEscapeIsAccepted() {
        #expect(Self.accepts(Array(#"{"a":"\"\\\/\b\f\n\r\t\u00e9\uFFFF"}"#.utf8)))
    }

    @Test func valuesTheScannerOnlySkipsAreCheckedToo() {
        let nested = Array(#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{"deep":[["#.utf8)
            + [0x22, 0xED, 0xA0, 0x80, 0x22] + Array("]]}}}".utf8)
        #expect(throws: JSONScanner.SyntaxError.self) { try JSONScanner.members(of: nested) }
        #expect(throws: JSONScanner.SyntaxError.self) {
            try JSONScanner.elements(of: Array("[1,".utf8) + [0x22, 0xFF, 0x22] + Array("]".utf8))
        }
    }

    @Test func invalidUnicodeCanBeAllowedToReadWhatAPeerMeant() throws {
        let document = Array(#"{"id":7,"result":{"text":""#.utf8) + [0xFF, 0xED, 0xA0, 0x80] + Array(#"\udc00"}}"#.utf8)
        #expect(!Self.accepts(document))
        let members = try JSONScanner.members(of: document, allowingInvalidUnicode: true)
        #expect(members["id"].map { Array(document[$0]) } == Array("7".utf8))
        // Structure is still checked.
        #expect(throws: JSONScanner.SyntaxError.self) {
            try JSONScanner.members(of: Array(#"{"a":"\q"}"#.utf8), allowingInvalidUnicode: true)
        }
    }

    @Test func theErrorSaysWhereAndWhy() {
        let document = Self.document(string: [0x78, 0xC0, 0xAF])
        let error = #expect(throws: JSONScanner.SyntaxError.self) { try JSONScanner.validate(document) }
        #expect(error?.offset == 7)
        #expect(error?.reason == "invalid UTF-8 byte in string")
    }

    @Test func nestingDeeperThanTheLimitIsRefused() {
        let depth = JSONScanner.maximumDepth
        #expect(Self.accepts(Array((String(repeating: "[", count: depth) + String(repeating: "]", count: depth)).utf8)))
        #expect(!Self.accepts(Array((String(repeating: "[", count: depth + 1) + String(repeating: "]", count: depth + 1)).utf8)))
        // members(of:) and elements(of:) count their own container as validate does (found by fuzzing).
        let object = Array((#"{"a":"# + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}").utf8)
        #expect(!Self.accepts(object))
        #expect(throws: JSONScanner.SyntaxError.self) { try JSONScanner.members(of: object) }
        let array = Array((String(repeating: "[", count: depth + 1) + String(repeating: "]", count: depth + 1)).utf8)
        #expect(throws: JSONScanner.SyntaxError.self) { try JSONScanner.elements(of: array) }
    }

    @Test func membersAndRangesAreFound() throws {
        let document = Array(#" {"a": [1, {"b": "é"}], "c" : -2.5e3, "a": true } "#.utf8)
        let members = try JSONScanner.members(of: document)
        #expect(members.keys.sorted() == ["a", "c"])
        #expect(String(decoding: document[try #require(members["a"])], as: UTF8.self) == "true")
        #expect(String(decoding: document[try #require(members["c"])], as: UTF8.self) == "-2.5e3")
    }

    @Test func aValueFollowedByWhitespaceIsScannedInItsOwnRange() throws {
        // Pretty-printed JSON: every nested value is followed by whitespace, which is not part of its range.
        let document = Array("{\n  \"o\": {\"k\": [1, 2]\n  } ,\n  \"a\": [ {\"x\": 1} \n, 2 ]\n}\n".utf8)
        let members = try JSONScanner.members(of: document)
        let o: Range<Int> = try #require(members["o"])
        let a: Range<Int> = try #require(members["a"])
        let object = try JSONScanner.members(of: document, in: o)
        let k: Range<Int> = try #require(object["k"])
        #expect(try JSONScanner.elements(of: document, in: k).count == 2)
        let elements = try JSONScanner.elements(of: document, in: a)
        #expect(try JSONScanner.members(of: document, in: elements[0]).keys.sorted() == ["x"])
        // A range that stops inside a value is still refused.
        #expect(throws: JSONScanner.SyntaxError.self) { try JSONScanner.members(of: document, in: o.lowerBound..<(o.upperBound - 1)) }
    }
}
