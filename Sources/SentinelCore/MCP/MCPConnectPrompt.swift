/// How Sentinel tells a caller to connect an account: a personal credential a tool call needs is missing, expired or
/// was refused by the upstream.
///
/// Every client gets a readable tool error (`isError: true`) naming the credentials page, unless it declared URL-mode
/// elicitation: then the spec's own mechanism asks it to open the page. That is error -32042 (URLElicitationRequired)
/// in 2025-11-25, and an `input_required` result carrying an `elicitation/create` in 2026-07-28, which has no -32042.
///
/// A 2026-07-28 client that accepted (or declined) the elicitation retries the call with `inputResponses`. The retry
/// is served as a new call, and no `requestState` is issued: whether the credential is now connected is read from
/// the store, bound to the caller's grant, and nothing the client echoes could grant more than a new call does. If the
/// retry still finds no credential, it gets the readable tool error, not a second `input_required`: the client's
/// automatic retry comes right after the user's consent to open the page, long before they finish there, and
/// another round would only repeat the prompt until the client gives up.
public enum MCPConnectPrompt: Sendable, Equatable {
    /// A tool result with `isError` and the readable text: every client, and the fallback.
    case toolError
    /// 2025-11-25: JSON-RPC error -32042 with `data.elicitations` holding the URL elicitation.
    case urlElicitationRequired
    /// 2026-07-28: an `input_required` result whose `inputRequests` hold the URL elicitation.
    case inputRequired

    /// The prompt for a call in the `modern` era or not, from a client that declared `capabilities`, when the caller
    /// can connect the credential at a URL (`hasURL`) and when the request already answers this prompt (`answered`).
    public static func choose(modern: Bool, capabilities: MCPClientCapabilities, hasURL: Bool, answered: Bool) -> Self {
        guard hasURL, capabilities.urlElicitation else { return .toolError }
        guard modern else { return .urlElicitationRequired }
        return answered ? .toolError : .inputRequired
    }

    /// The key of the `inputRequests` entry asking to connect `server` (and of its answer in `inputResponses`).
    public static func inputKey(server: String) -> String { "connect-" + server }
}
