/// The `SENTINEL_*` fields an audit entry can carry, without the prefix.
///
/// The one place their spelling lives: every writer names them through this type, so a typo does
/// not compile, and sentinel-audit(7) documents each case (Tests/EndToEnd/test_man_pages.py reads
/// this file). `SENTINEL_EVENT` is not here: it comes from `AuditEventKind`.
public enum AuditField: String, Sendable, CaseIterable, Comparable {
    // What a tool call touched
    case endpoint = "ENDPOINT"
    case server = "SERVER"
    case tool = "TOOL"
    case exposedName = "EXPOSED_NAME"
    case tools = "TOOLS"
    case outcome = "OUTCOME"
    case reason = "REASON"
    case detail = "DETAIL"
    case durationMicroseconds = "DURATION_US"
    case requestBytes = "REQUEST_BYTES"
    case responseBytes = "RESPONSE_BYTES"
    case arguments = "ARGUMENTS"
    case result = "RESULT"
    // What a prompts/get, resources/read, subscription or completion touched
    case prompt = "PROMPT"
    case uri = "URI"
    case upstreamURI = "UPSTREAM_URI"
    case uris = "URIS"
    case ref = "REF"
    case argument = "ARGUMENT"
    // Who called, and how
    case user = "USER"
    case grant = "GRANT"
    case session = "SESSION"
    case client = "CLIENT"
    case clientID = "CLIENT_ID"
    case clientVersion = "CLIENT_VERSION"
    case protocolVersion = "PROTOCOL_VERSION"
    case versionHeader = "VERSION_HEADER"
    case remoteAddress = "REMOTE_ADDRESS"
    /// The signed-in user who made a change on their account page (revoked a session, disconnected a credential).
    case actor = "ACTOR"
    // Grants, sign-ins and client registrations
    case scope = "SCOPE"
    case durationSeconds = "DURATION_SEC"
    case expires = "EXPIRES"
    case redirectHost = "REDIRECT_HOST"
    case redirectURIs = "REDIRECT_URIS"
    // Upstream credentials
    case change = "CHANGE"
    case credentialOwner = "CREDENTIAL_OWNER"
    // Changes through the control socket
    case action = "ACTION"
    case object = "OBJECT"
    case changes = "CHANGES"
    case prompts = "PROMPTS"
    case resourceRules = "RESOURCE_RULES"
    case allowedUsers = "ALLOWED_USERS"
    case allowedGroups = "ALLOWED_GROUPS"
    case groups = "GROUPS"
    case daemon = "DAEMON"
    case peerUID = "PEER_UID"
    case peerPID = "PEER_PID"
    // The daemon
    case pid = "PID"
    case configFiles = "CONFIG_FILES"

    /// The journal field name, `SENTINEL_<rawValue>`.
    public var journalName: String { "SENTINEL_" + rawValue }

    public static func < (lhs: AuditField, rhs: AuditField) -> Bool { lhs.rawValue < rhs.rawValue }
}
