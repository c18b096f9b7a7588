import Foundation
import SentinelCore

/// The tools one server process exposes, fixed for its lifetime, and how they page.
struct DemoToolCatalog: Sendable {
    let tools: [DemoTool]
    private let indexByName: [String: Int]

    init(prefix: String, extraTools: Int) {
        let fillers = (0..<extraTools).map { DemoTool.filler(index: $0 + 1, prefix: prefix) }
        let tools = DemoTool.builtIns(prefix: prefix) + fillers
        self.tools = tools
        self.indexByName = Dictionary(tools.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    func tool(named name: String) -> DemoTool? {
        indexByName[name].map { tools[$0] }
    }

    /// One `tools/list` page starting at `cursor` (nil for the first page).
    ///
    /// Cursors are opaque to clients; one that this catalog did not hand out is invalid params.
    func page(cursor: String?, size: Int) throws(JSONRPCError) -> (tools: ArraySlice<DemoTool>, nextCursor: String?) {
        let start: Int
        if let cursor {
            guard let offset = Self.offset(fromCursor: cursor), offset > 0, offset < tools.count else {
                throw .invalidParams("unknown cursor \"\(cursor)\"; pass back a nextCursor from an earlier tools/list")
            }
            start = offset
        } else {
            start = 0
        }
        let end = min(tools.count, start + size)
        return (tools[start..<end], end < tools.count ? Self.cursor(forOffset: end) : nil)
    }

    private static let cursorPrefix = "demo-tools:"

    private static func cursor(forOffset offset: Int) -> String {
        Data((cursorPrefix + String(offset)).utf8).base64EncodedString()
    }

    private static func offset(fromCursor cursor: String) -> Int? {
        guard let data = Data(base64Encoded: cursor), let text = String(data: data, encoding: .utf8),
            text.hasPrefix(cursorPrefix)
        else { return nil }
        return Int(text.dropFirst(cursorPrefix.count))
    }
}
