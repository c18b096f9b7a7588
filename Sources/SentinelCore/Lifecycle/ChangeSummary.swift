/// How a change is named outside the process: the `action`, `object` and `name` of a
/// `WatchChanges` reply and of the change's audit entry.
///
/// The one place those names are spelled; `ChangeEvent.summaries` derives them.
public struct ChangeSummary: Sendable, Equatable {
    /// What was done, such as `server-add` or `session-revoke`.
    public var action: String
    /// The kind of thing changed.
    public var object: ChangeObject
    /// Which one.
    public var name: String

    public init(action: String, object: ChangeObject, name: String) {
        self.action = action
        self.object = object
        self.name = name
    }
}

/// The kinds of things a change touches, as `WatchChanges` and the audit entry's `OBJECT` spell them.
public enum ChangeObject: String, Sendable, CaseIterable {
    case server, endpoint, user, session, daemon

    /// The audit field that names the changed object (`SENTINEL_SERVER=…` for a server).
    public var auditField: AuditField {
        switch self {
        case .server: .server
        case .endpoint: .endpoint
        case .user: .user
        case .session: .grant
        case .daemon: .daemon
        }
    }
}

extension ChangeEvent {
    /// The names of this change as `WatchChanges` shows it: one per revoked grant, else exactly one.
    public var summaries: [ChangeSummary] {
        switch self {
        case .grantsRevoked(let ids):
            return ids.map { ChangeSummary(action: "session-revoke", object: .session, name: $0) }
        default:
            return [summary]
        }
    }

    /// The names of this change in its audit entry (a revocation of several grants names the first).
    public var summary: ChangeSummary {
        switch self {
        case .userAdded(let user): ChangeSummary(action: "user-add", object: .user, name: user)
        case .userUpdated(let user): ChangeSummary(action: "user-update", object: .user, name: user)
        case .userRemoved(let user): ChangeSummary(action: "user-remove", object: .user, name: user)
        case .passwordChanged(let user): ChangeSummary(action: "user-set-password", object: .user, name: user)
        case .serverAdded(let server): ChangeSummary(action: "server-add", object: .server, name: server)
        case .serverUpdated(let server): ChangeSummary(action: "server-update", object: .server, name: server)
        case .serverRemoved(let server): ChangeSummary(action: "server-remove", object: .server, name: server)
        case .serverRefreshRequested(let server): ChangeSummary(action: "server-refresh", object: .server, name: server)
        case .serverSignInStarted(let server): ChangeSummary(action: "server-login", object: .server, name: server)
        case .catalogRefreshed(let server): ChangeSummary(action: "server-catalog-refreshed", object: .server, name: server)
        case .endpointCreated(let endpoint): ChangeSummary(action: "endpoint-create", object: .endpoint, name: endpoint)
        case .endpointUpdated(let endpoint): ChangeSummary(action: "endpoint-update", object: .endpoint, name: endpoint)
        case .endpointDeleted(let endpoint): ChangeSummary(action: "endpoint-delete", object: .endpoint, name: endpoint)
        case .serverAttached(let endpoint, _): ChangeSummary(action: "endpoint-attach", object: .endpoint, name: endpoint)
        case .serverDetached(let endpoint, _): ChangeSummary(action: "endpoint-detach", object: .endpoint, name: endpoint)
        case .toolsSelected(let endpoint, _, let enabled):
            ChangeSummary(action: enabled ? "endpoint-enable-tools" : "endpoint-disable-tools", object: .endpoint, name: endpoint)
        case .promptsSelected(let endpoint, _, let enabled):
            ChangeSummary(action: enabled ? "endpoint-enable-prompts" : "endpoint-disable-prompts", object: .endpoint, name: endpoint)
        case .resourcesSelected(let endpoint, _, let enabled):
            ChangeSummary(
                action: enabled ? "endpoint-enable-resources" : "endpoint-disable-resources", object: .endpoint, name: endpoint)
        case .accessAllowed(let endpoint, _, _): ChangeSummary(action: "endpoint-allow", object: .endpoint, name: endpoint)
        case .accessDenied(let endpoint, _, _): ChangeSummary(action: "endpoint-deny", object: .endpoint, name: endpoint)
        case .grantsRevoked(let ids): ChangeSummary(action: "session-revoke", object: .session, name: ids.first ?? "")
        case .secretKeyRotated: ChangeSummary(action: "secret-key-rotate", object: .daemon, name: "secret-key")
        }
    }

    /// The audit fields that say what changed: action, object, the object's name, and what the event carries.
    public var auditFields: [AuditField: String] {
        let summary = self.summary
        var fields: [AuditField: String] = [
            .action: summary.action, .object: summary.object.rawValue, summary.object.auditField: summary.name,
        ]
        switch self {
        case .serverAttached(_, let server), .serverDetached(_, let server):
            fields[.server] = server
        case .toolsSelected(_, let tools, _):
            fields[.tools] = tools.map { "\($0.server)/\($0.tool)" }.joined(separator: " ")
        case .promptsSelected(_, let prompts, _):
            fields[.prompts] = prompts.map { "\($0.server)/\($0.prompt)" }.joined(separator: " ")
        case .resourcesSelected(_, let rules, _):
            fields[.resourceRules] = rules.map(\.mappedPrefix).joined(separator: " ")
        default:
            break
        }
        return fields
    }
}
