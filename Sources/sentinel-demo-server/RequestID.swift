import SentinelCore

/// A JSON-RPC request id as MCP allows it: a string or an integer, never null.
enum RequestID: Hashable, Sendable, CustomStringConvertible {
    case int(Int64)
    case string(String)

    /// Nil for anything MCP does not accept as an id (null, fractions, booleans, containers).
    init?(_ value: JSONValue) {
        switch value {
        case .int(let number): self = .int(number)
        case .string(let text): self = .string(text)
        default: return nil
        }
    }

    var json: JSONValue {
        switch self {
        case .int(let number): .int(number)
        case .string(let text): .string(text)
        }
    }

    /// The id as SentinelCore's JSON-RPC builders take it.
    var raw: RawJSON { RawJSON(json) }

    /// The id as JSON text, so the string id "7" and the integer id 7 print differently in logs.
    var description: String { json.text() }
}
