extension ToolReference {
    /// The tool a name given before its server lists it refers to: `SERVER/TOOL`, or the exposed form
    /// `SERVER__TOOL` (server names never contain `_`, so the first `__` ends the server's name).
    ///
    /// Nil when the name has neither form, or either part is empty. The tool part must be a plausible
    /// MCP tool name: at most 128 characters, none of them whitespace or control characters.
    public init?(naming name: String) {
        let server: Substring
        let tool: Substring
        if let slash = name.firstIndex(of: "/") {
            server = name[..<slash]
            tool = name[name.index(after: slash)...]
        } else if let first = name.indices.first(where: { name[$0...].hasPrefix("__") }) {
            server = name[..<first]
            tool = name[name.index(first, offsetBy: 2)...]
        } else {
            return nil
        }
        guard !server.isEmpty, !tool.isEmpty, tool.count <= 128,
            !tool.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F })
        else { return nil }
        self.init(server: String(server), tool: String(tool))
    }
}
