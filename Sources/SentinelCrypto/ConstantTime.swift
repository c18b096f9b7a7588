internal import COpenSSL

/// Compares two byte arrays in time independent of their contents, via `CRYPTO_memcmp`.
///
/// Returns `false` immediately when the lengths differ (lengths are not secret);
/// otherwise the comparison time depends only on the length.
public func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    return a.withNonNullPointer { aPointer, count in
        b.withNonNullPointer { bPointer, _ in
            CRYPTO_memcmp(aPointer, bPointer, count) == 0
        }
    }
}
