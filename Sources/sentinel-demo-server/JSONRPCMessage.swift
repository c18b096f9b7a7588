import SentinelCore

/// Builders for the JSON-RPC 2.0 messages the server writes.
enum JSONRPCMessage {
    static func result(id: RequestID, _ result: JSONValue) -> JSONValue {
        ["jsonrpc": "2.0", "id": id.json, "result": result]
    }

    /// An error response; `id` is null when the request's id could not be read (parse errors).
    static func error(id: RequestID?, _ error: JSONRPCError) -> JSONValue {
        ["jsonrpc": "2.0", "id": id?.json ?? .null, "error": error.json]
    }

    static func notification(method: String, params: JSONValue) -> JSONValue {
        ["jsonrpc": "2.0", "method": .string(method), "params": params]
    }
}
