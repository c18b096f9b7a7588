import SentinelCrypto
import Testing

@Suite("Base64URL")
struct Base64URLTests {
    @Test(arguments: 0...5)
    func roundTripsEveryShortLength(length: Int) {
        let bytes = SecureRandom.bytes(count: length)
        let encoded = Base64URL.encode(bytes)
        #expect(encoded.count == (length * 4 + 2) / 3)
        #expect(!encoded.contains("="))
        #expect(Base64URL.decode(encoded) == bytes)
    }

    @Test func matchesRFC4648VectorsWithoutPadding() {
        let vectors = [
            "": "", "f": "Zg", "fo": "Zm8", "foo": "Zm9v", "foob": "Zm9vYg", "fooba": "Zm9vYmE", "foobar": "Zm9vYmFy",
        ]
        for (plain, encoded) in vectors {
            #expect(Base64URL.encode(Array(plain.utf8)) == encoded)
            #expect(Base64URL.decode(encoded) == Array(plain.utf8))
        }
    }

    @Test func usesURLSafeAlphabet() {
        #expect(Base64URL.encode([0xFB, 0xFF, 0xBF]) == "-_-_")
        #expect(Base64URL.decode("-_-_") == [0xFB, 0xFF, 0xBF])
    }

    @Test func roundTripsAllByteValues() {
        let bytes = (0...255).map { UInt8($0) }
        #expect(Base64URL.decode(Base64URL.encode(bytes)) == bytes)
    }

    @Test(arguments: ["Zg==", "Z", "Zm9v+", "Zm9/", "Zm 9v", "Zh", "Zm9"])
    func rejectsInvalidOrNonCanonicalInput(input: String) {
        #expect(Base64URL.decode(input) == nil)
    }
}
