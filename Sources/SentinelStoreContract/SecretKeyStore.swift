public import SentinelCrypto

/// The key that seals the store's secrets.
public protocol SecretKeyStore: Sendable {
    /// Whether the configured key opens what the store holds sealed (true without a key). Seals a canary on
    /// first use, so a wrong key is noticed at start rather than when a secret is first needed.
    func secretKeyMatches() async throws -> Bool
    /// Re-seals every stored secret with `newKey` in one transaction; `persist` runs inside it, after the
    /// re-sealing and before the commit. If anything throws, nothing changes and the old key stays in use.
    /// Returns how many secrets were re-sealed. Without a configured key, throws `invalid`.
    @discardableResult
    func rotateSecretKey(to newKey: SecretBox, persist: @Sendable () throws -> Void) async throws -> Int
}
