/// Finds the members of a JSON object without decoding their values.
///
/// It validates the structure it walks (strings, numbers, literals, nesting)
/// so that malformed input is refused with a position, but it builds no
/// values: each member comes back as its key and the byte range of its value.
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
    private static let maximumDepth = 512

    private init(_ bytes: [UInt8], start: Int) {
        self.bytes = bytes
        self.index = start
    }

    /// The members of the object `bytes[range]`, in order (a repeated key keeps its last value).
    public static func members(of bytes: [UInt8], in range: Range<Int>? = nil) throws(SyntaxError) -> [String: Range<Int>] {
        let range = range ?? 0..<bytes.count
        var scanner = JSONScanner(bytes, start: range.lowerBound)
        scanner.skipWhitespace()
        guard scanner.peek() == UInt8(ascii: "{") else { throw scanner.error("expected an object") }
        let members = try scanner.scanObject(collecting: true)
        scanner.skipWhitespace()
        guard scanner.index == range.upperBound else { throw scanner.error("unexpected data after the value") }
        return members
    }

    /// The ranges of the elements of the array `bytes[range]`.
    public static func elements(of bytes: [UInt8], in range: Range<Int>? = nil) throws(SyntaxError) -> [Range<Int>] {
        let range = range ?? 0..<bytes.count
        var scanner = JSONScanner(bytes, start: range.lowerBound)
        scanner.skipWhitespace()
        guard scanner.peek() == UInt8(ascii: "[") else { throw scanner.error("expected an array") }
        let result = try scanner.scanArray(collecting: true)
        scanner.skipWhitespace()
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
                index += 2
                continue
            }
            if byte < 0x20 { throw error("control character in string") }
            index += 1
        }
        throw error("unterminated string")
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
