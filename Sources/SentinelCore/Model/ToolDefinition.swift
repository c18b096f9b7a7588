/// A tool object from an upstream's `tools/list`, and the one change Sentinel makes to it.
///
/// The gateway passes an upstream's tool through whole: every member (`title`,
/// `inputSchema`, `_meta` with MCP Apps' `ui`, `icons`, `execution`, members of
/// later revisions) reaches the client byte for byte. What changes:
/// - `name` becomes the exposed name;
/// - `_meta` gains `io.sentinel/origin` (`{"server": …, "tool": …}`: where the tool
///   comes from, since the exposed name may be hashed), unless the upstream's `_meta`
///   already has that member (then it is left as it is) or is not an object;
/// - a tool without `inputSchema`, which MCP requires, gets `{"type":"object"}`.
public enum ToolDefinition {
    /// The `_meta` member that names the tool's server and upstream name.
    public static let originKey = "io.sentinel/origin"

    /// The input schema of a tool that lists none: any object.
    static let defaultInputSchema = RawJSON(Array(#"{"type":"object"}"#.utf8))

    /// The definition clients see: `tool.definition` renamed to `exposedName` (see the type's summary).
    ///
    /// A definition that is not a JSON object (never stored by the catalog) is rebuilt from the tool's fields.
    public static func exposed(_ tool: Tool, as exposedName: String) -> RawJSON {
        var bytes = Array(tool.definition.utf8)
        var scanned = try? JSONScanner.members(of: bytes)
        if scanned?["name"] == nil {
            bytes = synthesized(from: tool).bytes
            scanned = try? JSONScanner.members(of: bytes)
        }
        guard let members = scanned, let nameRange = members["name"], let close = bytes.lastIndex(of: UInt8(ascii: "}"))
        else { return RawJSON.object([("name", RawJSON(string: exposedName)), ("inputSchema", defaultInputSchema)]) }
        let origin = RawJSON.object([("server", RawJSON(string: tool.server)), ("tool", RawJSON(string: tool.name))])
        // Edits by position, applied from the end so that earlier positions stay valid.
        var edits: [(range: Range<Int>, replacement: [UInt8])] = [(nameRange, RawJSON(string: exposedName).bytes)]
        var appended: [(String, RawJSON)] = []
        if members["inputSchema"] == nil {
            appended.append(("inputSchema", defaultInputSchema))
        }
        if let metaRange = members["_meta"] {
            if let meta = try? JSONScanner.members(of: bytes, in: metaRange), meta[originKey] == nil,
                let open = bytes[metaRange].firstIndex(of: UInt8(ascii: "{"))
            {
                let member = RawJSON.object([(originKey, origin)]).bytes.dropFirst().dropLast()
                edits.append((open + 1..<open + 1, Array(member) + (meta.isEmpty ? [] : [UInt8(ascii: ",")])))
            }
        } else {
            appended.append(("_meta", RawJSON.object([(originKey, origin)])))
        }
        if !appended.isEmpty {
            // The object has at least `name`, so appended members follow a comma.
            var insertion: [UInt8] = []
            for (key, value) in appended {
                insertion.append(UInt8(ascii: ","))
                insertion += RawJSON(string: key).bytes
                insertion.append(UInt8(ascii: ":"))
                insertion += value.bytes
            }
            edits.append((close..<close, insertion))
        }
        var result = bytes
        for edit in edits.sorted(by: { $0.range.lowerBound > $1.range.lowerBound }) {
            result.replaceSubrange(edit.range, with: edit.replacement)
        }
        return RawJSON(result)
    }

    /// A definition built from a tool's fields, for tools cataloged before whole definitions were kept.
    public static func synthesized(from tool: Tool) -> RawJSON {
        var members: [(String, RawJSON)] = [("name", RawJSON(string: tool.name))]
        if let title = tool.title { members.append(("title", RawJSON(string: title))) }
        if let description = tool.description { members.append(("description", RawJSON(string: description))) }
        members.append(("inputSchema", RawJSON(Array(tool.inputSchema.utf8))))
        if let output = tool.outputSchema { members.append(("outputSchema", RawJSON(Array(output.utf8)))) }
        if let annotations = tool.annotations { members.append(("annotations", RawJSON(Array(annotations.utf8)))) }
        return RawJSON.object(members)
    }

    /// Whether the object `bytes[range]` names a member twice at its top level.
    ///
    /// JSON parsers disagree on which of two equal names wins, so a tool object with a repeated
    /// `name` could show clients one name while Sentinel routes by the other; the catalog skips such
    /// tools. `members` is `JSONScanner.members(of: bytes, in: range)`, which keeps the last value of a
    /// repeated name: in an object without repeats, the bytes between one kept value and the next
    /// are exactly a comma and the next name, and any earlier, dropped member sits in such a gap.
    public static func repeatsMember(_ bytes: [UInt8], in range: Range<Int>, members: [String: Range<Int>]) -> Bool {
        let object = JSONScanner.trimmed(bytes, range)
        guard object.count >= 2 else { return false }
        var index = object.lowerBound + 1
        func skipWhitespace() {
            while index < object.upperBound, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }
        for (position, value) in members.values.sorted(by: { $0.lowerBound < $1.lowerBound }).enumerated() {
            skipWhitespace()
            if position > 0 {
                guard index < object.upperBound, bytes[index] == UInt8(ascii: ",") else { return true }
                index += 1
                skipWhitespace()
            }
            guard index < object.upperBound, bytes[index] == UInt8(ascii: "\"") else { return true }
            index += 1
            while index < object.upperBound, bytes[index] != UInt8(ascii: "\"") {
                index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
            }
            index += 1
            skipWhitespace()
            guard index < object.upperBound, bytes[index] == UInt8(ascii: ":") else { return true }
            index += 1
            skipWhitespace()
            guard index == value.lowerBound else { return true }
            index = value.upperBound
        }
        return false
    }
}
