public import Foundation

/// A prompt as an upstream server describes it, cached in the catalog.
///
/// `definition` is the upstream's whole prompt object, exactly as listed (`arguments`, `icons`, `_meta`
/// and members of later revisions pass through to clients; see `PromptDefinition`). `title` and
/// `description` are read from it for the control plane.
public struct Prompt: Sendable, Equatable {
    public var server: String
    public var name: String
    public var title: String?
    public var description: String?
    /// The upstream's prompt object as JSON text, byte for byte.
    public var definition: String
    public var discoveredAt: Date

    public init(server: String, name: String, title: String? = nil, description: String? = nil, definition: String, discoveredAt: Date) {
        self.server = server
        self.name = name
        self.title = title
        self.description = description
        self.definition = definition
        self.discoveredAt = discoveredAt
    }

    /// The prompt an entry of a `prompts/list` page describes (`bytes[range]`), or nil when the entry is
    /// not an object, has no non-empty string `name`, or repeats a member (see `ToolDefinition.repeatsMember`).
    public init?(server: String, entry bytes: [UInt8], in range: Range<Int>, discoveredAt: Date) {
        guard let entry = CatalogEntry(bytes, range), let name = entry.string("name"), !name.isEmpty else { return nil }
        self.init(
            server: server, name: name, title: entry.string("title"), description: entry.string("description"),
            definition: entry.text, discoveredAt: discoveredAt)
    }
}
