public import Foundation

/// A handshake-era `Mcp-Session-Id` that the gateway can verify without remembering it.
///
/// Text form: `s2.<version>.<capabilities>.<issued>.<nonce>.<tag>`, all visible ASCII: the negotiated
/// protocol version without dashes (`20251125`), the client capabilities Sentinel acts on as one
/// lower-case hex digit of flags (`MCPClientCapabilities`: 1 = URL-mode elicitation, 2 = MCP Apps,
/// 4 = capabilities declared), the issue time in Unix seconds, 16 random bytes and the first 16 bytes
/// of an HMAC-SHA256 over those fields and the endpoint and grant the session belongs to, all in
/// lower-case hex. A forged id, or one presented on another endpoint or by another grant, fails the HMAC; what the id cannot say (that it was
/// deleted, when it was last used) the store remembers. The capabilities ride in the id so that a
/// restart or another node still knows what the client declared in `initialize`. Ids of the earlier
/// form `s1.<version>.<issued>.<nonce>.<tag>` (no capabilities) stay valid.
public struct MCPSessionID: Sendable, Equatable {
    public var protocolVersion: String
    /// What the client declared in `initialize` (always none for an `s1` id).
    public var capabilities: MCPClientCapabilities
    public var issuedAt: Int64
    /// 32 lower-case hex digits.
    public var nonce: String
    /// 32 lower-case hex digits.
    public var tag: String
    /// An id of the earlier `s1` form, which carries no capabilities.
    let legacy: Bool

    static let scheme = "s2"
    /// The earlier form, without capabilities.
    static let schemeWithoutCapabilities = "s1"
    static let hexLength = 32

    /// A new id's fields before signing; `tag` is filled in by `signed(with:)`.
    public init(protocolVersion: String, capabilities: MCPClientCapabilities = .init(), issuedAt: Int64, nonce: [UInt8]) {
        self.protocolVersion = protocolVersion
        self.capabilities = capabilities
        self.legacy = false
        self.issuedAt = issuedAt
        self.nonce = Self.hex(nonce)
        self.tag = ""
    }

    /// Reads an id; nil when it is not one this gateway could have issued.
    public init?(parsing text: String) {
        var parts = text.split(separator: ".", omittingEmptySubsequences: false)
        var capabilities = MCPClientCapabilities()
        if parts.count == 6, parts[0] == Self.scheme, parts[2].utf8.count == 1, let flags = UInt8(parts[2], radix: 16),
            parts[2] == parts[2].lowercased()
        {
            capabilities = Self.capabilities(flags)
            parts.remove(at: 2)
            self.legacy = false
        } else {
            guard parts.count == 5, parts[0] == Self.schemeWithoutCapabilities else { return nil }
            self.legacy = true
        }
        guard parts[1].utf8.count == 8, parts[1].allSatisfy(\.isASCII),
            parts[1].allSatisfy(\.isNumber), let issued = Int64(parts[2]), issued > 0,
            Self.isHex(parts[3]), Self.isHex(parts[4])
        else { return nil }
        let digits = Array(parts[1])
        let version = String(digits[0..<4]) + "-" + String(digits[4..<6]) + "-" + String(digits[6..<8])
        guard MCPProtocol.isHandshake(version) else { return nil }
        self.protocolVersion = version
        self.capabilities = capabilities
        self.issuedAt = issued
        self.nonce = String(parts[3])
        self.tag = String(parts[4])
    }

    /// The header value.
    public var text: String {
        let version = protocolVersion.replacingOccurrences(of: "-", with: "")
        if legacy { return [Self.schemeWithoutCapabilities, version, String(issuedAt), nonce, tag].joined(separator: ".") }
        return [Self.scheme, version, String(Self.flags(capabilities), radix: 16), String(issuedAt), nonce, tag]
            .joined(separator: ".")
    }

    /// The bytes the tag authenticates: the id's fields, and the endpoint and grant (empty on
    /// endpoints without authentication) it was issued to, NUL-separated.
    public func signedBytes(endpoint: String, grant: String?) -> [UInt8] {
        let fields = legacy
            ? ["sentinel-mcp-session", Self.schemeWithoutCapabilities, protocolVersion, String(issuedAt), nonce, endpoint, grant ?? ""]
            : ["sentinel-mcp-session", Self.scheme, protocolVersion, String(Self.flags(capabilities), radix: 16), String(issuedAt),
               nonce, endpoint, grant ?? ""]
        return Array(fields.joined(separator: "\u{0}").utf8)
    }

    /// The capabilities as flags: bit 0 URL-mode elicitation, bit 1 the MCP Apps extension, bit 2 capabilities
    /// declared at all (ids issued before bits 1 and 2 existed read as declaring nothing of them).
    static func flags(_ capabilities: MCPClientCapabilities) -> UInt8 {
        (capabilities.urlElicitation ? 1 : 0) | (capabilities.appsExtension ? 2 : 0) | (capabilities.declared ? 4 : 0)
    }

    static func capabilities(_ flags: UInt8) -> MCPClientCapabilities {
        MCPClientCapabilities(urlElicitation: flags & 1 != 0, appsExtension: flags & 2 != 0, declared: flags & 4 != 0)
    }

    /// This id with its tag: the first 16 bytes of `mac` over `signedBytes`.
    public func signed(with mac: [UInt8]) -> MCPSessionID {
        var id = self
        id.tag = Self.hex(mac.prefix(Self.hexLength / 2))
        return id
    }

    /// When the id was issued.
    public var issued: Date { Date(timeIntervalSince1970: TimeInterval(issuedAt)) }

    /// Whether a session last used at `lastUsed` has ended at `now` under an idle lifetime of
    /// `idleSeconds`.
    public static func hasExpired(lastUsed: Date, now: Date, idleSeconds: Int) -> Bool {
        now.timeIntervalSince(lastUsed) > TimeInterval(idleSeconds)
    }

    /// How stale the stored last use of an active session may get before it is written again:
    /// an eighth of the lifetime, between 1 s and 10 min. After a restart a session may thus end
    /// at most that much early.
    public static func recordInterval(idleSeconds: Int) -> TimeInterval {
        min(600, max(1, TimeInterval(idleSeconds) / 8))
    }

    static func isHex(_ text: Substring) -> Bool {
        text.utf8.count == hexLength && text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
