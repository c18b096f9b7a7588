/// Whether one catalog prompt is enabled on one endpoint, and the name clients see (as `ToolSelection`).
public struct PromptSelection: Sendable, Equatable {
    public var endpoint: String
    public var server: String
    public var prompt: String
    public var exposedName: String
    public var enabled: Bool

    public init(endpoint: String, server: String, prompt: String, exposedName: String, enabled: Bool) {
        self.endpoint = endpoint
        self.server = server
        self.prompt = prompt
        self.exposedName = exposedName
        self.enabled = enabled
    }
}
