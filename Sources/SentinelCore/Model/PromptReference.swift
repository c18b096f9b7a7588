/// One upstream prompt, as a prompt selection names it (the prompts' `ToolReference`).
public struct PromptReference: Sendable, Hashable, Codable {
    public var server: String
    public var prompt: String

    public init(server: String, prompt: String) {
        self.server = server
        self.prompt = prompt
    }
}
