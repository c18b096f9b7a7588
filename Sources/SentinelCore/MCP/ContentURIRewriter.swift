#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Maps the resource URIs inside upstream results and tool definitions (see `ResourceURIMap`), editing
/// raw JSON by position: every other byte passes through as it came.
///
/// What is rewritten, and nothing else:
/// - results of `tools/call` (`content[]`) and `prompts/get` (`messages[].content`): content blocks of
///   type `resource_link` (their `uri`) and `resource` (their `resource.uri`), because clients pass those
///   URIs back to `resources/read`, and an unmapped URI cannot be routed. Text, `structuredContent`,
///   `_meta` and other blocks pass byte for byte, and so do URIs nested anywhere else;
/// - results of `resources/read`: `contents[].uri` (hosts match it to the URI they asked for);
/// - tool definitions: the MCP Apps references `_meta.ui.resourceUri` and `_meta["ui/resourceUri"]`
///   (deprecated, still read by hosts) and the OpenAI Apps `_meta["openai/outputTemplate"]`.
///
/// A URI that `ResourceURIMap` cannot map (no valid scheme), or a member that is not a string, is left as
/// it is; so is a result that is not a JSON object. A result with nothing to rewrite is returned as the
/// same bytes. Tool and prompt results are first searched for the bytes `"resource` (or any `\u` escape,
/// which could spell it otherwise): only then are they scanned, so ordinary results cost one `memmem`.
public enum ContentURIRewriter {
    /// The `_meta` member of a tool naming its MCP Apps UI resource (`{"resourceUri": …, "visibility": …}`).
    public static let uiKey = "ui"
    /// The member of `_meta.ui` naming the UI resource.
    public static let uiResourceURIKey = "resourceUri"
    /// The deprecated flat `_meta` member naming a tool's UI resource.
    public static let flatUIResourceURIKey = "ui/resourceUri"
    /// The OpenAI Apps SDK's `_meta` member naming a tool's output template (a `ui://` resource).
    public static let openAIOutputTemplateKey = "openai/outputTemplate"

    /// A `tools/call` result with the URIs of its resource content blocks mapped for `server`.
    ///
    /// `precheck: false` skips the byte search and always scans (tests compare the two: the search
    /// may only save work, never change the outcome).
    public static func toolResult(_ result: RawJSON, server: String, precheck: Bool = true) -> RawJSON {
        if precheck, !mayHoldResourceBlocks(result.bytes) { return result }
        let bytes = result.bytes
        guard let members = try? JSONScanner.members(of: bytes), let content = members["content"] else { return result }
        var edits: [Edit] = []
        blocksEdits(bytes, content, server: server, into: &edits)
        return applying(edits, to: result)
    }

    /// A `prompts/get` result with the URIs of its messages' resource content blocks mapped for `server`.
    /// A message's `content` may be one block (as the schema has it) or an array of blocks.
    public static func promptResult(_ result: RawJSON, server: String, precheck: Bool = true) -> RawJSON {
        if precheck, !mayHoldResourceBlocks(result.bytes) { return result }
        let bytes = result.bytes
        guard let members = try? JSONScanner.members(of: bytes), let messages = members["messages"],
            let elements = try? JSONScanner.elements(of: bytes, in: messages)
        else { return result }
        var edits: [Edit] = []
        for message in elements {
            guard let messageMembers = try? JSONScanner.members(of: bytes, in: message), let content = messageMembers["content"]
            else { continue }
            if bytes[content.lowerBound] == UInt8(ascii: "[") {
                blocksEdits(bytes, content, server: server, into: &edits)
            } else {
                blockEdits(bytes, content, server: server, into: &edits)
            }
        }
        return applying(edits, to: result)
    }

    /// A `resources/read` result with `contents[].uri` mapped for `server`.
    public static func readResult(_ result: RawJSON, server: String) -> RawJSON {
        let bytes = result.bytes
        guard let members = try? JSONScanner.members(of: bytes), let contents = members["contents"],
            let elements = try? JSONScanner.elements(of: bytes, in: contents)
        else { return result }
        var edits: [Edit] = []
        for element in elements {
            guard let item = try? JSONScanner.members(of: bytes, in: element), let uri = item["uri"],
                let edit = mappedString(bytes, uri, server: server)
            else { continue }
            edits.append(edit)
        }
        return applying(edits, to: result)
    }

