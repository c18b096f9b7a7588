/// An OAuth 2.1 error as the token, registration and revocation endpoints return it
/// (`{"error": code, "error_description": …}`) or the authorization endpoint puts on a redirect.
public struct OAuthError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The registered error codes Sentinel uses (RFC 6749 §5.2, RFC 7591 §3.2.2, RFC 8707 §2, RFC 6750 §3.1).
    public enum Code: String, Sendable {
        case invalidRequest = "invalid_request"
        case invalidClient = "invalid_client"
        case invalidGrant = "invalid_grant"
        case unauthorizedClient = "unauthorized_client"
        case unsupportedGrantType = "unsupported_grant_type"
        case unsupportedResponseType = "unsupported_response_type"
        case invalidScope = "invalid_scope"
        case invalidTarget = "invalid_target"
        case accessDenied = "access_denied"
        case serverError = "server_error"
        case temporarilyUnavailable = "temporarily_unavailable"
        case invalidRedirectURI = "invalid_redirect_uri"
        case invalidClientMetadata = "invalid_client_metadata"
        case invalidToken = "invalid_token"
        case insufficientScope = "insufficient_scope"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The HTTP status a JSON error response carries.
    public var httpStatus: Int {
        switch code {
        case .invalidClient, .invalidToken: 401
        case .insufficientScope, .accessDenied: 403
        case .serverError: 500
        case .temporarilyUnavailable: 503
        default: 400
        }
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
