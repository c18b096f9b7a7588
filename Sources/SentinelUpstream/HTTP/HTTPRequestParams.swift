import Foundation
import SentinelCore

/// Edits of raw JSON-RPC `params` and the routing headers derived from them.
///
/// Only `params._meta` is rebuilt (its member values keep their bytes); every other member of
/// `params` stays byte for byte as the caller sent it.
enum HTTPRequestParams {
    /// `params` with `_meta` members set (replacing same-named ones) and others removed.
    ///
    /// Returns `params` unchanged when there is nothing to do, and when `params` is not an object
    /// (MCP params always are; a malformed one is left for the upstream to refuse).
    static func settingMeta(_ members: [(name: String, value: RawJSON)], removing: Set<String> = [], in params: RawJSON?) -> RawJSON? {
        guard let params, params.bytes.contains(where: { !isWhitespace($0) }) else {
            return members.isEmpty ? params : RawJSON.object([("_meta", RawJSON.object(members.map { ($0.name, $0.value) }))])
        }
        let bytes = params.bytes
        guard let top = try? JSONScanner.members(of: bytes) else { return params }
        if let metaRange = top["_meta"], let existing = try? JSONScanner.members(of: bytes, in: metaRange) {
            let replaced = Set(members.map(\.name))
            guard !members.isEmpty || existing.keys.contains(where: { removing.contains($0) }) else { return params }
            // Kept members are copied with their key bytes as sent, so escapes survive too.
            var object: [UInt8] = [UInt8(ascii: "{")]
            for (key, range) in existing.sorted(by: { $0.value.lowerBound < $1.value.lowerBound })
            where !removing.contains(key) && !replaced.contains(key) {
                if object.count > 1 { object.append(UInt8(ascii: ",")) }
                if let start = MCPResultMeta.memberStart(in: bytes, valueStart: range.lowerBound, notBefore: metaRange.lowerBound) {
                    object += bytes[start..<range.upperBound]
                } else {
                    object += RawJSON.object([(key, RawJSON(bytes[range]))]).bytes.dropFirst().dropLast()
                }
            }
            for member in members {
                if object.count > 1 { object.append(UInt8(ascii: ",")) }
                object += RawJSON(string: member.name).bytes
                object.append(UInt8(ascii: ":"))
                object += member.value.bytes
            }
            object.append(UInt8(ascii: "}"))
            return splice(bytes, replacing: metaRange, with: object)
        }
        if let metaRange = top["_meta"] {
            // `_meta` is not an object (null, say): ours replaces it.
            return splice(bytes, replacing: metaRange, with: RawJSON.object(members.map { ($0.name, $0.value) }).bytes)
        }
        guard !members.isEmpty else { return params }
        let whole = JSONScanner.trimmed(bytes, 0..<bytes.count)
        let closing = whole.upperBound - 1
        var insertion: [UInt8] = top.isEmpty ? [] : [UInt8(ascii: ",")]
        insertion += Array(#""_meta":"#.utf8)
        insertion += RawJSON.object(members.map { ($0.name, $0.value) }).bytes
        return splice(bytes, replacing: closing..<closing, with: insertion)
    }

    /// The param that names the target of `method`, for the `Mcp-Name` header (2026-07-28).
    static func routingName(method: String, params: RawJSON?) -> String? {
        guard let key = MCPProtocol.nameParameter(of: method), let params, let top = try? JSONScanner.members(of: params.bytes), let range = top[key] else { return nil }
        return RawJSON.string(from: params.bytes[range])
    }

    /// A header value that survives HTTP unchanged: visible ASCII as is, anything else as `=?base64?…?=`.
    static func headerValue(_ text: String) -> String {
        MCPHeaderValue.encode(text)
    }

    private static func splice(_ bytes: [UInt8], replacing range: Range<Int>, with replacement: [UInt8]) -> RawJSON {
        var out = bytes
        out.replaceSubrange(range, with: replacement)
        return RawJSON(out)
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }
}
