/// Maps (server, tool) pairs to the names clients see on an endpoint.
///
/// The name is `<server>__<tool>` with characters outside `[A-Za-z0-9_-]`
/// replaced by `_`. Names longer than 64 characters, or names that collide
/// after that replacement, are cut and given a stable 8-hex-digit suffix
/// derived from the original pair, so the mapping never depends on the order
/// tools were discovered in.
///
/// A tool enabled on an endpoint keeps the name it was enabled under (its
/// *pinned* name) for as long as it stays enabled: clients hold on to that name,
/// so a tool that appears later and would collide with it takes its hashed name
/// instead of renaming the enabled one.
public enum ExposedName {
    public static let maximumLength = 64

    /// The preferred exposed name of one tool, before collisions are considered.
    public static func preferred(server: String, tool: String) -> String {
        let raw = server + "__" + sanitize(tool)
        if raw.utf8.count <= maximumLength { return raw }
        return hashed(server: server, tool: tool)
    }

    /// The key of a pair in `assign`'s argument and result: `server/tool`.
    public static func key(server: String, tool: String) -> String {
        server + "/" + tool
    }

    /// Exposed names for a set of (server, tool) pairs, unique within the set.
    ///
    /// `pinned` holds the names of enabled tools by `key(server:tool:)`; they are kept as they are.
    /// (Should two pins name the same thing, which the store's unique index prevents, the pair
    /// first in (server, tool) order keeps it.) Every other pair whose name is shared, with a pin or
    /// with another pair, takes its hashed name; that repeats until no name is shared, so a hashed
    /// name cannot coincide with another tool's plain or pinned name either. A true hash collision
    /// (vanishingly rare) gets a counter.
    public static func assign(
        _ pairs: [(server: String, tool: String)], pinned: [String: String] = [:]
    ) -> [String: String] {
        let keys = pairs.map { key(server: $0.server, tool: $0.tool) }
        let order = pairs.indices.sorted { (pairs[$0].server, pairs[$0].tool) < (pairs[$1].server, pairs[$1].tool) }
        var pinnedName = [String?](repeating: nil, count: pairs.count)
        var claimed = Set<String>()
        for index in order {
            if let name = pinned[keys[index]], claimed.insert(name).inserted { pinnedName[index] = name }
        }
        // 0: the preferred name, 1: the hashed name, n ≥ 2: the hashed name numbered n - 1.
        var stage = [Int](repeating: 0, count: pairs.count)
        func name(_ index: Int) -> String {
            if let pinned = pinnedName[index] { return pinned }
            let pair = pairs[index]
            switch stage[index] {
            case 0: return preferred(server: pair.server, tool: pair.tool)
            case 1: return hashed(server: pair.server, tool: pair.tool)
            default:
                let suffix = "_\(stage[index] - 1)"
                let base = hashed(server: pair.server, tool: pair.tool)
                return String(decoding: base.utf8.prefix(maximumLength - suffix.utf8.count), as: UTF8.self) + suffix
            }
        }
        var names = pairs.indices.map(name)
        var changed = true
        while changed {
            changed = false
            var holders: [String: [Int]] = [:]
            for (index, name) in names.enumerated() { holders[name, default: []].append(index) }
            for (_, indices) in holders.sorted(by: { $0.key < $1.key }) where indices.count > 1 {
                let movable = order.filter { indices.contains($0) && pinnedName[$0] == nil }
                guard !movable.isEmpty else { continue }
                let plain = movable.filter { stage[$0] == 0 }
                let moving: ArraySlice<Int>
                if !plain.isEmpty {
                    moving = plain[...]
                } else if movable.count == indices.count {
                    // Every holder already carries its hash and they still agree: number all but the first.
                    moving = movable.dropFirst()
                } else {
                    // A pinned name equals these hashed names: number them all.
                    moving = movable[...]
                }
                for index in moving {
                    stage[index] += 1
                    names[index] = name(index)
                }
                changed = true
            }
        }
        var result: [String: String] = [:]
        for (index, key) in keys.enumerated() { result[key] = names[index] }
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
