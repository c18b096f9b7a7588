/// A catalog tool as one endpoint exposes it.
public struct ExposedTool: Sendable, Equatable {
    public var exposedName: String
    public var enabled: Bool
    public var tool: Tool

    public init(exposedName: String, enabled: Bool, tool: Tool) {
        self.exposedName = exposedName
        self.enabled = enabled
        self.tool = tool
    }
}
