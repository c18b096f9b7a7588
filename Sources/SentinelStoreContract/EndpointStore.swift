public import SentinelCore

/// Endpoints, the servers attached to them, and which of those servers' tools each one exposes.
public protocol EndpointStore: Sendable {
    /// Creates an endpoint, attaching `endpoint.servers` (each must exist: `notFound(kind: "server")`, and then
    /// nothing is created). The name must be new and valid.
    func createEndpoint(_ endpoint: Endpoint) async throws -> Endpoint
    /// Every endpoint, ordered by name; each one's `servers` ordered by name.
    func endpoints() async throws -> [Endpoint]
    /// One endpoint by name (`notFound`).
    func endpoint(named name: String) async throws -> Endpoint
    /// Changes an endpoint's own fields (description, auth, payload capture) atomically; its servers are
    /// changed only by `attach` and `detach` (a change to them in `change` is dropped). Sets `updatedAt` to the
    /// time of the write; returns the endpoint as stored.
    func updateEndpoint(named name: String, _ change: @Sendable (inout Endpoint) throws -> Void) async throws -> Endpoint
    /// Deletes an endpoint with its tool selections, access list, grants and their tokens.
    func deleteEndpoint(named name: String) async throws
    /// Attaches a server to an endpoint; idempotent (returns false when it was already attached).
    @discardableResult
    func attach(server: String, to endpoint: String) async throws -> Bool
    /// Detaches a server, dropping its tool selections on that endpoint; `notAttached` when it was not attached.
    func detach(server: String, from endpoint: String) async throws
    /// Every catalog tool of the endpoint's servers with its exposed name and whether it is enabled, ordered by
    /// server name, then catalog order.
    func toolSelections(endpoint: String) async throws -> [ToolSelection]
    /// Enables or disables tools, all or nothing. `tools` holds `SERVER/TOOL` or exposed names (unknown:
    /// `noSuchTool`); `allOf` names attached servers whose whole catalog is affected (`notAttached` otherwise).
    /// Returns the selections whose state changed (none when repeated: idempotent).
    ///
    /// Enabling pins the exposed name while the tool stays enabled, whatever its catalog becomes; disabling
    /// releases it. An enabled tool that left its catalog keeps its name reserved and can still be disabled.
    ///
    /// A tool named `SERVER/TOOL` or `SERVER__TOOL` (`ToolReference(naming:)`) of an attached server whose
    /// catalog is empty is enabled ahead of the catalog: stored by name, returned with `listed` false, exposed once
    /// the server lists it. When the catalog lists tools, a name it does not list is `noSuchTool`.
    func setTools(endpoint: String, tools: [String], allOf servers: [String], enabled: Bool) async throws -> [ToolSelection]
    /// Enabled tools their server's catalog does not list (enabled ahead of it, or gone from it), with the names
    /// they keep reserved and `listed` false; ordered by server name, then tool name.
    func unlistedEnabledTools(endpoint: String) async throws -> [ToolSelection]
    /// The endpoint and every catalog tool of its servers (full definitions) read at one moment, in
    /// `toolSelections` order.
    func exposedTools(endpoint name: String) async throws -> (endpoint: Endpoint, tools: [ExposedTool])
    /// Every catalog prompt of the endpoint's servers with its exposed name (`ExposedPrompt.assignNames`, a
    /// namespace apart from tools') and whether it is enabled, ordered by server name, then catalog order.
    func promptSelections(endpoint: String) async throws -> [PromptSelection]
    /// Enables or disables prompts, all or nothing, as `setTools` does for tools: `prompts` holds
    /// `SERVER/PROMPT` or exposed names (unknown: `noSuchPrompt`); `allOf` names attached servers whose every
    /// prompt is affected (`notAttached` otherwise). Enabling pins the exposed name while the prompt stays
    /// enabled; an enabled prompt that left its catalog keeps its name reserved and can still be disabled by
    /// either name. Returns the selections whose state changed.
    func setPrompts(endpoint: String, prompts: [String], allOf servers: [String], enabled: Bool) async throws -> [PromptSelection]
    /// The endpoint's resource rules, ordered by server name, then prefix.
    func resourceRules(endpoint: String) async throws -> [ResourceRule]
    /// Adds (`enabled`) or removes rules, all or nothing; each rule's server must be attached (`notAttached`;
    /// `notFound(kind: "server")` when it does not exist) and its `endpoint` is taken to be `endpoint`. Adding a
    /// rule that exists or removing one that does not changes nothing. Returns the rules added or removed.
    func setResourceRules(endpoint: String, rules: [ResourceRule], enabled: Bool) async throws -> [ResourceRule]
    /// Everything the endpoint can show, read at one moment (see `EndpointSurface`).
    func exposedSurface(endpoint name: String) async throws -> EndpointSurface
}
