/// The kinds of audit event Sentinel writes to the journal.
///
/// Each kind has a fixed `MESSAGE_ID` (never change one: sysadmins filter on
/// them) and is also written as `SENTINEL_EVENT=<rawValue>`.
public enum AuditEventKind: String, Sendable, CaseIterable {
    case toolCall = "tool-call"
    case toolDenied = "tool-denied"
    case promptGet = "prompt-get"
    case promptDenied = "prompt-denied"
    case resourceRead = "resource-read"
    case resourceDenied = "resource-denied"
    case resourceSubscription = "resource-subscription"
    case completion = "completion"
    case completionDenied = "completion-denied"
    case configChanged = "config-changed"
    case controlDenied = "control-denied"
    case grantCreated = "grant-created"
    case grantRevoked = "grant-revoked"
    case signIn = "sign-in"
    case signInFailed = "sign-in-failed"
    case signOut = "sign-out"
    case credentialChanged = "credential-changed"
    case upstreamCallbackRefused = "upstream-callback-refused"
    case clientRegistered = "client-registered"
    case daemonStarted = "daemon-started"
    case daemonStopping = "daemon-stopping"
    case daemonReloaded = "daemon-reloaded"

    /// The journal `MESSAGE_ID` (128-bit, lower-case hex) of this kind.
    public var messageID: String {
        switch self {
        case .toolCall: "ec82b518c7f642baa943f19270fb8ac0"
        case .toolDenied: "6f20922490b648a5bd454ad6cbc3031f"
        case .promptGet: "01688cdae657484e9abd176ccfa4fc8f"
        case .promptDenied: "ea7123917a804419a08b3d2f49020b8c"
        case .resourceRead: "1403e4d4f4604c13b1a0c9e858ed2816"
        case .resourceDenied: "4910041d5b274a56b34c9627869fe89f"
        case .resourceSubscription: "fce69004ab92455c80a1500dae18f353"
        case .completion: "fd57f4d28dad4fa49d909610403ea0ed"
        case .completionDenied: "4ea2902c73b74c1ca9302153ab5ce0a5"
        case .configChanged: "b83dffb512ef4ea2a66aa5b7a075c05b"
        case .controlDenied: "a4a114ba04dd472ab41a0073d214e2b4"
        case .grantCreated: "e9968eca257d4c9ea8b3e64326e22ce6"
        case .grantRevoked: "7cd74c1899ed43c9b6f7c44a8369ffed"
        case .signIn: "c8bb441090fa452b9faa935f8607f346"
        case .signInFailed: "5ef506b64b944f2b83c5e1919b9be0aa"
        case .signOut: "059948a5ac044d0c9a8f91fe0b6b8b56"
        case .credentialChanged: "063bb8694ad7460ea6959e954d9f74d0"
        case .upstreamCallbackRefused: "feb978cbaade214db5f02bf5cc1f220f"
        case .clientRegistered: "ed05c060344c41748bd1a194abff6d6e"
        case .daemonStarted: "f754c31cadc14a4e978eabeca24f3fa6"
        case .daemonStopping: "f3bb0c9b7a48478fa4a476318a6dbfb1"
        case .daemonReloaded: "79f9d7764fac42db9972c6f7142a0e76"
        }
    }

    /// Syslog priority: denials and failures are notices, the rest informational.
    public var priority: Int {
        switch self {
        case .toolDenied, .controlDenied, .signInFailed, .grantRevoked, .upstreamCallbackRefused, .promptDenied, .resourceDenied,
            .completionDenied:
            5
        default: 6
        }
    }

    /// One line for people: what this event records.
    public var summary: String {
        switch self {
        case .toolCall: "a tool call through an endpoint, with its outcome and sizes"
        case .toolDenied: "a call to a tool that is disabled, unknown or not permitted, or refused before it ran"
        case .promptGet: "a prompt fetched through an endpoint (prompts/get), with its outcome and sizes"
        case .promptDenied: "a prompts/get of a prompt that is disabled or unknown, or refused before it ran"
        case .resourceRead: "a resource read through an endpoint (resources/read), with its outcome and sizes"
        case .resourceDenied: "a read of, or a subscription to, a resource that is not exposed, or refused before it ran"
        case .resourceSubscription: "a client subscribed to or unsubscribed from resources (resources/subscribe, subscriptions/listen)"
        case .completion: "an argument completion through an endpoint (completion/complete), with its outcome"
        case .completionDenied: "a completion/complete for a prompt or template that is not exposed, or refused before it ran"
        case .configChanged: "a change made through the control socket (servers, endpoints, tools, users, sessions)"
        case .controlDenied: "a control-socket call refused for lack of permission"
        case .grantCreated: "an AI client authorized by a user on an endpoint"
        case .grantRevoked: "an authorized session revoked"
        case .signIn: "a successful sign-in on the consent pages"
        case .signInFailed: "a failed sign-in"
        case .signOut: "a user signed out on the account page"
        case .credentialChanged: "a personal or shared upstream credential connected, replaced, refreshed, expired or removed"
        case .upstreamCallbackRefused:
            "an upstream sign-in's answer refused: another user's flow, a browser signed in nowhere, an unknown state, or another issuer"
        case .clientRegistered: "an OAuth client registered itself (dynamic client registration)"
        case .daemonStarted: "sentineld started serving"
        case .daemonStopping: "sentineld is stopping"
        case .daemonReloaded: "sentineld re-read its configuration"
        }
    }

    /// Looks a kind up by its `MESSAGE_ID`.
    public init?(messageID: String) {
        guard let kind = Self.allCases.first(where: { $0.messageID == messageID }) else { return nil }
        self = kind
    }
}
