import Testing
import SentinelCore

struct AuditEventTests {
    @Test func messageIDsAreDistinct128BitLowerCaseHex() {
        let ids = AuditEventKind.allCases.map(\.messageID)
        #expect(Set(ids).count == ids.count)
        for id in ids {
            #expect(id.utf8.count == 32, "\(id)")
            #expect(id.unicodeScalars.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) }, "\(id)")
        }
    }

    @Test func kindIsFoundByItsMessageID() {
        for kind in AuditEventKind.allCases {
            #expect(AuditEventKind(messageID: kind.messageID) == kind)
        }
        #expect(AuditEventKind(messageID: "00000000000000000000000000000000") == nil)
        #expect(AuditEventKind(messageID: AuditEventKind.toolCall.messageID.uppercased()) == nil)
    }

    @Test func denialsAreNoticesAndTheRestInformational() {
        #expect(AuditEventKind.toolDenied.priority == 5)
        #expect(AuditEventKind.controlDenied.priority == 5)
        #expect(AuditEventKind.signInFailed.priority == 5)
        #expect(AuditEventKind.toolCall.priority == 6)
        #expect(AuditEventKind.configChanged.priority == 6)
    }

    @Test func journalFieldsComeInAFixedOrderWithSentinelPrefixes() {
        let event = AuditEvent(
            kind: .toolCall, message: "tool called",
            fields: [.tool: "search", .endpoint: "eng", .user: "alice", .durationMicroseconds: "1200"])
        let fields = event.journalFields(identifier: "sentineld")
        #expect(fields.map(\.0) == [
            "MESSAGE", "MESSAGE_ID", "PRIORITY", "SYSLOG_IDENTIFIER", "SENTINEL_EVENT",
            "SENTINEL_DURATION_US", "SENTINEL_ENDPOINT", "SENTINEL_TOOL", "SENTINEL_USER",
        ])
        #expect(fields.map(\.1) == [
            "tool called", AuditEventKind.toolCall.messageID, "6", "sentineld", "tool-call", "1200", "eng", "search", "alice",
        ])
    }

    @Test func eventWithoutFieldsHasOnlyTheFixedOnes() {
        let fields = AuditEvent(kind: .daemonStopping, message: "bye").journalFields(identifier: "x")
        #expect(fields.count == 5)
        #expect(fields.last?.0 == "SENTINEL_EVENT")
        #expect(fields.last?.1 == "daemon-stopping")
    }

    @Test func fieldNamesAreDistinctValidJournalFieldNames() {
        let names = AuditField.allCases.map(\.journalName)
        #expect(Set(names).count == names.count)
        for name in names {
            // journald: upper-case letters, digits and underscores, not starting with a digit or "_", at most 64 bytes.
            #expect(name.utf8.count <= 64, "\(name)")
            #expect(name.utf8.allSatisfy { ("A"..."Z").contains(UnicodeScalar($0)) || ("0"..."9").contains(UnicodeScalar($0)) || $0 == UInt8(ascii: "_") }, "\(name)")
        }
        #expect(!AuditField.allCases.contains { $0.rawValue == "EVENT" }, "SENTINEL_EVENT belongs to AuditEventKind")
    }
}
