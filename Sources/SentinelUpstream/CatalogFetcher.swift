public import Foundation
public import SentinelCore

/// Reads a server's tool catalog through an upstream client.
public enum CatalogFetcher {
    /// The most tools one server may list; past it the server is assumed to be broken.
    public static let maximumToolCount = 100_000

    /// Lists every tool of `server`, following `nextCursor` page by page.
    ///
    /// Each tool keeps the upstream's whole object as its exact JSON text (`Tool.definition`), and
    /// its schemas and annotations likewise. Entries without a string name are skipped, and so are a
    /// name listed again and an object that repeats a member name (clients could read another name
    /// than the one Sentinel routes by). `timeout` applies to each page.
    /// Throws `.protocolViolation` for a result that is not an object or has no `tools` array,
    /// a cursor handed out twice, or more than `maximumToolCount` tools; errors of the client
    /// itself pass through.
    public static func listTools(using client: any UpstreamClient, server: String, timeout: Duration, now: Date)
        async throws -> [Tool]
    {
        var tools: [Tool] = []
        var names = Set<String>()
        var seenCursors = Set<String>()
        var cursor: String?
        repeat {
            let params = cursor.map { RawJSON.object([("cursor", RawJSON(string: $0))]) }
            let result = try await client.request("tools/list", params: params, timeout: timeout, progress: nil)
            let page = try Page(result)
            for range in page.toolRanges {
                guard let tool = tool(in: result.bytes, at: range, server: server, now: now),
                    names.insert(tool.name).inserted
                else { continue }
                tools.append(tool)
                if tools.count > maximumToolCount {
                    throw UpstreamError.protocolViolation("\(server) lists more than \(maximumToolCount) tools")
                }
            }
            cursor = page.nextCursor
            if let cursor, !seenCursors.insert(cursor).inserted {
                throw UpstreamError.protocolViolation("tools/list of \(server) returned the cursor \"\(cursor)\" twice")
            }
        } while cursor != nil
        return tools
    }

    /// One `tools/list` result, its entries still raw.
    private struct Page {
        var toolRanges: [Range<Int>]
        var nextCursor: String?

        init(_ result: RawJSON) throws(UpstreamError) {
            let bytes = result.bytes
            guard let members = try? JSONScanner.members(of: bytes) else {
                throw .protocolViolation("the tools/list result is not a JSON object")
            }
            guard let toolsRange = members["tools"], let elements = try? JSONScanner.elements(of: bytes, in: toolsRange)
            else { throw .protocolViolation("the tools/list result has no \"tools\" array") }
            toolRanges = elements
            // An empty string ends the listing too: a client cannot tell it from "no more pages".
            nextCursor = members["nextCursor"].flatMap { string(in: bytes, at: $0) }.flatMap { $0.isEmpty ? nil : $0 }
        }
    }

    private static func tool(in page: [UInt8], at range: Range<Int>, server: String, now: Date) -> Tool? {
        // The entry on its own: it becomes the stored definition, and scanning it whole keeps the
        // whitespace that may follow it in the page out of the way.
        let bytes = Array(page[JSONScanner.trimmed(page, range)])
        guard let members = try? JSONScanner.members(of: bytes),
            let name = members["name"].flatMap({ string(in: bytes, at: $0) }), !name.isEmpty,
            !ToolDefinition.repeatsMember(bytes, in: bytes.indices, members: members)
        else { return nil }
        var tool = Tool(
            server: server, name: name,
            title: members["title"].flatMap { string(in: bytes, at: $0) },
            description: members["description"].flatMap { string(in: bytes, at: $0) },
            definition: String(decoding: bytes, as: UTF8.self),
            discoveredAt: now)
        if let schema = members["inputSchema"].flatMap({ rawText(in: bytes, at: $0) }) {
            tool.inputSchema = schema
        }
        tool.outputSchema = members["outputSchema"].flatMap { rawText(in: bytes, at: $0) }
        tool.annotations = members["annotations"].flatMap { rawText(in: bytes, at: $0) }
        return tool
    }

    /// A JSON string value, decoded; nil for any other kind of value.
    private static func string(in bytes: [UInt8], at range: Range<Int>) -> String? {
        guard bytes[range].first == UInt8(ascii: "\"") else { return nil }
        return try? RawJSON(bytes[range]).decoded().stringValue
    }

    /// The exact text of a value, nil when it is `null`.
    private static func rawText(in bytes: [UInt8], at range: Range<Int>) -> String? {
        if bytes[range].elementsEqual("null".utf8) { return nil }
        return String(decoding: bytes[range], as: UTF8.self)
    }
}
