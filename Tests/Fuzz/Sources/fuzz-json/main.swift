// Fuzzes JSONScanner, RawJSON and JSONRPCMessage against Foundation's JSONSerialization.
//
// Invariants:
// - Text that is not UTF-8 is refused (RFC 8259 §8.1).
// - For UTF-8 text, the scanner accepts exactly what JSONSerialization (.fragmentsAllowed) accepts, except:
//   * a leading byte-order mark: JSONSerialization skips it; the scanner refuses it (RFC 8259 §8.1: senders
//     MUST NOT add one; a JSON-RPC body never has one);
//   * NUL among the first four bytes: JSONSerialization then guesses UTF-16 or UTF-32 and may accept; the
//     scanner reads UTF-8 only (NUL is never valid there anyway, outside or inside strings);
//   * numbers outside Double's range (1e400): JSONSerialization refuses them; Sentinel passes numbers through
//     as text without converting them, so they are valid JSON to it (RFC 8259 §9 allows the limit either way).
//   * one trailing comma in an array or object (`[1,]`): JSONSerialization accepts it; RFC 8259 does not
//     (found by fuzzing: Foundation's laxness, not the scanner's fault), so the scanner refuses it.
//   Both refuse nesting deeper than 512 and lone surrogate escapes, so those need no exception.
// - Strings decode alike, except that JSONSerialization drops a U+FEFF at the start of a string (its strings
//   are made the way CoreFoundation makes them from UTF-8, which strips a byte-order mark; found by fuzzing);
//   the scanner keeps every character, so Sentinel's decoded keys and strings are compared without it.
// - `members(of:)` / `elements(of:)` accept an object / array exactly when `validate` does, and each member's
//   key and value (decoded by JSONSerialization from its range) equal what JSONSerialization decoded from the
//   whole document; a repeated key keeps its last value in both.
// - `RawJSON.string(from:)` decodes every string value as JSONSerialization does, and `RawJSON(string:)` of
//   that string is valid JSON that decodes back to it (found by fuzzing: the round trip must start from
//   Sentinel's own decoding, since Foundation's has already dropped one leading U+FEFF).
// - JSONRPCMessage: -32700 exactly for text the scanner refuses, -32600 for other refusals; an accepted
//   message's kind, id, method and params agree with the members.
import FuzzDriver
import Foundation
import SentinelCore

/// A JSONSerialization value in a form that can be compared.
indirect enum Value: Equatable {
    case null, bool(Bool), number(String), string(String), array([Value]), object([String: Value])

    init(_ any: Any) {
        switch any {
        case is NSNull: self = .null
        case let string as String: self = .string(string)
        case let array as [Any]: self = .array(array.map(Value.init))
        case let object as [String: Any]: self = .object(object.mapValues(Value.init))
        case let bool as Bool where type(of: any) == Bool.self: self = .bool(bool)
        case let number as NSNumber: self = .number(number.description)
        default: self = .number("\(any)")
        }
    }
}

/// A string as JSONSerialization gives it back: without a leading U+FEFF.
func asFoundationGivesIt(_ text: String) -> String {
    text.unicodeScalars.first == "\u{FEFF}" ? String(String.UnicodeScalarView(text.unicodeScalars.dropFirst())) : text
}

func foundation(_ bytes: some Collection<UInt8>) -> Value? {
    guard let any = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) else { return nil }
    return Value(any)
}

/// The text without commas that stand right before a `]` or `}` (outside strings).
func withoutTrailingCommas(_ bytes: [UInt8]) -> [UInt8] {
    var out: [UInt8] = []
    var inString = false
    var escaped = false
    var pendingComma: Int?
    for byte in bytes {
        if inString {
            if escaped { escaped = false } else if byte == 0x5C { escaped = true } else if byte == 0x22 { inString = false }
            out.append(byte)
            continue
        }
        switch byte {
        case 0x22:
            inString = true
            pendingComma = nil
        case 0x2C:
            pendingComma = out.count
        case 0x5D, 0x7D:
            if let comma = pendingComma { out.remove(at: comma) }
            pendingComma = nil
        case 0x20, 0x0A, 0x0D, 0x09:
            break
        default:
            pendingComma = nil
        }
        out.append(byte)
    }
    return out
}

/// Whether the text holds a number that overflows Double (JSONSerialization refuses those).
func hasHugeNumber(_ bytes: [UInt8]) -> Bool {
    var inString = false
    var escaped = false
    var index = 0
    while index < bytes.count {
        let byte = bytes[index]
        if inString {
            if escaped { escaped = false } else if byte == 0x5C { escaped = true } else if byte == 0x22 { inString = false }
            index += 1
            continue
        }
        if byte == 0x22 {
            inString = true
            index += 1
            continue
        }
        if byte == 0x2D || (0x30...0x39).contains(byte) {
            var end = index + 1
            while end < bytes.count, "0123456789+-.eE".utf8.contains(bytes[end]) { end += 1 }
            if let value = Double(String(decoding: bytes[index..<end], as: UTF8.self)), !value.isFinite { return true }
            index = end
            continue
        }
        index += 1
    }
    return false
}

