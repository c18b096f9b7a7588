import Testing
import SentinelCore

struct DaemonConfigurationTests {
    @Test func everyKeyAppearsInTheReferenceFileUnderItsSection() {
        let reference = DaemonConfiguration.referenceFile()
        let lines = reference.split(separator: "\n").map(String.init)
        for entry in DaemonConfiguration.keys {
            let header = lines.firstIndex(of: "[\(entry.section)]")
            let line = lines.firstIndex(of: "#\(entry.key)=\(entry.defaultValue)")
            #expect(header != nil, "missing [\(entry.section)]")
            #expect(line != nil, "missing \(entry.section).\(entry.key)")
            if let header, let line {
                #expect(header < line)
                // No other section header between the key's section and the key.
                #expect(!lines[(header + 1)..<line].contains { $0.hasPrefix("[") })
            }
        }
    }

    @Test func keysAreUniquePerSection() {
        let names = DaemonConfiguration.keys.map { "\($0.section).\($0.key)" }
        #expect(Set(names).count == names.count)
    }

    @Test func referenceFileWithEveryKeyUncommentedParsesBackToTheDefaults() throws {
        let keys = Set(DaemonConfiguration.keys.map(\.key))
        let uncommented = DaemonConfiguration.referenceFile().split(separator: "\n", omittingEmptySubsequences: false)
            .map { line -> String in
                guard line.hasPrefix("#"), let equals = line.firstIndex(of: "="),
                    keys.contains(String(line.dropFirst()[..<equals]))
                else { return String(line) }
                return String(line.dropFirst())
            }
            .joined(separator: "\n")
        let file = try INIFile(parsing: uncommented, file: "reference")
        #expect(file.assignments.count == DaemonConfiguration.keys.count)
        var configuration = DaemonConfiguration()
        configuration.logLevel = .trace
        configuration.idleExitSeconds = 5
        try configuration.apply(file)
        #expect(configuration == DaemonConfiguration())
    }

    @Test func knownKeysAreApplied() throws {
        let text = """
            [HTTP]
            Listen=[::1]:9443
            PublicURL=https://mcp.example.org/
            [Control]
            Socket=/run/test/control
            Group=mcp-admins
            [State]
            Directory=/srv/sentinel
            [Log]
            Level=WARNING
            Target=stderr
            [Daemon]
            IdleExitSec=15min
            StopTimeoutSec=30s
            """
        var configuration = DaemonConfiguration()
        try configuration.apply(try INIFile(parsing: text, file: "f"))
        #expect(configuration.listen == ListenAddress(host: "::1", port: 9443))
        #expect(configuration.publicURL == "https://mcp.example.org/")
        #expect(configuration.effectivePublicURL == "https://mcp.example.org")
        #expect(configuration.controlSocket == "/run/test/control")
        #expect(configuration.controlGroup == "mcp-admins")
        #expect(configuration.stateDirectory == "/srv/sentinel")
        #expect(configuration.logLevel == .warning)
        #expect(configuration.logTarget == .stderr)
        #expect(configuration.idleExitSeconds == 900)
        #expect(configuration.stopTimeoutSeconds == 30)
    }

    @Test func upstreamHTTPTransportIsChosenByConfiguration() throws {
        var configuration = DaemonConfiguration()
        #expect(configuration.upstreamHTTPTransport == .auto)
        try configuration.apply(try INIFile(parsing: "[Upstream]\nHTTPTransport=URLSession\n", file: "f"))
        #expect(configuration.upstreamHTTPTransport == .urlsession)
        try configuration.apply(try INIFile(parsing: "[Upstream]\nHTTPTransport=auto\n", file: "f"))
        #expect(configuration.upstreamHTTPTransport == .auto)
    }

