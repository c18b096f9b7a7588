public import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SentinelCore

/// What Sentinel learned about a server's OAuth authorization server, and the client it uses there.
public struct UpstreamOAuthRegistration: Sendable, Codable, Equatable {
    public var issuer: String
    public var authorizationEndpoint: String
    public var tokenEndpoint: String
    public var registrationEndpoint: String?
    /// The protected resource (RFC 9728 `resource`), sent as RFC 8707 `resource`.
    public var resource: String?
    public var scope: String?
    public var clientID: String
    public var clientSecret: String?
    /// The redirect URI registered (Sentinel's callback when it registered).
    public var redirectURI: String
}

/// A token endpoint's answer.
public struct UpstreamTokens: Sendable, Equatable {
    public var accessToken: String
    public var refreshToken: String?
    public var expiresIn: Int?
}

/// Why an upstream OAuth step failed.
public struct UpstreamOAuthError: Error, Sendable, CustomStringConvertible {
    public var description: String
    /// The authorization server refused a grant (`invalid_grant`): the refresh token is no good.
    public var grantRefused: Bool

    init(_ description: String, grantRefused: Bool = false) {
        self.description = description
        self.grantRefused = grantRefused
    }
}

/// Sentinel as an OAuth client of upstream servers: discovery from the server's 401 (RFC 9728 → RFC 8414),
/// dynamic registration (RFC 7591), the authorization-code flow with PKCE and `resource`, and refresh.
public struct UpstreamOAuthClient: Sendable {
    public var timeout: TimeInterval = 10
    public var clientName: String

    public init(clientName: String = "Sentinel MCP gateway") {
        self.clientName = clientName
    }

