import Foundation
import Testing
@testable import SentinelStore
import SentinelCore

struct StoreEndpointTests {
    @Test func endpointIsCreatedWithItsServersSorted() async throws {
        try await withStore { store in
            _ = try await store.addServer(Fixture.stdio("zeta"))
            _ = try await store.addServer(Fixture.stdio("alpha"))
            var spec = Fixture.endpoint("eng", servers: ["zeta", "alpha", "zeta"])
            spec.description = "engineering"
            spec.auth = .none
            spec.capturePayloads = true
            let created = try await store.createEndpoint(spec)
            #expect(created.servers == ["alpha", "zeta"])
            #expect(created.description == "engineering")
            #expect(created.auth == .none)
            #expect(created.capturePayloads)
            #expect(try await store.endpoint(named: "eng") == created)
            #expect(try await store.endpoints().map(\.name) == ["eng"])
        }
    }

    @Test func endpointWithAnUnknownServerIsNotCreated() async throws {
        try await withStore { store in
            _ = try await store.addServer(Fixture.stdio("files"))
            await #expect(throws: StoreError.notFound(kind: "server", name: "ghost")) {
                try await store.createEndpoint(Fixture.endpoint("eng", servers: ["files", "ghost"]))
            }
            #expect(try await store.endpoints().count == 0)
        }
    }

    @Test func duplicateOrBadEndpointNamesAreRefused() async throws {
        try await withStore { store in
            _ = try await store.createEndpoint(Fixture.endpoint("eng"))
            await #expect(throws: StoreError.alreadyExists(kind: "endpoint", name: "eng")) {
                try await store.createEndpoint(Fixture.endpoint("eng"))
            }
            let error = await #expect(throws: StoreError.self) {
                try await store.createEndpoint(Fixture.endpoint("Eng Team"))
            }
            guard case .invalid(let field, _)? = error else {
                Issue.record("expected invalid(name), got \(String(describing: error))")
                return
            }
            #expect(field == "name")
        }
    }

    @Test func attachIsIdempotentAndDetachRequiresAnAttachment() async throws {
        try await withStore { store in
            _ = try await store.addServer(Fixture.stdio("files"))
            _ = try await store.createEndpoint(Fixture.endpoint("eng"))

            #expect(try await store.attach(server: "files", to: "eng"))
            #expect(try await store.attach(server: "files", to: "eng") == false)
            #expect(try await store.endpoint(named: "eng").servers == ["files"])

            try await store.detach(server: "files", from: "eng")
            #expect(try await store.endpoint(named: "eng").servers == [])
            await #expect(throws: StoreError.notAttached(endpoint: "eng", server: "files")) {
                try await store.detach(server: "files", from: "eng")
            }
        }
    }

    @Test func attachAndDetachNameTheMissingObject() async throws {
        try await withStore { store in
            _ = try await store.addServer(Fixture.stdio("files"))
            _ = try await store.createEndpoint(Fixture.endpoint("eng"))
            await #expect(throws: StoreError.notFound(kind: "endpoint", name: "ops")) {
                try await store.attach(server: "files", to: "ops")
            }
            await #expect(throws: StoreError.notFound(kind: "server", name: "ghost")) {
                try await store.attach(server: "ghost", to: "eng")
            }
            await #expect(throws: StoreError.notFound(kind: "server", name: "ghost")) {
                try await store.detach(server: "ghost", from: "eng")
            }
        }
    }

    @Test func endpointIsUpdatedAndDeleted() async throws {
        try await withStore { store in
            let created = try await store.createEndpoint(Fixture.endpoint("eng"))
            let updated = try await store.updateEndpoint(named: "eng") { endpoint in
                endpoint.description = "new"
                endpoint.capturePayloads = true
            }
            #expect(updated.description == "new")
            #expect(updated.updatedAt > created.updatedAt)
            let reread = try await store.endpoint(named: "eng")
            #expect(reread.description == "new")
            #expect(reread.capturePayloads)
            #expect(reread.auth == .oauth)

            try await store.deleteEndpoint(named: "eng")
            await #expect(throws: StoreError.notFound(kind: "endpoint", name: "eng")) {
                try await store.endpoint(named: "eng")
            }
            await #expect(throws: StoreError.notFound(kind: "endpoint", name: "eng")) {
                try await store.deleteEndpoint(named: "eng")
            }
        }
    }
}
