public import Foundation
public import SentinelCore

/// Reads a server's catalog (tools, prompts, resources, resource templates) through an upstream client.
///
/// Every list goes through one page loop, `listAll`: it follows `nextCursor` until the upstream leaves it out
/// (or sends `null`), refuses a cursor handed out twice and more than `maximumEntryCount` entries, and hands
/// each raw entry to the parser of its kind. Entries a parser refuses, and entries whose key (name, URI,
/// URI template) came earlier in the listing, are skipped and counted in `CatalogListing.skipped`, for the
/// caller to record as protocol faults of the server.
public enum CatalogFetcher {
    /// The most entries one list of one server may hold; past it the server is assumed to be broken.
    public static let maximumEntryCount = 100_000

    /// The most tools one server may list (the limit of every list, `maximumEntryCount`).
    public static let maximumToolCount = maximumEntryCount

    /// Lists every tool of `server`.
    ///
    /// Each tool keeps the upstream's whole object as its exact JSON text (`Tool.definition`), and
    /// its schemas and annotations likewise. Entries without a string name are skipped, and so are a
    /// name listed again and an object that repeats a member name (clients could read another name
    /// than the one Sentinel routes by). `timeout` applies to each page. Throws as `listAll` does.
    public static func listTools(using client: any UpstreamClient, server: String, timeout: Duration, now: Date)
        async throws -> CatalogListing<Tool>
    {
        try await listAll(
            using: client, method: "tools/list", arrayKey: "tools", server: server, timeout: timeout,
            entry: { page, range in tool(in: page, at: range, server: server, now: now) }, key: \.name)
    }

    /// Lists every prompt of `server` (`prompts/list`), parsed by `Prompt(server:entry:in:discoveredAt:)`;
    /// a prompt name listed again is skipped. Throws as `listAll` does.
    public static func listPrompts(using client: any UpstreamClient, server: String, timeout: Duration, now: Date)
        async throws -> CatalogListing<Prompt>
    {
        try await listAll(
            using: client, method: "prompts/list", arrayKey: "prompts", server: server, timeout: timeout,
            entry: { Prompt(server: server, entry: $0, in: $1, discoveredAt: now) }, key: \.name)
    }

    /// Lists every concrete resource of `server` (`resources/list`), parsed by
    /// `Resource(server:entry:in:discoveredAt:)`; a URI listed again is skipped. Throws as `listAll` does.
    public static func listResources(using client: any UpstreamClient, server: String, timeout: Duration, now: Date)
        async throws -> CatalogListing<Resource>
    {
        try await listAll(
            using: client, method: "resources/list", arrayKey: "resources", server: server, timeout: timeout,
            entry: { Resource(server: server, entry: $0, in: $1, discoveredAt: now) }, key: \.uri)
    }

    /// Lists every resource template of `server` (`resources/templates/list`), parsed by
    /// `ResourceTemplate(server:entry:in:discoveredAt:)`; a URI template listed again is skipped. Throws as
    /// `listAll` does.
    public static func listResourceTemplates(
        using client: any UpstreamClient, server: String, timeout: Duration, now: Date
    ) async throws -> CatalogListing<ResourceTemplate> {
        try await listAll(
            using: client, method: "resources/templates/list", arrayKey: "resourceTemplates", server: server,
            timeout: timeout, entry: { ResourceTemplate(server: server, entry: $0, in: $1, discoveredAt: now) },
            key: \.uriTemplate)
    }

