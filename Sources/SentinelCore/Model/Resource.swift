public import Foundation

/// A concrete resource as an upstream server lists it, cached in the catalog.
///
/// `uri` is always the upstream's own URI; clients see it mapped (`ResourceURIMap`). `definition` is the
/// upstream's whole resource object, exactly as listed (see `ResourceDefinition`); `name`, `title`,
/// `mimeType` are read from it for the control plane.
public struct Resource: Sendable, Equatable {
    public var server: String
    public var uri: String
    public var name: String?
    public var title: String?
    public var mimeType: String?
    /// The upstream's resource object as JSON text, byte for byte.
    public var definition: String
    public var discoveredAt: Date

    public init(
        server: String, uri: String, name: String? = nil, title: String? = nil, mimeType: String? = nil, definition: String,
        discoveredAt: Date
    ) {
        self.server = server
        self.uri = uri
        self.name = name
        self.title = title
        self.mimeType = mimeType
        self.definition = definition
        self.discoveredAt = discoveredAt
    }

    /// The resource an entry of a `resources/list` page describes (`bytes[range]`), or nil when the entry
    /// is not an object, repeats a member, or has no string `uri` that `ResourceURIMap` can map (an
    /// unmappable URI could never be read through an endpoint, so it is not cataloged).
    public init?(server: String, entry bytes: [UInt8], in range: Range<Int>, discoveredAt: Date) {
        guard let entry = CatalogEntry(bytes, range), let uri = entry.string("uri"),
            ResourceURIMap.map(server: server, uri: uri) != nil
        else { return nil }
        self.init(
            server: server, uri: uri, name: entry.string("name"), title: entry.string("title"),
            mimeType: entry.string("mimeType"), definition: entry.text, discoveredAt: discoveredAt)
    }

    /// The URI clients see.
    public var mappedURI: String? { ResourceURIMap.map(server: server, uri: uri) }
}
