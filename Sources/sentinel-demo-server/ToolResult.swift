import SentinelCore

/// The outcome of a tool call as MCP shapes it: text content, optional structured content,
/// and `isError` for failures the model should see (never a JSON-RPC error).
struct ToolResult: Sendable, Equatable {
    var text: String
    var structuredContent: JSONValue?
    var isError: Bool

    static func success(_ text: String, structured: JSONValue? = nil) -> ToolResult {
        ToolResult(text: text, structuredContent: structured, isError: false)
    }

    static func failure(_ message: String) -> ToolResult {
        ToolResult(text: message, structuredContent: nil, isError: true)
    }

    /// The members of a `tools/call` result.
    var fields: [String: JSONValue] {
        var object: [String: JSONValue] = ["content": [["type": "text", "text": .string(text)]]]
        if let structuredContent { object["structuredContent"] = structuredContent }
        if isError { object["isError"] = true }
        return object
    }
}
