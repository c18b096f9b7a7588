internal import COpenSSL

/// One-shot SHA-256 and HMAC-SHA256 through OpenSSL EVP.
public enum Digest {
    /// The length in bytes of a SHA-256 digest and of an HMAC-SHA256 tag.
    public static let sha256Length = 32

    /// Returns the SHA-256 digest of `data`.
    public static func sha256(_ data: some Collection<UInt8>) -> [UInt8] {
        let bytes = data as? [UInt8] ?? Array(data)
        return bytes.withNonNullPointer { pointer, count in
            sha256(pointer, count: count)
        }
    }

    /// Returns the lowercase hex SHA-256 digest of the UTF-8 bytes of `string`.
    public static func sha256Hex(_ string: String) -> String {
        hex(sha256(Array(string.utf8)))
    }

    /// Returns the HMAC-SHA256 tag of `data` under `key` (RFC 2104).
    public static func hmacSHA256(key: [UInt8], data: [UInt8]) -> [UInt8] {
        precondition(key.count <= Int(Int32.max), "HMAC key too long")
        var output = [UInt8](repeating: 0, count: sha256Length)
        var length: UInt32 = 0
        let result = key.withNonNullPointer { keyPointer, keyCount in
            data.withNonNullPointer { dataPointer, dataCount in
                output.withUnsafeMutableBufferPointer { outBuffer in
                    HMAC(
                        EVP_sha256(), keyPointer, Int32(keyCount), dataPointer, dataCount, outBuffer.baseAddress,
                        &length)
                }
            }
        }
        guard result != nil, Int(length) == sha256Length else {
            // HMAC-SHA256 over memory buffers only fails on allocation failure.
            preconditionFailure("HMAC-SHA256 failed: \(CryptoError.fromOpenSSL("HMAC"))")
        }
        return output
    }

    /// Formats bytes as lowercase hexadecimal.
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var output = [UInt8]()
        for byte in bytes {
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static func sha256(_ pointer: UnsafePointer<UInt8>, count: Int) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: sha256Length)
        var length: UInt32 = 0
        let status = output.withUnsafeMutableBufferPointer { outBuffer in
            EVP_Digest(pointer, count, outBuffer.baseAddress, &length, EVP_sha256(), nil)
        }
        guard status == 1, Int(length) == sha256Length else {
            // SHA-256 over a memory buffer only fails on allocation failure.
            preconditionFailure("SHA-256 failed: \(CryptoError.fromOpenSSL("EVP_Digest"))")
        }
        return output
    }
}
