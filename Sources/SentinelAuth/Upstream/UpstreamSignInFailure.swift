public import SentinelCore

/// Why an upstream OAuth sign-in could not be finished at Sentinel's callback, and which flow it was (when its state
/// was known), so that the user can be sent back to where they started.
public struct UpstreamSignInFailure: Error, Sendable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// The state names no flow: forged, expired, or already used.
        case unknownState
        /// A personal flow answered in a browser signed in to no one.
        case notSignedIn
        /// A personal flow answered in the browser of another signed-in user (named).
        case otherUser(String)
        /// The answer names another issuer than the server's authorization server (RFC 9207).
        case wrongIssuer(String)
        /// The user refused at the upstream (`error=access_denied`).
        case denied
        /// The upstream's authorization endpoint answered another error (its code).
        case upstreamError(String)
        /// The answer carries neither a code nor an error.
        case incomplete
        /// The upstream's token endpoint refused the code, or could not be reached.
        case tokenRefused
        /// The server has no OAuth configuration (any more).
        case notConfigured
    }

    public var reason: Reason
    /// The flow the answer belongs to; nil when its state was unknown.
    public var flow: PendingUpstreamAuthorization?
    /// The technical detail, for the log (never shown to the user).
    public var detail: String

    public init(_ reason: Reason, flow: PendingUpstreamAuthorization?, detail: String) {
        self.reason = reason
        self.flow = flow
        self.detail = detail
    }

    /// A refusal that may be an attack (audited as `upstream-callback-refused`): an unknown state, another user's
    /// flow, a flow answered in a browser signed in nowhere, or an answer from another issuer.
    public var isSuspicious: Bool {
        switch reason {
        case .unknownState, .notSignedIn, .otherUser, .wrongIssuer: true
        case .denied, .upstreamError, .incomplete, .tokenRefused, .notConfigured: false
        }
    }

    /// The audit's REASON for a suspicious refusal.
    public var auditReason: String {
        switch reason {
        case .unknownState: "unknown, expired or used state"
        case .notSignedIn: "no signed-in user"
        case .otherUser: "another user's sign-in"
        case .wrongIssuer: "answer from another issuer"
        case .denied: "denied at the upstream"
        case .upstreamError(let code): "upstream error \(code)"
        case .incomplete: "incomplete answer"
        case .tokenRefused: "token endpoint refused"
        case .notConfigured: "no OAuth configuration"
        }
    }

    public var description: String { "\(auditReason): \(detail)" }
}
