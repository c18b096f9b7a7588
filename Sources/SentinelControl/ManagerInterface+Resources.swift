import SentinelControlAPI
import SentinelCore
import SentinelStore

extension ManagerInterface {
    func listResourceRules(_ endpoint: String) async throws -> ManagerAPI.ListResourceRules.Reply {
        let surface = try await store.exposedSurface(endpoint: endpoint)
        let access = surface.access
        var rows: [ManagerAPI.ResourceSelection] = []
        for server in surface.endpoint.servers {
            var listed = Set<String>()
            for resource in surface.resources where resource.server == server {
                guard let uri = resource.mappedURI else { continue }
                listed.insert(resource.uri)
                rows.append(
                    Self.selection(
                        uri: uri, upstreamURI: resource.uri, server: server, kind: .resource, name: resource.name,
                        mimeType: resource.mimeType, reason: access.reason(server: server, uri: resource.uri)))
            }
            // A server may leave its MCP Apps pages out of resources/list; an enabled tool's page is readable all the same.
            for page in access.uiResources where page.server == server && !listed.contains(page.uri) {
                guard let uri = ResourceURIMap.map(server: server, uri: page.uri) else { continue }
                listed.insert(page.uri)
                rows.append(
                    Self.selection(
                        uri: uri, upstreamURI: page.uri, server: server, kind: .resource, name: nil, mimeType: nil,
                        reason: access.reason(server: server, uri: page.uri)))
            }
            for template in surface.templates where template.server == server {
                guard let uri = template.mappedTemplate else { continue }
                let rule = access.rules.first { $0.mayCover(server: server, uriTemplate: template.uriTemplate) }
                rows.append(
                    Self.selection(
                        uri: uri, upstreamURI: template.uriTemplate, server: server, kind: .template, name: template.name,
                        mimeType: template.mimeType, reason: rule.map(ResourceAccess.Reason.rule)))
            }
        }
        return ManagerAPI.ListResourceRules.Reply(rules: surface.rules.map(Self.encode), resources: rows)
    }

    func setResourceRules(
        _ parameters: ManagerAPI.ResourceChange, _ request: ManagerRequest, enabled: Bool
    ) async throws -> ManagerAPI.ResourceChangeReply {
        let endpoint = parameters.endpoint
        guard !parameters.rules.isEmpty else {
            throw ManagerError.invalidValue(field: "rules", reason: "name at least one rule: a server, SERVER:PREFIX or a mapped prefix")
        }
        let attached = try await store.endpoint(named: endpoint).servers
        var rules: [ResourceRule] = []
        for spec in parameters.rules {
            let rule = try Self.rule(spec, endpoint: endpoint)
            guard attached.contains(rule.server) else {
                _ = try await store.server(named: rule.server)
                throw ManagerError.serverNotAttached(endpoint: endpoint, server: rule.server)
            }
            if !rules.contains(rule) { rules.append(rule) }
        }
        let changed = try await store.setResourceRules(endpoint: endpoint, rules: rules, enabled: enabled)
        if !changed.isEmpty {
            recordChange(
                request, .resourcesSelected(endpoint: endpoint, rules: changed, enabled: enabled),
                message: "\(changed.count) resource rule(s) \(enabled ? "added to" : "removed from") endpoint \(endpoint): "
                    + changed.map(\.mappedPrefix).joined(separator: ", "))
        }
        return ManagerAPI.ResourceChangeReply(changed: changed.map(Self.encode))
    }

    /// The rule a spec names: a mapped prefix alone, or a server with an optional upstream prefix.
    static func rule(_ spec: ManagerAPI.ResourceRuleSpec, endpoint: String) throws -> ResourceRule {
        if let mapped = spec.mapped {
            guard spec.server == nil, spec.prefix == nil else {
                throw ManagerError.invalidValue(field: "mapped", reason: "give a mapped prefix alone, or server with prefix")
            }
            guard let origin = ResourceURIMap.unmapPrefix(mapped) else {
                throw ManagerError.invalidValue(
                    field: "mapped",
                    reason: "'\(mapped)' is not a mapped prefix: one starts with SERVER+ (sdk+file:///docs/) or ui://SERVER+ "
                        + "(ui://sdk+board/), as sentinelctl endpoint resources \(endpoint) shows")
            }
            return ResourceRule(endpoint: endpoint, server: origin.server, prefix: origin.uri)
        }
        guard let server = spec.server, !server.isEmpty else {
            throw ManagerError.invalidValue(field: "server", reason: "name the server whose resources the rule opens")
        }
        if let problem = EntityName.problem(with: server, kind: .server) {
            throw ManagerError.invalidValue(field: "server", reason: "'\(server)' is no server name: \(problem)")
        }
        return ResourceRule(endpoint: endpoint, server: server, prefix: spec.prefix ?? "")
    }

    static func selection(
        uri: String, upstreamURI: String, server: String, kind: ManagerAPI.ResourceKind, name: String?, mimeType: String?,
        reason: ResourceAccess.Reason?
    ) -> ManagerAPI.ResourceSelection {
        var selection = ManagerAPI.ResourceSelection(
            uri: uri, upstreamURI: upstreamURI, server: server, kind: kind, name: name, mimeType: mimeType, state: .off)
        switch reason {
        case .rule(let rule)?:
            selection.state = .rule
            selection.rule = rule.mappedPrefix
        case .toolUI(let tool)?:
            selection.state = .tool
            selection.tool = tool
        case nil:
            break
        }
        return selection
    }

    static func encode(_ rule: ResourceRule) -> ManagerAPI.ResourceRule {
        ManagerAPI.ResourceRule(server: rule.server, prefix: rule.prefix, mappedPrefix: rule.mappedPrefix)
    }
}
