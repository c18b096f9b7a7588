/// The reversible mapping between an upstream's resource URIs and the URIs an endpoint shows.
///
/// Two servers behind one endpoint may both offer `file:///README.md`; clients must tell them apart
/// and Sentinel must route a `resources/read` back to the right one. The mapping is a pure function
/// of (server, upstream URI), so it is stable across catalog refreshes, restarts and other servers
/// coming and going, and needs no table:
///
/// - `ui://rest` (any case of `ui`) becomes `ui://<server>+rest`: MCP Apps hosts require the `ui://`
///   scheme, so it stays on the left (`ui://board/app.html` on `sdk` is `ui://sdk+board/app.html`);
/// - every other URI becomes `<server>+<uri>` (`sdk+file:///README.md`), itself a valid URI: `sdk+file`
///   is a valid RFC 3986 scheme, and `sdk+board` a valid reg-name (`+` is a sub-delim).
///
/// Server names are `[a-z][a-z0-9-]*` (`EntityName`), never holding `+`, `:` or `/`, so the first `+`
/// always ends the server: the map is injective, and no two (server, URI) pairs share a mapped URI.
/// A URI without a valid scheme (`ALPHA *(ALPHA / DIGIT / "+" / "-" / ".")` before the first `:`) is
/// not mapped at all: the catalog skips it and nothing forwards it.
///
/// `unmap` is strict: it accepts exactly the URIs `map` produces (`sdk+ui://x` is refused, its one
/// spelling is `ui://sdk+x`), so a resource has one name and a client cannot reach it under another.
/// Every comparison is on UTF-8 bytes, never on `Character`s, whose canonical equivalence would let
/// two different byte strings pass for one.
public enum ResourceURIMap {
    /// A URI (or URI template) as its upstream names it, and the server that offers it.
    public struct Origin: Sendable, Hashable {
        public var server: String
        public var uri: String

        public init(server: String, uri: String) {
            self.server = server
            self.uri = uri
        }
    }

    /// The byte between the server and the upstream's URI.
    public static let separator = UInt8(ascii: "+")

    /// The URI clients see for `uri` of `server`; nil when `uri` has no valid scheme (or `server` is not
    /// a valid server name).
    public static func map(server: String, uri: String) -> String? {
        guard isServerName(server), let scheme = schemeLength(uri.utf8) else { return nil }
        return joined(server: server, uri: uri, keepsUIScheme: isUI(uri.utf8, schemeLength: scheme))
    }

    /// The upstream URI and server of a URI that `map` produced; nil for anything else.
    public static func unmap(_ mapped: String) -> Origin? {
        guard let origin = split(mapped), let again = map(server: origin.server, uri: origin.uri),
            again.utf8.elementsEqual(mapped.utf8)
        else { return nil }
        return origin
    }

    /// The URI template clients see for `uriTemplate` of `server` (RFC 6570), or nil.
    ///
    /// The same text edit as `map`, which commutes with expansion when what it edits is literal: the
    /// scheme must come before the first `{`, and a `ui` scheme must be followed by a literal `//`
    /// (`ui:{x}` could expand to `ui://…` or not, so it cannot be mapped once for all its URIs).
    /// Expanding the mapped template gives the mapped expansion of the upstream's.
    public static func mapTemplate(server: String, uriTemplate: String) -> String? {
        let bytes = uriTemplate.utf8
        guard isServerName(server), let scheme = schemeLength(bytes) else { return nil }
        let keepsUI = isUI(bytes, schemeLength: scheme)
        if !keepsUI, bytes.prefix(scheme).lowercasedASCII == Array("ui".utf8) {
            // `ui:{x}`, `ui:/{/x}`: an expansion may or may not begin `ui://`.
            let after = Array(bytes.dropFirst(scheme + 1).prefix(2))
            if after.first == UInt8(ascii: "{") || after == [UInt8(ascii: "/"), UInt8(ascii: "{")] { return nil }
        }
        return joined(server: server, uri: uriTemplate, keepsUIScheme: keepsUI)
    }