    /// A tool definition with its UI resource references in `_meta` mapped for `server` (see the type's
    /// summary). Done once per catalog snapshot, not per request.
    public static func toolDefinition(_ definition: RawJSON, server: String) -> RawJSON {
        let bytes = definition.bytes
        guard let members = try? JSONScanner.members(of: bytes), let metaRange = members["_meta"],
            bytes[metaRange.lowerBound] == UInt8(ascii: "{"), let meta = try? JSONScanner.members(of: bytes, in: metaRange)
        else { return definition }
        var edits: [Edit] = []
        for key in [flatUIResourceURIKey, openAIOutputTemplateKey] {
            if let range = meta[key], let edit = mappedString(bytes, range, server: server) { edits.append(edit) }
        }
        if let ui = meta[uiKey], bytes[ui.lowerBound] == UInt8(ascii: "{"), let uiMembers = try? JSONScanner.members(of: bytes, in: ui),
            let range = uiMembers[uiResourceURIKey], let edit = mappedString(bytes, range, server: server)
        {
            edits.append(edit)
        }
        return applying(edits, to: definition)
    }

    /// Whether `bytes` may hold a resource content block: they contain `"resource`, or a `\u` escape
    /// (which could spell the type otherwise). False means there is certainly nothing to rewrite.
    public static func mayHoldResourceBlocks(_ bytes: [UInt8]) -> Bool {
        contains(bytes, resourceNeedle) || contains(bytes, escapeNeedle)
    }

    // MARK: - Edits by position

    /// One replacement of a byte range.
    struct Edit {
        var range: Range<Int>
        var replacement: [UInt8]
    }

    /// `json` with `edits` applied (from the end, so that earlier positions stay valid); the same value
    /// when there are none.
    static func applying(_ edits: [Edit], to json: RawJSON) -> RawJSON {
        guard !edits.isEmpty else { return json }
        var bytes = json.bytes
        for edit in edits.sorted(by: { $0.range.lowerBound > $1.range.lowerBound }) {
            bytes.replaceSubrange(edit.range, with: edit.replacement)
        }
        return RawJSON(bytes)
    }

    /// The edit replacing the JSON string at `range` (a URI, or with `template` a URI template) by its
    /// mapped form; nil when it is not a string or cannot be mapped.
    static func mappedString(_ bytes: [UInt8], _ range: Range<Int>, server: String, template: Bool = false) -> Edit? {
        guard let value = RawJSON.string(from: bytes[range]) else { return nil }
        let mapped = template
            ? ResourceURIMap.mapTemplate(server: server, uriTemplate: value)
            : ResourceURIMap.map(server: server, uri: value)
        guard let mapped else { return nil }
        return Edit(range: range, replacement: RawJSON(string: mapped).bytes)
    }

    /// Edits for each block of the content array at `range`.
    private static func blocksEdits(_ bytes: [UInt8], _ range: Range<Int>, server: String, into edits: inout [Edit]) {
        guard bytes[range.lowerBound] == UInt8(ascii: "["), let blocks = try? JSONScanner.elements(of: bytes, in: range) else { return }
        for block in blocks { blockEdits(bytes, block, server: server, into: &edits) }
    }

    /// The edit for one content block at `range`, if it is a `resource_link` or an embedded `resource`.
    private static func blockEdits(_ bytes: [UInt8], _ range: Range<Int>, server: String, into edits: inout [Edit]) {
        guard bytes[range.lowerBound] == UInt8(ascii: "{"), let members = try? JSONScanner.members(of: bytes, in: range),
            let type = members["type"].flatMap({ RawJSON.string(from: bytes[$0]) })
        else { return }
        switch type {
        case "resource_link":
            if let uri = members["uri"], let edit = mappedString(bytes, uri, server: server) { edits.append(edit) }
        case "resource":
            guard let resource = members["resource"], bytes[resource.lowerBound] == UInt8(ascii: "{"),
                let inner = try? JSONScanner.members(of: bytes, in: resource), let uri = inner["uri"],
                let edit = mappedString(bytes, uri, server: server)
            else { return }
            edits.append(edit)
        default:
            return
        }
    }

    private static let resourceNeedle = Array(#""resource"#.utf8)
    private static let escapeNeedle = Array(#"\u"#.utf8)

    /// Whether `needle` (non-empty) occurs in `haystack`: `memchr` to each occurrence of its first byte, then a
    /// comparison (glibc's `memmem` is not visible to Swift without `_GNU_SOURCE`).
    private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        haystack.withUnsafeBufferPointer { hay in
            guard let base = hay.baseAddress, let first = needle.first else { return false }
            var position = 0
            while hay.count - position >= needle.count {
                guard let found = memchr(base + position, CInt(first), hay.count - position - needle.count + 1) else { return false }
                let index = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                if UnsafeBufferPointer(rebasing: hay[index..<(index + needle.count)]).elementsEqual(needle) { return true }
                position = index + 1
            }
            return false
        }
    }
}
