internal import COpenSSL

/// Authenticated symmetric encryption with AES-256-GCM.
///
/// Sealed boxes have the layout
/// `version (0x01) ‖ nonce (12 bytes) ‖ ciphertext ‖ tag (16 bytes)`,
/// so a box is always ``overhead`` bytes longer than its plaintext. Nonces are
/// random; keep the number of messages sealed under one key well below 2^32.
public struct SecretBox: Sendable, CustomStringConvertible {
    /// Required key length in bytes (AES-256).
    public static let keyLength = 32
    /// Length in bytes of the random GCM nonce.
    public static let nonceLength = 12
    /// Length in bytes of the GCM authentication tag.
    public static let tagLength = 16
    /// The format version byte that starts every sealed box.
    public static let version: UInt8 = 0x01
    /// Bytes a sealed box adds to its plaintext: version, nonce and tag.
    public static let overhead = 1 + nonceLength + tagLength

    /// Largest slice handed to a single `EVP_CipherUpdate` call.
    private static let chunkSize = 1 << 30

    private let key: [UInt8]

    /// Creates a box for `key`.
    /// - Throws: ``CryptoError/invalidKeyLength(_:)`` unless `key` is exactly 32 bytes.
    public init(key: [UInt8]) throws(CryptoError) {
        guard key.count == Self.keyLength else { throw .invalidKeyLength(key.count) }
        self.key = key
    }

    /// Returns 32 fresh random bytes suitable as a ``SecretBox`` key.
    public static func generateKey() -> [UInt8] {
        SecureRandom.bytes(count: keyLength)
    }

    /// A description that never reveals the key.
    public var description: String { "SecretBox(key: <redacted>)" }

