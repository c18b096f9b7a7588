import SentinelCore

/// Puts a progress token into a request's raw `params` as `_meta.progressToken`.
///
/// The token is spliced into the bytes rather than the object re-serialised: every other
/// member (keys, values, their order and spacing) reaches the upstream exactly as the client
/// sent it. An existing `_meta` keeps its other members; an existing `progressToken` (the
/// client's own) is replaced, since the upstream must only ever see the gateway's token.
enum ProgressTokenInjector {
    /// `params` carrying `token`; params that are not a JSON object come back unchanged
    /// (MCP params are always objects, so the upstream will reject them on its own terms).
    static func params(_ params: RawJSON?, withProgressToken token: RawJSON) -> RawJSON {
        let tokenMember = RawJSON.object([("progressToken", token)])
        guard let params else {
            return RawJSON.object([("_meta", tokenMember)])
        }
        let bytes = params.bytes
        guard let members = try? JSONScanner.members(of: bytes) else { return params }
        guard let metaRange = members["_meta"] else {
            return RawJSON(insertingMember(named: "_meta", value: tokenMember, intoObjectAt: 0..<bytes.count, of: bytes))
        }
        guard let metaMembers = try? JSONScanner.members(of: bytes, in: metaRange) else {
            // `_meta` is not an object (null, say): it cannot carry the token, so it becomes one that does.
            return RawJSON(bytes[..<metaRange.lowerBound] + tokenMember.bytes + bytes[metaRange.upperBound...])
        }
        if let existing = metaMembers["progressToken"] {
            return RawJSON(bytes[..<existing.lowerBound] + token.bytes + bytes[existing.upperBound...])
        }
        return RawJSON(insertingMember(named: "progressToken", value: token, intoObjectAt: metaRange, of: bytes))
    }

    /// `bytes` with `"name":value` added as the first member of the object in `range`.
    private static func insertingMember(named name: String, value: RawJSON, intoObjectAt range: Range<Int>, of bytes: [UInt8])
        -> [UInt8]
    {
        guard let open = bytes[range].firstIndex(of: UInt8(ascii: "{")) else { return bytes }
        let afterOpen = open + 1
        let isEmpty = bytes[afterOpen..<range.upperBound].first { !isWhitespace($0) } == UInt8(ascii: "}")
        var member = RawJSON(string: name).bytes
        member.append(UInt8(ascii: ":"))
        member += value.bytes
        if !isEmpty { member.append(UInt8(ascii: ",")) }
        return Array(bytes[..<afterOpen]) + member + bytes[afterOpen...]
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }
}
