public import Foundation

/// A tool as an upstream server describes it, cached in the catalog.
///
/// `definition` is the upstream's whole tool object, exactly as listed: it is what
/// clients get (see `ToolDefinition`), so `_meta`, `icons`, `execution` and members
/// of later revisions pass through. The other fields are read from it for the
/// control plane and the gateway's own checks; schemas and annotations are kept as
/// the upstream's JSON text.
public struct Tool: Sendable, Equatable {
    public var server: String
    public var name: String
    public var title: String?
    public var description: String?
    public var inputSchema: String
    public var outputSchema: String?
    public var annotations: String?
    /// The upstream's tool object as JSON text, byte for byte.
    public var definition: String
    public var discoveredAt: Date

    public init(
        server: String,
        name: String,
        title: String? = nil,
        description: String? = nil,
        inputSchema: String = #"{"type":"object"}"#,
        outputSchema: String? = nil,
        annotations: String? = nil,
        definition: String? = nil,
        discoveredAt: Date
    ) {
        self.server = server
        self.name = name
        self.title = title
        self.description = description
        self.inputSchema = inputSchema
        self.outputSchema = outputSchema
        self.annotations = annotations
        self.discoveredAt = discoveredAt
        self.definition = ""
        self.definition = definition ?? ToolDefinition.synthesized(from: self).text
    }
}

/// Whether one catalog tool is enabled on one endpoint, and the name clients see.
public struct ToolSelection: Sendable, Equatable {
    public var endpoint: String
    public var server: String
    public var tool: String
    public var exposedName: String
    public var enabled: Bool
    /// Whether the server's catalog lists the tool. An enabled tool it does not list (enabled by name ahead of
    /// the catalog, or gone from it) keeps its name reserved and is exposed once the catalog lists it.
    public var listed: Bool

    public init(endpoint: String, server: String, tool: String, exposedName: String, enabled: Bool, listed: Bool = true) {
        self.endpoint = endpoint
        self.server = server
        self.tool = tool
        self.exposedName = exposedName
        self.enabled = enabled
        self.listed = listed
    }
}
