/// One object of an upstream's list page (`prompts/list`, `resources/list`, `resources/templates/list`),
/// cut out of the page and scanned once, for the catalog's model types to read their fields from.
struct CatalogEntry {
    /// The entry's own bytes (what the catalog stores as its definition).
    let bytes: [UInt8]
    let members: [String: Range<Int>]

    /// Nil when the entry is not an object or names a member twice (parsers disagree on which one wins,
    /// so a client could see one `uri` while Sentinel routes by the other).
    init?(_ page: [UInt8], _ range: Range<Int>) {
        let bytes = Array(page[JSONScanner.trimmed(page, range)])
        guard let members = try? JSONScanner.members(of: bytes),
            !ToolDefinition.repeatsMember(bytes, in: bytes.indices, members: members)
        else { return nil }
        self.bytes = bytes
        self.members = members
    }

    var text: String { String(decoding: bytes, as: UTF8.self) }

    /// A string member, decoded; nil when absent or not a string.
    func string(_ key: String) -> String? {
        members[key].flatMap { RawJSON.string(from: bytes[$0]) }
    }
}
