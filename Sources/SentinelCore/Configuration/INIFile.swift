/// A parsed systemd-style INI file: `[Section]` headers and `Key=Value` lines.
///
/// Comments start with `#` or `;` at the beginning of a line. Values are
/// trimmed; a trailing backslash joins the next line, as in systemd unit files
/// (comment lines in between are skipped).
public struct INIFile: Sendable, Equatable {
    /// One assignment, with the place it came from for error messages.
    public struct Assignment: Sendable, Equatable {
        public var section: String
        public var key: String
        public var value: String
        public var file: String
        public var line: Int
    }

    public var assignments: [Assignment]

    /// Parses `text`; `file` names the source in errors.
    public init(parsing text: String, file: String) throws(ConfigurationError) {
        assignments = []
        var section: String?
        var pending = ""
        var pendingLine = 0
        var lineNumber = 0
        // Scalars, not Characters, throughout: "\r\n" is one Character, and so is "=" followed by a combining
        // mark, which would hide the "=" of `Key=\u{301}…` (found by fuzzing).
        for rawLine in text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = String.UnicodeScalarView(rawLine)
            if line.last == "\r" { line.removeLast() }
            let trimmed = String(line).trimmingWhitespace().unicodeScalars
            if pending.isEmpty {
                pendingLine = lineNumber
                if trimmed.isEmpty || trimmed.first == "#" || trimmed.first == ";" { continue }
            } else if trimmed.first == "#" || trimmed.first == ";" {
                // As in systemd: comment lines after a line ending in a backslash are skipped, and the
                // continued line goes on after them (found by fuzzing: they became part of the line).
                continue
            }
            if line.last == "\\" {
                line.removeLast()
                pending += String(line) + " "
                continue
            }
            let full = (pending + String(line)).trimmingWhitespace()
            let scalars = full.unicodeScalars
            pending = ""
            if scalars.first == "[" {
                guard scalars.last == "]", scalars.count > 2 else {
                    throw ConfigurationError(file: file, line: pendingLine, message: "malformed section header '\(full)'")
                }
                section = String(String.UnicodeScalarView(scalars.dropFirst().dropLast()))
                continue
            }
            guard let equals = scalars.firstIndex(of: "=") else {
                throw ConfigurationError(file: file, line: pendingLine, message: "expected Key=Value, found '\(full)'")
            }
            guard let currentSection = section else {
                throw ConfigurationError(file: file, line: pendingLine, message: "assignment outside of a [Section]")
            }
            let key = String(String.UnicodeScalarView(scalars[..<equals])).trimmingWhitespace()
            let value = String(String.UnicodeScalarView(scalars[scalars.index(after: equals)...])).trimmingWhitespace()
            guard !key.isEmpty else {
                throw ConfigurationError(file: file, line: pendingLine, message: "empty key")
            }
            assignments.append(Assignment(section: currentSection, key: key, value: value, file: file, line: pendingLine))
        }
        if !pending.isEmpty {
            throw ConfigurationError(file: file, line: pendingLine, message: "line continuation at end of file")
        }
    }
}

/// A problem in a configuration file or flag, with where it is.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var message: String

    public init(file: String, line: Int?, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String {
        if let line { return "\(file):\(line): \(message)" }
        return "\(file): \(message)"
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
        let end = scalars.lastIndex(where: { $0 != " " && $0 != "\t" })!
        return String(String.UnicodeScalarView(scalars[start...end]))
    }
}
