import BenchSupport

/// What one run of the load generator does.
struct LoadOptions {
    enum Era: String { case modern, handshake }

    var url: String
    var host: String
    var port: Int
    var path: String
    var concurrency: Int
    /// Measured requests in all (0: bounded by duration only).
    var requests: Int
    var duration: Double
    var warmup: Double
    var era: Era
    var method: String
    var tool: String
    var arguments: String
    /// resources/read: the URI to read.
    var uri: String
    var threads: Int
    var authorization: String?
    /// tools/list: follow `nextCursor`, so one operation is the whole list.
    var followCursor: Bool
    /// Open this many handshake-era sessions (initialize + initialized), report, and wait for stdin to close.
    var openSessions: Int

    init(_ options: CommandLineOptions) {
        url = options.string("--url", "http://127.0.0.1:9000/mcp")
        var rest = Substring(url)
        if rest.hasPrefix("http://") { rest = rest.dropFirst(7) }
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<slash]
        path = slash == rest.endIndex ? "/" : String(rest[slash...])
        let colon = authority.lastIndex(of: ":")
        host = colon.map { String(authority[..<$0]) } ?? String(authority)
        port = colon.flatMap { Int(authority[authority.index(after: $0)...]) } ?? 80
        concurrency = options.int("--concurrency", 1)
        requests = options.int("--requests", 0)
        duration = options.double("--duration", 5)
        warmup = options.double("--warmup", 1)
        era = Era(rawValue: options.string("--era", "modern")) ?? .modern
        method = options.string("--method", "tools/call")
        tool = options.string("--tool", "echo")
        arguments = options.string("--arguments", #"{"text":"hello from sentinel-bench"}"#)
        uri = options.string("--uri", "bench://blob/100k")
        threads = options.int("--threads", 1)
        let token = options.string("--bearer", "")
        authorization = token.isEmpty ? nil : "Bearer \(token)"
        followCursor = options.flag("--follow-cursor")
        openSessions = options.int("--open-sessions", 0)
    }
}
