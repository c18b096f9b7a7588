/// A prompt object from an upstream's `prompts/list`, and the one change Sentinel makes to it.
///
/// As with tools (`ToolDefinition`), the upstream's object passes through whole (`arguments`, `icons`,
/// `_meta`, members of later revisions). What changes:
/// - `name` becomes the exposed name;
/// - `_meta` gains `io.sentinel/origin` (`{"server": …, "prompt": …}`), unless the upstream's `_meta`
///   already has that member or is not an object.
public enum PromptDefinition {
    /// The `_meta` member that names the prompt's server and upstream name (the same key as tools').
    public static let originKey = ToolDefinition.originKey

    /// The definition clients see: `prompt.definition` renamed to `exposedName`.
    ///
    /// A definition that is not a JSON object with a `name` (never stored by the catalog) is rebuilt from
    /// the prompt's fields.
    public static func exposed(_ prompt: Prompt, as exposedName: String) -> RawJSON {
        let origin = RawJSON.object([("server", RawJSON(string: prompt.server)), ("prompt", RawJSON(string: prompt.name))])
        let bytes = Array(prompt.definition.utf8)
        guard let members = try? JSONScanner.members(of: bytes), let nameRange = members["name"],
            let close = bytes.lastIndex(of: UInt8(ascii: "}"))
        else {
            var fields: [(String, RawJSON)] = [("name", RawJSON(string: exposedName))]
            if let title = prompt.title { fields.append(("title", RawJSON(string: title))) }
            if let description = prompt.description { fields.append(("description", RawJSON(string: description))) }
            fields.append(("_meta", RawJSON.object([(originKey, origin)])))
            return RawJSON.object(fields)
        }
        var edits: [ContentURIRewriter.Edit] = [.init(range: nameRange, replacement: RawJSON(string: exposedName).bytes)]
        if let metaRange = members["_meta"] {
            if bytes[metaRange.lowerBound] == UInt8(ascii: "{"), let meta = try? JSONScanner.members(of: bytes, in: metaRange),
                meta[originKey] == nil
            {
                let member = RawJSON.object([(originKey, origin)]).bytes.dropFirst().dropLast()
                let open = metaRange.lowerBound + 1
                edits.append(.init(range: open..<open, replacement: Array(member) + (meta.isEmpty ? [] : [UInt8(ascii: ",")])))
            }
        } else {
            // The object has at least `name`, so the new member follows a comma.
            let member = RawJSON.object([("_meta", RawJSON.object([(originKey, origin)]))]).bytes.dropFirst().dropLast()
            edits.append(.init(range: close..<close, replacement: [UInt8(ascii: ",")] + member))
        }
        return ContentURIRewriter.applying(edits, to: RawJSON(bytes))
    }
}
