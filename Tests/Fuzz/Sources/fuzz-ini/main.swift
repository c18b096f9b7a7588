// Fuzzes INIFile, the parser of sentineld.conf.
//
// Invariants:
// - Parse → print → parse gives the same assignments (section, key, value). The printer writes one
//   `[Section]` line per change of section and `Key=Value` lines with CRLF endings (so a value that ends in
//   "\r" keeps it); a value that ends in a backslash gets a trailing space, which the parser trims, since a
//   line that ends in a backslash continues on the next one (as in systemd unit files).
// - Every assignment's line number lies within the text.
// - Without any "\r" in the text, CRLF line endings mean the same as LF ones (same assignments or same error).
import FuzzDriver
import SentinelCore

struct Triple: Equatable {
    var section: String, key: String, value: String
}

func triples(_ file: INIFile) -> [Triple] {
    file.assignments.map { Triple(section: $0.section, key: $0.key, value: $0.value) }
}

func printed(_ file: INIFile) -> String {
    var text = ""
    var section: String?
    for assignment in file.assignments {
        if assignment.section != section {
            text += "[\(assignment.section)]\r\n"
            section = assignment.section
        }
        text += "\(assignment.key)=\(assignment.value)\(assignment.value.hasSuffix("\\") ? " " : "")\r\n"
    }
    return text
}

func outcome(_ text: String) -> Result<[Triple], ConfigurationError> {
    Result { () throws(ConfigurationError) in triples(try INIFile(parsing: text, file: "fuzz.conf")) }
}

/// The text with every LF preceded by a CR.
func crlf(_ text: String) -> String {
    var scalars = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
        if scalar == "\n" { scalars.append("\r") }
        scalars.append(scalar)
    }
    return String(scalars)
}

func check(_ bytes: [UInt8]) {
    let text = String(decoding: bytes, as: UTF8.self)
    let parsed: INIFile
    do {
        parsed = try INIFile(parsing: text, file: "fuzz.conf")
    } catch {
        invariant(error.file == "fuzz.conf", "an error names another file")
        if !text.unicodeScalars.contains("\r") {
            guard case .failure = outcome(crlf(text)) else {
                invariantFailure("CRLF text parses where LF text does not")
            }
        }
        return
    }
    let lineCount = text.unicodeScalars.filter { $0 == "\n" }.count + 1
    for assignment in parsed.assignments {
        invariant((1...lineCount).contains(assignment.line), "a line number outside the text")
        invariant(!assignment.key.isEmpty, "an empty key")
    }
    let reprinted = printed(parsed)
    guard case .success(let again) = outcome(reprinted) else {
        invariantFailure("the printed assignments do not parse:\n\(reprinted.debugDescription)")
    }
    invariant(again == triples(parsed), "parse → print → parse changed the assignments:\n\(reprinted.debugDescription)")
    if !text.unicodeScalars.contains("\r") {
        guard case .success(let withCRLF) = outcome(crlf(text)) else {
            invariantFailure("LF text parses where CRLF text does not")
        }
        invariant(withCRLF == triples(parsed), "CRLF line endings change the assignments")
    }
}

Fuzz.run(check)