func check(_ bytes: [UInt8]) {
    let kind = try? JSONScanner.validate(bytes)
    let isUTF8 = String(validating: bytes, as: UTF8.self) != nil
    if !isUTF8 { invariant(kind == nil, "accepted text that is not UTF-8") }

    let reference = foundation(bytes)
    let startsWithBOM = bytes.starts(with: [0xEF, 0xBB, 0xBF])
    if startsWithBOM { invariant(kind == nil, "accepted a byte-order mark") }
    let comparable = isUTF8 && !startsWithBOM && !bytes.prefix(4).contains(0)
    if comparable {
        if kind != nil && reference == nil {
            invariant(hasHugeNumber(bytes), "the scanner accepts what JSONSerialization refuses")
        }
        if kind == nil && reference != nil {
            let stripped = withoutTrailingCommas(bytes)
            invariant(stripped != bytes && (try? JSONScanner.validate(stripped)) != nil,
                      "the scanner refuses what JSONSerialization accepts")
        }
    }

    checkContainers(bytes, kind: kind, reference: comparable ? reference : nil)
    checkMessage(bytes, kind: kind)
}

func checkContainers(_ bytes: [UInt8], kind: JSONScanner.Kind?, reference: Value?) {
    let members = try? JSONScanner.members(of: bytes)
    invariant((members != nil) == (kind == .object), "members(of:) and validate disagree")
    let elements = try? JSONScanner.elements(of: bytes)
    invariant((elements != nil) == (kind == .array), "elements(of:) and validate disagree")

    if let members {
        if case .object(let expected)? = reference {
            invariant(Set(members.keys.map(asFoundationGivesIt)) == Set(expected.keys), "members(of:) found other keys than JSONSerialization")
        }
        for (key, range) in members {
            checkValue(bytes[range], expected: reference.flatMap { if case .object(let o) = $0 { o[asFoundationGivesIt(key)] } else { nil } })
        }
    }
    if let elements {
        if case .array(let expected)? = reference {
            invariant(elements.count == expected.count, "elements(of:) found another count than JSONSerialization")
        }
        for (offset, range) in elements.enumerated() {
            checkValue(bytes[range], expected: reference.flatMap { if case .array(let a) = $0 { a[offset] } else { nil } })
        }
    }
}

/// A member or element: its own text decodes to the same value, and strings go through RawJSON alike.
func checkValue(_ slice: ArraySlice<UInt8>, expected: Value?) {
    invariant(JSONScanner.trimmed(Array(slice), 0..<slice.count) == 0..<slice.count, "a value range has whitespace")
    guard let expected else { return }
    invariant(foundation(slice) == expected, "a member's own text decodes to another value")
    if case .string(let text) = expected {
        let decoded = RawJSON.string(from: slice)
        invariant(decoded.map(asFoundationGivesIt) == text, "RawJSON.string(from:) decodes another string")
        // Round-trip Sentinel's own decoding, which keeps every U+FEFF (Foundation's drops a leading one, so a
        // string that starts with two of them would lose one more on each trip through it).
        let encoded = RawJSON(string: decoded ?? text)
        invariant((try? JSONScanner.validate(encoded.bytes)) == .other, "RawJSON(string:) is not valid JSON")
        invariant(RawJSON.string(from: encoded.bytes[...]) == (decoded ?? text), "RawJSON(string:) does not round-trip")
        invariant(foundation(encoded.bytes) == .string(asFoundationGivesIt(decoded ?? text)), "RawJSON(string:) decodes otherwise in Foundation")
    }
}

func checkMessage(_ bytes: [UInt8], kind: JSONScanner.Kind?) {
    let message: JSONRPCMessage
    do {
        message = try JSONRPCMessage(parsing: bytes)
    } catch {
        if kind == nil {
            invariant(error.code == JSONRPCErrorCode.parseError, "text the scanner refuses is not a parse error")
        } else {
            invariant(error.code == JSONRPCErrorCode.invalidRequest, "valid JSON is a parse error")
        }
        return
    }
    invariant(kind == .object, "a message that is not a JSON object was accepted")
    guard let members = try? JSONScanner.members(of: bytes) else { invariantFailure("unreachable") }
    invariant(members["jsonrpc"].map { Array(bytes[$0]) } == Array(#""2.0""#.utf8), "jsonrpc is not \"2.0\"")
    if let id = message.id {
        invariant(members["id"].map { Array(bytes[$0]) } == id.bytes, "id is not the member's text")
    } else if message.kind != .notification {
        // An error response may say null, or leave the id out: both mean "could not tell which request".
        invariant(message.kind == .errorResponse && (members["id"].map { Array(bytes[$0]) } ?? RawJSON.null.bytes) == RawJSON.null.bytes,
                  "a message other than an error response has no id")
    }
    switch message.kind {
    case .request, .notification:
        invariant((message.kind == .request) == (message.id != nil), "request and id disagree")
        let method = members["method"].flatMap { foundation(bytes[$0]) }
        invariant(method == .string(asFoundationGivesIt(message.method ?? "")), "method is not the member's string")
        invariant(message.params == members["params"], "params is not the member")
        if let name = message.paramsName,
            let params = message.params, case .object(let object)? = foundation(bytes[params])
        {
            invariant(object["name"] == .string(asFoundationGivesIt(name)), "params.name is not the member's string")
        }
    case .response:
        invariant(message.result == members["result"] && message.method == nil, "a response without its result")
    case .errorResponse:
        invariant(message.error == members["error"] && message.method == nil, "an error response without its error")
    }
}

Fuzz.run(check)
