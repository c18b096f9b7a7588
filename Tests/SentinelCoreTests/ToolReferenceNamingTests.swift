import SentinelCore
import Testing

/// How a tool named before its server lists it is read: `SERVER/TOOL` or the exposed form `SERVER__TOOL`.
struct ToolReferenceNamingTests {
    @Test(arguments: [
        ("wiki/search", "wiki", "search"),
        ("wiki__search", "wiki", "search"),
        ("wiki__page__get", "wiki", "page__get"),
        ("files/read.file", "files", "read.file"),
        ("gh-issues__list_open", "gh-issues", "list_open"),
        ("a/b/c", "a", "b/c"),
    ])
    func aNameWithAServerPartNamesThatServersTool(name: String, server: String, tool: String) {
        #expect(ToolReference(naming: name) == ToolReference(server: server, tool: tool))
    }

    @Test(arguments: ["search", "wiki/", "/search", "__search", "wiki__", "wiki/has space", "wiki/tab\there",
                      "wiki/" + String(repeating: "x", count: 129)])
    func aNameWithoutBothPartsNamesNothing(name: String) {
        #expect(ToolReference(naming: name) == nil)
    }
}
