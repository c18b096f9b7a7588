/// Finds the members of a JSON object without decoding their values.
///
/// It validates the structure it walks (strings, numbers, literals, nesting)
/// so that malformed input is refused with a position, but it builds no
/// values: each member comes back as its key and the byte range of its value.
///
/// Every string in the document is checked, nested ones included, as RFC 8259 §8.1 requires of
/// JSON exchanged between systems: UTF-8 only (no stray or overlong bytes, no encoded surrogates,
/// nothing above U+10FFFF), valid escapes only, and no escaped lone surrogate. A peer's text that
/// passes can be forwarded to any other peer as it is.
public struct JSONScanner {
    /// Why the text is not JSON, with the byte offset where that became clear.
    public struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
        public var offset: Int
        public var reason: String
        public var description: String { "invalid JSON at byte \(offset): \(reason)" }
    }

    /// The top-level value's kind.
    public enum Kind: Sendable, Equatable { case object, array, other }

    private let bytes: [UInt8]
    private var index: Int
    private var depth = 0
    /// Skips the Unicode checks (not the structural ones); see `members(of:in:allowingInvalidUnicode:)`.
    private let allowsInvalidUnicode: Bool
    /// Deeper documents are refused (Foundation's JSONSerialization has the same limit).
    public static let maximumDepth = 512

    private init(_ bytes: [UInt8], start: Int, allowsInvalidUnicode: Bool = false) {
        self.bytes = bytes
        self.index = start
        self.allowsInvalidUnicode = allowsInvalidUnicode
    }

    /// The members of the object `bytes[range]`, in order (a repeated key keeps its last value).
    ///
    /// With `allowingInvalidUnicode`, strings may hold bytes that are not UTF-8 and lone surrogate
    /// escapes: only for finding out what a peer meant after its text was refused (e.g. which request
    /// an unusable answer belongs to), never for accepting the text.
    public static func members(
        of bytes: [UInt8], in range: Range<Int>? = nil, allowingInvalidUnicode: Bool = false
    ) throws(SyntaxError) -> [String: Range<Int>] {
        let range = range ?? 0..<bytes.count
        var scanner = JSONScanner(bytes, start: range.lowerBound, allowsInvalidUnicode: allowingInvalidUnicode)
        scanner.skipWhitespace()
        guard scanner.peek() == UInt8(ascii: "{") else { throw scanner.error("expected an object") }
        // The object itself is the first level, as in `validate`: both refuse the same documents.
        scanner.depth = 1
        let members = try scanner.scanObject(collecting: true)
        scanner.skipWhitespace(before: range.upperBound)
        guard scanner.index == range.upperBound else { throw scanner.error("unexpected data after the value") }
        return members
    }

    /// The ranges of the elements of the array `bytes[range]`.
    public static func elements(of bytes: [UInt8], in range: Range<Int>? = nil) throws(SyntaxError) -> [Range<Int>] {
        let range = range ?? 0..<bytes.count
        var scanner = JSONScanner(bytes, start: range.lowerBound)
        scanner.skipWhitespace()
        guard scanner.peek() == UInt8(ascii: "[") else { throw scanner.error("expected an array") }
        scanner.depth = 1
        let result = try scanner.scanArray(collecting: true)
        scanner.skipWhitespace(before: range.upperBound)
        guard scanner.index == range.upperBound else { throw scanner.error("unexpected data after the value") }
        return result
    }

    /// Validates a whole document and tells its top-level kind.
    public static func validate(_ bytes: [UInt8]) throws(SyntaxError) -> Kind {
        var scanner = JSONScanner(bytes, start: 0)
        scanner.skipWhitespace()
        let first = scanner.peek()
        try scanner.skipValue()
        scanner.skipWhitespace()
        guard scanner.index == bytes.count else { throw scanner.error("unexpected data after the value") }
        if first == UInt8(ascii: "{") { return .object }
        if first == UInt8(ascii: "[") { return .array }
        return .other
    }

    /// The trimmed range of a value range (no surrounding whitespace).
    public static func trimmed(_ bytes: [UInt8], _ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper, isWhitespace(bytes[lower]) { lower += 1 }
        while upper > lower, isWhitespace(bytes[upper - 1]) { upper -= 1 }
        return lower..<upper
    }

    /// Scans an object; with `collecting`, returns each member's key and value range
    /// (nested objects are only validated, which is cheaper).
    private mutating func scanObject(collecting: Bool) throws(SyntaxError) -> [String: Range<Int>] {
        index += 1
        var members: [String: Range<Int>] = [:]
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            index += 1
            return members
        }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw error("expected a member name") }
            let key = try scanString(decode: collecting)
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw error("expected ':'") }
            index += 1
            skipWhitespace()
            let start = index
            try skipValue()
            if collecting { members[key] = start..<index }
            skipWhitespace()
            if peek() == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard peek() == UInt8(ascii: "}") else { throw error("expected ',' or '}'") }
            index += 1
            return members
        }
    }

    /// Scans an array; with `collecting`, returns each element's range.
    private mutating func scanArray(collecting: Bool) throws(SyntaxError) -> [Range<Int>] {
        index += 1
        var elements: [Range<Int>] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            index += 1
            return elements
        }
        while true {
            skipWhitespace()
            let start = index
            try skipValue()
            if collecting { elements.append(start..<index) }
            skipWhitespace()
            if peek() == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard peek() == UInt8(ascii: "]") else { throw error("expected ',' or ']'") }
            index += 1
            return elements
        }
    }

    private mutating func skipValue() throws(SyntaxError) {
        skipWhitespace()
        guard let byte = peek() else { throw error("unexpected end of input") }
        switch byte {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            depth += 1
            guard depth <= Self.maximumDepth else { throw error("nested too deeply") }
            if byte == UInt8(ascii: "{") {
                _ = try scanObject(collecting: false)
            } else {
                _ = try scanArray(collecting: false)
            }
            depth -= 1
        case UInt8(ascii: "\""):
            _ = try scanString(decode: false)
        case UInt8(ascii: "t"): try expectLiteral("true")
        case UInt8(ascii: "f"): try expectLiteral("false")
        case UInt8(ascii: "n"): try expectLiteral("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try skipNumber()
        default: throw error("unexpected character")
        }
    }

    private mutating func scanString(decode: Bool) throws(SyntaxError) -> String {
        let start = index
        index += 1
        var hasEscape = false
        while index < bytes.count {
            // Plain text is the common case: skip it in a tight loop without bounds checks, well-formed
            // UTF-8 sequences included; anything else stops the loop and is handled (or refused) below.
            index = bytes.withUnsafeBufferPointer { buffer in
                var position = index
                while position < buffer.count {
                    let byte = buffer[position]
                    if byte >= 0x20, byte < 0x80 {
                        guard byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") else { break }
                        position += 1
                        continue
                    }
                    guard byte >= 0x80, let length = Self.wellFormedSequenceLength(buffer, at: position) else { break }
                    position += length
                }
                return position
            }
            guard index < bytes.count else { break }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                guard decode else { return "" }
                if !hasEscape { return String(decoding: bytes[(start + 1)..<(index - 1)], as: UTF8.self) }
                guard let text = try? JSONValue.parse(String(decoding: bytes[start..<index], as: UTF8.self)).stringValue else {
                    throw error("invalid string escape")
                }
                return text
            }
            if byte == UInt8(ascii: "\\") {
                hasEscape = true
                try skipEscape()
                continue
            }
            if byte < 0x20 { throw error("control character in string") }
            // The loop above stops only at the bytes handled here, so this one is at least 0x80 and starts
            // no well-formed sequence.
            try skipMalformedSequence()
        }
        throw error("unterminated string")
    }

    /// Skips one escape (`index` at its backslash): one of `"\/bfnrt`, or `\u` with four hex digits,
    /// where a high surrogate must be followed by an escaped low one and a low one must not stand alone.
    private mutating func skipEscape() throws(SyntaxError) {
        guard index + 1 < bytes.count else { throw error("unterminated string") }
        switch bytes[index + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            index += 2
        case UInt8(ascii: "u"):
            let unit = try hexEscape(at: index)
            index += 6
            guard allowsInvalidUnicode || !(0xD800...0xDFFF).contains(unit) else {
                if unit >= 0xDC00 { throw error("lone low surrogate escape in string") }
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u"),
                    (0xDC00...0xDFFF).contains(try hexEscape(at: index))
                else { throw error("high surrogate escape without a low surrogate escape after it") }
                index += 6
                return
            }
        default:
            throw error("invalid escape in string")
        }
    }

    /// The code unit of the `\uXXXX` escape at `position`.
    private func hexEscape(at position: Int) throws(SyntaxError) -> UInt16 {
        guard position + 6 <= bytes.count else { throw SyntaxError(offset: position, reason: "truncated \\u escape in string") }
        var unit: UInt16 = 0
        for offset in 2..<6 {
            let byte = bytes[position + offset]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw SyntaxError(offset: position + offset, reason: "invalid \\u escape in string")
            }
            unit = unit << 4 | UInt16(digit)
        }
        return unit
    }

    /// The length of the well-formed multi-byte UTF-8 sequence at `position`, or nil. Unicode's table 3-7 of
    /// well-formed sequences, as RFC 3629 requires: no stray continuation bytes, no overlong forms (C0, C1,
    /// E0 80..9F, F0 80..8F), no surrogates (ED A0..BF), nothing above U+10FFFF (F4 90.., F5..FF).
    @inline(__always)
    private static func wellFormedSequenceLength(_ buffer: UnsafeBufferPointer<UInt8>, at position: Int) -> Int? {
        let lead = buffer[position]
        let length: Int
        var second: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; second = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; second = 0x80...0x9F
        case 0xF0: length = 4; second = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; second = 0x80...0x8F
        default: return nil
        }
        guard position + length <= buffer.count, second.contains(buffer[position + 1]) else { return nil }
        if length > 2, buffer[position + 2] & 0xC0 != 0x80 { return nil }
        if length > 3, buffer[position + 3] & 0xC0 != 0x80 { return nil }
        return length
    }

    /// The byte at `index` starts no well-formed UTF-8 sequence (the loop in `scanString` skips those):
    /// refused, or skipped alone when Unicode errors are allowed.
    private mutating func skipMalformedSequence() throws(SyntaxError) {
        guard allowsInvalidUnicode else {
            throw error((0xC2...0xF4).contains(bytes[index]) ? "invalid UTF-8 sequence in string" : "invalid UTF-8 byte in string")
        }
        index += 1
    }

    private mutating func skipNumber() throws(SyntaxError) {
        let start = index
        if peek() == UInt8(ascii: "-") { index += 1 }
        var digits = 0
        while let byte = peek(), byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
            index += 1
            digits += 1
        }
        guard digits > 0 else { throw error("invalid number") }
        if bytes[start] == UInt8(ascii: "-") ? (digits > 1 && bytes[start + 1] == UInt8(ascii: "0")) : (digits > 1 && bytes[start] == UInt8(ascii: "0")) {
            throw error("leading zero in number")
        }
        if peek() == UInt8(ascii: ".") {
            index += 1
            var fraction = 0
            while let byte = peek(), byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                index += 1
                fraction += 1
            }
            guard fraction > 0 else { throw error("invalid number") }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            index += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
            var exponent = 0
            while let byte = peek(), byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                index += 1
                exponent += 1
            }
            guard exponent > 0 else { throw error("invalid number") }
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(SyntaxError) {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw error("unexpected end of input") }
        let matches = literal.withUTF8Buffer { expected in
            bytes[index..<(index + count)].elementsEqual(expected)
        }
        guard matches else { throw error("invalid literal") }
        index += count
    }

    private mutating func skipWhitespace() {
        while index < bytes.count, Self.isWhitespace(bytes[index]) { index += 1 }
    }

    /// Skips whitespace up to `end` only: a value's range (as `members` and `elements` give it) ends at the
    /// value, and whatever follows it in the enclosing document, whitespace included, is not part of it.
    private mutating func skipWhitespace(before end: Int) {
        while index < end, Self.isWhitespace(bytes[index]) { index += 1 }
    }

    private func peek() -> UInt8? {
        index < bytes.count ? bytes[index] : nil
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    private func error(_ reason: String) -> SyntaxError {
        SyntaxError(offset: index, reason: reason)
    }
}
