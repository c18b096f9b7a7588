import SentinelCrypto

/// Opaque random tokens (codes, access and refresh tokens, cookies, secrets); only their SHA-256 is stored.
public enum OpaqueToken {
    /// A new token with a short prefix that tells people what it is (`sat_` access, `srt_` refresh …).
    public static func generate(prefix: String) -> (token: String, hash: String) {
        let token = prefix + SecureRandom.token(bytes: 32)
        return (token, hash(token))
    }

    /// The hex SHA-256 the store keys a token by.
    public static func hash(_ token: String) -> String {
        Digest.sha256Hex(token)
    }
}
