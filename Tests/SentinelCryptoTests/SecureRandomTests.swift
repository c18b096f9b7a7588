import SentinelCrypto
import Testing

@Suite("SecureRandom")
struct SecureRandomTests {
    @Test func bytesHaveRequestedCountAndDiffer() {
        #expect(SecureRandom.bytes(count: 0).isEmpty)
        let first = SecureRandom.bytes(count: 32)
        #expect(first.count == 32)
        #expect(first != SecureRandom.bytes(count: 32))
    }

    @Test func defaultTokenIs43Base64URLCharactersAndTokensDiffer() {
        let first = SecureRandom.token()
        let second = SecureRandom.token()
        #expect(first.count == 43)
        #expect(first != second)
        #expect(Base64URL.decode(first)?.count == 32)
    }

    @Test(arguments: [(1, 2), (16, 22), (24, 32), (48, 64)])
    func tokenLengthMatchesUnpaddedEncoding(bytes: Int, characters: Int) {
        let token = SecureRandom.token(bytes: bytes)
        #expect(token.count == characters)
        #expect(
            token.utf8.allSatisfy { byte in
                (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte)
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
            })
    }
}
