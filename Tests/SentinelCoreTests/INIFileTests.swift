import Testing
@testable import SentinelCore

struct INIFileTests {
    @Test func sectionsKeysAndValuesAreReadWithTheirLines() throws {
        let text = """
            [HTTP]
            Listen = 127.0.0.1:9000
            PublicURL=https://mcp.example.org

            [Log]
            Level=debug
            """
        let file = try INIFile(parsing: text, file: "sentineld.conf")
        #expect(
            file.assignments == [
                .init(section: "HTTP", key: "Listen", value: "127.0.0.1:9000", file: "sentineld.conf", line: 2),
                .init(section: "HTTP", key: "PublicURL", value: "https://mcp.example.org", file: "sentineld.conf", line: 3),
                .init(section: "Log", key: "Level", value: "debug", file: "sentineld.conf", line: 6),
            ])
    }

    @Test func commentsAndBlankLinesAreIgnoredButCounted() throws {
        let text = """
            # a comment
            ; another comment
               # indented comment

            [Log]
            \t
            ;Level=trace
            Level=error
            """
        let file = try INIFile(parsing: text, file: "f")
        #expect(file.assignments.map(\.key) == ["Level"])
        #expect(file.assignments.first?.value == "error")
        #expect(file.assignments.first?.line == 8)
    }

    @Test func valueMayContainEqualsSigns() throws {
        let file = try INIFile(parsing: "[A]\nKey=a=b=c\n", file: "f")
        #expect(file.assignments.first?.key == "Key")
        #expect(file.assignments.first?.value == "a=b=c")
    }

    @Test func emptyValueIsKept() throws {
        let file = try INIFile(parsing: "[A]\nKey=\n", file: "f")
        #expect(file.assignments.first?.value == "")
    }

    @Test func trailingBackslashJoinsTheNextLineAndReportsTheFirstLine() throws {
        let text = "[Log]\nLevel=deb\\\nug\nTarget=stderr\n"
        let file = try INIFile(parsing: text, file: "f")
        #expect(file.assignments.count == 2)
        #expect(file.assignments.first?.value == "deb ug")
        #expect(file.assignments.first?.line == 2)
        #expect(file.assignments.last?.line == 4)
    }

    @Test func commentLinesInsideAContinuationAreSkipped() throws {
        // systemd.syntax(7): the continued line goes on after the comment block.
        let text = "[Log]\nLevel=deb\\\n# a comment\n; another\nug\n\\\n;=\nTarget=stderr\n"
        let file = try INIFile(parsing: text, file: "f")
        #expect(file.assignments.map(\.key) == ["Level", "Target"])
        #expect(file.assignments.first?.value == "deb ug")
    }

    @Test func aValueMayStartWithACombiningMark() throws {
        // "=" followed by U+0301 is one Character; the parser reads scalars.
        let file = try INIFile(parsing: "[A]\nKey=\u{301}x\n[B\u{301}]\nK=v\n", file: "f")
        #expect(file.assignments.map(\.value) == ["\u{301}x", "v"])
        #expect(file.assignments.last?.section == "B\u{301}")
    }

    @Test func continuationAtEndOfFileIsAnError() {
        #expect(throws: ConfigurationError.self) {
            try INIFile(parsing: "[Log]\nLevel=info\\", file: "f")
        }
    }

    @Test func crlfLineEndingsAreAccepted() throws {
        let text = "[HTTP]\r\nListen=127.0.0.1:9000\r\n\r\n[Log]\r\nLevel=debug\r\n"
        let file = try INIFile(parsing: text, file: "f")
        #expect(file.assignments.map(\.section) == ["HTTP", "Log"])
        #expect(file.assignments.map(\.key) == ["Listen", "Level"])
        #expect(file.assignments.map(\.value) == ["127.0.0.1:9000", "debug"])
        #expect(file.assignments.map(\.line) == [2, 5])
    }

    /// A CRLF file that starts with a comment must not be read as one long comment and silently ignored.
    @Test func crlfFileStartingWithACommentIsNotSilentlyIgnored() throws {
        let file = try INIFile(parsing: "# written on Windows\r\n[Log]\r\nLevel=debug\r\n", file: "f")
        #expect(file.assignments.map(\.value) == ["debug"])
    }

    @Test(arguments: [
        ("[HTTP]\n[Log\nLevel=info\n", 2, "malformed section header"),
        ("[HTTP]\n[]\n", 2, "malformed section header"),
        ("[HTTP]\nListen 127.0.0.1:1\n", 2, "expected Key=Value"),
        ("# header\n\nLevel=info\n[Log]\n", 3, "outside of a [Section]"),
        ("[Log]\n=info\n", 2, "empty key"),
    ])
    func malformedLinesAreReportedWithFileAndLine(text: String, line: Int, fragment: String) {
        do throws(ConfigurationError) {
            _ = try INIFile(parsing: text, file: "/etc/sentinel/sentineld.conf")
            Issue.record("expected an error for \(text.debugDescription)")
        } catch {
            #expect(error.file == "/etc/sentinel/sentineld.conf")
            #expect(error.line == line)
            #expect(error.message.contains(fragment), "\(error.message)")
            #expect(error.description.hasPrefix("/etc/sentinel/sentineld.conf:\(line): "))
        }
    }

    @Test func errorWithoutLineHasNoLineInItsDescription() {
        let error = ConfigurationError(file: "--listen", line: nil, message: "bad")
        #expect(error.description == "--listen: bad")
    }
}
