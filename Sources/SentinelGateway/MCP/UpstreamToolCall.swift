import SentinelCore

/// What a tool call sends upstream.
struct UpstreamToolCall: Sendable {
    let server: Server
    let params: RawJSON
    /// `Mcp-Param-*` headers for an HTTP upstream: the declared arguments mirrored, the client's unknown ones forwarded.
    let headers: [(name: String, value: String)]
    let clientToken: RawJSON?
    let key: String
    /// The keys of the request's `inputResponses` (2026-07-28): the input requests of an earlier `input_required`
    /// reply this retry answers.
    var answered: Set<String> = []
}
