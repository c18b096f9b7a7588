import Foundation
import SentinelCore

/// One line from the client, classified.
enum IncomingMessage: Sendable {
    case request(IncomingRequest)
    case notification(method: String, params: JSONValue?)
    /// A response to a server-to-client request; this server sends none, so these are dropped.
    case response

    /// Why a line cannot be handled, and the id (if any could be read) to answer with.
    struct Rejection: Error, Sendable {
        var id: RequestID?
        var error: JSONRPCError
        /// Notifications are never answered, not even when they are malformed.
        var isAnswerable: Bool
    }

    /// Classifies one newline-delimited JSON-RPC message.
    static func decode(_ line: Data) throws(Rejection) -> IncomingMessage {
        let value: JSONValue
        do {
            value = try JSONValue.parse(line)
        } catch {
            throw Rejection(id: nil, error: .parseError("the line is not valid JSON"), isAnswerable: true)
        }
        guard case .object(let object) = value else {
            let detail = value.arrayValue != nil
                ? "JSON-RPC batches are not supported (removed in MCP 2025-06-18)"
                : "a message must be a JSON object"
            throw Rejection(id: nil, error: .invalidRequest(detail), isAnswerable: true)
        }
        let rawID = object["id"]
        let id = rawID.flatMap(RequestID.init)
        let method = object["method"]
        let isNotification = rawID == nil && method != nil
        func reject(_ error: JSONRPCError) -> Rejection {
            Rejection(id: id, error: error, isAnswerable: !isNotification)
        }

        guard object["jsonrpc"] == "2.0" else { throw reject(.invalidRequest("\"jsonrpc\" must be \"2.0\"")) }
        guard let method else {
            if rawID != nil, object["result"] != nil || object["error"] != nil { return .response }
            throw reject(.invalidRequest("a request needs a \"method\""))
        }
        guard case .string(let name) = method else { throw reject(.invalidRequest("\"method\" must be a string")) }
        if let rawID, id == nil {
            throw reject(.invalidRequest("\"id\" must be a string or an integer, got \(rawID.text())"))
        }
        let params = object["params"]
        if let params, params.objectValue == nil {
            throw reject(.invalidParams("\"params\" must be an object"))
        }
        guard let id else { return .notification(method: name, params: params) }
        return .request(IncomingRequest(id: id, method: name, params: params?.objectValue ?? [:]))
    }
}
