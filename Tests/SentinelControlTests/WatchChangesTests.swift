import Foundation
@testable import SentinelControl
import SentinelCore
import SentinelVarlink
import Testing

/// `WatchChanges` replies are derived from typed events; their wire names must not change.
struct WatchChangesTests {
    static let time = Date(timeIntervalSince1970: 1_800_000_000)

    static func wire(_ event: ChangeEvent, origin: ChangeOrigin = .peer(uid: 1000, pid: 42)) -> [[String: JSONValue]] {
        ManagerInterface.watchReplies(ControlChange(time: time, origin: origin, event: event)).map { reply in
            #expect(reply.continues)
            return reply.parameters["change"]?.objectValue ?? [:]
        }
    }

    @Test func aChangeShowsItsActionObjectNameAndCaller() {
        #expect(
            Self.wire(.toolsSelected(endpoint: "eng", tools: [ToolReference(server: "fs", tool: "read")], enabled: false)) == [
                [
                    "time": "2027-01-15T08:00:00Z", "action": "endpoint-disable-tools", "object": "endpoint", "name": "eng",
                    "uid": 1000, "pid": 42,
                ]
            ])
    }

    @Test func theDaemonsOwnChangesShowUIDAndPIDZero() {
        let change = Self.wire(.catalogRefreshed(server: "fs"), origin: .daemon).first ?? [:]
        #expect(change["action"] == "server-catalog-refreshed" && change["object"] == "server" && change["name"] == "fs")
        #expect(change["uid"] == 0 && change["pid"] == 0)
    }

    @Test func aRevocationOfSeveralGrantsShowsOneChangePerGrant() {
        let changes = Self.wire(.grantsRevoked(grantIDs: ["g1", "g2"]))
        #expect(changes.map { [$0["action"], $0["object"], $0["name"]] } == [
            ["session-revoke", "session", "g1"], ["session-revoke", "session", "g2"],
        ])
    }

    @Test func aWatcherReceivesWhatTheControlPlaneChanges() async throws {
        try await withHarness { harness in
            let call = VarlinkCall(method: ControlHarness.prefix + "WatchChanges", parameters: [:], more: true)
            guard case .stream(let stream) = try await harness.manager.handle(call, peer: ControlHarness.admin) else {
                Issue.record("WatchChanges did not stream"); return
            }
            _ = try await harness.call("AddUser", ["name": "carol"])
            var replies = stream.makeAsyncIterator()
            let change = try #require(try await replies.next()).parameters["change"]?.objectValue
            #expect(change?["action"] == "user-add" && change?["object"] == "user" && change?["name"] == "carol")
            #expect(change?["uid"] == .int(Int64(ControlHarness.admin.uid)) && change?["pid"] == .int(Int64(ControlHarness.admin.pid)))
        }
    }
}
