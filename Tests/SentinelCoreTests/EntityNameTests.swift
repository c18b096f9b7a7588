import Testing
import SentinelCore

struct EntityNameTests {
    @Test(arguments: ["a", "github", "gh-2", "a1-b2-c3", String(repeating: "a", count: 48)])
    func acceptableServerAndEndpointNames(name: String) {
        #expect(EntityName.problem(with: name, kind: .server) == nil)
        #expect(EntityName.problem(with: name, kind: .endpoint) == nil)
    }

    @Test(arguments: [
        "", String(repeating: "a", count: 49), "GitHub", "1abc", "-abc", "a_b", "a.b", "a b", "abc-", "a--b", "é",
        "a/b",
    ])
    func refusedServerAndEndpointNames(name: String) {
        #expect(EntityName.problem(with: name, kind: .server) != nil)
        #expect(EntityName.problem(with: name, kind: .endpoint) != nil)
    }

    @Test(arguments: ["alice", "_svc", "alice.smith", "a-b_c", "alice@example.org", "u1", String(repeating: "u", count: 64)])
    func acceptableUserAndGroupNames(name: String) {
        #expect(EntityName.problem(with: name, kind: .user) == nil)
        #expect(EntityName.problem(with: name, kind: .group) == nil)
    }

    @Test(arguments: ["", String(repeating: "u", count: 65), "Alice", "1alice", ".alice", "al ice", "al:ice", "al/ice"])
    func refusedUserAndGroupNames(name: String) {
        #expect(EntityName.problem(with: name, kind: .user) != nil)
        #expect(EntityName.problem(with: name, kind: .group) != nil)
    }

    @Test func reasonsNameTheRule() {
        #expect(EntityName.problem(with: "", kind: .server) == "must be 1 to 48 characters")
        #expect(EntityName.problem(with: "9", kind: .endpoint) == "must start with a lower-case letter")
        #expect(EntityName.problem(with: "a--b", kind: .server) == "may not end with '-' or contain '--'")
    }
}
