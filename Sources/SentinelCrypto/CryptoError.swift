internal import COpenSSL

/// Errors thrown by the SentinelCrypto primitives.
///
/// Every failing call in this module surfaces as exactly one of these cases,
/// so callers can switch exhaustively without inspecting OpenSSL state.
public enum CryptoError: Error, Equatable, CustomStringConvertible {
    /// A symmetric key had the wrong length; carries the length that was supplied.
    case invalidKeyLength(Int)
    /// A sealed box failed authentication (tampered data, wrong key, or wrong associated data).
    case authenticationFailed
    /// A sealed box was too short or carried an unknown format version.
    case malformedCiphertext
    /// An encoded password hash could not be parsed.
    case malformedHash
    /// An OpenSSL call failed; carries the function name and the `ERR_error_string` text.
    case openSSL(String)

    /// A human-readable explanation of the error.
    public var description: String {
        switch self {
        case .invalidKeyLength(let length):
            "invalid key length: \(length) bytes"
        case .authenticationFailed:
            "authentication failed"
        case .malformedCiphertext:
            "malformed ciphertext"
        case .malformedHash:
            "malformed password hash"
        case .openSSL(let message):
            "OpenSSL error: \(message)"
        }
    }

    /// Builds an `.openSSL` error for a failed call, draining the thread's OpenSSL error queue.
    ///
    /// The first (oldest) queued error is reported, since it is the root cause;
    /// the remaining entries are discarded so they cannot leak into later calls.
    static func fromOpenSSL(_ function: String) -> CryptoError {
        let code = ERR_get_error()
        ERR_clear_error()
        guard code != 0 else {
            return .openSSL("\(function) failed")
        }
        var buffer = [CChar](repeating: 0, count: 256)
        buffer.withUnsafeMutableBufferPointer { ptr in
            ERR_error_string_n(code, ptr.baseAddress, ptr.count)
        }
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return .openSSL("\(function): \(text)")
    }
}
