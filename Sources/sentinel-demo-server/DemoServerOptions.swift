/// How one demo server process is set up; defaults match running it with no flags.
struct DemoServerOptions: Sendable, Equatable {
    /// Tools per `tools/list` page (`--page-size`).
    var pageSize = 100
    /// Put before every tool name (`--tools-prefix`), so two instances can expose different names.
    var toolsPrefix = ""
    /// How many `tool_0001`… fillers to add (`--extra-tools`).
    var extraTools = 0
    /// After stdin closes, how long calls still running may take to answer before the process exits.
    var drainGrace: Duration = .seconds(2)
}
