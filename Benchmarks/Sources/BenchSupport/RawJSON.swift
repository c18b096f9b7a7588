/// Just enough JSON for the benchmark tools: find a member's raw value by its key, without decoding.
///
/// The search is textual (the first `"key":` anywhere), which is right for the small, known messages
/// the tools exchange and keeps the cost per message close to zero.
public enum RawJSON {
    /// The byte range of the value that follows the first `"key":` at or after `start`.
    public static func value<C: RandomAccessCollection>(of key: String, in bytes: C, from start: C.Index? = nil) -> Range<C.Index>?
    where C.Element == UInt8 {
        let needle = Array("\"\(key)\"".utf8)
        var index = start ?? bytes.startIndex
        while let found = find(needle, in: bytes, from: index) {
            var cursor = bytes.index(found, offsetBy: needle.count)
            cursor = skipSpace(bytes, cursor)
            if cursor < bytes.endIndex, bytes[cursor] == UInt8(ascii: ":") {
                cursor = skipSpace(bytes, bytes.index(after: cursor))
                guard let end = valueEnd(bytes, cursor) else { return nil }
                return cursor..<end
            }
            index = bytes.index(after: found)
        }
        return nil
    }

    /// The decoded text of a string value (escapes other than `\"` and `\\` are kept as written).
    public static func string<C: RandomAccessCollection>(of key: String, in bytes: C) -> String? where C.Element == UInt8 {
        guard let range = value(of: key, in: bytes), bytes[range.lowerBound] == UInt8(ascii: "\"") else { return nil }
        var out: [UInt8] = []
        var i = bytes.index(after: range.lowerBound)
        let last = bytes.index(before: range.upperBound)
        while i < last {
            var byte = bytes[i]
            if byte == UInt8(ascii: "\\") {
                i = bytes.index(after: i)
                byte = bytes[i]
            }
            out.append(byte)
            i = bytes.index(after: i)
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func contains<C: RandomAccessCollection>(_ text: String, in bytes: C) -> Bool where C.Element == UInt8 {
        find(Array(text.utf8), in: bytes, from: bytes.startIndex) != nil
    }

    static func find<C: RandomAccessCollection>(_ needle: [UInt8], in bytes: C, from start: C.Index) -> C.Index?
    where C.Element == UInt8 {
        guard let first = needle.first, bytes.distance(from: start, to: bytes.endIndex) >= needle.count else { return nil }
        var i = start
        let limit = bytes.index(bytes.endIndex, offsetBy: -needle.count)
        while i <= limit {
            if bytes[i] == first {
                var j = bytes.index(after: i)
                var k = 1
                while k < needle.count, bytes[j] == needle[k] {
                    j = bytes.index(after: j)
                    k += 1
                }
                if k == needle.count { return i }
            }
            i = bytes.index(after: i)
        }
        return nil
    }

    static func skipSpace<C: RandomAccessCollection>(_ bytes: C, _ start: C.Index) -> C.Index where C.Element == UInt8 {
        var i = start
        while i < bytes.endIndex, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[i]) { i = bytes.index(after: i) }
        return i
    }

    /// Where the value starting at `start` ends (exclusive).
    static func valueEnd<C: RandomAccessCollection>(_ bytes: C, _ start: C.Index) -> C.Index? where C.Element == UInt8 {
        guard start < bytes.endIndex else { return nil }
        var i = start
        switch bytes[i] {
        case UInt8(ascii: "\""):
            i = bytes.index(after: i)
            while i < bytes.endIndex {
                if bytes[i] == UInt8(ascii: "\\") {
                    i = bytes.index(i, offsetBy: 2, limitedBy: bytes.endIndex) ?? bytes.endIndex
                    continue
                }
                if bytes[i] == UInt8(ascii: "\"") { return bytes.index(after: i) }
                i = bytes.index(after: i)
            }
            return nil
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            var inString = false
            while i < bytes.endIndex {
                let byte = bytes[i]
                if inString {
                    if byte == UInt8(ascii: "\\") {
                        i = bytes.index(i, offsetBy: 2, limitedBy: bytes.endIndex) ?? bytes.endIndex
                        continue
                    }
                    if byte == UInt8(ascii: "\"") { inString = false }
                } else if byte == UInt8(ascii: "\"") {
                    inString = true
                } else if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                    depth += 1
                } else if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") {
                    depth -= 1
                    if depth == 0 { return bytes.index(after: i) }
                }
                i = bytes.index(after: i)
            }
            return nil
        default:
            while i < bytes.endIndex, ![UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x0A, 0x0D, 0x09].contains(bytes[i]) {
                i = bytes.index(after: i)
            }
            return i
        }
    }
}
