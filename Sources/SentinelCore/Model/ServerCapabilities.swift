/// What an upstream server declared it offers, as far as the catalog and the data plane depend on it.
///
/// Read from the `capabilities` object of the upstream's `initialize` result (handshake era) or of its
/// `server/discover` result (2026-07-28). `json` keeps that object as it came, for the store. A kind the
/// server did not declare is not fetched (and a `-32601` answer counts as an empty list, never a failed
/// refresh); `resources.subscribe` is what lets Sentinel honour a client's subscription to its resources.
public struct ServerCapabilities: Sendable, Equatable {
    public var tools: Bool
    public var toolsListChanged: Bool
    public var prompts: Bool
    public var promptsListChanged: Bool
    public var resources: Bool
    public var resourcesSubscribe: Bool
    public var resourcesListChanged: Bool
    public var completions: Bool
    /// The upstream's capabilities object as JSON text, byte for byte (`{}` when built from flags).
    public var json: String

    public init(
        tools: Bool = false, toolsListChanged: Bool = false, prompts: Bool = false, promptsListChanged: Bool = false,
        resources: Bool = false, resourcesSubscribe: Bool = false, resourcesListChanged: Bool = false,
        completions: Bool = false, json: String = "{}"
    ) {
        self.tools = tools
        self.toolsListChanged = toolsListChanged
        self.prompts = prompts
        self.promptsListChanged = promptsListChanged
        self.resources = resources
        self.resourcesSubscribe = resourcesSubscribe
        self.resourcesListChanged = resourcesListChanged
        self.completions = completions
        self.json = json
    }

    /// Reads the capabilities object `bytes[range]` (the whole of `bytes` when nil); nil when it is not
    /// a JSON object. A capability is declared when its member is an object (`"prompts": {}`); a flag in
    /// it is set only when it is `true`.
    public init?(bytes: [UInt8], in range: Range<Int>? = nil) {
        let range = JSONScanner.trimmed(bytes, range ?? bytes.indices)
        guard let members = try? JSONScanner.members(of: bytes, in: range) else { return nil }
        func object(_ key: String) -> [String: Range<Int>]? {
            guard let value = members[key], bytes[value.lowerBound] == UInt8(ascii: "{") else { return nil }
            return try? JSONScanner.members(of: bytes, in: value)
        }
        func flag(_ object: [String: Range<Int>]?, _ key: String) -> Bool {
            guard let value = object?[key] else { return false }
            return bytes[value].elementsEqual("true".utf8)
        }
        let tools = object("tools")
        let prompts = object("prompts")
        let resources = object("resources")
        self.init(
            tools: tools != nil, toolsListChanged: flag(tools, "listChanged"),
            prompts: prompts != nil, promptsListChanged: flag(prompts, "listChanged"),
            resources: resources != nil, resourcesSubscribe: flag(resources, "subscribe"),
            resourcesListChanged: flag(resources, "listChanged"),
            completions: object("completions") != nil,
            json: String(decoding: bytes[range], as: UTF8.self))
    }

    /// Reads capabilities stored as JSON text (`json`); nil when it is not a JSON object.
    public init?(parsing json: String) {
        self.init(bytes: Array(json.utf8))
    }
}
