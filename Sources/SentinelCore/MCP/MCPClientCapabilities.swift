/// What a client declared it can do, as far as Sentinel's own replies depend on it.
///
/// A handshake-era client declares its capabilities once, in `initialize` (`params.capabilities`), and the session
/// keeps them; a 2026-07-28 client declares them on every request (`params._meta[io.modelcontextprotocol/
/// clientCapabilities]`). Only what changes a reply is read: URL-mode elicitation, which lets Sentinel ask the
/// client to open the page where the user connects an account (`elicitation: {}` alone means form mode only,
/// 2025-11-25 and 2026-07-28 client/elicitation "Capabilities"); and the MCP Apps extension
/// (`extensions["io.modelcontextprotocol/ui"]`), without which a client that declared its capabilities is not shown
/// app-only tools.
public struct MCPClientCapabilities: Sendable, Equatable {
    /// The client declared `elicitation.url`: it can show the user a URL to open (out of band, in a browser).
    public var urlElicitation: Bool
    /// The client declared the MCP Apps extension (`extensions["io.modelcontextprotocol/ui"]` is an object): its host
    /// renders `ui://` pages and keeps app-only tools from the model.
    public var appsExtension: Bool
    /// The client declared capabilities at all (every 2026-07-28 request; an `initialize` with `capabilities`). A
    /// handshake-era client without a session declared nothing Sentinel remembers, so nothing is inferred from absence.
    public var declared: Bool

    public init(urlElicitation: Bool = false, appsExtension: Bool = false, declared: Bool = false) {
        self.urlElicitation = urlElicitation
        self.appsExtension = appsExtension
        self.declared = declared
    }

    /// The MCP Apps extension's key in `capabilities.extensions`.
    public static let appsExtensionKey = "io.modelcontextprotocol/ui"

    /// Reads the capabilities object at `range` of `bytes`; anything unreadable declares nothing (but counts as
    /// declared). `urlElicitation: false` ignores a declared URL mode (a version that has none).
    public init(bytes: [UInt8], range: Range<Int>, urlElicitation readsURL: Bool = true) {
        self.init(declared: true)
        guard let members = try? JSONScanner.members(of: bytes, in: JSONScanner.trimmed(bytes, range)) else { return }
        if readsURL, let elicitation = members["elicitation"],
            let modes = try? JSONScanner.members(of: bytes, in: JSONScanner.trimmed(bytes, elicitation)), let url = modes["url"]
        {
            urlElicitation = bytes[JSONScanner.trimmed(bytes, url)].first == UInt8(ascii: "{")
        }
        if let extensions = members["extensions"],
            let declared = try? JSONScanner.members(of: bytes, in: JSONScanner.trimmed(bytes, extensions)),
            let apps = declared[Self.appsExtensionKey]
        {
            appsExtension = bytes[JSONScanner.trimmed(bytes, apps)].first == UInt8(ascii: "{")
        }
    }

    /// The capabilities a request declares in `params._meta` (2026-07-28); `meta` is `message.metaMembers()`.
    public init(modern message: JSONRPCMessage, meta: [String: Range<Int>]) {
        guard let range = meta[MCPProtocol.clientCapabilitiesKey] else {
            // 2026-07-28 requests must declare them: one that does not declared none.
            self.init(declared: true)
            return
        }
        self.init(bytes: message.bytes, range: range)
    }

    /// The capabilities an `initialize` request declares (`params.capabilities`) for a session of the negotiated
    /// `version`. URL-mode elicitation (and its error -32042) came with 2025-11-25: an older session has none.
    public init(initialize message: JSONRPCMessage, version: String) {
        guard let range = message.paramsMembers["capabilities"] else {
            self.init()
            return
        }
        self.init(bytes: message.bytes, range: range, urlElicitation: version >= Self.urlElicitationSince)
    }

    /// The first handshake-era version with URL-mode elicitation.
    public static let urlElicitationSince = "2025-11-25"
}
