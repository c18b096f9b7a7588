import SentinelCore

/// Which MCP era a request belongs to, decided per request as a dual-era server must.
///
/// A request whose `params._meta` carries `io.modelcontextprotocol/protocolVersion` is a
/// modern-era request and needs no initialize; anything else (and `initialize` itself,
/// which does not exist in the modern era) is a handshake-era request.
enum ProtocolEra: Sendable, Equatable {
    case handshake
    case modern(version: String)

    /// Reads the era from a request, rejecting a half-built or unsupported envelope.
    init(of request: IncomingRequest) throws(JSONRPCError) {
        guard request.method != "initialize", let meta = request.meta,
            let rawVersion = meta[MCPProtocol.versionKey]
        else {
            self = .handshake
            return
        }
        guard case .string(let version) = rawVersion else {
            throw .invalidParams("params._meta[\"\(MCPProtocol.versionKey)\"] must be a string")
        }
        guard meta[MCPProtocol.clientCapabilitiesKey]?.objectValue != nil else {
            throw .invalidParams(
                "params._meta is missing the required envelope key \"\(MCPProtocol.clientCapabilitiesKey)\""
                    + " (an object)")
        }
        guard version == MCPProtocol.modernVersion else {
            throw .unsupportedProtocolVersion(requested: version, supported: [MCPProtocol.modernVersion])
        }
        self = .modern(version: version)
    }

    /// Adds the fields this era requires on every result.
    ///
    /// 2026-07-28 results carry `resultType`; cacheable ones (lists, discover) also carry
    /// `ttlMs` and `cacheScope`. Handshake-era results are returned untouched.
    func finish(_ result: [String: JSONValue], cacheable: Bool = false) -> JSONValue {
        guard case .modern = self else { return .object(result) }
        var result = result
        if result["resultType"] == nil { result["resultType"] = "complete" }
        if cacheable {
            // Nothing here is user-specific; 0 ms keeps clients honest about re-listing.
            result["ttlMs"] = result["ttlMs"] ?? 0
            result["cacheScope"] = result["cacheScope"] ?? "public"
        }
        return .object(result)
    }
}
