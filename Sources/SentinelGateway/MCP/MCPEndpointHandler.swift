public import Hummingbird
public import Logging
public import SentinelCore

/// The MCP endpoint `/mcp/<endpoint>`: Streamable HTTP for the handshake era
/// (2024-11-05 … 2025-11-25) and the 2026-07-28 era on the same URL.
///
/// A request goes through admission (`+Admission`: Origin, endpoint, authentication), then for POST the pipeline
/// (`+Pipeline`: body, content type, batches, era and header rules, sessions), then `dispatch` to one handler per
/// method (`+Initialize`, `+ToolsList`, `+ToolCall`, `+PromptsGet`, `+ResourcesRead`…). Every result and error it
/// builds comes from `MCPReplies`; every tool call is audited by `+CallAudit`, every other request that reaches an
/// upstream by `+OperationAudit`.
public final class MCPEndpointHandler: Sendable {
    let catalog: EndpointCatalog
    let upstreams: any UpstreamProvider
    let audit: any AuditSink
    let hub: NotificationHub
    let verifier: (any AccessVerifier)?
    let grantStreams: GrantStreams
    let connectionClosed = ConnectionCloseSignals()
    let settings: @Sendable () -> GatewaySettings
    let logger: Logger
    let sessions: MCPSessions
    let inFlight = InFlightCalls()
    let limiter = ConcurrencyLimiter()

    public init(
        catalog: EndpointCatalog, upstreams: any UpstreamProvider, audit: any AuditSink, hub: NotificationHub,
        verifier: (any AccessVerifier)?, grantStreams: GrantStreams, logger: Logger,
        settings: @escaping @Sendable () -> GatewaySettings
    ) {
        self.catalog = catalog
        self.upstreams = upstreams
        self.audit = audit
        self.hub = hub
        self.verifier = verifier
        self.grantStreams = grantStreams
        self.logger = logger
        self.settings = settings
        self.sessions = MCPSessions(store: catalog.store, logger: logger)
    }

    /// Adds the endpoint routes to `router`.
    public func register(on router: Router<GatewayRequestContext>) {
        router.post("/mcp/:endpoint") { request, context in
            await self.post(request, context: context)
        }
        router.get("/mcp/:endpoint") { request, context in
            await self.get(request, context: context)
        }
        router.delete("/mcp/:endpoint") { request, context in
            await self.delete(request, context: context)
        }
    }

    /// Serves one request whose era the pipeline has settled. A new MCP method is one case here and one
    /// `MCPEndpointHandler+Method.swift` file.
    func dispatch(_ message: JSONRPCMessage, id: RawJSON, exchange: MCPExchange, allowStreaming: Bool) async -> Response {
        let modern = exchange.era == .modern
        switch message.method ?? "" {
        case "initialize" where !modern: return await initialize(message, id: id, exchange: exchange)
        case "ping": return exchange.replies.resultResponse(id: id, [])
        case "server/discover": return serverDiscover(id: id, exchange: exchange)
        case "tools/list": return toolsList(message, id: id, exchange: exchange)
        case "tools/call": return await toolCall(message, id: id, exchange: exchange, allowStreaming: allowStreaming)
        case "prompts/list": return promptsList(message, id: id, exchange: exchange)
        case "prompts/get": return await promptGet(message, id: id, exchange: exchange)
        case "resources/list": return resourcesList(message, id: id, exchange: exchange)
        case "resources/templates/list": return resourceTemplatesList(message, id: id, exchange: exchange)
        case "resources/read": return await resourceRead(message, id: id, exchange: exchange)
        case "completion/complete": return await completion(message, id: id, exchange: exchange)
        // resources/subscribe and resources/unsubscribe are not served yet (no `resources.subscribe` capability): -32601.
        case "subscriptions/listen" where modern && allowStreaming: return subscriptionsListen(message, id: id, exchange: exchange)
        case "logging/setLevel" where !modern: return exchange.replies.resultResponse(id: id, [])
        case let method: return exchange.replies.methodNotFound(id: id, method: method)
        }
    }

    /// Acts on a notification from the client (answered 202 whatever it is).
    func dispatchNotification(_ message: JSONRPCMessage, exchange: MCPExchange) {
        switch message.method {
        case "notifications/cancelled": cancelled(message, exchange: exchange)
        default: break
        }
    }
}
