import Foundation
import SentinelCore

/// Reads `sentineld.conf`, its drop-ins and command-line overrides into one configuration.
struct ConfigurationLoader {
    /// The main file; drop-ins are read from `<file>.d/*.conf` in lexical order.
    var file: String
    /// Whether the file was named explicitly (then it must exist).
    var explicit: Bool
    /// (section, key, value) overrides from flags, applied last.
    var overrides: [(section: String, key: String, value: String)]

    /// Every file read, in order (for the log).
    func files() -> [String] {
        var result: [String] = []
        if FileManager.default.fileExists(atPath: file) { result.append(file) }
        let dropInDirectory = file + ".d"
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: dropInDirectory) {
            result += entries.filter { $0.hasSuffix(".conf") }.sorted().map { dropInDirectory + "/" + $0 }
        }
        return result
    }

    func load() throws(ConfigurationError) -> DaemonConfiguration {
        var configuration = DaemonConfiguration()
        if explicit && !FileManager.default.fileExists(atPath: file) {
            throw ConfigurationError(file: file, line: nil, message: "no such file")
        }
        for path in files() {
            // FileHandle rather than String(contentsOfFile:), which refuses character devices such as /dev/null.
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw ConfigurationError(file: path, line: nil, message: "cannot open: \(String(cString: strerror(errno)))")
            }
            let data: Data
            do {
                data = try handle.readToEnd() ?? Data()
                try? handle.close()
            } catch {
                throw ConfigurationError(file: path, line: nil, message: "cannot read: \(error.localizedDescription)")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw ConfigurationError(file: path, line: nil, message: "not valid UTF-8")
            }
            try configuration.apply(try INIFile(parsing: text, file: path))
        }
        for override in overrides {
            try configuration.set(
                section: override.section, key: override.key, value: override.value, file: "command line", line: nil)
        }
        return configuration
    }
}
