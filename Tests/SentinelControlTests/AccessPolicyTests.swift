import Foundation
import SentinelControl
import SentinelCore
import SentinelStore
import SentinelVarlink
import Testing

struct AccessPolicyTests {
    static let stranger = VarlinkPeer(uid: 12345, gid: 12345, pid: 555, groups: [])

    @Test func refusedPeerGetsPermissionDeniedIsAuditedAndChangesNothing() async throws {
        try await withHarness { harness in
            let error = await harness.callError("AddServer", ["server": .object(stdioSpec)], peer: Self.stranger)
            #expect(error == .permissionDenied)
            let readError = await harness.callError("ListServers", peer: Self.stranger)
            #expect(readError == .permissionDenied)

            let events = harness.audit.events
            #expect(events.map(\.kind) == [.controlDenied, .controlDenied])
            #expect(events.first?.kind.rawValue == "control-denied")
            #expect(events.first?.fields[.action] == "AddServer")
            #expect(events.first?.fields[.peerUID] == "12345")
            #expect(events.first?.fields[.peerPID] == "555")
            #expect(!harness.audit.journalText.contains { $0.contains("hunter2") })
            let servers = try await harness.store.servers()
            #expect(servers.isEmpty)
        }
    }

    @Test func supplementaryGroupMemberIsAllowed() async throws {
        try await withHarness { harness in
            let member = VarlinkPeer(uid: 12345, gid: 12345, pid: 556, groups: [100, 777])
            let reply = try await harness.call("AddServer", ["server": .object(stdioSpec)], peer: member)
            #expect(reply["server"]?["name"] == "files")
            #expect(try await harness.store.server(named: "files").command == ["/usr/bin/mcp-files", "--root", "/srv"])
            #expect(harness.audit.events.map(\.kind) == [.configChanged])
        }
    }

    @Test func policyAdmitsRootTheDaemonUserAndTheGroup() {
        let policy = ControlAccessPolicy(daemonUID: 999, groupID: 777)
        #expect(policy.permits(VarlinkPeer(uid: 0, gid: 0, pid: 1, groups: [])))
        #expect(policy.permits(VarlinkPeer(uid: 999, gid: 999, pid: 1, groups: [])))
        #expect(policy.permits(VarlinkPeer(uid: 1000, gid: 777, pid: 1, groups: [])))
        #expect(policy.permits(VarlinkPeer(uid: 1000, gid: 1000, pid: 1, groups: [777])))
        #expect(!policy.permits(VarlinkPeer(uid: 1000, gid: 1000, pid: 1, groups: [776, 778])))
        let withoutGroup = ControlAccessPolicy(daemonUID: 999, groupID: nil)
        #expect(!withoutGroup.permits(VarlinkPeer(uid: 1000, gid: 777, pid: 1, groups: [777])))
        #expect(withoutGroup.permits(VarlinkPeer(uid: 0, gid: 0, pid: 1, groups: [])))
    }
}
