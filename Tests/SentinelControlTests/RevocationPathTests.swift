import Foundation
import SentinelControl
import SentinelCore
import SentinelStore
import SentinelVarlink
import Testing

/// Every control method that ends grants hands their ids to the one revocation path.
struct RevocationPathTests {
    /// Users a and b, endpoint e open to group g, a in g, and grants a1 (a on e) and b1 (b on e).
    static func withGrants(_ body: (ControlHarness) async throws -> Void) async throws {
        try await withHarness { harness in
            _ = try await harness.call("CreateEndpoint", ["name": "e"])
            _ = try await harness.call("AddUser", ["name": "a", "groups": ["g"]])
            _ = try await harness.call("AddUser", ["name": "b"])
            _ = try await harness.call("AllowAccess", ["endpoint": "e", "users": ["b"], "groups": ["g"]])
            try await harness.insertGrant(id: "a1", user: "a", endpoint: "e")
            try await harness.insertGrant(id: "b1", user: "b", endpoint: "e")
            try await body(harness)
        }
    }

    @Test func revokeSessionHandsOverTheRevokedGrant() async throws {
        try await Self.withGrants { harness in
            _ = try await harness.call("RevokeSession", ["id": "a1"])
            #expect(harness.revocations.calls == [["a1"]])
        }
    }

    @Test func removingAUserRevokesItsGrants() async throws {
        try await Self.withGrants { harness in
            _ = try await harness.call("RemoveUser", ["name": "b"])
            #expect(harness.revocations.calls == [["b1"]])
        }
    }

    @Test func leavingTheGroupThatAdmittedAUserRevokesItsGrants() async throws {
        try await Self.withGrants { harness in
            _ = try await harness.call("UpdateUser", ["name": "a", "remove_groups": ["g"]])
            #expect(harness.revocations.calls == [["a1"]])
        }
    }

    @Test func denyingAccessRevokesTheDeniedGrants() async throws {
        try await Self.withGrants { harness in
            _ = try await harness.call("DenyAccess", ["endpoint": "e", "users": ["b"]])
            #expect(harness.revocations.calls == [["b1"]])
        }
    }

    @Test func deletingAnEndpointRevokesEveryGrantOnIt() async throws {
        try await Self.withGrants { harness in
            _ = try await harness.call("DeleteEndpoint", ["name": "e"])
            #expect(harness.revocations.calls.map(Set.init) == [["a1", "b1"]])
        }
    }
}
