import BenchSupport

/// The precomputed answers that do not depend on the request.
struct Catalog: Sendable {
    let toolsResult: [UInt8]
    let toolsResultModern: [UInt8]
    let discoverResult: [UInt8]
    /// `resources/list`: one resource, `bench://blob/100k`.
    let resourcesResult: [UInt8]
    let resourcesResultModern: [UInt8]
    /// `resources/read` of `bench://blob/100k`: 100 KiB of text (JSON-safe ASCII), with a caching hint in 2026-07-28.
    let readResult: [UInt8]
    let readResultModern: [UInt8]

    static let blobURI = "bench://blob/100k"

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
            #"{"resultType":"complete","supportedVersions":["2025-03-26","2025-06-18","2025-11-25","2026-07-28"],"capabilities":\#(Self.capabilities),"serverInfo":{"name":"sentinel-bench-upstream","version":"1"}}"#.utf8)
        let resource = #"{"uri":"\#(Self.blobURI)","name":"blob","mimeType":"text/plain","size":100800}"#
        resourcesResult = Array(#"{"resources":[\#(resource)]}"#.utf8)
        resourcesResultModern = Array(#"{"resultType":"complete","resources":[\#(resource)],"ttlMs":0,"cacheScope":"public"}"#.utf8)
        let line = "Sentinel benchmark resource: the same 64 bytes on every line..\\n"  // 64 bytes as JSON text, 63 decoded
        let text = String(repeating: line, count: 102_400 / 64)
        let contents = #""contents":[{"uri":"\#(Self.blobURI)","mimeType":"text/plain","text":"\#(text)"}]"#
        readResult = Array("{\(contents)}".utf8)
        readResultModern = Array(#"{"resultType":"complete",\#(contents),"ttlMs":60000,"cacheScope":"public"}"#.utf8)
    }

    static let capabilities = #"{"tools":{},"resources":{}}"#

    static let handshakeVersions = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"]

    static func initializeResult(version: String) -> [UInt8] {
        Array(#"{"protocolVersion":"\#(version)","capabilities":\#(capabilities),"serverInfo":{"name":"sentinel-bench-upstream","version":"1"}}"#.utf8)
    }
}