    /// Encrypts and authenticates `plaintext`, also authenticating (not encrypting) `associatedData`.
    public func seal(_ plaintext: [UInt8], associatedData: [UInt8] = []) throws(CryptoError) -> [UInt8] {
        let nonce = SecureRandom.bytes(count: Self.nonceLength)
        let context = try makeContext(nonce: nonce, encrypting: true, associatedData: associatedData)
        defer { EVP_CIPHER_CTX_free(context) }

        let headerLength = 1 + Self.nonceLength
        var output = [UInt8](repeating: 0, count: headerLength + plaintext.count + Self.tagLength)
        output[0] = Self.version
        output.replaceSubrange(1..<headerLength, with: nonce)
        try output.withUnsafeMutableBufferPointer { (buffer) throws(CryptoError) in
            let body = buffer.baseAddress! + headerLength
            try plaintext.withNonNullPointer { (input, count) throws(CryptoError) in
                try Self.update(context, input: input, count: count, output: body)
            }
            var finalLength: Int32 = 0
            try Self.check(EVP_CipherFinal_ex(context, body + plaintext.count, &finalLength), "EVP_CipherFinal_ex")
            try Self.check(
                EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, Int32(Self.tagLength), body + plaintext.count),
                "EVP_CIPHER_CTX_ctrl(GET_TAG)")
        }
        return output
    }

    /// Verifies and decrypts a box produced by ``seal(_:associatedData:)``.
    /// - Throws: ``CryptoError/malformedCiphertext`` if `sealed` is too short or has an
    ///   unknown version; ``CryptoError/authenticationFailed`` if the tag does not verify
    ///   (tampering, wrong key, or different `associatedData`).
    public func open(_ sealed: [UInt8], associatedData: [UInt8] = []) throws(CryptoError) -> [UInt8] {
        guard sealed.count >= Self.overhead, sealed[0] == Self.version else { throw .malformedCiphertext }
        let headerLength = 1 + Self.nonceLength
        let bodyLength = sealed.count - Self.overhead
        let nonce = Array(sealed[1..<headerLength])
        let context = try makeContext(nonce: nonce, encrypting: false, associatedData: associatedData)
        defer { EVP_CIPHER_CTX_free(context) }

        var plaintext = [UInt8](repeating: 0, count: bodyLength)
        let authenticated = try sealed.withUnsafeBufferPointer { (input) throws(CryptoError) -> Bool in
            let body = input.baseAddress! + headerLength
            return try plaintext.withNonNullMutablePointer { (output) throws(CryptoError) -> Bool in
                try Self.update(context, input: body, count: bodyLength, output: output)
                // OpenSSL copies the tag in; it does not modify the buffer.
                let tag = UnsafeMutableRawPointer(mutating: body + bodyLength)
                try Self.check(
                    EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, Int32(Self.tagLength), tag),
                    "EVP_CIPHER_CTX_ctrl(SET_TAG)")
                var finalLength: Int32 = 0
                return EVP_CipherFinal_ex(context, output + bodyLength, &finalLength) > 0
            }
        }
        guard authenticated else {
            ERR_clear_error()
            for index in plaintext.indices { plaintext[index] = 0 }
            throw .authenticationFailed
        }
        return plaintext
    }

    /// Seals the UTF-8 encoding of `string`.
    public func seal(string: String, associatedData: [UInt8] = []) throws(CryptoError) -> [UInt8] {
        try seal(Array(string.utf8), associatedData: associatedData)
    }

    /// Opens a box and decodes its plaintext as UTF-8.
    /// - Throws: as ``open(_:associatedData:)``, and ``CryptoError/malformedCiphertext``
    ///   if the authentic plaintext is not valid UTF-8.
    public func openString(_ sealed: [UInt8], associatedData: [UInt8] = []) throws(CryptoError) -> String {
        let bytes = try open(sealed, associatedData: associatedData)
        guard let string = String(validating: bytes, as: UTF8.self) else { throw .malformedCiphertext }
        return string
    }

    /// Creates a cipher context keyed for AES-256-GCM with `nonce` and feeds it the associated data.
    private func makeContext(
        nonce: [UInt8], encrypting: Bool, associatedData: [UInt8]
    ) throws(CryptoError) -> OpaquePointer {
        guard let context = EVP_CIPHER_CTX_new() else { throw .fromOpenSSL("EVP_CIPHER_CTX_new") }
        do {
            let status = key.withUnsafeBufferPointer { keyBuffer in
                nonce.withUnsafeBufferPointer { nonceBuffer in
                    EVP_CipherInit_ex(
                        context, EVP_aes_256_gcm(), nil, keyBuffer.baseAddress, nonceBuffer.baseAddress,
                        encrypting ? 1 : 0)
                }
            }
            try Self.check(status, "EVP_CipherInit_ex")
            if !associatedData.isEmpty {
                try associatedData.withNonNullPointer { (input, count) throws(CryptoError) in
                    try Self.update(context, input: input, count: count, output: nil)
                }
            }
            return context
        } catch {
            EVP_CIPHER_CTX_free(context)
            throw error
        }
    }

    /// Runs `EVP_CipherUpdate` over `count` bytes in chunks that fit an `Int32`.
    ///
    /// With a nil `output` the input is processed as associated data.
    private static func update(
        _ context: OpaquePointer, input: UnsafePointer<UInt8>, count: Int, output: UnsafeMutablePointer<UInt8>?
    ) throws(CryptoError) {
        var offset = 0
        while offset < count {
            let chunk = min(count - offset, chunkSize)
            var written: Int32 = 0
            try check(
                EVP_CipherUpdate(context, output.map { $0 + offset }, &written, input + offset, Int32(chunk)),
                "EVP_CipherUpdate")
            if output != nil, Int(written) != chunk {
                throw .openSSL("EVP_CipherUpdate: wrote \(written) of \(chunk) bytes")
            }
            offset += chunk
        }
    }

    private static func check(_ status: Int32, _ function: String) throws(CryptoError) {
        guard status > 0 else { throw .fromOpenSSL(function) }
    }
}
