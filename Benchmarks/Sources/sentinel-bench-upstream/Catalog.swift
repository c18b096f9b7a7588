import BenchSupport

/// The precomputed answers that do not depend on the request.
struct Catalog: Sendable {
    let toolsResult: [UInt8]
    let toolsResultModern: [UInt8]
    let discoverResult: [UInt8]

    init(extraTools: Int, prefix: String) {
        var tools = [
            #"{"name":"echo","description":"Returns its text argument.","inputSchema":{"type":"object","properties":{"text":{"type":"string"}},"required":["text"]}}"#
        ]
        for index in 0..<extraTools {
            tools.append(
                #"{"name":"\#(prefix)_tool_\#(index)","description":"Generated tool \#(index) of \#(prefix); answers like echo.","inputSchema":{"type":"object","properties":{"text":{"type":"string","description":"Any text."}}}}"#
            )
        }
        let list = "[" + tools.joined(separator: ",") + "]"
        toolsResult = Array(#"{"tools":\#(list)}"#.utf8)
        toolsResultModern = Array(#"{"resultType":"complete","tools":\#(list),"ttlMs":0,"cacheScope":"public"}"#.utf8)
        discoverResult = Array(
            #"{"resultType":"complete","supportedVersions":["2025-03-26","2025-06-18","2025-11-25","2026-07-28"],"capabilities":{"tools":{}},"serverInfo":{"name":"sentinel-bench-upstream","version":"1"}}"#.utf8)
    }

    static let handshakeVersions = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"]

    static func initializeResult(version: String) -> [UInt8] {
        Array(#"{"protocolVersion":"\#(version)","capabilities":{"tools":{}},"serverInfo":{"name":"sentinel-bench-upstream","version":"1"}}"#.utf8)
    }
}
