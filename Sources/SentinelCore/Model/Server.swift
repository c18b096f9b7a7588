public import Foundation

/// How Sentinel reaches an upstream MCP server.
public enum ServerTransport: String, Sendable, CaseIterable, Codable {
    /// A child process speaking MCP over stdin/stdout.
    case stdio
    /// A remote Streamable HTTP MCP endpoint.
    case http
}

/// Whose credentials an upstream server is called with.
public enum CredentialMode: String, Sendable, CaseIterable, Codable {
    /// The server needs no credentials.
    case none
    /// The admin supplies one credential that every user's calls share.
    case shared
    /// Each user supplies their own credential.
    case personal
}

/// How a user (or the admin, for a shared server) authenticates to a server.
public enum CredentialKind: String, Sendable, CaseIterable, Codable {
    /// A bearer token pasted once (sent as `Authorization: Bearer`, or in `credentialEnv` for stdio).
    case bearer
    /// OAuth at the upstream: Sentinel is the OAuth client and keeps the tokens fresh.
    case oauth
}

/// An upstream MCP server as the admin configured it.
public struct Server: Sendable, Equatable {
    public var name: String
    public var transport: ServerTransport
    public var description: String
    /// Program and arguments (stdio only).
    public var command: [String]
    /// Extra environment for the child (stdio only).
    public var environment: [String: String]
    public var workingDirectory: String?
    /// Streamable HTTP URL (http only).
    public var url: String?
    public var credentialMode: CredentialMode
    public var connectTimeoutSeconds: Int
    public var callTimeoutSeconds: Int
    public var createdAt: Date
    public var updatedAt: Date
    /// The last catalog refresh, successful or not.
    public var refreshedAt: Date?
    /// Why the last connection or catalog refresh failed; nil after a success.
    public var lastError: String?
    /// Static HTTP headers sent to an http server (e.g. `Authorization`): shared credentials.
    /// Held decrypted in memory only; the store keeps them AES-256-GCM sealed.
    public var headers: [String: String] = [:]
    /// For shared and personal servers: how the credential is obtained.
    public var credentialKind: CredentialKind = .bearer
    /// stdio: the environment variable that receives the credential (default `SENTINEL_CREDENTIAL`).
    public var credentialEnv: String?
    /// OAuth servers: a client id the admin configured at the upstream (else Sentinel registers by DCR).
    public var oauthClientID: String?
    /// Its secret, held decrypted in memory only; stored sealed.
    public var oauthClientSecret: String?
    /// For personal servers: where users get their token, in the admin's words (shown on the consent and
    /// credential pages, as plain text).
    public var credentialHint: String?

    /// The longest `credentialHint` accepted.
    public static let maximumCredentialHintLength = 500

    /// The environment variable a stdio child receives its credential in.
    public var effectiveCredentialEnv: String { credentialEnv ?? "SENTINEL_CREDENTIAL" }

    public init(
        name: String,
        transport: ServerTransport,
        description: String = "",
        command: [String] = [],
        environment: [String: String] = [:],
        workingDirectory: String? = nil,
        url: String? = nil,
        credentialMode: CredentialMode = .none,
        connectTimeoutSeconds: Int = Server.defaultConnectTimeoutSeconds,
        callTimeoutSeconds: Int = Server.defaultCallTimeoutSeconds,
        createdAt: Date,
        updatedAt: Date,
        refreshedAt: Date? = nil,
        lastError: String? = nil
    ) {
        self.name = name
        self.transport = transport
        self.description = description
        self.command = command
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.url = url
        self.credentialMode = credentialMode
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.callTimeoutSeconds = callTimeoutSeconds
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.refreshedAt = refreshedAt
        self.lastError = lastError
    }

    public static let defaultConnectTimeoutSeconds = 10
    public static let defaultCallTimeoutSeconds = 60

    /// Checks the fields that must agree with each other; returns (field, reason) of the first problem.
    public func validationProblem() -> (field: String, reason: String)? {
        if let problem = EntityName.problem(with: name, kind: .server) { return ("name", problem) }
        switch transport {
        case .stdio:
            if command.isEmpty || command[0].isEmpty { return ("command", "a stdio server needs a command") }
            if !headers.isEmpty { return ("headers", "only http servers take headers") }
            if url != nil { return ("url", "a stdio server has no URL") }
            for key in environment.keys where key.isEmpty || key.contains("=") || key.contains("\0") {
                return ("environment", "invalid variable name '\(key)'")
            }
            if let directory = workingDirectory, !directory.hasPrefix("/") {
                return ("working_directory", "must be an absolute path")
            }
        case .http:
            guard let url, let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(),
                scheme == "http" || scheme == "https", parsed.host != nil
            else { return ("url", "an http server needs an http:// or https:// URL") }
            if !command.isEmpty { return ("command", "an http server has no command") }
            for (name, value) in headers {
                let validName = !name.isEmpty && name.unicodeScalars.allSatisfy { $0.isASCII && $0.value > 32 && $0 != ":" }
                if !validName { return ("headers", "invalid header name '\(name)'") }
                if value.contains("\r") || value.contains("\n") { return ("headers", "header \(name) has a line break") }
            }
        }
        if credentialMode == .none && (oauthClientID != nil || credentialKind == .oauth) {
            return ("credential_kind", "a server without credentials cannot use OAuth; set the credential mode to shared or personal")
        }
        if credentialKind == .oauth && transport != .http { return ("credential_kind", "OAuth needs an http server") }
        if oauthClientSecret != nil && oauthClientID == nil { return ("oauth_client_secret", "a client secret needs a client id") }
        if let env = credentialEnv, env.isEmpty || env.contains("=") || env.contains("\0") {
            return ("credential_env", "invalid variable name '\(env)'")
        }
        if let hint = credentialHint {
            if hint.count > Self.maximumCredentialHintLength {
                return ("credential_hint", "must be at most \(Self.maximumCredentialHintLength) characters")
            }
            if hint.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                return ("credential_hint", "must be one line of text without control characters")
            }
        }
        if !(1...3600).contains(connectTimeoutSeconds) { return ("connect_timeout", "must be 1 to 3600 seconds") }
        if !(1...86400).contains(callTimeoutSeconds) { return ("call_timeout", "must be 1 to 86400 seconds") }
        return nil
    }
}
