import Foundation
import SentinelCore
import SentinelStoreContract

extension StoreContractSuite {
    static let surfaces: [StoreContractCheck] = [
        StoreContractCheck("aRefreshStoresPromptsResourcesTemplatesAndCapabilitiesInOrderAndKeepsWhatItDidNotFetch") { make in
            let store = try await ContractSeed.world(make)
            let surface = ServerSurface(
                prompts: ContractSeed.prompts("files", ["zeta", "alpha", "zeta"]),
                resources: ContractSeed.resources("files", ["file:///b", "file:///a"]),
                templates: ContractSeed.templates("files", ["file:///{path}"]),
                capabilities: ServerCapabilities(parsing: #"{"prompts":{"listChanged":true},"resources":{}}"#))
            try await store.replaceCatalog(server: "files", tools: ContractSeed.tools("files", ["read"]), surface: surface, at: ContractSeed.now)
            let stored = try await store.surface(server: "files")
            try expectEqual(stored.prompts?.map(\.name), ["zeta", "alpha"], "prompts in catalog order, the first of a repeated name kept")
            try expectEqual(stored.prompts?.first?.definition, surface.prompts?.first?.definition, "a prompt's definition")
            try expectEqual(stored.resources?.map(\.uri), ["file:///b", "file:///a"], "resources in catalog order")
            try expectEqual(stored.resources?.first, surface.resources?.first, "a resource as given")
            try expectEqual(stored.templates, surface.templates, "templates")
            try expectEqual(stored.capabilities?.promptsListChanged, true, "capabilities")
            try expectEqual(stored.capabilities?.resources, true, "capabilities")

            // A later refresh of tools only keeps the rest; one that fetched no prompts empties them.
            try await store.replaceCatalog(server: "files", tools: ContractSeed.tools("files", ["write"]), at: ContractSeed.now)
            try expectEqual(try await store.surface(server: "files"), stored, "the surface after a tools-only refresh")
            try await store.replaceCatalog(
                server: "files", tools: [], surface: ServerSurface(prompts: [], templates: []), at: ContractSeed.now)
            let emptied = try await store.surface(server: "files")
            try expectEqual(emptied.prompts, [], "prompts emptied")
            try expectEqual(emptied.templates, [], "templates emptied")
            try expectEqual(emptied.resources, stored.resources, "resources kept")
            try await expectError(StoreError.notFound(kind: "server", name: "gone")) { try await store.surface(server: "gone") }
        },
        StoreContractCheck("promptsAreOffUntilEnabledAndKeepTheirNamesWhileEnabled") { make in
            let store = try await ContractSeed.world(make)
            try await ContractSeed.prompts(store, "files", ["review", "summarize"])
            let initial = try await store.promptSelections(endpoint: "eng")
            try expectEqual(initial.map(\.exposedName), ["files__review", "files__summarize"], "exposed names")
            try expectEqual(initial.map(\.enabled), [false, false], "off by default")

            let changed = try await store.setPrompts(endpoint: "eng", prompts: ["files/review"], allOf: [], enabled: true)
            try expectEqual(changed.map(\.exposedName), ["files__review"], "changed")
            try expectEqual(try await store.setPrompts(endpoint: "eng", prompts: ["files__review"], allOf: [], enabled: true), [], "idempotent")
            // An unknown prompt refuses the whole change.
            try await expectError(StoreError.noSuchPrompt(endpoint: "eng", prompt: "files/missing")) {
                try await store.setPrompts(endpoint: "eng", prompts: ["files/summarize", "files/missing"], allOf: [], enabled: true)
            }
            try expectEqual(try await store.promptSelections(endpoint: "eng").filter(\.enabled).map(\.prompt), ["review"], "after the refusal")

            // A prompt that leaves the catalog keeps its name; it can be disabled and is not exposed meanwhile.
            try await ContractSeed.prompts(store, "files", ["summarize"])
            try expectEqual(try await store.exposedSurface(endpoint: "eng").prompts.map(\.exposedName), ["files__summarize"], "exposed")
            try expectEqual(
                try await store.setPrompts(endpoint: "eng", prompts: ["files__review"], allOf: [], enabled: false).map(\.prompt),
                ["review"], "disabled while absent")
            let all = try await store.setPrompts(endpoint: "eng", prompts: [], allOf: ["files"], enabled: true)
            try expectEqual(all.map(\.prompt), ["summarize"], "all of a server")
            _ = try await store.addServer(ContractSeed.stdio("notes"))
            try await expectError(StoreError.notAttached(endpoint: "eng", server: "notes")) {
                try await store.setPrompts(endpoint: "eng", prompts: [], allOf: ["notes"], enabled: true)
            }
        },
        StoreContractCheck("promptNamesAreTheirOwnNamespaceAndDetachingDropsSelectionsAndRules") { make in
            let store = try await ContractSeed.world(make)
            // A prompt and a tool share `files__read` without a clash.
            try await ContractSeed.prompts(store, "files", ["read"])
            try expectEqual(try await store.promptSelections(endpoint: "eng").map(\.exposedName), ["files__read"], "prompt name")
            _ = try await store.setPrompts(endpoint: "eng", prompts: ["files__read"], allOf: [], enabled: true)
            _ = try await store.setResourceRules(endpoint: "eng", rules: [ResourceRule(endpoint: "x", server: "files")], enabled: true)
            try await store.detach(server: "files", from: "eng")
            try await store.attach(server: "files", to: "eng")
            try expectEqual(try await store.promptSelections(endpoint: "eng").map(\.enabled), [false], "prompt after re-attaching")
            try expectEqual(try await store.resourceRules(endpoint: "eng"), [], "rules after re-attaching")
        },
        StoreContractCheck("resourceRulesAreAddedAndRemovedOnceAndNeedAnAttachedServer") { make in
            let store = try await ContractSeed.world(make)
            _ = try await store.addServer(ContractSeed.stdio("notes"))
            _ = try await store.attach(server: "notes", to: "eng")
            let rules = [
                ResourceRule(endpoint: "other", server: "notes", prefix: "file:///docs/"), ResourceRule(endpoint: "eng", server: "files"),
            ]
            let added = try await store.setResourceRules(endpoint: "eng", rules: rules + rules, enabled: true)
            try expectEqual(
                added, [ResourceRule(endpoint: "eng", server: "notes", prefix: "file:///docs/"), ResourceRule(endpoint: "eng", server: "files")],
                "added once each, for this endpoint")
            try expectEqual(try await store.setResourceRules(endpoint: "eng", rules: rules, enabled: true), [], "adding again")
            try expectEqual(
                try await store.resourceRules(endpoint: "eng").map(\.mappedPrefix), ["files+", "notes+file:///docs/"], "by server, then prefix")
            _ = try await store.addServer(ContractSeed.stdio("wiki"))
            try await expectError(StoreError.notAttached(endpoint: "eng", server: "wiki")) {
                try await store.setResourceRules(
                    endpoint: "eng", rules: [ResourceRule(endpoint: "eng", server: "files", prefix: "a"), ResourceRule(endpoint: "eng", server: "wiki")],
                    enabled: true)
            }
            try await expectError(StoreError.notFound(kind: "server", name: "gone")) {
                try await store.setResourceRules(endpoint: "eng", rules: [ResourceRule(endpoint: "eng", server: "gone")], enabled: true)
            }
            try expectEqual(try await store.resourceRules(endpoint: "eng").count, 2, "rules after the refusals")
            let removed = try await store.setResourceRules(endpoint: "eng", rules: [rules[1], rules[1]], enabled: false)
            try expectEqual(removed, [ResourceRule(endpoint: "eng", server: "files")], "removed")
            try expectEqual(try await store.setResourceRules(endpoint: "eng", rules: [rules[1]], enabled: false), [], "removing again")
        },
        StoreContractCheck("theExposedSurfaceIsEverythingTheEndpointShowsAndItsAccessFollowsRulesAndEnabledTools") { make in
            let store = try await ContractSeed.world(make)
            let board = Tool(
                server: "files", name: "board", definition: #"{"name":"board","_meta":{"ui":{"resourceUri":"ui://board/app.html"}}}"#,
                discoveredAt: ContractSeed.now)
            try await store.replaceCatalog(
                server: "files", tools: ContractSeed.tools("files", ["read"]) + [board],
                surface: ServerSurface(
                    prompts: ContractSeed.prompts("files", ["review"]),
                    resources: ContractSeed.resources("files", ["file:///docs/a", "file:///etc/b", "ui://board/app.html"]),
                    templates: ContractSeed.templates("files", ["file:///docs/{name}", "notes://{topic}"]),
                    capabilities: ServerCapabilities(parsing: #"{"resources":{"subscribe":true}}"#)),
                at: ContractSeed.now)
            _ = try await store.setTools(endpoint: "eng", tools: ["files/board"], allOf: [], enabled: true)
            _ = try await store.setResourceRules(
                endpoint: "eng", rules: [ResourceRule(endpoint: "eng", server: "files", prefix: "file:///docs/")], enabled: true)
            let surface = try await store.exposedSurface(endpoint: "eng")
            try expectEqual(surface.endpoint.name, "eng", "endpoint")
            try expectEqual(surface.tools.map(\.exposedName), try await store.exposedTools(endpoint: "eng").tools.map(\.exposedName), "tools")
            try expectEqual(surface.prompts.map(\.exposedName), ["files__review"], "prompts")
            try expectEqual(surface.resources.count, 3, "every cataloged resource")
            try expectEqual(surface.capabilities["files"]?.resourcesSubscribe, true, "capabilities")
            let access = surface.access
            try expectEqual(
                surface.resources.map { access.isReadable(server: $0.server, uri: $0.uri) }, [true, false, true],
                "readable: the rule's prefix and the enabled tool's UI")
            try expectEqual(
                surface.templates.map { access.listsTemplate(server: $0.server, uriTemplate: $0.uriTemplate) }, [true, false],
                "listed templates")
        },
    ]
}

extension ContractSeed {
    static func prompts(_ server: String, _ names: [String]) -> [Prompt] {
        names.map { Prompt(server: server, name: $0, description: "asks \($0)", definition: #"{"name":"\#($0)"}"#, discoveredAt: now) }
    }

    static func resources(_ server: String, _ uris: [String]) -> [Resource] {
        uris.map { Resource(server: server, uri: $0, name: $0, mimeType: "text/plain", definition: #"{"uri":"\#($0)","name":"\#($0)"}"#, discoveredAt: now) }
    }

    static func templates(_ server: String, _ templates: [String]) -> [ResourceTemplate] {
        templates.map {
            ResourceTemplate(server: server, uriTemplate: $0, name: $0, definition: #"{"uriTemplate":"\#($0)","name":"\#($0)"}"#, discoveredAt: now)
        }
    }

    /// Replaces the prompts of `server` (its tools kept).
    static func prompts(_ store: any StoreBackend, _ server: String, _ names: [String]) async throws {
        try await store.replaceCatalog(
            server: server, tools: try await store.tools(server: server), surface: ServerSurface(prompts: prompts(server, names)), at: now)
    }
}
