import Hummingbird
import SentinelCore

/// `resources/list`: the endpoint's readable cataloged resources (mapped URIs), paged, from its cached snapshot
/// (see `listPage`).
extension MCPEndpointHandler {
    func resourcesList(_ message: JSONRPCMessage, id: RawJSON, exchange: MCPExchange) -> Response {
        listPage(message, id: id, exchange: exchange, "resources", elements: exchange.snapshot.resourceDefinitions)
    }
}
