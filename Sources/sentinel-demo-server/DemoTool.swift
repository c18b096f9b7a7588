import SentinelCore

/// One tool the demo server exposes: its `tools/list` entry and what calling it does.
struct DemoTool: Sendable {
    /// What a call does; the exposed name may carry a `--tools-prefix`.
    enum Behaviour: Sendable, Equatable {
        case echo, add, time, slow, fail, crash, hang
        /// A `--extra-tools` filler that answers with its own name.
        case filler
    }

    var name: String
    var behaviour: Behaviour
    var title: String
    var description: String
    var inputSchema: JSONValue
    var outputSchema: JSONValue?
    var readOnly: Bool

    /// The entry in a `tools/list` result.
    var definition: JSONValue {
        var object: [String: JSONValue] = [
            "name": .string(name),
            "title": .string(title),
            "description": .string(description),
            "inputSchema": inputSchema,
        ]
        if let outputSchema { object["outputSchema"] = outputSchema }
        // No tool here touches anything outside the process.
        var annotations: [String: JSONValue] = ["openWorldHint": false]
        if readOnly { annotations["readOnlyHint"] = true }
        object["annotations"] = .object(annotations)
        return .object(object)
    }

    /// An object schema with `properties`, `required` and no other members.
    static func objectSchema(_ properties: [String: JSONValue] = [:], required: [String] = []) -> JSONValue {
        var schema: [String: JSONValue] = [
            "type": "object",
            "properties": .object(properties),
            "additionalProperties": false,
        ]
        if !required.isEmpty { schema["required"] = JSONValue(required) }
        return .object(schema)
    }
}
