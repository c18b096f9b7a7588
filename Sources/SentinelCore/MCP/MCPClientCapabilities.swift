/// What a client declared it can do, as far as Sentinel's own replies depend on it.
///
/// A handshake-era client declares its capabilities once, in `initialize` (`params.capabilities`), and the session
/// keeps them; a 2026-07-28 client declares them on every request (`params._meta[io.modelcontextprotocol/
/// clientCapabilities]`). Only what changes a reply is read: URL-mode elicitation, which lets Sentinel ask the
/// client to open the page where the user connects an account. `elicitation: {}` alone means form mode only
/// (2025-11-25 and 2026-07-28 client/elicitation "Capabilities").
public struct MCPClientCapabilities: Sendable, Equatable {
    /// The client declared `elicitation.url`: it can show the user a URL to open (out of band, in a browser).
    public var urlElicitation: Bool

    public init(urlElicitation: Bool = false) {
        self.urlElicitation = urlElicitation
    }

    /// Reads the capabilities object at `range` of `bytes`; anything unreadable declares nothing.
    public init(bytes: [UInt8], range: Range<Int>) {
        guard let members = try? JSONScanner.members(of: bytes, in: JSONScanner.trimmed(bytes, range)),
            let elicitation = members["elicitation"],
            let modes = try? JSONScanner.members(of: bytes, in: JSONScanner.trimmed(bytes, elicitation)),
            let url = modes["url"]
        else {
            self.init()
            return
        }
        self.init(urlElicitation: bytes[JSONScanner.trimmed(bytes, url)].first == UInt8(ascii: "{"))
    }

    /// The capabilities a request declares in `params._meta` (2026-07-28); `meta` is `message.metaMembers()`.
    public init(modern message: JSONRPCMessage, meta: [String: Range<Int>]) {
        guard let range = meta[MCPProtocol.clientCapabilitiesKey] else {
            self.init()
            return
        }
        self.init(bytes: message.bytes, range: range)
    }

    /// The capabilities an `initialize` request declares (`params.capabilities`) for a session of the negotiated
    /// `version`. URL-mode elicitation (and its error -32042) came with 2025-11-25: an older session has none.
    public init(initialize message: JSONRPCMessage, version: String) {
        guard let range = message.paramsMembers["capabilities"], version >= Self.urlElicitationSince else {
            self.init()
            return
        }
        self.init(bytes: message.bytes, range: range)
    }

    /// The first handshake-era version with URL-mode elicitation.
    public static let urlElicitationSince = "2025-11-25"
}
