/// Edits a result's `io.modelcontextprotocol/serverInfo` (and `resultType`) without decoding it.
///
/// A gateway's results must name the gateway, never the upstream behind it (2026-07-28
/// basic/index "Per-response protocol fields"), while every other byte of an upstream's result
/// passes through as it came. Only the top-level members and `_meta` are scanned; the rest is
/// copied.
public enum MCPResultMeta {
    /// The result as a 2026-07-28 client receives it: `resultType: "complete"` added when absent,
    /// and `_meta[serverInfo]` set to `serverInfo` (replacing the upstream's value in place, or
    /// added). `members` are the result's top-level members when the caller scanned them already.
    /// A result that is not an object is returned as it is.
    public static func modern(_ result: RawJSON, members: [String: Range<Int>]? = nil, serverInfo: RawJSON) -> RawJSON {
        let bytes = result.bytes
        guard let members = members ?? (try? JSONScanner.members(of: bytes)),
            let open = bytes.firstIndex(of: UInt8(ascii: "{"))
        else { return result }
        let infoMember = RawJSON(string: MCPProtocol.serverInfoKey).bytes + [UInt8(ascii: ":")] + serverInfo.bytes
        var leading: [UInt8] = []
        if members["resultType"] == nil { leading += Array(#""resultType":"complete""#.utf8) }
        var inner: (range: Range<Int>, bytes: [UInt8])?
        if let metaRange = members["_meta"] {
            let meta = JSONScanner.trimmed(bytes, metaRange)
            if bytes[meta].first == UInt8(ascii: "{"), let metaMembers = try? JSONScanner.members(of: bytes, in: meta) {
                if let info = metaMembers[MCPProtocol.serverInfoKey] {
                    inner = (info, serverInfo.bytes)
                } else {
                    inner = (meta.lowerBound + 1..<meta.lowerBound + 1, infoMember + (metaMembers.isEmpty ? [] : [UInt8(ascii: ",")]))
                }
            } else {
                inner = (meta, [UInt8(ascii: "{")] + infoMember + [UInt8(ascii: "}")])
            }
        } else {
            if !leading.isEmpty { leading.append(UInt8(ascii: ",")) }
            leading += Array(#""_meta":{"#.utf8) + infoMember + [UInt8(ascii: "}")]
        }
        if !leading.isEmpty, !members.isEmpty { leading.append(UInt8(ascii: ",")) }
        // One pass, one allocation: this runs on every 2026-07-28 tool result.
        let replaced = inner?.range ?? bytes.endIndex..<bytes.endIndex
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + leading.count + (inner?.bytes.count ?? 0))
        out += bytes[...open]
        out += leading
        out += bytes[(open + 1)..<replaced.lowerBound]
        if let inner { out += inner.bytes }
        out += bytes[replaced.upperBound...]
        return RawJSON(out)
    }

    /// The result as a handshake-era client receives it: an upstream's `_meta[serverInfo]` removed
    /// (with `_meta` when nothing else was in it); every other byte as it came.
    public static func handshake(_ result: RawJSON, members: [String: Range<Int>]? = nil) -> RawJSON {
        let bytes = result.bytes
        guard let members = members ?? (try? JSONScanner.members(of: bytes)), let metaRange = members["_meta"],
            let object = bytes.firstIndex(of: UInt8(ascii: "{"))
        else { return result }
        let meta = JSONScanner.trimmed(bytes, metaRange)
        guard bytes[meta].first == UInt8(ascii: "{"), let metaMembers = try? JSONScanner.members(of: bytes, in: meta),
            let info = metaMembers[MCPProtocol.serverInfoKey]
        else { return result }
        let removed = metaMembers.count == 1
            ? removal(of: metaRange, in: bytes, object: object)
            : removal(of: info, in: bytes, object: meta.lowerBound)
        guard let removed else { return result }
        var out = bytes
        out.removeSubrange(removed)
        return RawJSON(out)
    }

    /// The bytes to cut to remove the member whose value is `value` from the object opening at
    /// `object`: its key, colon and value, and one neighbouring comma.
    static func removal(of value: Range<Int>, in bytes: [UInt8], object: Int) -> Range<Int>? {
        guard let start = memberStart(in: bytes, valueStart: value.lowerBound, notBefore: object) else { return nil }
        var after = value.upperBound
        while after < bytes.count, isWhitespace(bytes[after]) { after += 1 }
        if after < bytes.count, bytes[after] == UInt8(ascii: ",") { return start..<after + 1 }
        var before = start - 1
        while before > object, isWhitespace(bytes[before]) { before -= 1 }
        if bytes[before] == UInt8(ascii: ",") { return before..<value.upperBound }
        return start..<value.upperBound
    }

    /// Where the key of the member whose value starts at `valueStart` begins (its opening quote),
    /// looking back no further than `lower` (the object's `{`).
    public static func memberStart(in bytes: [UInt8], valueStart: Int, notBefore lower: Int) -> Int? {
        var index = valueStart - 1
        while index > lower, isWhitespace(bytes[index]) { index -= 1 }
        guard index > lower, bytes[index] == UInt8(ascii: ":") else { return nil }
        index -= 1
        while index > lower, isWhitespace(bytes[index]) { index -= 1 }
        guard index > lower, bytes[index] == UInt8(ascii: "\"") else { return nil }
        index -= 1
        while index > lower {
            if bytes[index] == UInt8(ascii: "\""), !isEscaped(bytes, index, notBefore: lower) { return index }
            index -= 1
        }
        return nil
    }

    /// Whether the byte at `index` follows an odd number of backslashes.
    static func isEscaped(_ bytes: [UInt8], _ index: Int, notBefore lower: Int) -> Bool {
        var backslashes = 0
        var cursor = index - 1
        while cursor >= lower, bytes[cursor] == UInt8(ascii: "\\") {
            backslashes += 1
            cursor -= 1
        }
        return backslashes % 2 == 1
    }

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }
}
