/// Maps (server, tool) pairs to the names clients see on an endpoint.
///
/// The name is `<server>__<tool>` with characters outside `[A-Za-z0-9_-]`
/// replaced by `_`. Names longer than 64 characters, or names that collide
/// after that replacement, are cut and given a stable 8-hex-digit suffix
/// derived from the original pair, so the mapping never depends on the order
/// tools were discovered in.
public enum ExposedName {
    public static let maximumLength = 64

    /// The preferred exposed name of one tool, before collisions are considered.
    public static func preferred(server: String, tool: String) -> String {
        let raw = server + "__" + sanitize(tool)
        if raw.utf8.count <= maximumLength { return raw }
        return hashed(server: server, tool: tool)
    }

    /// Exposed names for a set of (server, tool) pairs, unique within the set.
    public static func assign(_ pairs: [(server: String, tool: String)]) -> [String: String] {
        var counts: [String: Int] = [:]
        let wanted = pairs.map { preferred(server: $0.server, tool: $0.tool) }
        for name in wanted { counts[name, default: 0] += 1 }
        var result: [String: String] = [:]
        for (index, pair) in pairs.enumerated() {
            let name = wanted[index]
            let key = pair.server + "/" + pair.tool
            result[key] = counts[name] == 1 ? name : hashed(server: pair.server, tool: pair.tool)
        }
        return result
    }

    static func sanitize(_ text: String) -> String {
        String(
            String.UnicodeScalarView(
                text.unicodeScalars.map { scalar in
                    let allowed =
                        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                        || scalar == "_" || scalar == "-"
                    return allowed ? scalar : "_"
                }))
    }

    static func hashed(server: String, tool: String) -> String {
        let suffix = "_" + fnv1a32Hex(server + "/" + tool)
        let base = server + "__" + sanitize(tool)
        let keep = maximumLength - suffix.utf8.count
        return String(decoding: base.utf8.prefix(keep), as: UTF8.self) + suffix
    }

    /// FNV-1a, 32 bits, as 8 lower-case hex digits: stable across runs and platforms.
    static func fnv1a32Hex(_ text: String) -> String {
        var hash: UInt32 = 0x811c_9dc5
        for byte in text.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 0x0100_0193
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }
}
