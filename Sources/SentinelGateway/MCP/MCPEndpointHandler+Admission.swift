import Foundation
import Hummingbird
import Logging
import SentinelCore
import SentinelStore

/// Admission: whether a request may reach an endpoint at all (Origin, the endpoint, its authentication).
extension MCPEndpointHandler {
    /// Checks Origin, the endpoint and its auth; returns the snapshot or the response to send.
    func admit(_ request: Request, context: GatewayRequestContext) async -> Admission {
        let settings = settings()
        if let origin = request.headers[.origin], !Self.originAllowed(origin, settings: settings) {
            return .refused(MCPReplies.jsonError(status: .forbidden, id: nil, code: JSONRPCErrorCode.invalidRequest,
                                           message: "origin \(origin) is not allowed"))
        }
        let name = context.parameters.get("endpoint") ?? ""
        let snapshot: EndpointSnapshot?
        do {
            snapshot = try await catalog.snapshot(name)
        } catch {
            logger.error("cannot load endpoint \(name): \(error)")
            return .refused(MCPReplies.jsonError(status: .internalServerError, id: nil, code: JSONRPCErrorCode.internalError,
                                           message: "the gateway cannot read its store"))
        }
        guard let snapshot else {
            return .refused(MCPReplies.jsonError(status: .notFound, id: nil, code: JSONRPCErrorCode.invalidRequest,
                                           message: "no endpoint named '\(name)'"))
        }
        switch snapshot.endpoint.auth {
        case .none:
            guard settings.listenerIsLoopback else {
                return .refused(MCPReplies.jsonError(status: .forbidden, id: nil, code: JSONRPCErrorCode.invalidRequest,
                                               message: "endpoint '\(name)' has no authentication and is served only on a loopback listener"))
            }
            // A reverse proxy on this host (a trusted one, on loopback) must not open such an endpoint to the
            // clients it forwards: only a client on this host may use it.
            if let forwarded = context.forwardedClient, !forwarded.isLoopback {
                return .refused(MCPReplies.jsonError(status: .forbidden, id: nil, code: JSONRPCErrorCode.invalidRequest,
                                               message: "endpoint '\(name)' has no authentication and is served only to clients on this host, not to \(forwarded) through a proxy"))
            }
        case .oauth:
            let check = await verifier?.verify(
                bearer: Self.bearerToken(request.headers[.authorization]), endpoint: name,
                address: { [context] in context.clientAddress }) ?? .refused(nil)
            switch check {
            case .granted(let grant): return .admitted(snapshot, grant)
            case .refused(let error): return .refused(unauthorized(endpoint: name, error: error, settings: settings))
            }
        }
        return .admitted(snapshot, nil)
    }

    /// 401 (or 403 for `insufficient_scope`) with the RFC 6750 / RFC 9728 challenge that starts a client's OAuth flow.
    func unauthorized(endpoint name: String, error: OAuthError?, settings: GatewaySettings) -> Response {
        let metadata = settings.publicURL + "/.well-known/oauth-protected-resource/mcp/" + name
        var challenge = "Bearer resource_metadata=\"\(metadata)\", scope=\"\(AuthorizationRequest.requiredScope)\""
        if let error {
            challenge += ", error=\"\(error.code.rawValue)\", error_description=\"\(error.message.replacingOccurrences(of: "\"", with: "'"))\""
        }
        let forbidden = error?.code == .insufficientScope
        var response = MCPReplies.jsonError(
            status: forbidden ? .forbidden : .unauthorized, id: nil, code: JSONRPCErrorCode.invalidRequest,
            message: error?.message ?? "endpoint '\(name)' requires authorization")
        response.headers[.wwwAuthenticate] = challenge
        return response
    }

    /// The token of an `Authorization: Bearer <token>` header (scheme case-insensitive), else nil.
    static func bearerToken(_ header: String?) -> String? {
        // Byte-wise: this runs on every request of an OAuth endpoint (Foundation's CharacterSet trimming
        // and lowercased() showed in the benchmark's profile).
        guard let header else { return nil }
        let utf8 = header.utf8
        guard utf8.count > 7, utf8.prefix(7).elementsEqual("bearer ".utf8, by: { $0 | 0x20 == $1 | 0x20 }) else { return nil }
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 }
        var token = utf8.dropFirst(7)
        while let first = token.first, isSpace(first) { token = token.dropFirst() }
        while let last = token.last, isSpace(last) { token = token.dropLast() }
        return token.isEmpty ? nil : String(token)
    }

    static func originAllowed(_ origin: String, settings: GatewaySettings) -> Bool {
        guard let url = URL(string: origin), let host = url.host?.lowercased() else { return false }
        if host == "localhost" || host == "127.0.0.1" || host == "[::1]" || host == "::1" { return true }
        if settings.allowedOrigins.contains(origin) { return true }
        guard let own = URL(string: settings.publicURL) else { return false }
        return own.scheme == url.scheme && own.host?.lowercased() == host && own.port == url.port
    }
}