    @Test func unknownKeyIsReportedWithFileAndLine() {
        var configuration = DaemonConfiguration()
        do throws(ConfigurationError) {
            try configuration.set(section: "HTTP", key: "Lissen", value: "1.2.3.4:1", file: "a.conf", line: 7)
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "a.conf:7: unknown key 'Lissen' in section [HTTP]")
        }
        #expect(configuration == DaemonConfiguration())
    }

    @Test func unknownSectionIsReportedWithFileAndLine() {
        var configuration = DaemonConfiguration()
        do throws(ConfigurationError) {
            try configuration.set(section: "Nope", key: "Listen", value: "1.2.3.4:1", file: "a.conf", line: 3)
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "a.conf:3: unknown section [Nope]")
        }
    }

    @Test(arguments: [
        ("HTTP", "Listen", "localhost"),
        ("HTTP", "PublicURL", "ftp://example.org"),
        ("HTTP", "PublicURL", "https://example.org/?a=b"),
        ("Control", "Socket", "relative/path"),
        ("Control", "Group", "Admins"),
        ("Log", "Level", "verbose"),
        ("Log", "Target", "syslog"),
        ("Daemon", "IdleExitSec", "soon"),
        ("Daemon", "StopTimeoutSec", "11min"),
        ("Upstream", "HTTPTransport", "curl"),
    ])
    func badValueIsReportedWithFileLineAndKey(section: String, key: String, value: String) {
        var configuration = DaemonConfiguration()
        do throws(ConfigurationError) {
            try configuration.set(section: section, key: key, value: value, file: "drop-in.conf", line: 12)
            Issue.record("\(section).\(key)=\(value) was accepted")
        } catch {
            #expect(error.file == "drop-in.conf")
            #expect(error.line == 12)
            #expect(error.description.hasPrefix("drop-in.conf:12: \(section).\(key)=\(value): "), "\(error.description)")
        }
        #expect(configuration == DaemonConfiguration())
    }

    @Test func controlSocketPathMustFitInSockaddr() {
        var configuration = DaemonConfiguration()
        let long = "/" + String(repeating: "a", count: 107)
        #expect(throws: ConfigurationError.self) {
            try configuration.set(section: "Control", key: "Socket", value: long, file: "f", line: 1)
        }
    }

    @Test func emptyValueRestoresTheDefault() throws {
        var configuration = DaemonConfiguration()
        try configuration.set(section: "HTTP", key: "Listen", value: "0.0.0.0:80", file: "f", line: 1)
        try configuration.set(section: "Log", key: "Level", value: "error", file: "f", line: 2)
        try configuration.set(section: "HTTP", key: "PublicURL", value: "https://a.example", file: "f", line: 3)
        try configuration.set(section: "State", key: "Directory", value: "/srv/x", file: "f", line: 4)
        #expect(configuration != DaemonConfiguration())
        for (section, key) in [("HTTP", "Listen"), ("Log", "Level"), ("HTTP", "PublicURL"), ("State", "Directory")] {
            try configuration.set(section: section, key: key, value: "", file: "f", line: 9)
        }
        #expect(configuration == DaemonConfiguration())
    }

    @Test func configuredStateDirectoryWinsOverTheEnvironment() {
        var configuration = DaemonConfiguration()
        configuration.stateDirectory = "/srv/sentinel"
        #expect(configuration.effectiveStateDirectory(environment: ["STATE_DIRECTORY": "/var/lib/other"]) == "/srv/sentinel")
    }

    @Test func stateDirectoryFromSystemdUsesItsFirstEntry() {
        let configuration = DaemonConfiguration()
        #expect(configuration.effectiveStateDirectory(environment: ["STATE_DIRECTORY": "/var/lib/sentinel-a:/var/lib/b"]) == "/var/lib/sentinel-a")
        #expect(configuration.effectiveStateDirectory(environment: ["STATE_DIRECTORY": "/var/lib/only"]) == "/var/lib/only")
    }

    @Test func stateDirectoryFallsBackToVarLibSentinel() {
        var configuration = DaemonConfiguration()
        #expect(configuration.effectiveStateDirectory(environment: [:]) == "/var/lib/sentinel")
        #expect(configuration.effectiveStateDirectory(environment: ["STATE_DIRECTORY": ""]) == "/var/lib/sentinel")
        configuration.stateDirectory = ""
        #expect(configuration.effectiveStateDirectory(environment: [:]) == "/var/lib/sentinel")
    }

    @Test func publicURLLosesItsTrailingSlash() {
        var configuration = DaemonConfiguration()
        configuration.publicURL = "https://mcp.example.org/"
        #expect(configuration.effectivePublicURL == "https://mcp.example.org")
        configuration.publicURL = "https://mcp.example.org/base"
        #expect(configuration.effectivePublicURL == "https://mcp.example.org/base")
    }

    @Test func publicURLIsDerivedFromListenWhenUnset() {
        var configuration = DaemonConfiguration()
        #expect(configuration.effectivePublicURL == "http://127.0.0.1:8080")
        configuration.listen = ListenAddress(host: "::1", port: 9000)
        #expect(configuration.effectivePublicURL == "http://[::1]:9000")
        configuration.publicURL = ""
        #expect(configuration.effectivePublicURL == "http://[::1]:9000")
    }
}
