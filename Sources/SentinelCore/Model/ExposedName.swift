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
    ///
    /// Every pair whose name is shared takes its hashed name; that repeats until
    /// no name is shared, so a hashed name cannot coincide with another tool's
    /// plain name either. A true hash collision (vanishingly rare) gets a counter.
    public static func assign(_ pairs: [(server: String, tool: String)]) -> [String: String] {
        var names = pairs.map { preferred(server: $0.server, tool: $0.tool) }
        let hashedNames = pairs.map { hashed(server: $0.server, tool: $0.tool) }
        var changed = true
        while changed {
            changed = false
            var holders: [String: [Int]] = [:]
            for (index, name) in names.enumerated() { holders[name, default: []].append(index) }
            for (_, indices) in holders.sorted(by: { $0.key < $1.key }) where indices.count > 1 {
                let unhashed = indices.filter { names[$0] != hashedNames[$0] }
                if unhashed.isEmpty {
                    // Every holder already carries its hash and they still agree: number them.
                    let ordered = indices.sorted { (pairs[$0].server, pairs[$0].tool) < (pairs[$1].server, pairs[$1].tool) }
                    for (ordinal, index) in ordered.enumerated().dropFirst() {
                        let suffix = "_\(ordinal)"
                        names[index] =
                            String(decoding: hashedNames[index].utf8.prefix(maximumLength - suffix.utf8.count), as: UTF8.self) + suffix
                    }
                } else {
                    for index in unhashed { names[index] = hashedNames[index] }
                }
                changed = true
            }
        }
        var result: [String: String] = [:]
        for (index, pair) in pairs.enumerated() { result[pair.server + "/" + pair.tool] = names[index] }
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
