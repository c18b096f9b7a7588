import Foundation
import GRDB
import Testing
@testable import SentinelStore
import SentinelCore

struct StoreGrantTests {
    /// Whole seconds, so dates survive SQLite's millisecond text format unchanged.
    static let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))

    /// alice and bob; endpoints eng and ops; client c1 ("Claude"); grants:
    /// g1 alice/eng active, g2 alice/ops active, g3 bob/eng active, g4 alice/eng expired, g5 bob/ops revoked.
    /// Every grant has one access token `token-<id>`.
    static func prepared(_ store: Store) async throws {
        _ = try await store.addUser(Fixture.user("alice"))
        _ = try await store.addUser(Fixture.user("bob"))
        _ = try await store.createEndpoint(Fixture.endpoint("eng"))
        _ = try await store.createEndpoint(Fixture.endpoint("ops"))
        let now = Self.now
        try await store.pool.write { db in
            try db.execute(
                sql: "INSERT INTO oauth_clients (id, name, kind, created_at) VALUES ('c1', 'Claude', 'dynamic', ?)",
                arguments: [now])
            let rows: [(String, String, String, TimeInterval, TimeInterval, TimeInterval?)] = [
                ("g1", "alice", "eng", -300, 3600, nil),
                ("g2", "alice", "ops", -200, 3600, nil),
                ("g3", "bob", "eng", -100, 3600, nil),
                ("g4", "alice", "eng", -400, -60, nil),
                ("g5", "bob", "ops", -500, 3600, -10),
            ]
            for (id, user, endpoint, created, expires, revoked) in rows {
                try db.execute(
                    sql: """
                        INSERT INTO grants (id, user_id, client_id, endpoint_id, created_at, expires_at, revoked_at)
                        VALUES (?, (SELECT id FROM users WHERE name = ?), 'c1', (SELECT id FROM endpoints WHERE name = ?), ?, ?, ?)
                        """,
                    arguments: [
                        id, user, endpoint, now.addingTimeInterval(created), now.addingTimeInterval(expires),
                        revoked.map { now.addingTimeInterval($0) },
                    ])
                try db.execute(
                    sql: "INSERT INTO tokens (hash, grant_id, kind, expires_at) VALUES (?, ?, 'access', ?)",
                    arguments: ["token-\(id)", id, now.addingTimeInterval(expires)])
            }
        }
    }

    static func ids(_ grants: [Grant]) -> [String] { grants.map(\.id) }

    static func tokens(_ store: Store) async throws -> [String] {
        try await store.pool.read { db in try String.fetchAll(db, sql: "SELECT grant_id FROM tokens ORDER BY grant_id") }
    }

    @Test func grantsAreListedNewestFirstWithTheirParties() async throws {
        try await withStore { store in
            try await Self.prepared(store)
            let active = try await store.grants(matching: GrantFilter(), now: Self.now)
            #expect(Self.ids(active) == ["g3", "g2", "g1"])
            let g1 = try #require(active.last)
            #expect(g1 == Grant(
                id: "g1", user: "alice", clientID: "c1", clientName: "Claude", endpoint: "eng",
                createdAt: Self.now.addingTimeInterval(-300), expiresAt: Self.now.addingTimeInterval(3600)))
        }
    }

    @Test func grantFiltersSelectByUserEndpointIdAndActivity() async throws {
        try await withStore { store in
            try await Self.prepared(store)
            let now = Self.now
            #expect(Self.ids(try await store.grants(matching: GrantFilter(user: "alice"), now: now)) == ["g2", "g1"])
            #expect(Self.ids(try await store.grants(matching: GrantFilter(endpoint: "eng"), now: now)) == ["g3", "g1"])
            #expect(Self.ids(try await store.grants(matching: GrantFilter(user: "alice", endpoint: "eng"), now: now)) == ["g1"])
            #expect(Self.ids(try await store.grants(matching: GrantFilter(includeInactive: true), now: now)) == ["g3", "g2", "g1", "g4", "g5"])
            #expect(Self.ids(try await store.grants(matching: GrantFilter(user: "alice", endpoint: "eng", includeInactive: true), now: now)) == ["g1", "g4"])
            #expect(Self.ids(try await store.grants(matching: GrantFilter(id: "g4"), now: now)) == [])
            #expect(Self.ids(try await store.grants(matching: GrantFilter(id: "g4", includeInactive: true), now: now)) == ["g4"])
            #expect(Self.ids(try await store.grants(matching: GrantFilter(user: "nobody"), now: now)) == [])
            // Later on, g1..g3 have expired too.
            #expect(try await store.grants(matching: GrantFilter(), now: now.addingTimeInterval(7200)).count == 0)
        }
    }

    @Test func revokingRevokesOnlyActiveMatchingGrantsAndDeletesTheirTokens() async throws {
        try await withStore { store in
            try await Self.prepared(store)
            let revokedAt = Self.now.addingTimeInterval(1)
            let revoked = try await store.revokeGrants(matching: GrantFilter(user: "alice", includeInactive: true), now: revokedAt)
            #expect(Self.ids(revoked) == ["g2", "g1"])
            #expect(revoked.allSatisfy { $0.revokedAt == revokedAt })
            #expect(try await Self.tokens(store) == ["g3", "g4", "g5"])

            let all = try await store.grants(matching: GrantFilter(includeInactive: true), now: revokedAt)
            let byID = Dictionary(uniqueKeysWithValues: all.map { ($0.id, $0) })
            #expect(byID["g1"]?.revokedAt == revokedAt)
            #expect(byID["g2"]?.revokedAt == revokedAt)
            #expect(byID["g3"]?.revokedAt == nil)
            #expect(byID["g4"]?.revokedAt == nil)
            #expect(byID["g5"]?.revokedAt == Self.now.addingTimeInterval(-10))
            #expect(Self.ids(try await store.grants(matching: GrantFilter(), now: revokedAt)) == ["g3"])
        }
    }

    @Test func revokingOneGrantById() async throws {
        try await withStore { store in
            try await Self.prepared(store)
            #expect(Self.ids(try await store.revokeGrants(matching: GrantFilter(id: "g3"), now: Self.now)) == ["g3"])
            #expect(try await Self.tokens(store) == ["g1", "g2", "g4", "g5"])
            // Already revoked: nothing more to do, and no error.
            #expect(try await store.revokeGrants(matching: GrantFilter(id: "g5"), now: Self.now).count == 0)
            #expect(try await store.revokeGrants(matching: GrantFilter(endpoint: "ops"), now: Self.now).map(\.id) == ["g2"])
        }
    }

    @Test func revokingForAnUnknownUserEndpointOrIdIsAnError() async throws {
        try await withStore { store in
            try await Self.prepared(store)
            await #expect(throws: StoreError.notFound(kind: "user", name: "carol")) {
                try await store.revokeGrants(matching: GrantFilter(user: "carol"), now: Self.now)
            }
            await #expect(throws: StoreError.notFound(kind: "endpoint", name: "sales")) {
                try await store.revokeGrants(matching: GrantFilter(endpoint: "sales"), now: Self.now)
            }
            await #expect(throws: StoreError.notFound(kind: "session", name: "g9")) {
                try await store.revokeGrants(matching: GrantFilter(id: "g9"), now: Self.now)
            }
            #expect(try await Self.tokens(store) == ["g1", "g2", "g3", "g4", "g5"])
        }
    }

    @Test func removingAUserRemovesTheirGrants() async throws {
        try await withStore { store in
            try await Self.prepared(store)
            try await store.removeUser(named: "bob")
            #expect(Self.ids(try await store.grants(matching: GrantFilter(includeInactive: true), now: Self.now)) == ["g2", "g1", "g4"])
            #expect(try await Self.tokens(store) == ["g1", "g2", "g4"])
        }
    }

    @Test func deletingAnEndpointRemovesItsGrantsAndTokens() async throws {
        try await withStore { store in
            try await Self.prepared(store)
            try await store.deleteEndpoint(named: "eng")
            #expect(Self.ids(try await store.grants(matching: GrantFilter(includeInactive: true), now: Self.now)) == ["g2", "g5"])
            #expect(try await Self.tokens(store) == ["g2", "g5"])
        }
    }

    @Test func countsReportServersEndpointsUsersAndActiveGrants() async throws {
        try await withStore { store in
            #expect(try await store.counts() == StoreCounts(servers: 0, endpoints: 0, users: 0, activeGrants: 0))
            try await Self.prepared(store)
            _ = try await store.addServer(Fixture.stdio("files"))
            #expect(try await store.counts() == StoreCounts(servers: 1, endpoints: 2, users: 2, activeGrants: 3))
        }
    }
}
