import Testing

@testable import SentinelCrypto

@Suite("SecretBox")
struct SecretBoxTests {
    let box: SecretBox

    init() throws {
        box = try SecretBox(key: SecretBox.generateKey())
    }

    @Test func sealThenOpenRoundTrips() throws {
        let plaintext = Array("attack at dawn".utf8)
        let sealed = try box.seal(plaintext, associatedData: Array("context".utf8))
        #expect(sealed.count == plaintext.count + SecretBox.overhead)
        #expect(sealed[0] == 0x01)
        #expect(try box.open(sealed, associatedData: Array("context".utf8)) == plaintext)
    }

    @Test func emptyPlaintextRoundTrips() throws {
        let sealed = try box.seal([])
        #expect(sealed.count == 29)
        #expect(try box.open(sealed) == [])
    }

    @Test func largePlaintextRoundTrips() throws {
        let plaintext = SecureRandom.bytes(count: 1 << 20)
        #expect(try box.open(box.seal(plaintext)) == plaintext)
    }

    @Test func stringConvenienceRoundTrips() throws {
        let sealed = try box.seal(string: "héllo, wörld 🌍")
        #expect(try box.openString(sealed) == "héllo, wörld 🌍")
    }

    @Test func sealingTwiceUsesFreshNonces() throws {
        let first = try box.seal([1, 2, 3])
        let second = try box.seal([1, 2, 3])
        #expect(first[1..<13] != second[1..<13])
        #expect(first != second)
    }

    /// Positions in a 45-byte box: nonce (1–12), ciphertext (13–28), tag (29–44).
    @Test(arguments: [1, 12, 13, 20, 28, 29, 44])
    func tamperedByteFailsAuthentication(position: Int) throws {
        var sealed = try box.seal(Array("sixteen byte msg".utf8))
        #expect(sealed.count == 45)
        sealed[position] ^= 0x01
        #expect(throws: CryptoError.authenticationFailed) { try box.open(sealed) }
    }

    @Test func tamperedTagFailsAuthentication() throws {
        var sealed = try box.seal(Array("payload".utf8))
        sealed[sealed.count - 1] ^= 0x80
        #expect(throws: CryptoError.authenticationFailed) { try box.open(sealed) }
    }

    @Test func wrongKeyFailsAuthentication() throws {
        let sealed = try box.seal(Array("payload".utf8))
        let other = try SecretBox(key: SecretBox.generateKey())
        #expect(throws: CryptoError.authenticationFailed) { try other.open(sealed) }
    }

    @Test func wrongAssociatedDataFailsAuthentication() throws {
        let sealed = try box.seal(Array("payload".utf8), associatedData: Array("user:1".utf8))
        #expect(throws: CryptoError.authenticationFailed) {
            try box.open(sealed, associatedData: Array("user:2".utf8))
        }
        #expect(throws: CryptoError.authenticationFailed) { try box.open(sealed) }
    }

    @Test func truncatedInputIsMalformed() throws {
        let sealed = try box.seal(Array("payload".utf8))
        for length in [0, 1, 13, SecretBox.overhead - 1] {
            #expect(throws: CryptoError.malformedCiphertext) { try box.open(Array(sealed.prefix(length))) }
        }
        // Cutting into the ciphertext keeps the length valid but breaks the tag.
        #expect(throws: CryptoError.authenticationFailed) { try box.open(Array(sealed.dropLast())) }
    }

    @Test func unknownVersionIsMalformed() throws {
        var sealed = try box.seal(Array("payload".utf8))
        sealed[0] = 0x02
        #expect(throws: CryptoError.malformedCiphertext) { try box.open(sealed) }
    }

    @Test(arguments: [0, 16, 31, 33, 64])
    func keyOfWrongLengthIsRejected(length: Int) {
        #expect(throws: CryptoError.invalidKeyLength(length)) {
            try SecretBox(key: [UInt8](repeating: 7, count: length))
        }
    }

    @Test func matchesAESGCMKnownAnswer() throws {
        // NIST GCM test case 16 (AES-256, 96-bit IV, with AAD), assembled into the box format.
        let key = Hex.decode("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308")
        let nonce = Hex.decode("cafebabefacedbaddecaf888")
        let aad = Hex.decode("feedfacedeadbeeffeedfacedeadbeefabaddad2")
        let plaintext = Hex.decode(
            "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39"
        )
        let ciphertext = Hex.decode(
            "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
        )
        let tag = Hex.decode("76fc6ece0f4e1768cddf8853bb2d551b")
        let sealed = [0x01] + nonce + ciphertext + tag
        let box = try SecretBox(key: key)
        #expect(try box.open(sealed, associatedData: aad) == plaintext)
    }

    @Test func descriptionDoesNotRevealKey() throws {
        let key = [UInt8](repeating: 0xAB, count: 32)
        let box = try SecretBox(key: key)
        #expect(!String(describing: box).contains("171"))
        #expect(String(describing: box).contains("redacted"))
    }

    @Test func generatedKeysAre32RandomBytes() {
        let first = SecretBox.generateKey()
        #expect(first.count == 32)
        #expect(first != SecretBox.generateKey())
    }
}
