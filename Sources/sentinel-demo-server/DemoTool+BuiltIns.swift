import SentinelCore

extension DemoTool {
    /// The fixed tools, in listing order, named with `prefix`.
    static func builtIns(prefix: String) -> [DemoTool] {
        [
            DemoTool(
                name: prefix + "echo", behaviour: .echo, title: "Echo",
                description: "Returns the given text unchanged, as text and as structured content.",
                inputSchema: objectSchema(
                    ["text": ["type": "string", "description": "The text to send back."]], required: ["text"]),
                outputSchema: objectSchema(["text": ["type": "string"]], required: ["text"]),
                readOnly: true),
            DemoTool(
                name: prefix + "add", behaviour: .add, title: "Add",
                description: "Adds two numbers and returns the sum.",
                inputSchema: objectSchema(
                    [
                        "a": ["type": "number", "description": "The first addend."],
                        "b": ["type": "number", "description": "The second addend."],
                    ], required: ["a", "b"]),
                outputSchema: objectSchema(["sum": ["type": "number"]], required: ["sum"]),
                readOnly: true),
            DemoTool(
                name: prefix + "time", behaviour: .time, title: "Current time",
                description: "Returns the current time in UTC as an RFC 3339 timestamp. "
                    + "Only UTC is supported: the server carries no time-zone data.",
                inputSchema: objectSchema([
                    "timezone": ["type": "string", "description": "Must be \"UTC\" (the default) if given."]
                ]),
                outputSchema: objectSchema(
                    ["time": ["type": "string", "format": "date-time"], "timezone": ["type": "string"]],
                    required: ["time", "timezone"]),
                readOnly: true),
            DemoTool(
                name: prefix + "slow", behaviour: .slow, title: "Slow task",
                description: "Waits the given number of seconds in steps, sending a progress notification "
                    + "after each step when the request carries a progress token. Cancellable.",
                inputSchema: objectSchema(
                    [
                        "seconds": [
                            "type": "number", "minimum": 0, "maximum": 60, "description": "Total time to take.",
                        ],
                        "steps": [
                            "type": "integer", "minimum": 1, "maximum": 100, "default": 5,
                            "description": "How many progress steps to report.",
                        ],
                    ], required: ["seconds"]),
                outputSchema: nil,
                readOnly: true),
            DemoTool(
                name: prefix + "fail", behaviour: .fail, title: "Fail",
                description: "Always fails as a tool (isError: true) with the given message; "
                    + "never a JSON-RPC error.",
                inputSchema: objectSchema([
                    "message": ["type": "string", "description": "The error message to report."]
                ]),
                outputSchema: nil,
                readOnly: true),
            DemoTool(
                name: prefix + "crash", behaviour: .crash, title: "Crash the server",
                description: "Makes the server process exit immediately with status 3, without answering. "
                    + "For testing supervisor restarts.",
                inputSchema: objectSchema(),
                outputSchema: nil,
                readOnly: false),
            DemoTool(
                name: prefix + "hang", behaviour: .hang, title: "Hang",
                description: "Never answers, until cancelled. For testing timeouts and cancellation.",
                inputSchema: objectSchema(),
                outputSchema: nil,
                readOnly: true),
        ]
    }

    /// The `index`th `--extra-tools` filler (1-based), named `tool_0001`… after `prefix`.
    static func filler(index: Int, prefix: String) -> DemoTool {
        let number = String(index)
        let name = prefix + "tool_" + String(repeating: "0", count: max(0, 4 - number.count)) + number
        return DemoTool(
            name: name, behaviour: .filler, title: "Filler \(number)",
            description: "Returns its own name. One of the --extra-tools fillers for catalog and pagination tests.",
            inputSchema: objectSchema(),
            outputSchema: nil,
            readOnly: true)
    }
}
