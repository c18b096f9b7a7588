import Foundation

/// Everything `sentineld` reads from `sentineld.conf`, drop-ins and flags.
///
/// Defaults live here, in one table (`keys`) that also produces the reference
/// configuration file and the man page section, so documentation cannot drift
/// from what is parsed.
public struct DaemonConfiguration: Sendable, Equatable {
    public enum LogLevel: String, Sendable, CaseIterable {
        case trace, debug, info, notice, warning, error, critical
    }

    public enum LogTarget: String, Sendable, CaseIterable {
        case auto, journal, stderr
    }

    /// How sentineld talks HTTP to upstream servers (`[Upstream] HTTPTransport=`).
    public enum UpstreamHTTPTransport: String, Sendable, CaseIterable {
        /// SwiftNIO for plain-http loopback upstreams (the cheapest per call), URLSession for the rest.
        case auto
        /// URLSession (libcurl) for every upstream.
        case urlsession
    }

    public var listen = ListenAddress(host: "127.0.0.1", port: 8080)
    public var publicURL: String?
    public var controlSocket = "/run/sentinel/io.sentinel.Manager"
    public var controlGroup = "sentinel"
    public var stateDirectory: String?
    public var logLevel = LogLevel.info
    public var logTarget = LogTarget.auto
    public var idleExitSeconds = 0
    public var stopTimeoutSeconds = 10
    public var maxRequestBytes = 4 * 1024 * 1024
    public var maxConcurrentCallsPerEndpoint = 64
    public var maxConcurrentCallsPerCaller = 32
    public var allowedOrigins: [String] = []
    public var maxConnections = 4096
    public var maxConnectionsPerAddress = 128
    public var headerTimeoutSeconds = 10
    public var bodyTimeoutSeconds = 60
    public var keepAliveTimeoutSeconds = 60
    public var trustedProxies = TrustedProxies()
    public var controlMaxConnections = 64
    public var reservedDescriptors = 256
    public var sessionIdleSeconds = 86_400
    public var upstreamIdleStopSeconds = 600
    public var upstreamHTTPTransport = UpstreamHTTPTransport.auto
    public var accessDurations = [86_400, 7 * 86_400, 30 * 86_400, 90 * 86_400]
    public var maxAccessDuration = 90 * 86_400
    public var accessTokenLifetime = 3600
    public var signInLifetime = 12 * 3600
    public var clientMetadataPrivateTargets = false

    public init() {}

    /// The default configuration file path.
    public static let defaultFile = "/etc/sentinel/sentineld.conf"

    /// The state directory in force: the configured one, else `$STATE_DIRECTORY`
    /// (set by systemd's `StateDirectory=`; the first entry when several), else `/var/lib/sentinel`.
    public func effectiveStateDirectory(environment: [String: String]) -> String {
        if let stateDirectory, !stateDirectory.isEmpty { return stateDirectory }
        if let fromSystemd = environment["STATE_DIRECTORY"]?.split(separator: ":").first, !fromSystemd.isEmpty {
            return String(fromSystemd)
        }
        return "/var/lib/sentinel"
    }

    /// The public base URL: the configured one, else derived from the listen address.
    public var effectivePublicURL: String {
        if let publicURL, !publicURL.isEmpty {
            return publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
        }
        return "http://\(listen)"
    }

    /// How many HTTP connections may be open at once: `[HTTP] MaxConnections=`, but never more than the
    /// descriptors left under the process's limit after `[Daemon] ReservedDescriptors=` (the control socket, the
    /// store, the journal and upstream servers live on those); 0 when the limit leaves nothing.
    public func effectiveMaxConnections(descriptorLimit: Int) -> Int {
        max(0, min(maxConnections, descriptorLimit - reservedDescriptors))
    }

    /// `text` as an http or https URL with a host and no user information, else nil.
    static func httpURL(_ text: String) -> URLComponents? {
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty, url.user == nil, url.password == nil
        else { return nil }
        return url
    }

