public import Foundation

/// A resource template (RFC 6570 `uriTemplate`) as an upstream server lists it, cached in the catalog.
///
/// A template is only a way to name URIs: reading one of its URIs is allowed or not by the endpoint's
/// resource rules like any other URI. `definition` is the upstream's whole object (see `ResourceDefinition`).
public struct ResourceTemplate: Sendable, Equatable {
    public var server: String
    public var uriTemplate: String
    public var name: String?
    public var title: String?
    public var mimeType: String?
    /// The upstream's template object as JSON text, byte for byte.
    public var definition: String
    public var discoveredAt: Date

    public init(
        server: String, uriTemplate: String, name: String? = nil, title: String? = nil, mimeType: String? = nil,
        definition: String, discoveredAt: Date
    ) {
        self.server = server
        self.uriTemplate = uriTemplate
        self.name = name
        self.title = title
        self.mimeType = mimeType
        self.definition = definition
        self.discoveredAt = discoveredAt
    }

    /// The template an entry of a `resources/templates/list` page describes (`bytes[range]`), or nil when
    /// the entry is not an object, repeats a member, or has no string `uriTemplate` whose scheme is literal
    /// (`ResourceURIMap.mapTemplate`).
    public init?(server: String, entry bytes: [UInt8], in range: Range<Int>, discoveredAt: Date) {
        guard let entry = CatalogEntry(bytes, range), let template = entry.string("uriTemplate"),
            ResourceURIMap.mapTemplate(server: server, uriTemplate: template) != nil
        else { return nil }
        self.init(
            server: server, uriTemplate: template, name: entry.string("name"), title: entry.string("title"),
            mimeType: entry.string("mimeType"), definition: entry.text, discoveredAt: discoveredAt)
    }

    /// The text before the first `{`: every URI the template expands to starts with it.
    public var literalPrefix: String {
        String(decoding: uriTemplate.utf8.prefix(while: { $0 != UInt8(ascii: "{") }), as: UTF8.self)
    }

    /// The template clients see.
    public var mappedTemplate: String? { ResourceURIMap.mapTemplate(server: server, uriTemplate: uriTemplate) }
}
