import SentinelCore

/// What the command line asks for. Parsed by hand: the demo server depends on SentinelCore only.
enum DemoServerCommand: Equatable {
    case serve(DemoServerOptions)
    case help
    case version

    /// A command line that cannot run; exit status 64 (EX_USAGE).
    struct UsageError: Error, Equatable {
        var message: String
    }

    static let usage = """
        Usage: sentinel-demo-server [--page-size N] [--tools-prefix P] [--extra-tools N]

        A small MCP server on stdin/stdout (newline-delimited JSON-RPC 2.0) for Sentinel's
        demo endpoint, tests and benchmarks. Logs go to stderr. Speaks MCP \(MCPProtocol.handshakeVersions.last ?? "") to
        \(MCPProtocol.latestHandshakeVersion) through initialize and \(MCPProtocol.modernVersion) per request (server/discover).

        Tools: echo, add, time, slow, fail, crash (exits with status 3), hang (never answers).

        Options:
          --page-size N      tools per tools/list page, 1-10000 (default 100)
          --tools-prefix P   put P before every tool name; letters, digits, _ and -, at most 32
          --extra-tools N    add N filler tools tool_0001... that return their name (0-100000)
          --version          print the version and exit
          --help, -h         print this help and exit

        Exits 0 when stdin closes or on SIGTERM, 64 on a bad command line.
        """

    static func parse(_ arguments: [String]) throws(UsageError) -> DemoServerCommand {
        var options = DemoServerOptions()
        var remaining = arguments[...]
        while let argument = remaining.popFirst() {
            // `--flag=value` and `--flag value` are the same thing.
            let (flag, inlineValue) = split(argument)
            func value() throws(UsageError) -> String {
                if let inlineValue { return inlineValue }
                guard let next = remaining.popFirst() else { throw UsageError(message: "\(flag) needs a value") }
                return next
            }
            switch flag {
            case "--help", "-h": return .help
            case "--version": return .version
            case "--page-size": options.pageSize = try integer(flag, try value(), in: 1...10_000)
            case "--extra-tools": options.extraTools = try integer(flag, try value(), in: 0...100_000)
            case "--tools-prefix": options.toolsPrefix = try prefix(try value())
            default:
                if flag.hasPrefix("-") { throw UsageError(message: "unknown flag \(flag)") }
                throw UsageError(message: "unexpected argument \"\(argument)\"")
            }
        }
        return .serve(options)
    }

    private static func split(_ argument: String) -> (String, String?) {
        guard argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") else { return (argument, nil) }
        return (String(argument[..<equals]), String(argument[argument.index(after: equals)...]))
    }

    private static func integer(_ flag: String, _ text: String, in range: ClosedRange<Int>) throws(UsageError) -> Int {
        guard let number = Int(text), range.contains(number) else {
            throw UsageError(
                message: "\(flag) takes an integer from \(range.lowerBound) to \(range.upperBound), got \"\(text)\"")
        }
        return number
    }

    /// Tool names must stay within `^[a-zA-Z0-9_-]{1,64}$` (the strictest client, OpenAI) after prefixing.
    private static func prefix(_ text: String) throws(UsageError) -> String {
        let allowed = text.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x5F || byte == 0x2D
        }
        guard allowed, text.utf8.count <= 32 else {
            throw UsageError(message: "--tools-prefix takes at most 32 letters, digits, _ or -, got \"\(text)\"")
        }
        return text
    }
}
