public import Foundation

/// An authorization code waiting to be redeemed (only its hash is stored).
public struct PendingCode: Sendable {
    public var hash: String
    public var codeChallenge: String
    public var redirectURI: String
    public var expiresAt: Date

    public init(hash: String, codeChallenge: String, redirectURI: String, expiresAt: Date) {
        self.hash = hash
        self.codeChallenge = codeChallenge
        self.redirectURI = redirectURI
        self.expiresAt = expiresAt
    }
}