    /// The upstream template and server of a template that `mapTemplate` produced; nil for anything else.
    ///
    /// A 2026-07-28 `completion/complete` names a resource by URI or by URI template: try `unmap` first.
    public static func unmapTemplate(_ mapped: String) -> Origin? {
        guard let origin = split(mapped), let again = mapTemplate(server: origin.server, uriTemplate: origin.uri),
            again.utf8.elementsEqual(mapped.utf8)
        else { return nil }
        return origin
    }

    /// How a resource rule's upstream URI prefix is shown (`sentinelctl endpoint resources`): like `map`,
    /// but any text is a prefix (`""` is every URI of the server, shown as `<server>+`).
    public static func mapPrefix(server: String, prefix: String) -> String {
        joined(server: server, uri: prefix, keepsUIScheme: hasUIPrefix(prefix.utf8))
    }

    /// The server and upstream URI prefix of a mapped prefix an administrator typed, or nil when it names
    /// no valid server. Lenient where `unmap` is strict: `srv+ui://x` is accepted as well as `ui://srv+x`.
    public static func unmapPrefix(_ mapped: String) -> Origin? {
        split(mapped)
    }

    /// The length in bytes of the scheme of `uri` (the text before its first `:`), or nil when there is
    /// no valid scheme.
    public static func schemeLength(_ uri: String.UTF8View) -> Int? {
        var length = 0
        for byte in uri {
            if byte == UInt8(ascii: ":") { return length > 0 ? length : nil }
            let valid = isASCIILetter(byte) || (length > 0 && (isASCIIDigit(byte) || byte == separator
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")))
            guard valid else { return nil }
            length += 1
        }
        return nil
    }

    // MARK: - Internals

    private static let uiPrefix = Array("ui://".utf8)

    /// Splits a mapped text into server and upstream text, without checking that `map` would produce it.
    private static func split(_ mapped: String) -> Origin? {
        let bytes = Array(mapped.utf8)
        if hasUIPrefix(mapped.utf8) {
            let rest = bytes[uiPrefix.count...]
            guard let plus = rest.firstIndex(of: separator) else { return nil }
            let server = String(decoding: rest[..<plus], as: UTF8.self)
            guard isServerName(server) else { return nil }
            let uri = String(decoding: bytes[..<uiPrefix.count] + bytes[(plus + 1)...], as: UTF8.self)
            return Origin(server: server, uri: uri)
        }
        guard let plus = bytes.firstIndex(of: separator) else { return nil }
        let server = String(decoding: bytes[..<plus], as: UTF8.self)
        guard isServerName(server) else { return nil }
        return Origin(server: server, uri: String(decoding: bytes[(plus + 1)...], as: UTF8.self))
    }

    private static func joined(server: String, uri: String, keepsUIScheme: Bool) -> String {
        guard keepsUIScheme else { return server + "+" + uri }
        let bytes = Array(uri.utf8)
        return String(decoding: bytes[..<uiPrefix.count] + Array(server.utf8) + [separator] + bytes[uiPrefix.count...], as: UTF8.self)
    }

    /// Whether the URI whose scheme is `schemeLength` bytes long is `ui:` followed by `//`.
    private static func isUI(_ uri: String.UTF8View, schemeLength: Int) -> Bool {
        schemeLength == 2 && hasUIPrefix(uri)
    }

    private static func hasUIPrefix(_ text: String.UTF8View) -> Bool {
        text.prefix(uiPrefix.count).lowercasedASCII == uiPrefix
    }

    /// A valid server name: `EntityName`'s rules (lower-case letters, digits and single inner hyphens), which
    /// never admit `+`, `:` or `/`, and the one place they are written.
    static func isServerName(_ name: String) -> Bool {
        EntityName.problem(with: name, kind: .server) == nil
    }

    private static func isASCIILetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    private static func isASCIIDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}

extension Sequence<UInt8> {
    /// The bytes with ASCII upper-case letters lowered.
    fileprivate var lowercasedASCII: [UInt8] {
        map { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) ? $0 + 32 : $0 }
    }
}
