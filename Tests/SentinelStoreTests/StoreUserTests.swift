import Foundation
import Testing
@testable import SentinelStore
import SentinelCore

struct StoreUserTests {
    @Test func usersAreAddedListedGivenPasswordsAndRemoved() async throws {
        try await withStore { store in
            let bob = try await store.addUser(Fixture.user("bob"))
            _ = try await store.addUser(Fixture.user("alice"))
            #expect(bob == Fixture.user("bob"))
            #expect(try await store.users().map(\.name) == ["alice", "bob"])
            #expect(try await store.user(named: "bob").passwordHash == nil)

            try await store.setPasswordHash(user: "bob", hash: "$scrypt$test")
            let updated = try await store.user(named: "bob")
            #expect(updated.passwordHash == "$scrypt$test")
            #expect(updated.updatedAt > bob.updatedAt)
            #expect(updated.displayName == "Bob")

            try await store.removeUser(named: "bob")
            #expect(try await store.users().map(\.name) == ["alice"])
        }
    }

    @Test func duplicateBadOrMissingUsersAreRefused() async throws {
        try await withStore { store in
            _ = try await store.addUser(Fixture.user("alice"))
            await #expect(throws: StoreError.alreadyExists(kind: "user", name: "alice")) {
                try await store.addUser(Fixture.user("alice"))
            }
            let error = await #expect(throws: StoreError.self) { try await store.addUser(Fixture.user("Not Valid")) }
            if case .invalid(let field, _)? = error {
                #expect(field == "name")
            } else {
                Issue.record("expected invalid(name), got \(String(describing: error))")
            }
            await #expect(throws: StoreError.notFound(kind: "user", name: "carol")) {
                try await store.setPasswordHash(user: "carol", hash: "x")
            }
            await #expect(throws: StoreError.notFound(kind: "user", name: "carol")) {
                try await store.removeUser(named: "carol")
            }
            await #expect(throws: StoreError.notFound(kind: "user", name: "carol")) {
                try await store.user(named: "carol")
            }
        }
    }
}