    /// Finds the authorization server of the MCP server at `serverURL`, and a client there: the configured one, or one
    /// registered by DCR with `redirectURI`.
    public func discover(
        serverURL: String, redirectURI: String, configuredClient: (id: String, secret: String?)?
    ) async throws -> UpstreamOAuthRegistration {
        guard let url = URL(string: serverURL), let serverHost = url.host else { throw UpstreamOAuthError("\(serverURL) is not a URL") }
        // What the upstream names (metadata, authorization server, endpoints) is fetched only within the same bounds
        // as the server itself: https (http only for an http server), and private addresses only for a private server.
        let policy = TargetPolicy(
            allowHTTP: url.scheme == "http",
            allowPrivate: ClientMetadataFetcher.resolve(serverHost).contains(where: ClientMetadataFetcher.isPrivate))
        // An unauthenticated request: the 401's WWW-Authenticate names the protected-resource metadata.
        var probe = URLRequest(url: url, timeoutInterval: timeout)
        probe.httpMethod = "POST"
        probe.setValue("application/json", forHTTPHeaderField: "Content-Type")
        probe.setValue("application/json, text/event-stream", forHTTPHeaderField: "Accept")
        probe.httpBody = Data(#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#.utf8)
        let (_, probeResponse) = try await send(probe, policy: policy)
        var metadataURLs: [String] = []
        if let challenge = probeResponse.value(forHTTPHeaderField: "WWW-Authenticate"), let named = Self.parameter("resource_metadata", in: challenge) {
            metadataURLs.append(named)
        }
        let origin = "\(url.scheme ?? "https")://\(url.host ?? "")\(url.port.map { ":\($0)" } ?? "")"
        metadataURLs.append(origin + "/.well-known/oauth-protected-resource" + url.path)
        metadataURLs.append(origin + "/.well-known/oauth-protected-resource")
        var resource: JSONValue?
        for candidate in metadataURLs {
            if let document = try? await getJSON(candidate, policy: policy),
               document["authorization_servers"]?.arrayValue?.isEmpty == false {
                resource = document
                break
            }
        }
        guard let resource, let issuer = resource["authorization_servers"]?.arrayValue?.first?.stringValue,
              let issuerURL = URL(string: issuer)
        else { throw UpstreamOAuthError("\(serverURL) publishes no OAuth protected-resource metadata (RFC 9728)") }
        if let named = resource["resource"]?.stringValue, named.trimmingSuffix("/") != serverURL.trimmingSuffix("/") {
            throw UpstreamOAuthError("the protected-resource metadata of \(serverURL) names another resource (\(named))")
        }
        let issuerOrigin = "\(issuerURL.scheme ?? "https")://\(issuerURL.host ?? "")\(issuerURL.port.map { ":\($0)" } ?? "")"
        let path = issuerURL.path == "/" ? "" : issuerURL.path
        var server: JSONValue?
        for candidate in [
            issuerOrigin + "/.well-known/oauth-authorization-server" + path, issuerOrigin + "/.well-known/openid-configuration" + path,
            issuer.trimmingSuffix("/") + "/.well-known/openid-configuration",
        ] {
            if let document = try? await getJSON(candidate, policy: policy), document["token_endpoint"] != nil {
                server = document
                break
            }
        }
        guard let server, let authorize = server["authorization_endpoint"]?.stringValue, let tokenEndpoint = server["token_endpoint"]?.stringValue
        else { throw UpstreamOAuthError("the authorization server \(issuer) publishes no usable metadata (RFC 8414)") }
        guard server["issuer"]?.stringValue?.trimmingSuffix("/") == issuer.trimmingSuffix("/") else {
            throw UpstreamOAuthError("the metadata of \(issuer) names another issuer (RFC 8414 section 3.3)")
        }
        for endpoint in [authorize, tokenEndpoint] + [server["registration_endpoint"]?.stringValue].compactMap({ $0 }) {
            try policy.check(endpoint)
        }
        let scope = resource["scopes_supported"]?.arrayValue?.compactMap(\.stringValue).joined(separator: " ")
        var registration = UpstreamOAuthRegistration(
            issuer: issuer, authorizationEndpoint: authorize, tokenEndpoint: tokenEndpoint,
            registrationEndpoint: server["registration_endpoint"]?.stringValue, resource: resource["resource"]?.stringValue,
            scope: scope?.isEmpty == false ? scope : nil, clientID: configuredClient?.id ?? "", clientSecret: configuredClient?.secret,
            redirectURI: redirectURI)
        if configuredClient == nil {
            guard let endpoint = registration.registrationEndpoint else {
                throw UpstreamOAuthError("\(issuer) offers no dynamic client registration; configure a client with --oauth-client-id")
            }
            let body: JSONValue = [
                "client_name": .string(clientName), "redirect_uris": [.string(redirectURI)],
                "grant_types": ["authorization_code", "refresh_token"], "response_types": ["code"],
                "token_endpoint_auth_method": "none",
            ]
            var request = URLRequest(url: try Self.url(endpoint), timeoutInterval: timeout)
            request.httpMethod = "POST"
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = body.serialized()
            let (data, response) = try await send(request, policy: policy)
            guard (200..<300).contains(response.statusCode), let answer = try? JSONValue.parse(data),
                  let clientID = answer["client_id"]?.stringValue
            else { throw UpstreamOAuthError("client registration at \(endpoint) failed: HTTP \(response.statusCode)") }
            registration.clientID = clientID
            registration.clientSecret = answer["client_secret"]?.stringValue
        }
        return registration
    }

    /// The URL to send the user to.
    public func authorizationURL(_ registration: UpstreamOAuthRegistration, state: String, codeChallenge: String) -> String {
        var fields = [
            ("response_type", "code"), ("client_id", registration.clientID), ("redirect_uri", registration.redirectURI),
            ("state", state), ("code_challenge", codeChallenge), ("code_challenge_method", "S256"),
        ]
        if let resource = registration.resource { fields.append(("resource", resource)) }
        if let scope = registration.scope { fields.append(("scope", scope)) }
        return FormFields.appending(fields, to: registration.authorizationEndpoint)
    }

    /// Redeems an authorization code.
    public func exchange(code: String, verifier: String, _ registration: UpstreamOAuthRegistration) async throws -> UpstreamTokens {
        var fields = [
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", registration.redirectURI),
            ("code_verifier", verifier),
        ]
        if let resource = registration.resource { fields.append(("resource", resource)) }
        return try await token(fields, registration)
    }

    /// Uses a refresh token.
    public func refresh(_ refreshToken: String, _ registration: UpstreamOAuthRegistration) async throws -> UpstreamTokens {
        var fields = [("grant_type", "refresh_token"), ("refresh_token", refreshToken)]
        if let resource = registration.resource { fields.append(("resource", resource)) }
        return try await token(fields, registration)
    }

    private func token(_ fields: [(String, String)], _ registration: UpstreamOAuthRegistration) async throws -> UpstreamTokens {
        var fields = fields
        var request = URLRequest(url: try Self.url(registration.tokenEndpoint), timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        if let secret = registration.clientSecret {
            let pair = FormFields.encodeComponent(registration.clientID) + ":" + FormFields.encodeComponent(secret)
            request.setValue("Basic " + Data(pair.utf8).base64EncodedString(), forHTTPHeaderField: "Authorization")
        } else {
            fields.append(("client_id", registration.clientID))
        }
        request.httpBody = Data(FormFields.encode(fields).utf8)
        let (data, response) = try await send(request, policy: nil)
        let answer = try? JSONValue.parse(data)
        guard response.statusCode == 200, let access = answer?["access_token"]?.stringValue else {
            let error = answer?["error"]?.stringValue ?? "HTTP \(response.statusCode)"
            throw UpstreamOAuthError(
                "the token endpoint \(registration.tokenEndpoint) refused: \(error)", grantRefused: error == "invalid_grant")
        }
        return UpstreamTokens(
            accessToken: access, refreshToken: answer?["refresh_token"]?.stringValue,
            expiresIn: answer?["expires_in"]?.intValue.map(Int.init))
    }

    private func getJSON(_ address: String, policy: TargetPolicy) async throws -> JSONValue {
        var request = URLRequest(url: try Self.url(address), timeoutInterval: timeout)
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        let (data, response) = try await send(request, policy: policy)
        guard response.statusCode == 200 else { throw UpstreamOAuthError("\(address): HTTP \(response.statusCode)") }
        return try JSONValue.parse(data)
    }

    /// Sends without following redirects; `policy` (nil: the endpoint was checked at discovery) bounds the target.
    private func send(_ request: URLRequest, policy: TargetPolicy?) async throws -> (Data, HTTPURLResponse) {
        if let policy, let address = request.url?.absoluteString { try policy.check(address) }
        do {
            return try await BoundedFetch.fetch(request, limit: Self.maximumBytes, deadline: timeout)
        } catch let error as UpstreamOAuthError {
            throw error
        } catch {
            throw UpstreamOAuthError("\(request.url?.absoluteString ?? "?"): \(error)")
        }
    }

    static let maximumBytes = 1 << 20

    /// Where discovery may send requests, judged by the MCP server's own URL.
    struct TargetPolicy {
        var allowHTTP: Bool
        var allowPrivate: Bool

        func check(_ address: String) throws {
            guard let url = URL(string: address), let host = url.host, let scheme = url.scheme?.lowercased() else {
                throw UpstreamOAuthError("\(address) is not a URL")
            }
            guard scheme == "https" || (scheme == "http" && allowHTTP) else {
                throw UpstreamOAuthError("\(address) is not https")
            }
            if !allowPrivate && ClientMetadataFetcher.resolve(host).contains(where: ClientMetadataFetcher.isPrivate) {
                throw UpstreamOAuthError("\(address) is a loopback or private address, but the server is not")
            }
        }
    }

    static func url(_ text: String) throws -> URL {
        guard let url = URL(string: text), url.scheme == "https" || url.scheme == "http" else {
            throw UpstreamOAuthError("\(text) is not an http(s) URL")
        }
        return url
    }

    /// A parameter of a `WWW-Authenticate` challenge: `name="value"` or `name=value`.
    static func parameter(_ name: String, in challenge: String) -> String? {
        guard let range = challenge.range(of: name + "=") else { return nil }
        var rest = challenge[range.upperBound...]
        if rest.first == "\"" {
            rest = rest.dropFirst()
            return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
        }
        return String(rest.prefix { $0 != "," && $0 != " " })
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
