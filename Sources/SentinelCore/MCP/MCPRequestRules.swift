/// Which era serves a POSTed request, or why it is refused: the table of sentineld(8) "PROTOCOL ERAS".
///
/// The era comes from the body: a request whose `params._meta` carries
/// `io.modelcontextprotocol/protocolVersion` is a 2026-07-28 request; anything else belongs to the
/// handshake era, served by the session it names when it names a valid one. Headers are checked
/// against the body, never trusted over it. Known client quirks are served and noted:
/// claude.ai sends `MCP-Protocol-Version: 2025-11-25` (or none) with 2026-07-28 bodies, and a
/// 2026-07-28 header after a 2025-11-25 `initialize`.
public enum MCPRequestRules {
    /// What the body of a request says about its era.
    public struct Envelope: Sendable, Equatable {
        public enum Version: Sendable, Equatable {
            /// No `io.modelcontextprotocol/protocolVersion` in `params._meta`: a handshake-era body.
            case absent
            case string(String)
            /// Present but not a string.
            case malformed
        }

        public var method: String
        public var version: Version
        /// `io.modelcontextprotocol/clientCapabilities` is present and an object.
        public var hasClientCapabilities: Bool
        /// The body member `Mcp-Name` mirrors (`params.name` or `params.uri`), when the method has one
        /// and the body carries it as a string.
        public var routingName: String?

        public init(method: String, version: Version, hasClientCapabilities: Bool, routingName: String?) {
            self.method = method
            self.version = version
            self.hasClientCapabilities = hasClientCapabilities
            self.routingName = routingName
        }

        /// Reads the envelope of a request; `meta` is `message.metaMembers()`.
        public init(_ message: JSONRPCMessage, meta: [String: Range<Int>]) {
            method = message.method ?? ""
            if let range = meta[MCPProtocol.versionKey] {
                version = message.decode(range)?.stringValue.map(Version.string) ?? .malformed
            } else {
                version = .absent
            }
            hasClientCapabilities = meta[MCPProtocol.clientCapabilitiesKey].map {
                message.bytes[JSONScanner.trimmed(message.bytes, $0)].first == UInt8(ascii: "{")
            } ?? false
            routingName = MCPProtocol.nameParameter(of: method).flatMap { key in
                message.paramsMembers[key].flatMap { message.decode($0)?.stringValue }
            }
        }
    }

    /// The routing headers of a request, as received (nil: absent).
    public struct Headers: Sendable, Equatable {
        public var protocolVersion: String?
        public var method: String?
        public var name: String?

        public init(protocolVersion: String?, method: String?, name: String?) {
            self.protocolVersion = protocolVersion
            self.method = method
            self.name = name
        }
    }

    /// How a request is served.
    public enum Route: Sendable, Equatable {
        /// Statelessly, by its 2026-07-28 `_meta`. `versionHeaderDiffers` when `MCP-Protocol-Version`
        /// was absent or a handshake-era version (a quirk the audit records).
        case modern(versionHeaderDiffers: Bool)
        /// In the handshake era: by the session when there is one, else by the version header
        /// (absent: 2025-03-26). `versionHeaderDiffers` when the header names another version than
        /// the session's (a 2026-07-28 header after a 2025-11-25 `initialize`, say).
        case handshake(versionHeaderDiffers: Bool)
        case refused(Refusal)
    }

    /// Why a request is refused: HTTP 400 with this JSON-RPC error.
    public struct Refusal: Error, Sendable, Equatable {
        public var code: Int
        public var message: String
        /// For -32022: the versions served and the one asked for.
        public var requested: String?

        public init(code: Int, message: String, requested: String? = nil) {
            self.code = code
            self.message = message
            self.requested = requested
        }

        /// The JSON-RPC `error.data`: `supported` and `requested` for an unsupported version.
        public var data: JSONValue? {
            guard code == JSONRPCErrorCode.unsupportedVersion else { return nil }
            return ["supported": JSONValue(MCPProtocol.allVersions), "requested": .string(requested ?? "")]
        }

