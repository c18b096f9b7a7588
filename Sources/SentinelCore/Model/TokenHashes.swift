public import Foundation

/// A new access token and refresh token, as hashes, for `issueTokens`.
public struct TokenHashes: Sendable {
    public var access: String
    public var accessExpiresAt: Date
    public var refresh: String

    public init(access: String, accessExpiresAt: Date, refresh: String) {
        self.access = access
        self.accessExpiresAt = accessExpiresAt
        self.refresh = refresh
    }
}
