public import SentinelCore

/// One live MCP session with one upstream server, for one credential owner.
///
/// Implementations: `StdioUpstreamClient` (a child process) and
/// `HTTPUpstreamClient` (Streamable HTTP, both protocol eras). Payloads are
/// `RawJSON`: the gateway forwards arguments and results without decoding them.
public protocol UpstreamClient: Sendable {
    /// Connects and completes the MCP handshake if that has not happened yet. Idempotent;
    /// after the connection is lost, the next call connects again.
    func start() async throws(UpstreamError)

    /// Sends a request and returns the raw `result`.
    ///
    /// - An upstream JSON-RPC error throws `.rpc(code:message:raw:)` with the upstream's error object.
    /// - With `progress`, the request carries a progress token of this client's own, and every
    ///   `notifications/progress` for it is passed on as its raw `params` (with that token).
    /// - Past `timeout` the upstream is told (`notifications/cancelled`, or in the 2026-07-28
    ///   era by closing the request's stream) and `.timeout` is thrown.
    /// - Cancelling the calling task does the same and throws `CancellationError`.
    func request(_ method: String, params: RawJSON?, timeout: Duration, progress: (@Sendable (RawJSON) -> Void)?)
        async throws -> RawJSON

    /// `request` with HTTP header fields to send along (a client's `Mcp-Param-*` headers, which a gateway
    /// must forward); transports without HTTP headers ignore them.
    func request(
        _ method: String, params: RawJSON?, headers: [(name: String, value: String)], timeout: Duration,
        progress: (@Sendable (RawJSON) -> Void)?
    ) async throws -> RawJSON

    /// Notifications the upstream sends on its own (not progress), e.g. `notifications/tools/list_changed`.
    var notifications: AsyncStream<UpstreamNotification> { get }

    /// What the upstream declared it offers: the `capabilities` of its `initialize` result (handshake era) or of
    /// its `server/discover` result (2026-07-28), as of the last successful `start()`. Nil before that, or when
    /// the upstream sent no capabilities object; the catalog then lists only tools.
    var capabilities: ServerCapabilities? { get }

    /// Ends the session and releases its resources (stops a child process: SIGTERM, then SIGKILL after a bound).
    func shutdown() async

    /// The work a client keeps going between calls (an HTTP server's notification stream), run by its owner as a
    /// child task (`UpstreamPool.run()` does, for every pooled client) so none of it outlives the owner. Returns
    /// when the client is shut down and its work ends, or when the task is cancelled.
    func run() async
}

extension UpstreamClient {
    /// Nothing to run between calls (stdio: the connection reads in its own structured tasks).
    public func run() async {}

    /// Unknown: a client that does not read its upstream's capabilities (a test double) declares none.
    public var capabilities: ServerCapabilities? { nil }

    /// Without HTTP headers (stdio): the headers are dropped.
    public func request(
        _ method: String, params: RawJSON?, headers: [(name: String, value: String)], timeout: Duration,
        progress: (@Sendable (RawJSON) -> Void)?
    ) async throws -> RawJSON {
        try await request(method, params: params, timeout: timeout, progress: progress)
    }
}

/// A notification an upstream sent outside any request.
public struct UpstreamNotification: Sendable {
    public var method: String
    public var params: RawJSON?

    public init(method: String, params: RawJSON?) {
        self.method = method
        self.params = params
    }
}
