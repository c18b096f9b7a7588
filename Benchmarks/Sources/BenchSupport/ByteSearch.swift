import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// Searches in response bodies at memmem speed: tools/list answers run to hundreds of kilobytes,
/// and the load generator must not be what a run measures.
public enum ByteSearch {
    public static func contains(_ needle: String, in buffer: ByteBuffer) -> Bool {
        offset(of: needle, in: buffer) != nil
    }

    public static func offset(of needle: String, in buffer: ByteBuffer) -> Int? {
        var needle = needle
        return needle.withUTF8 { pattern in
            buffer.withUnsafeReadableBytes { haystack -> Int? in
                guard let base = haystack.baseAddress, haystack.count >= pattern.count else { return nil }
                // memchr for the first byte, memcmp for the rest (Glibc does not export memmem to Swift).
                let first = Int32(pattern[0])
                var offset = 0
                let last = haystack.count - pattern.count
                while offset <= last {
                    guard let hit = memchr(base + offset, first, last - offset + 1) else { return nil }
                    let at = base.distance(to: UnsafeRawPointer(hit))
                    if memcmp(base + at, pattern.baseAddress!, pattern.count) == 0 { return at }
                    offset = at + 1
                }
                return nil
            }
        }
    }

    /// The text of the string value after the first `"key":"` (no escapes expected).
    public static func string(after key: String, in buffer: ByteBuffer) -> String? {
        let prefix = "\"\(key)\":\""
        guard let start = offset(of: prefix, in: buffer) else { return nil }
        let view = buffer.readableBytesView
        let from = view.startIndex + start + prefix.utf8.count
        guard let end = view[from...].firstIndex(of: UInt8(ascii: "\"")) else { return nil }
        return String(decoding: view[from..<end], as: UTF8.self)
    }
}
