import SentinelCrypto

/// RFC 7636 with the S256 method only.
public enum PKCE {
    /// Whether `verifier` (43–128 unreserved characters) hashes to `challenge`.
    public static func verify(verifier: String, challenge: String) -> Bool {
        let allowed = verifier.utf8.allSatisfy { byte in
            (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte)
                || byte == 0x2D || byte == 0x2E || byte == 0x5F || byte == 0x7E
        }
        guard allowed, (43...128).contains(verifier.utf8.count) else { return false }
        let computed = Base64URL.encode(Digest.sha256(Array(verifier.utf8)))
        return constantTimeEquals(Array(computed.utf8), Array(challenge.utf8))
    }
}
