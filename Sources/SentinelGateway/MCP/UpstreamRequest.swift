import SentinelCore

/// What one data-plane request sends upstream (`tools/call`, `prompts/get`, `resources/read`, `completion/complete`).
struct UpstreamRequest: Sendable {
    let server: Server
    let method: String
    let params: RawJSON
    /// `Mcp-Param-*` headers for an HTTP upstream: the declared arguments mirrored, the client's unknown ones forwarded.
    var headers: [(name: String, value: String)] = []
    /// The client's progress token (tools/call), for relaying the upstream's progress.
    var clientToken: RawJSON?
    /// The key of the request among the calls in flight, for `notifications/cancelled`.
    let key: String
    /// The keys of the request's `inputResponses` (2026-07-28): the input requests of an earlier `input_required`
    /// reply this retry answers.
    var answered: Set<String> = []
}