        static func unsupported(_ version: String, where place: String) -> Refusal {
            Refusal(
                code: JSONRPCErrorCode.unsupportedVersion,
                message: "unsupported protocol version '\(version)' in \(place); this endpoint serves "
                    + MCPProtocol.allVersions.joined(separator: ", "),
                requested: version)
        }

        static func mismatch(_ message: String) -> Refusal {
            Refusal(code: JSONRPCErrorCode.headerMismatch, message: "header mismatch: " + message)
        }
    }

    /// The -32022 refusal of an `MCP-Protocol-Version` header naming a version not served, else nil.
    public static func versionHeaderRefusal(_ header: String?) -> Refusal? {
        guard let header, !MCPProtocol.allVersions.contains(header) else { return nil }
        return .unsupported(header, where: "the \(MCPProtocol.Header.protocolVersion) header")
    }

    /// Routes one request. `sessionVersion` is the protocol version of the valid handshake-era
    /// session the request names (nil without one; an invalid one is answered 404 before this).
    public static func route(_ envelope: Envelope, headers: Headers, sessionVersion: String?) -> Route {
        let header = headers.protocolVersion
        if let refusal = versionHeaderRefusal(header) { return .refused(refusal) }
        let bodyVersion: String
        switch envelope.version {
        case .absent:
            if let sessionVersion {
                return .handshake(versionHeaderDiffers: header.map { $0 != sessionVersion } ?? false)
            }
            if header == MCPProtocol.modernVersion {
                return .refused(Refusal(
                    code: JSONRPCErrorCode.invalidParams,
                    message: "\(MCPProtocol.Header.protocolVersion): \(MCPProtocol.modernVersion) needs params._meta with "
                        + "\(MCPProtocol.versionKey) and \(MCPProtocol.clientCapabilitiesKey) (or a session from initialize)"))
            }
            return .handshake(versionHeaderDiffers: false)
        case .malformed:
            return .refused(Refusal(code: JSONRPCErrorCode.invalidParams, message: "params._meta[\"\(MCPProtocol.versionKey)\"] must be a string"))
        case .string(let version):
            bodyVersion = version
        }
        guard envelope.hasClientCapabilities else {
            return .refused(Refusal(
                code: JSONRPCErrorCode.invalidParams,
                message: "params._meta lacks \(MCPProtocol.clientCapabilitiesKey) (an object), required on every \(bodyVersion) request"))
        }
        guard bodyVersion == MCPProtocol.modernVersion else {
            return .refused(.unsupported(bodyVersion, where: "params._meta"))
        }
        // A missing or handshake-era version header is served by the body (claude.ai does both).
        if let header, header != bodyVersion, !MCPProtocol.isHandshake(header) {
            return .refused(.mismatch("\(MCPProtocol.Header.protocolVersion) \(header) differs from the body's \(bodyVersion)"))
        }
        guard let method = headers.method else {
            return .refused(.mismatch("\(MCPProtocol.Header.method) is missing (it must name the body's method \(envelope.method))"))
        }
        guard method == envelope.method else {
            return .refused(.mismatch("\(MCPProtocol.Header.method) \(method) differs from the body's method \(envelope.method)"))
        }
        if let name = envelope.routingName {
            guard let raw = headers.name else {
                return .refused(.mismatch("\(MCPProtocol.Header.name) is missing (it must name '\(name)')"))
            }
            guard let decoded = MCPHeaderValue.decode(raw) else {
                return .refused(.mismatch("\(MCPProtocol.Header.name) carries a malformed base64 value"))
            }
            guard decoded == name else {
                return .refused(.mismatch("\(MCPProtocol.Header.name) '\(decoded)' differs from the body's '\(name)'"))
            }
        }
        return .modern(versionHeaderDiffers: header != bodyVersion)
    }
}
