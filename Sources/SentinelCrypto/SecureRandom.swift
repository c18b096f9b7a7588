internal import COpenSSL

/// Cryptographically secure random bytes and tokens from OpenSSL's CSPRNG.
public enum SecureRandom {
    /// Returns `count` random bytes from `RAND_bytes`.
    ///
    /// Traps if `count` is negative or if OpenSSL's RNG reports failure: there
    /// is no safe way to continue without randomness.
    public static func bytes(count: Int) -> [UInt8] {
        precondition(count >= 0, "SecureRandom.bytes(count:) requires a non-negative count")
        var output = [UInt8](repeating: 0, count: count)
        output.withUnsafeMutableBufferPointer { buffer in
            var offset = 0
            while offset < buffer.count {
                let chunk = min(buffer.count - offset, Int(Int32.max))
                let status = RAND_bytes(buffer.baseAddress! + offset, Int32(chunk))
                if status != 1 {
                    let error = CryptoError.fromOpenSSL("RAND_bytes")
                    preconditionFailure("OpenSSL RNG failure: \(error)")
                }
                offset += chunk
            }
        }
        return output
    }

    /// Returns a random token of `bytes` random bytes, encoded as base64url without padding.
    ///
    /// The default of 32 bytes (256 bits) yields a 43-character string.
    public static func token(bytes: Int = 32) -> String {
        Base64URL.encode(Self.bytes(count: bytes))
    }
}
