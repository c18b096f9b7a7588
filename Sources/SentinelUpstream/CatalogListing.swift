/// What one list of a server's catalog held: the entries Sentinel keeps, in the upstream's order, and how
/// many it had to skip.
///
/// A skipped entry is one its parser refused (no name or URI, an unmappable URI, a repeated member) or one
/// whose key came earlier in the listing. The upstream broke the protocol with it, so the caller records it
/// as a protocol fault of the server (`UpstreamProtocolFaults`), which is how an admin learns of it.
public struct CatalogListing<Entry> {
    public var entries: [Entry]
    public var skipped: Int

    public init(entries: [Entry], skipped: Int) {
        self.entries = entries
        self.skipped = skipped
    }
}

extension CatalogListing: Sendable where Entry: Sendable {}
