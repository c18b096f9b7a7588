import Testing

@testable import SentinelCrypto

@Suite("Digest")
struct DigestTests {
    @Test func sha256OfABCMatchesFIPSVector() {
        let expected = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        #expect(Hex.encode(Digest.sha256(Array("abc".utf8))) == expected)
        #expect(Digest.sha256Hex("abc") == expected)
    }

    @Test func sha256OfEmptyInputMatchesKnownVector() {
        #expect(Digest.sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func sha256AcceptsNonArrayCollections() {
        let bytes = Array("abc".utf8)
        #expect(Digest.sha256(bytes[...]) == Digest.sha256(bytes))
        #expect(Digest.sha256("abc".utf8) == Digest.sha256(bytes))
    }

    @Test func hmacSHA256MatchesRFC4231TestCase2() {
        let tag = Digest.hmacSHA256(key: Array("Jefe".utf8), data: Array("what do ya want for nothing?".utf8))
        #expect(Hex.encode(tag) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func hmacSHA256AcceptsEmptyKeyAndData() {
        // HMAC-SHA256("", "") — widely published value.
        let tag = Digest.hmacSHA256(key: [], data: [])
        #expect(Hex.encode(tag) == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
    }

    @Test func constantTimeEqualsComparesContentsAndLengths() {
        #expect(constantTimeEquals([1, 2, 3], [1, 2, 3]))
        #expect(!constantTimeEquals([1, 2, 3], [1, 2, 4]))
        #expect(!constantTimeEquals([1, 2, 3], [1, 2]))
        #expect(constantTimeEquals([], []))
        #expect(!constantTimeEquals([], [0]))
    }
}
