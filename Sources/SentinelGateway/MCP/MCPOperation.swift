import SentinelCore

/// A data-plane request other than a tool call that reaches an upstream, as the audit names it (`+OperationAudit`).
enum MCPOperation: Sendable {
    case promptGet, resourceRead, completion

    /// The operation a method is, or nil (`tools/call` has its own entries, `+CallAudit`).
    init?(method: String) {
        switch method {
        case "prompts/get": self = .promptGet
        case "resources/read": self = .resourceRead
        case "completion/complete": self = .completion
        default: return nil
        }
    }

    /// The entry of a request served upstream, whatever its outcome.
    var servedKind: AuditEventKind {
        switch self {
        case .promptGet: .promptGet
        case .resourceRead: .resourceRead
        case .completion: .completion
        }
    }

    /// The entry of a request refused by Sentinel (unknown, disabled, not readable, malformed, throttled).
    var deniedKind: AuditEventKind {
        switch self {
        case .promptGet: .promptDenied
        case .resourceRead: .resourceDenied
        case .completion: .completionDenied
        }
    }
}

extension MCPOperation {
    /// What one operation touched, for its audit entry (design 3.6): each field only when known.
    struct Target: Sendable {
        /// The server the request went (or would have gone) to.
        var server: String?
        /// The prompt's name as the client sent it (`SENTINEL_EXPOSED_NAME`).
        var exposedName: String?
        /// The prompt's upstream name (`SENTINEL_PROMPT`).
        var prompt: String?
        /// The resource URI (or template) as the client sent it (`SENTINEL_URI`).
        var uri: String?
        /// The URI as the upstream names it (`SENTINEL_UPSTREAM_URI`).
        var upstreamURI: String?
        /// What a completion completes: `prompt` or `resource` (`SENTINEL_REF`).
        var ref: String?
        /// The completion argument's name (`SENTINEL_ARGUMENT`).
        var argument: String?
    }
}