    /// Applies every assignment of `file` in order, reporting the first bad one with file and line.
    public mutating func apply(_ file: INIFile) throws(ConfigurationError) {
        for assignment in file.assignments {
            try set(section: assignment.section, key: assignment.key, value: assignment.value,
                    file: assignment.file, line: assignment.line)
        }
    }

    /// Sets one key; an empty value restores the default, as in systemd units.
    public mutating func set(section: String, key: String, value: String, file: String, line: Int?) throws(ConfigurationError) {
        guard let entry = Self.keys.first(where: { $0.section == section && $0.key == key }) else {
            let known = Self.keys.contains { $0.section == section }
            let message = known ? "unknown key '\(key)' in section [\(section)]" : "unknown section [\(section)]"
            throw ConfigurationError(file: file, line: line, message: message)
        }
        let effective = value.isEmpty ? entry.defaultValue : value
        do {
            try entry.apply(&self, effective)
        } catch {
            throw ConfigurationError(file: file, line: line, message: "\(section).\(key)=\(value): \(error.reason)")
        }
    }

    /// The reference file: every key, documented and commented out at its default.
    public static func referenceFile() -> String {
        var text = """
            # sentineld configuration. Every key is shown at its default, commented out.
            # Drop-in files in sentineld.conf.d/*.conf are read after this file, in
            # lexical order; later assignments win. Command-line flags win over both.
            # An empty value (Key=) restores the default. See sentineld.conf(5).

            """
        var section = ""
        for entry in keys {
            if entry.section != section {
                section = entry.section
                text += "\n[\(section)]\n"
            }
            for line in entry.documentation.split(separator: "\n") {
                text += "# \(line)\n"
            }
            text += "#\(entry.key)=\(entry.defaultValue)\n"
        }
        return text
    }
}

/// A reason a value was refused, for people.
public struct ConfigurationValueError: Error, Sendable {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
}

/// One documented configuration key and how it is applied.
public struct ConfigurationKey: Sendable {
    public var section: String
    public var key: String
    public var defaultValue: String
    public var documentation: String
    let apply: @Sendable (inout DaemonConfiguration, String) throws(ConfigurationValueError) -> Void
}

