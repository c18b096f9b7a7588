import Testing
@testable import SentinelSystemd

@Suite struct JournalWriterTests {
    @Test(arguments: ["MESSAGE", "SENTINEL_EVENT", "A", "X1_", "CODE_LINE", String(repeating: "A", count: 64)])
    func acceptsUpperCaseFieldNames(_ name: String) {
        #expect(JournalWriter.isValidFieldName(name))
    }

    @Test(arguments: [
        "", "_PID", "__CURSOR", "message", "Sentinel_Event", "1ABC", "SENTINEL-EVENT", "A B", "ÄB", "A=B",
        String(repeating: "A", count: 65),
    ])
    func rejectsFieldNamesJournaldWouldDrop(_ name: String) {
        #expect(!JournalWriter.isValidFieldName(name))
    }

    @Test func sendRejectsInvalidFieldNameBeforeSending() {
        #expect(throws: JournalError.invalidFieldName("lower")) {
            try JournalWriter().send([("MESSAGE", "hi"), ("lower", "x")])
        }
    }

    @Test func sendRejectsEmptyEntry() {
        #expect(throws: JournalError.sendFailed(errno: 22)) {
            try JournalWriter().send([])
        }
    }

    @Test func errorDescriptionCarriesErrnoAndSystemText() {
        let error = JournalError.openFailed(directory: "/nowhere", errno: 2)
        #expect(error.errno == 2)
        #expect(error.systemErrorMessage == "No such file or directory")
        #expect(error.description == "cannot open the journal in /nowhere: No such file or directory (errno 2)")
        #expect(JournalError.invalidFieldName("x").errno == nil)
    }
}
