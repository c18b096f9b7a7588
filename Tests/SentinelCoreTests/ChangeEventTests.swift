import Foundation
import SentinelCore
import Testing

struct ChangeEventTests {
    /// One of every case, with what each carries.
    static let everyEvent: [ChangeEvent] = [
        .userAdded(user: "alice"), .userUpdated(user: "alice"), .userRemoved(user: "alice"), .passwordChanged(user: "alice"),
        .serverAdded(server: "fs"), .serverUpdated(server: "fs"), .serverRemoved(server: "fs"),
        .serverRefreshRequested(server: "fs"), .serverSignInStarted(server: "fs"), .catalogRefreshed(server: "fs"),
        .endpointCreated(endpoint: "eng"), .endpointUpdated(endpoint: "eng"), .endpointDeleted(endpoint: "eng"),
        .serverAttached(endpoint: "eng", server: "fs"), .serverDetached(endpoint: "eng", server: "fs"),
        .toolsSelected(endpoint: "eng", tools: [ToolReference(server: "fs", tool: "read")], enabled: true),
        .promptsSelected(endpoint: "eng", prompts: [PromptReference(server: "fs", prompt: "review")], enabled: true),
        .resourcesSelected(endpoint: "eng", rules: [ResourceRule(endpoint: "eng", server: "fs", prefix: "file:///")], enabled: true),
        .accessAllowed(endpoint: "eng", users: ["alice"], groups: ["dev"]),
        .accessDenied(endpoint: "eng", users: [], groups: ["dev"]),
        .grantsRevoked(grantIDs: ["g1", "g2"]), .secretKeyRotated,
    ]

    @Test func aChangeSurvivesAJSONRoundTrip() throws {
        let origins: [ChangeOrigin] = [.daemon, .peer(uid: 1000, pid: 4242)]
        for (index, event) in Self.everyEvent.enumerated() {
            let change = ControlChange(
                time: Date(timeIntervalSince1970: 1_800_000_000), origin: origins[index % 2], event: event)
            let decoded = try JSONDecoder().decode(ControlChange.self, from: JSONEncoder().encode(change))
            #expect(decoded == change)
        }
    }

    @Test func everyKindOfChangeHasItsOwnActionNamedAfterItsObject() {
        let summaries = (Self.everyEvent + [
            .toolsSelected(endpoint: "eng", tools: [], enabled: false), .promptsSelected(endpoint: "eng", prompts: [], enabled: false),
            .resourcesSelected(endpoint: "eng", rules: [], enabled: false),
        ]).map(\.summary)
        #expect(Set(summaries.map(\.action)).count == summaries.count)
        for summary in summaries where summary.object != .daemon {
            #expect(summary.action.hasPrefix(summary.object.rawValue + "-"), "\(summary)")
        }
    }

    @Test func theAuditFieldsNameTheObjectAndWhatTheEventCarries() {
        #expect(ChangeEvent.userAdded(user: "alice").auditFields == [.action: "user-add", .object: "user", .user: "alice"])
        #expect(
            ChangeEvent.serverAttached(endpoint: "eng", server: "fs").auditFields
                == [.action: "endpoint-attach", .object: "endpoint", .endpoint: "eng", .server: "fs"])
        #expect(
            ChangeEvent.toolsSelected(
                endpoint: "eng", tools: [ToolReference(server: "fs", tool: "read"), ToolReference(server: "fs", tool: "write")],
                enabled: true
            ).auditFields == [.action: "endpoint-enable-tools", .object: "endpoint", .endpoint: "eng", .tools: "fs/read fs/write"])
        #expect(
            ChangeEvent.resourcesSelected(
                endpoint: "eng", rules: [ResourceRule(endpoint: "eng", server: "fs"), ResourceRule(endpoint: "eng", server: "ui", prefix: "ui://board/")],
                enabled: false
            ).auditFields == [
                .action: "endpoint-disable-resources", .object: "endpoint", .endpoint: "eng", .resourceRules: "fs+ ui://ui+board/",
            ])
        #expect(
            ChangeEvent.secretKeyRotated.auditFields == [.action: "secret-key-rotate", .object: "daemon", .daemon: "secret-key"])
    }

    @Test func aRevocationIsOneSummaryPerGrant() {
        #expect(
            ChangeEvent.grantsRevoked(grantIDs: ["g1", "g2"]).summaries == [
                ChangeSummary(action: "session-revoke", object: .session, name: "g1"),
                ChangeSummary(action: "session-revoke", object: .session, name: "g2"),
            ])
        #expect(ChangeEvent.grantsRevoked(grantIDs: []).summaries.isEmpty)
    }
}
