/// A catalog prompt as one endpoint exposes it.
///
/// Prompt names follow the rules of tool names (`ExposedName`): `<server>__<prompt>`, at most 64
/// characters, hash-shortened on collision, pinned while enabled. Prompts have a namespace of their own:
/// `ExposedName.assign` is run over an endpoint's prompts apart from its tools, so a prompt and a tool
/// may share an exposed name (clients ask for them by different methods).
public struct ExposedPrompt: Sendable, Equatable {
    public var exposedName: String
    public var enabled: Bool
    public var prompt: Prompt

    public init(exposedName: String, enabled: Bool, prompt: Prompt) {
        self.exposedName = exposedName
        self.enabled = enabled
        self.prompt = prompt
    }

    /// Exposed names for an endpoint's prompts, by `ExposedName.key(server:tool:)` (`server/prompt`).
    /// `pinned` are the names of enabled prompts, kept as they are.
    public static func assignNames(_ prompts: [(server: String, prompt: String)], pinned: [String: String] = [:]) -> [String: String] {
        ExposedName.assign(prompts.map { (server: $0.server, tool: $0.prompt) }, pinned: pinned)
    }
}
