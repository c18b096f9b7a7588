import NIOCore
import NIOHTTP1

/// Builds the requests of a run: the same bytes every time but for the id (and the cursor).
struct MCPRequests {
    let options: LoadOptions
    static let handshakeVersion = "2025-11-25"
    static let modernVersion = "2026-07-28"
    static let meta =
        #""_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},"io.modelcontextprotocol/clientInfo":{"name":"sentinel-bench-load","version":"1"}}"#

    func head(method: String, name: String?, sessionID: String?, contentLength: Int, handshakeDone: Bool) -> HTTPRequestHead {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: "\(options.host):\(options.port)")
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Accept", value: "application/json, text/event-stream")
        headers.add(name: "Content-Length", value: "\(contentLength)")
        if let authorization = options.authorization { headers.add(name: "Authorization", value: authorization) }
        switch options.era {
        case .modern:
            headers.add(name: "MCP-Protocol-Version", value: Self.modernVersion)
            headers.add(name: "Mcp-Method", value: method)
            if let name { headers.add(name: "Mcp-Name", value: name) }
        case .handshake:
            if handshakeDone { headers.add(name: "MCP-Protocol-Version", value: Self.handshakeVersion) }
            if let sessionID { headers.add(name: "Mcp-Session-Id", value: sessionID) }
        }
        return HTTPRequestHead(version: .http1_1, method: .POST, uri: options.path, headers: headers)
    }

    func initialize(id: Int) -> String {
        #"{"jsonrpc":"2.0","id":\#(id),"method":"initialize","params":{"protocolVersion":"\#(Self.handshakeVersion)","capabilities":{},"clientInfo":{"name":"sentinel-bench-load","version":"1"}}}"#
    }

    var initialized: String { #"{"jsonrpc":"2.0","method":"notifications/initialized"}"# }

    /// The measured request; `cursor` continues a tools/list.
    func call(id: Int, cursor: String?) -> (body: String, name: String?) {
        var params: [String] = []
        var name: String?
        switch options.method {
        case "tools/call":
            params.append(#""name":"\#(options.tool)","arguments":\#(options.arguments)"#)
            name = options.tool
        case "resources/read":
            params.append(#""uri":"\#(options.uri)""#)
            name = options.uri
        case "tools/list":
            if let cursor { params.append(#""cursor":"\#(cursor)""#) }
        default:
            break
        }
        if options.era == .modern { params.append(Self.meta) }
        let paramsText = params.isEmpty ? "" : #","params":{"# + params.joined(separator: ",") + "}"
        return (#"{"jsonrpc":"2.0","id":\#(id),"method":"\#(options.method)"\#(paramsText)}"#, name)
    }
}
