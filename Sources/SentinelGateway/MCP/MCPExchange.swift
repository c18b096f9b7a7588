import Hummingbird
import SentinelCore
import SentinelStore

/// One request's context as the handlers pass it along.
struct MCPExchange: Sendable {
    enum Era: Sendable { case handshake, modern }

    let request: Request
    let context: GatewayRequestContext
    let snapshot: EndpointSnapshot
    /// The grant the bearer token belongs to; nil on endpoints without authentication.
    let grant: AccessTokenGrant?
    let sessionID: String?
    let headerVersion: String?
    /// The settings in force when the request arrived (read once per request).
    let settings: GatewaySettings
    var era = Era.handshake
    var protocolVersion = MCPProtocol.assumedVersion
    /// `MCP-Protocol-Version` was absent on a 2026-07-28 body, or named another version than the one
    /// served (known client quirks, served and audited).
    var versionHeaderDiffers = false
    var clientName = "unknown"
    var clientVersion = ""
    /// What the client declared that Sentinel's replies depend on: from `initialize` (kept with the session) in the
    /// handshake era, from the request's `_meta` in 2026-07-28 (`tools/list` leaves app-only tools out without MCP
    /// Apps; a request that needs a credential asks a client that can show a URL to open the page).
    var capabilities = MCPClientCapabilities()

    init(
        request: Request, context: GatewayRequestContext, snapshot: EndpointSnapshot, grant: AccessTokenGrant?, sessionID: String?,
        headerVersion: String?, settings: GatewaySettings
    ) {
        self.request = request
        self.context = context
        self.snapshot = snapshot
        self.grant = grant
        self.sessionID = sessionID
        self.headerVersion = headerVersion
        self.settings = settings
    }

    /// Builds this request's results and errors for its era (settled once the pipeline has read the envelope).
    var replies: MCPReplies {
        MCPReplies(era: era, endpoint: snapshot.endpoint, version: settings.version)
    }
}
