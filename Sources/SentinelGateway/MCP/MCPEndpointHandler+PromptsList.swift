import Hummingbird
import SentinelCore

/// `prompts/list`: the endpoint's enabled prompts, paged, from its cached snapshot (see `listPage`).
extension MCPEndpointHandler {
    func promptsList(_ message: JSONRPCMessage, id: RawJSON, exchange: MCPExchange) -> Response {
        listPage(message, id: id, exchange: exchange, "prompts", elements: exchange.snapshot.promptDefinitions)
    }
}
