import Foundation
import SentinelCore
import SentinelStoreContract

extension StoreContractSuite {
    static let endpoints: [StoreContractCheck] = [
        StoreContractCheck("endpointWithAnUnknownServerIsNotCreated") { make in
            let store = try await make(nil)
            _ = try await store.addServer(ContractSeed.stdio("files"))
            try await expectError(StoreError.notFound(kind: "server", name: "missing")) {
                try await store.createEndpoint(
                    Endpoint(name: "eng", servers: ["files", "missing"], createdAt: ContractSeed.now, updatedAt: ContractSeed.now))
            }
            try expectEqual(try await store.endpoints(), [], "endpoints after the refusal")
            try await expectError(StoreError.notFound(kind: "endpoint", name: "eng")) { try await store.endpoint(named: "eng") }
        },
        StoreContractCheck("endpointNamesAreUniqueAndListedByNameWithServersByName") { make in
            let store = try await make(nil)
            for name in ["zeta", "alpha"] { _ = try await store.addServer(ContractSeed.stdio(name)) }
            let made = try await store.createEndpoint(
                Endpoint(name: "ops", servers: ["zeta", "alpha"], createdAt: ContractSeed.now, updatedAt: ContractSeed.now))
            try expectEqual(made.servers, ["alpha", "zeta"], "servers of the new endpoint")
            _ = try await store.createEndpoint(Endpoint(name: "eng", createdAt: ContractSeed.now, updatedAt: ContractSeed.now))
            try await expectError(StoreError.alreadyExists(kind: "endpoint", name: "eng")) {
                try await store.createEndpoint(Endpoint(name: "eng", createdAt: ContractSeed.now, updatedAt: ContractSeed.now))
            }
            try expectEqual(try await store.endpoints().map(\.name), ["eng", "ops"], "endpoints by name")
        },
        StoreContractCheck("updateEndpointChangesItsOwnFieldsButNotItsServers") { make in
            let store = try await ContractSeed.world(make)
            let updated = try await store.updateEndpoint(named: "eng") {
                $0.description = "engineering"
                $0.auth = .none
                $0.capturePayloads = true
                $0.servers = []
            }
            try expectEqual(updated.servers, ["files"], "servers of the returned endpoint")
            let stored = try await store.endpoint(named: "eng")
            // Timestamps round-trip to the millisecond, not beyond.
            try expect(abs(stored.updatedAt.timeIntervalSince(updated.updatedAt)) < 0.001, "updatedAt differs from the one returned")
            var expected = updated
            expected.updatedAt = stored.updatedAt
            try expectEqual(stored, expected, "stored endpoint")
            try expectEqual(stored.auth, .none, "auth")
            try expectEqual(stored.capturePayloads, true, "payload capture")
            try await expectError(StoreError.notFound(kind: "endpoint", name: "gone")) {
                try await store.updateEndpoint(named: "gone") { $0.description = "x" }
            }
        },
        StoreContractCheck("attachIsIdempotentAndDetachingAnUnattachedServerIsRefused") { make in
            let store = try await ContractSeed.world(make)
            _ = try await store.addServer(ContractSeed.stdio("notes"))
            try expectEqual(try await store.attach(server: "notes", to: "eng"), true, "first attach")
            try expectEqual(try await store.attach(server: "notes", to: "eng"), false, "second attach")
            try expectEqual(try await store.endpoint(named: "eng").servers, ["files", "notes"], "servers")
            try await store.detach(server: "notes", from: "eng")
            try await expectError(StoreError.notAttached(endpoint: "eng", server: "notes")) {
                try await store.detach(server: "notes", from: "eng")
            }
        },
        StoreContractCheck("setToolsIsAllOrNothingAndIdempotent") { make in
            let store = try await ContractSeed.world(make)
            try await expectError(StoreError.noSuchTool(endpoint: "eng", tool: "files/missing")) {
                try await store.setTools(endpoint: "eng", tools: ["files/read", "files/missing"], allOf: [], enabled: true)
            }
            try expectEqual(try await store.toolSelections(endpoint: "eng").filter(\.enabled), [], "enabled after a refusal")
            let changed = try await store.setTools(endpoint: "eng", tools: ["files/read"], allOf: [], enabled: true)
            try expectEqual(changed.map(\.tool), ["read"], "changed by enabling")
            try expectEqual(try await store.setTools(endpoint: "eng", tools: ["files/read"], allOf: [], enabled: true), [], "enabling again")
            _ = try await store.addServer(ContractSeed.stdio("notes"))
            try await expectError(StoreError.notAttached(endpoint: "eng", server: "notes")) {
                try await store.setTools(endpoint: "eng", tools: [], allOf: ["notes"], enabled: true)
            }
            let all = try await store.setTools(endpoint: "eng", tools: [], allOf: ["files"], enabled: true)
            try expectEqual(all.map(\.tool), ["write"], "changed by enabling the whole server")
        },
        StoreContractCheck("enabledToolKeepsItsNameWhileItsCatalogChanges") { make in
            let store = try await ContractSeed.world(make)
            let enabled = try await store.setTools(endpoint: "eng", tools: ["files/read"], allOf: [], enabled: true)
            let name = try enabled.first.map(\.exposedName) ?? { throw ContractViolation(message: "nothing enabled", file: #fileID, line: #line) }()
            try await store.replaceCatalog(server: "files", tools: ContractSeed.tools("files", ["write"]), at: ContractSeed.now)
            try expectEqual(try await store.toolSelections(endpoint: "eng").map(\.tool), ["write"], "selections of the new catalog")
            try await store.replaceCatalog(server: "files", tools: ContractSeed.tools("files", ["read", "write"]), at: ContractSeed.now)
            let read = try await store.toolSelections(endpoint: "eng").first { $0.tool == "read" }
            try expectEqual(read?.exposedName, name, "name of the returning tool")
            try expectEqual(read?.enabled, true, "state of the returning tool")
        },
        StoreContractCheck("toolSelectionsAreOrderedByServerThenCatalogAndExposedToolsMatchThem") { make in
            let store = try await ContractSeed.world(make)
            _ = try await store.addServer(ContractSeed.stdio("alpha"))
            try await store.replaceCatalog(server: "alpha", tools: ContractSeed.tools("alpha", ["z", "a"]), at: ContractSeed.now)
            try await store.attach(server: "alpha", to: "eng")
            let selections = try await store.toolSelections(endpoint: "eng")
            try expectEqual(selections.map { "\($0.server)/\($0.tool)" }, ["alpha/z", "alpha/a", "files/read", "files/write"], "order")
            let exposed = try await store.exposedTools(endpoint: "eng")
            try expectEqual(exposed.endpoint.name, "eng", "endpoint")
            try expectEqual(exposed.tools.map(\.exposedName), selections.map(\.exposedName), "exposed names")
            try expectEqual(exposed.tools.map(\.tool.description), ["does z", "does a", "does read", "does write"], "definitions")
        },
        StoreContractCheck("toolsOfAServerWithoutACatalogAreEnabledByNameAndExposedWhenListed") { make in
            let store = try await ContractSeed.world(make)
            _ = try await store.addServer(ContractSeed.http("wiki", credentialMode: .personal))
            _ = try await store.attach(server: "wiki", to: "eng")
            let ahead = try await store.setTools(endpoint: "eng", tools: ["wiki/search", "wiki__page.get"], allOf: [], enabled: true)
            try expectEqual(
                ahead.map { [$0.exposedName, "\($0.enabled)", "\($0.listed)"] },
                [["wiki__search", "true", "false"], ["wiki__page_get", "true", "false"]], "enabled ahead")
            try expectEqual(
                try await store.setTools(endpoint: "eng", tools: ["wiki/search"], allOf: [], enabled: true), [], "enabling again")
            try expectEqual(
                try await store.unlistedEnabledTools(endpoint: "eng").map(\.exposedName), ["wiki__page_get", "wiki__search"],
                "unlisted enabled tools")
            try expectEqual(try await store.exposedTools(endpoint: "eng").tools.filter(\.enabled).count, 0, "exposed before the catalog")
            // Names without a server, or of a server not attached, are still unknown.
            try await expectError(StoreError.noSuchTool(endpoint: "eng", tool: "search")) {
                try await store.setTools(endpoint: "eng", tools: ["search"], allOf: [], enabled: true)
            }
            _ = try await store.addServer(ContractSeed.http("mail", credentialMode: .personal))
            try await expectError(StoreError.noSuchTool(endpoint: "eng", tool: "mail/send")) {
                try await store.setTools(endpoint: "eng", tools: ["mail/send"], allOf: [], enabled: true)
            }
            // The catalog arrives: the tools enabled by name are exposed under their names; the catalog's others are not.
            try await store.replaceCatalog(server: "wiki", tools: ContractSeed.tools("wiki", ["page.get", "search", "edit"]), at: ContractSeed.now)
            let exposed = try await store.exposedTools(endpoint: "eng").tools.filter(\.enabled).map(\.exposedName)
            try expectEqual(exposed, ["wiki__page_get", "wiki__search"], "exposed after the catalog")
            try expectEqual(try await store.unlistedEnabledTools(endpoint: "eng"), [], "unlisted after the catalog")
            // Now that wiki lists its tools, a name it does not list is a typo.
            try await expectError(StoreError.noSuchTool(endpoint: "eng", tool: "wiki/serch")) {
                try await store.setTools(endpoint: "eng", tools: ["wiki/serch"], allOf: [], enabled: true)
            }
        },
        StoreContractCheck("deletingAnEndpointTakesItsGrantsTokensAndAccessList") { make in
            let store = try await ContractSeed.world(make)
            let grant = try await ContractSeed.grant(store, "g1")
            try await ContractSeed.issue(store, grant)
            _ = try await store.allow([.user("alice")], endpoint: "eng")
            try await store.deleteEndpoint(named: "eng")
            try expectEqual(try await store.grants(matching: GrantFilter(includeInactive: true), now: ContractSeed.now), [], "grants")
            try expect(try await store.accessToken(hash: "access-g1", now: ContractSeed.now) == nil, "the access token still works")
            _ = try await store.createEndpoint(Endpoint(name: "eng", createdAt: ContractSeed.now, updatedAt: ContractSeed.now))
            try expectEqual(try await store.access(endpoint: "eng"), EndpointAccess(), "access list of a new endpoint of that name")
            try await expectError(StoreError.notFound(kind: "endpoint", name: "gone")) { try await store.deleteEndpoint(named: "gone") }
        },
    ]
}
