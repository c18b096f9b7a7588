import Testing

@testable import SentinelCrypto

@Suite("PasswordHasher")
struct PasswordHasherTests {
    /// Cheap parameters so the suite stays fast; the defaults are exercised once below.
    let fast = PasswordHasher(n: 1 << 10, r: 8, p: 1)

    @Test func defaultHashVerifiesRightPasswordAndRejectsWrongOne() throws {
        let encoded = try PasswordHasher().hash("correct horse battery staple")
        #expect(encoded.hasPrefix("$scrypt$ln=15,r=8,p=1$"))
        #expect(try PasswordHasher.verify("correct horse battery staple", against: encoded))
        #expect(try !PasswordHasher.verify("correct horse battery stapler", against: encoded))
    }

    @Test func encodedHashHasExpectedShape() throws {
        let encoded = try fast.hash("pw")
        let fields = encoded.split(separator: "$", omittingEmptySubsequences: false)
        #expect(fields.count == 5)
        #expect(fields[1] == "scrypt")
        #expect(fields[2] == "ln=10,r=8,p=1")
        #expect(fields[3].count == 22)  // 16 bytes, unpadded base64
        #expect(fields[4].count == 43)  // 32 bytes, unpadded base64
        #expect(!fields[3].contains("=") && !fields[4].contains("="))
    }

    @Test func hashingTheSamePasswordTwiceUsesDifferentSalts() throws {
        let first = try fast.hash("same password")
        let second = try fast.hash("same password")
        #expect(first != second)
        #expect(try PasswordHasher.verify("same password", against: first))
        #expect(try PasswordHasher.verify("same password", against: second))
    }

    @Test func hashWithSmallParametersVerifiesThroughParsedParameters() throws {
        let encoded = try PasswordHasher(n: 1 << 10, r: 4, p: 2).hash("s3cret")
        #expect(encoded.hasPrefix("$scrypt$ln=10,r=4,p=2$"))
        #expect(try PasswordHasher.verify("s3cret", against: encoded))
        #expect(try !PasswordHasher.verify("S3cret", against: encoded))
    }

    @Test func emptyAndNonASCIIPasswordsRoundTrip() throws {
        let empty = try fast.hash("")
        #expect(try PasswordHasher.verify("", against: empty))
        #expect(try !PasswordHasher.verify(" ", against: empty))
        let unicode = try fast.hash("pässwörd 🔑")
        #expect(try PasswordHasher.verify("pässwörd 🔑", against: unicode))
    }

    @Test func verifyReadsParameterOrderAndKeyLengthFromTheString() throws {
        let salt = Array("saltsaltsaltsalt".utf8)
        let key = try PasswordHasher.deriveKey(
            password: Array("pw".utf8), salt: salt, n: 1 << 10, r: 8, p: 1, length: 64)
        let encoded = "$scrypt$p=1,ln=10,r=8$\(Base64Codec.standard.encode(salt))$\(Base64Codec.standard.encode(key))"
        #expect(try PasswordHasher.verify("pw", against: encoded))
        #expect(try !PasswordHasher.verify("px", against: encoded))
    }

    @Test(arguments: [
        "",
        "scrypt",
        "$scrypt$ln=10,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA",
        "$bcrypt$ln=10,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA$AAAAAAAAAAAAAAAAAAAAAA",
        "$scrypt$ln=10,r=8$c2FsdHNhbHRzYWx0c2FsdA$AAAAAAAAAAAAAAAAAAAAAA",
        "$scrypt$ln=10,r=8,p=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$AAAAAAAAAAAAAAAAAAAAAA",
        "$scrypt$ln=x,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA$AAAAAAAAAAAAAAAAAAAAAA",
        "$scrypt$ln=+10,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA$AAAAAAAAAAAAAAAAAAAAAA",
        "$scrypt$ln=0,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA$AAAAAAAAAAAAAAAAAAAAAA",
        "$scrypt$ln=64,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA$AAAAAAAAAAAAAAAAAAAAAA",
        "$scrypt$ln=10,r=0,p=1$c2FsdHNhbHRzYWx0c2FsdA$AAAAAAAAAAAAAAAAAAAAAA",
        "$scrypt$ln=10,r=8,p=1$not base64!$AAAAAAAAAAAAAAAAAAAAAA",
        "$scrypt$ln=10,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA==$AAAAAAAAAAAAAAAAAAAAAA",
        "$scrypt$ln=10,r=8,p=1$$AAAAAAAAAAAAAAAAAAAAAA",
        "$scrypt$ln=10,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA$AAAA",
        "$scrypt$ln=10,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA$AAAAAAAAAAAAAAAAAAAAAA$extra",
    ])
    func malformedEncodedHashThrows(encoded: String) {
        #expect(throws: CryptoError.malformedHash) {
            try PasswordHasher.verify("password", against: encoded)
        }
    }

    @Test func scryptMatchesRFC7914KnownAnswer() throws {
        let key = try PasswordHasher.deriveKey(
            password: Array("password".utf8), salt: Array("NaCl".utf8), n: 1024, r: 8, p: 16, length: 64)
        #expect(
            Hex.encode(key)
                == "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640"
        )
    }

    @Test func scryptMatchesRFC7914EmptyInputKnownAnswer() throws {
        let key = try PasswordHasher.deriveKey(password: [], salt: [], n: 16, r: 1, p: 1, length: 64)
        #expect(
            Hex.encode(key)
                == "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906"
        )
    }

    @Test func parametersOpenSSLRejectsSurfaceAsOpenSSLError() {
        // r * p >= 2^30 violates RFC 7914's bound and OpenSSL refuses it.
        #expect {
            try PasswordHasher.deriveKey(password: [1], salt: [1], n: 2, r: 1 << 20, p: 1 << 20, length: 32)
        } throws: { error in
            guard case .openSSL(let message) = error as? CryptoError else { return false }
            return !message.isEmpty
        }
    }
}
