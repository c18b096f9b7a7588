public import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif
public import SentinelCore

/// Fetches client-ID metadata documents: the client id is an https URL whose document describes the client.
///
/// Limits: 5 s, 64 KiB, no redirects, and no loopback, private or link-local targets unless
/// `[OAuth] ClientMetadataPrivateTargets=yes` (which also admits plain http, for tests and labs).
public struct ClientMetadataFetcher: Sendable {
    public static let maximumBytes = 64 * 1024
    public var allowPrivateTargets: Bool
    public var timeout: TimeInterval

    public init(allowPrivateTargets: Bool, timeout: TimeInterval = 5) {
        self.allowPrivateTargets = allowPrivateTargets
        self.timeout = timeout
    }

    /// Whether `clientID` has the shape of a metadata-document URL (so it is fetched rather than looked up).
    public static func isMetadataURL(_ clientID: String) -> Bool {
        clientID.hasPrefix("https://") || clientID.hasPrefix("http://")
    }

    /// Fetches and validates the document for `clientID`, returning the client it describes.
    public func fetch(_ clientID: String, now: Date) async throws(OAuthError) -> OAuthClient {
        guard let url = URL(string: clientID), let host = url.host, let scheme = url.scheme?.lowercased(),
              url.fragment == nil, url.user == nil, !url.path.isEmpty, url.path != "/"
        else { throw OAuthError(.invalidClient, "client id \(clientID) is not a valid metadata document URL") }
        guard scheme == "https" || (allowPrivateTargets && scheme == "http") else {
            throw OAuthError(.invalidClient, "client metadata documents must be served over https")
        }
        if !allowPrivateTargets {
            let addresses = Self.resolve(host)
            guard !addresses.isEmpty else { throw OAuthError(.invalidClient, "cannot resolve \(host)") }
            if addresses.contains(where: Self.isPrivate) {
                throw OAuthError(.invalidClient, "\(host) resolves to a loopback or private address; refusing to fetch client metadata from it")
            }
        }
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        let data: Data
        let response: HTTPURLResponse
        do {
            (data, response) = try await BoundedFetch.fetch(request, limit: Self.maximumBytes, deadline: timeout)
        } catch {
            throw OAuthError(.invalidClient, "cannot fetch client metadata from \(clientID): \(error)")
        }
        guard response.statusCode == 200 else {
            throw OAuthError(.invalidClient, "client metadata at \(clientID) answered HTTP \(response.statusCode)")
        }
        return try Self.client(from: data, clientID: clientID, now: now)
    }

    /// Validates a metadata document for `clientID`.
    static func client(from data: Data, clientID: String, now: Date) throws(OAuthError) -> OAuthClient {
        guard let document = try? JSONValue.parse(data), document.objectValue != nil else {
            throw OAuthError(.invalidClient, "client metadata at \(clientID) is not a JSON object")
        }
        guard document["client_id"]?.stringValue == clientID else {
            throw OAuthError(.invalidClient, "client metadata at \(clientID) names another client_id")
        }
        let redirects = document["redirect_uris"]?.arrayValue?.compactMap(\.stringValue) ?? []
        guard !redirects.isEmpty else { throw OAuthError(.invalidClient, "client metadata at \(clientID) has no redirect_uris") }
        if let problem = redirects.lazy.compactMap(RedirectURIRules.problem(registering:)).first {
            throw OAuthError(.invalidClient, "client metadata at \(clientID): \(problem)")
        }
        let method = document["token_endpoint_auth_method"]?.stringValue ?? "none"
        guard method == "none" else {
            throw OAuthError(.invalidClient, "client metadata documents describe public clients: token_endpoint_auth_method must be none")
        }
        let name = document["client_name"]?.stringValue ?? URL(string: clientID)?.host ?? clientID
        return OAuthClient(
            id: clientID, name: String(name.prefix(200)), kind: .metadataDocument, redirectURIs: redirects,
            tokenEndpointAuthMethod: "none", metadata: document.text(), createdAt: now, updatedAt: now)
    }

    static func resolve(_ host: String) -> [[UInt8]] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        guard getaddrinfo(bare, nil, &hints, &result) == 0, let first = result else { return [] }
        defer { freeaddrinfo(first) }
        var addresses: [[UInt8]] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            if let address = entry.pointee.ai_addr {
                if entry.pointee.ai_family == AF_INET {
                    address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                        var raw = pointer.pointee.sin_addr
                        addresses.append(withUnsafeBytes(of: &raw) { Array($0) })
                    }
                } else if entry.pointee.ai_family == AF_INET6 {
                    address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                        var raw = pointer.pointee.sin6_addr
                        addresses.append(withUnsafeBytes(of: &raw) { Array($0) })
                    }
                }
            }
            cursor = entry.pointee.ai_next
        }
        return addresses
    }

    /// Anything but a public unicast address: loopback, private (RFC 1918, ULA), link-local, carrier-grade NAT,
    /// unspecified, IETF protocol assignments, benchmarking, multicast and reserved ranges, and the IPv4-mapped,
    /// NAT64 and 6to4 forms of IPv4 addresses (judged by the IPv4 address they carry).
    static func isPrivate(_ address: [UInt8]) -> Bool {
        if address.count == 4 {
            let (a, b, c) = (address[0], address[1], address[2])
            return a == 0 || a == 10 || a == 127 || (a == 169 && b == 254) || (a == 172 && (16...31).contains(b))
                || (a == 192 && b == 168) || (a == 100 && (64...127).contains(b)) || (a == 192 && b == 0 && c == 0)
                || (a == 198 && (b == 18 || b == 19)) || a >= 224
        }
        guard address.count == 16 else { return true }
        if address[0..<10].allSatisfy({ $0 == 0 }) && address[10] == 0xFF && address[11] == 0xFF {
            return isPrivate(Array(address[12..<16]))
        }
        if address[0..<12] == [0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0] { return isPrivate(Array(address[12..<16])) }
        if address[0] == 0x20 && address[1] == 0x02 { return isPrivate(Array(address[2..<6])) }
        if address[0..<15].allSatisfy({ $0 == 0 }) { return true }  // :: and ::1
        return (address[0] & 0xFE) == 0xFC || (address[0] == 0xFE && (address[1] & 0xC0) == 0x80) || address[0] == 0xFF
    }
}