extension DaemonConfiguration {
    /// Every key `sentineld.conf` accepts, in file order.
    public static let keys: [ConfigurationKey] = [
        ConfigurationKey(
            section: "HTTP", key: "Listen", defaultValue: "127.0.0.1:8080",
            documentation: """
                Address for MCP clients and the sign-in pages, HOST:PORT or [IPv6]:PORT.
                Used only when sentineld is not socket-activated (sentineld.socket
                passes its own listening socket, named "http").
                """,
            apply: { config, value throws(ConfigurationValueError) in
                guard let address = ListenAddress(parsing: value) else {
                    throw ConfigurationValueError("expected HOST:PORT or [IPv6]:PORT")
                }
                guard address.port != 0 else {
                    throw ConfigurationValueError("port 0 is not a fixed port; clients and PublicURL need one")
                }
                config.listen = address
            }),
        ConfigurationKey(
            section: "HTTP", key: "PublicURL", defaultValue: "",
            documentation: """
                The base URL clients use to reach sentineld, e.g. https://mcp.example.org
                when behind a reverse proxy. It is the OAuth issuer and the prefix of
                every endpoint URL. Empty: http://<Listen>.
                """,
            apply: { config, value throws(ConfigurationValueError) in
                if value.isEmpty {
                    config.publicURL = nil
                    return
                }
                guard let url = DaemonConfiguration.httpURL(value), url.query == nil, url.fragment == nil else {
                    throw ConfigurationValueError("expected an http:// or https:// URL with a host (no user, query or fragment)")
                }
                config.publicURL = value
            }),
        ConfigurationKey(
            section: "HTTP", key: "MaxRequestBytes", defaultValue: "4194304",
            documentation: "Largest request body accepted, in bytes; larger ones get 413 with a JSON-RPC error.",
            apply: { config, value throws(ConfigurationValueError) in
                guard let bytes = Int(value), (1024...(256 * 1024 * 1024)).contains(bytes) else {
                    throw ConfigurationValueError("expected a number of bytes from 1024 to 268435456")
                }
                config.maxRequestBytes = bytes
            }),
        ConfigurationKey(
            section: "HTTP", key: "MaxConcurrentCallsPerEndpoint", defaultValue: "64",
            documentation: "Tool calls one endpoint runs at once; further calls get HTTP 429 until one finishes.",
            apply: { config, value throws(ConfigurationValueError) in
                guard let count = Int(value), (1...100_000).contains(count) else {
                    throw ConfigurationValueError("expected a number from 1 to 100000")
                }
                config.maxConcurrentCallsPerEndpoint = count
            }),
        ConfigurationKey(
            section: "HTTP", key: "MaxConcurrentCallsPerCaller", defaultValue: "32",
            documentation: """
                Tool calls one caller runs at once on one endpoint, so that one caller cannot take all of
                MaxConcurrentCallsPerEndpoint. The caller is the grant (the authorized session) on OAuth
                endpoints and the client address on endpoints without authentication; further calls get 429.
                """,
            apply: { config, value throws(ConfigurationValueError) in
                guard let count = Int(value), (1...100_000).contains(count) else {
                    throw ConfigurationValueError("expected a number from 1 to 100000")
                }
                config.maxConcurrentCallsPerCaller = count
            }),
        ConfigurationKey(
            section: "HTTP", key: "AllowedOrigins", defaultValue: "",
            documentation: """
                Space-separated origins (scheme://host[:port]) whose browsers may call endpoints, besides
                PublicURL's own origin and loopback origins. Requests with any other Origin get 403.
                """,
            apply: { config, value throws(ConfigurationValueError) in
                let origins = value.split(separator: " ").map(String.init)
                for origin in origins {
                    guard let url = DaemonConfiguration.httpURL(origin), url.path.isEmpty, url.query == nil, url.fragment == nil else {
                        throw ConfigurationValueError("'\(origin)' is not an origin (scheme://host[:port], no path or query)")
                    }
                }
                config.allowedOrigins = origins
            }),
        ConfigurationKey(
            section: "HTTP", key: "MaxConnections", defaultValue: "4096",
            documentation: """
                Open HTTP connections at most, never more than the open-file limit minus
                [Daemon] ReservedDescriptors. A connection beyond it is answered 503 with
                Retry-After: 1 and closed.
                """,
            apply: { config, value throws(ConfigurationValueError) in
                guard let count = Int(value), (1...1_000_000).contains(count) else {
                    throw ConfigurationValueError("expected a number from 1 to 1000000")
                }
                config.maxConnections = count
            }),
        ConfigurationKey(
            section: "HTTP", key: "MaxConnectionsPerAddress", defaultValue: "128",
            documentation: """
                Open HTTP connections from one client address at most (IPv6 clients count per /64);
                beyond it, 503 as for MaxConnections. Connections from TrustedProxies are not counted
                per address.
                """,
            apply: { config, value throws(ConfigurationValueError) in
                guard let count = Int(value), (1...1_000_000).contains(count) else {
                    throw ConfigurationValueError("expected a number from 1 to 1000000")
                }
                config.maxConnectionsPerAddress = count
            }),
        ConfigurationKey(
            section: "HTTP", key: "HeaderTimeoutSec", defaultValue: "10",
            documentation: """
                Time a client has to send a request's headers, counted from its first byte (on a new
                connection, from the connection); a connection that takes longer is closed.
                """,
            apply: { config, value throws(ConfigurationValueError) in
                config.headerTimeoutSeconds = try parseTimeSpan(value, in: 1...3600)
            }),
        ConfigurationKey(
            section: "HTTP", key: "BodyTimeoutSec", defaultValue: "60",
            documentation: """
                Time a client has to send a request's body, counted from the end of its headers;
                a connection that takes longer is closed.
                """,
            apply: { config, value throws(ConfigurationValueError) in
                config.bodyTimeoutSeconds = try parseTimeSpan(value, in: 1...86_400)
            }),
        ConfigurationKey(
            section: "HTTP", key: "KeepAliveTimeoutSec", defaultValue: "60",
            documentation: """
                Close a kept-alive connection after this long without a request. Calls in progress and
                event streams are not idle.
                """,
            apply: { config, value throws(ConfigurationValueError) in
                config.keepAliveTimeoutSeconds = try parseTimeSpan(value, in: 1...86_400)
            }),
        ConfigurationKey(
            section: "HTTP", key: "TrustedProxies", defaultValue: "",
            documentation: """
                Space-separated addresses or CIDR blocks (127.0.0.1 10.0.0.0/8 2001:db8::/32) of reverse
                proxies in front of sentineld. From these peers only, the client address of a request is
                taken from ClientAddressHeader: its right-most address that is not itself a trusted proxy.
                It is what the audit's REMOTE_ADDRESS, the per-address limits and the sign-in throttle see.
                """,
            apply: { config, value throws(ConfigurationValueError) in
                var ranges: [IPAddressRange] = []
                for item in value.split(separator: " ") {
                    guard let range = IPAddressRange(parsing: item) else {
                        throw ConfigurationValueError("'\(item)' is not an address or CIDR block")
                    }
                    ranges.append(range)
                }
                config.trustedProxies.ranges = ranges
            }),
        ConfigurationKey(
            section: "HTTP", key: "ClientAddressHeader", defaultValue: "X-Forwarded-For",
            documentation: """
                The header the TrustedProxies append the client's address to: X-Forwarded-For, or
                Forwarded (RFC 7239, its for= parameter). The other one is ignored.
                """,
            apply: { config, value throws(ConfigurationValueError) in
                guard let header = TrustedProxies.Header.allCases.first(where: { $0.rawValue.lowercased() == value.lowercased() })
                else { throw ConfigurationValueError("expected X-Forwarded-For or Forwarded") }
                config.trustedProxies.header = header
            }),
        ConfigurationKey(
            section: "HTTP", key: "SessionIdleSec", defaultValue: "1d",
            documentation: """
                A handshake-era MCP session (Mcp-Session-Id) unused for this long ends: requests naming it,
                like those naming a deleted or forged id, get 404 and the client initializes again. Ids
                verify themselves, so sessions outlive restarts and idle exits. Requests without an id are
                always served.
                """,
            apply: { config, value throws(ConfigurationValueError) in
                let seconds = try parseTimeSpan(value)
                guard (1...(365 * 86_400)).contains(seconds) else { throw ConfigurationValueError("from 1s to 365d") }
                config.sessionIdleSeconds = seconds
            }),
        ConfigurationKey(
            section: "Upstream", key: "IdleStopSec", defaultValue: "600",
            documentation: "Stop a stdio server (or close an upstream session) unused for this long; it starts again on the next call.",
            apply: { config, value throws(ConfigurationValueError) in
                config.upstreamIdleStopSeconds = try parseTimeSpan(value)
            }),
        ConfigurationKey(
            section: "Upstream", key: "HTTPTransport", defaultValue: "auto",
            documentation: """
                How sentineld talks HTTP to upstream servers: auto (SwiftNIO for plain http:// upstreams on
                loopback, the cheapest per call; URLSession for the rest) or urlsession (URLSession, i.e.
                libcurl, for every upstream). Applies to upstream sessions started after a reload.
                """,
            apply: { config, value throws(ConfigurationValueError) in
                guard let transport = UpstreamHTTPTransport(rawValue: value.lowercased()) else {
                    throw ConfigurationValueError("expected auto or urlsession")
                }
                config.upstreamHTTPTransport = transport
            }),
        ConfigurationKey(
            section: "OAuth", key: "AccessDurations", defaultValue: "1d 7d 30d 90d",
            documentation: """
                The access durations a user can choose on the consent page, space-separated
                time spans (e.g. 8h 1d 30d). Choices above MaxAccessDuration are not offered.
                """,
            apply: { config, value throws(ConfigurationValueError) in
                let spans = try value.split(separator: " ").map { span throws(ConfigurationValueError) in try parseTimeSpan(String(span)) }
                guard !spans.isEmpty, spans.allSatisfy({ $0 >= 60 }) else {
                    throw ConfigurationValueError("expected one or more time spans of at least a minute")
                }
                config.accessDurations = spans
            }),
        ConfigurationKey(
            section: "OAuth", key: "MaxAccessDuration", defaultValue: "90d",
            documentation: "The longest access a user can grant a client; when it ends, the client must be authorized again.",
            apply: { config, value throws(ConfigurationValueError) in
                let seconds = try parseTimeSpan(value)
                guard seconds >= 60 else { throw ConfigurationValueError("at least one minute") }
                config.maxAccessDuration = seconds
            }),
        ConfigurationKey(
            section: "OAuth", key: "AccessTokenLifetimeSec", defaultValue: "1h",
            documentation: "How long an access token is valid; clients refresh it (rotating refresh tokens) until the grant ends.",
            apply: { config, value throws(ConfigurationValueError) in
                let seconds = try parseTimeSpan(value)
                guard (60...86_400).contains(seconds) else { throw ConfigurationValueError("from 1min to 1d") }
                config.accessTokenLifetime = seconds
            }),
        ConfigurationKey(
            section: "OAuth", key: "SignInLifetimeSec", defaultValue: "12h",
            documentation: "How long a browser stays signed in to the consent pages.",
            apply: { config, value throws(ConfigurationValueError) in
                let seconds = try parseTimeSpan(value)
                guard seconds >= 60 else { throw ConfigurationValueError("at least one minute") }
                config.signInLifetime = seconds
            }),
        ConfigurationKey(
            section: "OAuth", key: "ClientMetadataPrivateTargets", defaultValue: "no",
            documentation: """
                Whether client-ID metadata documents may be fetched from loopback, private or
                link-local addresses, and over plain http. Leave off unless clients live on your network.
                """,
            apply: { config, value throws(ConfigurationValueError) in
                config.clientMetadataPrivateTargets = try parseBoolean(value)
            }),
        ConfigurationKey(
            section: "Control", key: "Socket", defaultValue: "/run/sentinel/io.sentinel.Manager",
            documentation: """
                Path of the varlink control socket used by sentinelctl. Used only when
                not socket-activated (sentineld-varlink.socket passes a socket named "varlink").
                """,
            apply: { config, value throws(ConfigurationValueError) in
                guard value.hasPrefix("/") || value.hasPrefix("./") else { throw ConfigurationValueError("expected a path") }
                guard value.utf8.count < 108 else { throw ConfigurationValueError("unix socket paths must be shorter than 108 bytes") }
                config.controlSocket = value
            }),
        ConfigurationKey(
            section: "Control", key: "Group", defaultValue: "sentinel",
            documentation: """
                Members of this group may use the control socket; so may root.
                Everyone else is refused with PermissionDenied.
                """,
            apply: { config, value throws(ConfigurationValueError) in
                guard EntityName.problem(with: value, kind: .group) == nil else { throw ConfigurationValueError("expected a group name") }
                config.controlGroup = value
            }),
        ConfigurationKey(
            section: "Control", key: "MaxConnections", defaultValue: "64",
            documentation: """
                Open control-socket connections at most; further ones are closed at once. Root may open
                4 more, so an administrator gets in while others hold the limit.
                """,
            apply: { config, value throws(ConfigurationValueError) in
                guard let count = Int(value), (1...10_000).contains(count) else {
                    throw ConfigurationValueError("expected a number from 1 to 10000")
                }
                config.controlMaxConnections = count
            }),
        ConfigurationKey(
            section: "State", key: "Directory", defaultValue: "",
            documentation: """
                Where the database and the secret key live. Empty: $STATE_DIRECTORY as
                set by systemd's StateDirectory=, else /var/lib/sentinel.
                """,
            apply: { config, value throws(ConfigurationValueError) in
                guard value.isEmpty || value.hasPrefix("/") else { throw ConfigurationValueError("expected an absolute path") }
                config.stateDirectory = value.isEmpty ? nil : value
            }),
        ConfigurationKey(
            section: "Log", key: "Level", defaultValue: "info",
            documentation: "Lowest level logged: trace, debug, info, notice, warning, error or critical.",
            apply: { config, value throws(ConfigurationValueError) in
                guard let level = LogLevel(rawValue: value.lowercased()) else {
                    throw ConfigurationValueError("expected one of \(LogLevel.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                config.logLevel = level
            }),
        ConfigurationKey(
            section: "Log", key: "Target", defaultValue: "auto",
            documentation: """
                Where the daemon's own log goes: journal, stderr, or auto (the journal when
                it is reachable and stderr is not a terminal). Audit events always go to the journal.
                """,
            apply: { config, value throws(ConfigurationValueError) in
                guard let target = LogTarget(rawValue: value.lowercased()) else {
                    throw ConfigurationValueError("expected auto, journal or stderr")
                }
                config.logTarget = target
            }),
        ConfigurationKey(
            section: "Daemon", key: "IdleExitSec", defaultValue: "0",
            documentation: """
                Exit after this long with no open connections and no calls in flight;
                systemd starts sentineld again on the next connection. 0 disables.
                Accepts seconds or a unit: 90, 90s, 15min, 2h.
                """,
            apply: { config, value throws(ConfigurationValueError) in
                config.idleExitSeconds = try parseTimeSpan(value)
            }),
        ConfigurationKey(
            section: "Daemon", key: "StopTimeoutSec", defaultValue: "10",
            documentation: "On SIGTERM, how long in-flight calls may take to finish before they are cut off.",
            apply: { config, value throws(ConfigurationValueError) in
                let seconds = try parseTimeSpan(value)
                guard seconds <= 600 else { throw ConfigurationValueError("at most 600 seconds") }
                config.stopTimeoutSeconds = seconds
            }),
        ConfigurationKey(
            section: "Daemon", key: "ReservedDescriptors", defaultValue: "256",
            documentation: """
                File descriptors kept free of HTTP connections, for the control socket, the database,
                the journal and upstream servers, so that sentinelctl keeps working while HTTP is at its
                limit. sentineld raises its soft open-file limit to the hard one at start.
                """,
            apply: { config, value throws(ConfigurationValueError) in
                guard let count = Int(value), (16...1_000_000).contains(count) else {
                    throw ConfigurationValueError("expected a number from 16 to 1000000")
                }
                config.reservedDescriptors = count
            }),
    ]
}

/// Parses a systemd-style boolean: yes/no, true/false, on/off, 1/0.
public func parseBoolean(_ text: String) throws(ConfigurationValueError) -> Bool {
    switch text.lowercased() {
    case "yes", "true", "on", "1": return true
    case "no", "false", "off", "0": return false
    default: throw ConfigurationValueError("expected yes or no")
    }
}

/// Parses a time span (see `parseTimeSpan(_:)`) that must lie in `range` seconds.
public func parseTimeSpan(_ text: String, in range: ClosedRange<Int>) throws(ConfigurationValueError) -> Int {
    let seconds = try parseTimeSpan(text)
    guard range.contains(seconds) else {
        throw ConfigurationValueError("expected a time span from \(range.lowerBound) to \(range.upperBound) seconds")
    }
    return seconds
}

/// Parses a systemd-like time span into whole seconds: `90`, `90s`, `15min`, `2h`, `1d`.
public func parseTimeSpan(_ text: String) throws(ConfigurationValueError) -> Int {
    let units: [(String, Int)] = [("min", 60), ("ms", 0), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)]
    var digits = Substring(text)
    var multiplier = 1
    for (suffix, factor) in units where text.hasSuffix(suffix) {
        if factor == 0 { throw ConfigurationValueError("use whole seconds or min, h, d") }
        digits = text.dropLast(suffix.count)
        multiplier = factor
        break
    }
    guard let number = Int(digits.trimmingWhitespace()), number >= 0, number < 10_000_000 else {
        throw ConfigurationValueError("expected a time span such as 90, 90s, 15min or 2h")
    }
    return number * multiplier
}