    /// Lists every entry of one paginated MCP list (`method`, whose result holds the entries in `arrayKey`).
    ///
    /// Pages are requested with the `nextCursor` of the previous one until a page has none (absent, `null`,
    /// or not a string). An empty string is a cursor like any other (2026-07-28 pagination: it "MUST NOT be
    /// treated as the end of results"), so it is sent back; a server that hands out one cursor twice is
    /// stopped by the loop guard. `entry` parses one raw element (`page[range]`) or refuses it (nil); `key`
    /// names an entry so that a repeated one is skipped. `timeout` applies to each page.
    ///
    /// Throws `.protocolViolation` for a result that is not an object or has no `arrayKey` array, a cursor
    /// handed out twice, or more than `maximumEntryCount` entries; errors of the client itself (an
    /// upstream's `-32601`, for one) pass through.
    public static func listAll<Entry>(
        using client: any UpstreamClient, method: String, arrayKey: String, server: String, timeout: Duration,
        entry: (_ page: [UInt8], _ range: Range<Int>) -> Entry?, key: (Entry) -> String
    ) async throws -> CatalogListing<Entry> {
        var listing = CatalogListing<Entry>(entries: [], skipped: 0)
        var keys = Set<String>()
        var seenCursors = Set<String>()
        var elementCount = 0
        var cursor: String?
        repeat {
            let params = cursor.map { RawJSON.object([("cursor", RawJSON(string: $0))]) }
            let result = try await client.request(method, params: params, timeout: timeout, progress: nil)
            let page = try Page(result, method: method, arrayKey: arrayKey)
            elementCount += page.ranges.count
            if elementCount > maximumEntryCount {
                throw UpstreamError.protocolViolation(
                    "\(method) of \(server) lists more than \(maximumEntryCount) entries")
            }
            for range in page.ranges {
                guard let parsed = entry(result.bytes, range), keys.insert(key(parsed)).inserted else {
                    listing.skipped += 1
                    continue
                }
                listing.entries.append(parsed)
            }
            cursor = page.nextCursor
            if let cursor, !seenCursors.insert(cursor).inserted {
                throw UpstreamError.protocolViolation("\(method) of \(server) returned the cursor \"\(cursor)\" twice")
            }
        } while cursor != nil
        return listing
    }

    /// One page of a list result, its entries still raw.
    private struct Page {
        var ranges: [Range<Int>]
        var nextCursor: String?

        init(_ result: RawJSON, method: String, arrayKey: String) throws(UpstreamError) {
            let bytes = result.bytes
            guard let members = try? JSONScanner.members(of: bytes) else {
                throw .protocolViolation("the \(method) result is not a JSON object")
            }
            guard let arrayRange = members[arrayKey], let elements = try? JSONScanner.elements(of: bytes, in: arrayRange)
            else { throw .protocolViolation("the \(method) result has no \"\(arrayKey)\" array") }
            ranges = elements
            // Only a missing or null cursor ends the listing; "" is a valid cursor (2026-07-28 pagination).
            // A cursor that is not a string ends it too, as it always did.
            nextCursor = members["nextCursor"].flatMap { RawJSON.string(from: bytes[$0]) }
        }
    }

    private static func tool(in page: [UInt8], at range: Range<Int>, server: String, now: Date) -> Tool? {
        // The entry on its own: it becomes the stored definition, and scanning it whole keeps the
        // whitespace that may follow it in the page out of the way.
        let bytes = Array(page[JSONScanner.trimmed(page, range)])
        guard let members = try? JSONScanner.members(of: bytes),
            let name = members["name"].flatMap({ RawJSON.string(from: bytes[$0]) }), !name.isEmpty,
            !ToolDefinition.repeatsMember(bytes, in: bytes.indices, members: members)
        else { return nil }
        var tool = Tool(
            server: server, name: name,
            title: members["title"].flatMap { RawJSON.string(from: bytes[$0]) },
            description: members["description"].flatMap { RawJSON.string(from: bytes[$0]) },
            definition: String(decoding: bytes, as: UTF8.self),
            discoveredAt: now)
        if let schema = members["inputSchema"].flatMap({ rawText(in: bytes, at: $0) }) {
            tool.inputSchema = schema
        }
        tool.outputSchema = members["outputSchema"].flatMap { rawText(in: bytes, at: $0) }
        tool.annotations = members["annotations"].flatMap { rawText(in: bytes, at: $0) }
        return tool
    }

    /// The exact text of a value, nil when it is `null`.
    private static func rawText(in bytes: [UInt8], at range: Range<Int>) -> String? {
        if bytes[range].elementsEqual("null".utf8) { return nil }
        return String(decoding: bytes[range], as: UTF8.self)
    }
}
