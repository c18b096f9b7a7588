/// Unpadded base64 encoding and strict decoding over a configurable alphabet.
///
/// Shared by the public ``Base64URL`` helpers (RFC 4648 §5 alphabet) and the
/// PHC-style password-hash strings (RFC 4648 §4 alphabet, no padding).
struct Base64Codec: Sendable {
    /// The standard alphabet (`+`, `/`), RFC 4648 §4.
    static let standard = Base64Codec(
        alphabet: Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8))
    /// The URL- and filename-safe alphabet (`-`, `_`), RFC 4648 §5.
    static let url = Base64Codec(
        alphabet: Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8))

    private let alphabet: [UInt8]
    private let reverse: [UInt8]

    private init(alphabet: [UInt8]) {
        precondition(alphabet.count == 64)
        self.alphabet = alphabet
        var reverse = [UInt8](repeating: 0xFF, count: 256)
        for (index, symbol) in alphabet.enumerated() {
            reverse[Int(symbol)] = UInt8(index)
        }
        self.reverse = reverse
    }

    /// Encodes bytes without `=` padding.
    func encode(_ bytes: some Collection<UInt8>) -> String {
        let input = Array(bytes)
        var output = [UInt8]()
        output.reserveCapacity((input.count * 4 + 2) / 3)
        var index = 0
        while index + 3 <= input.count {
            let chunk = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
            output.append(alphabet[Int(chunk >> 18 & 0x3F)])
            output.append(alphabet[Int(chunk >> 12 & 0x3F)])
            output.append(alphabet[Int(chunk >> 6 & 0x3F)])
            output.append(alphabet[Int(chunk & 0x3F)])
            index += 3
        }
        switch input.count - index {
        case 1:
            let chunk = UInt32(input[index]) << 16
            output.append(alphabet[Int(chunk >> 18 & 0x3F)])
            output.append(alphabet[Int(chunk >> 12 & 0x3F)])
        case 2:
            let chunk = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8
            output.append(alphabet[Int(chunk >> 18 & 0x3F)])
            output.append(alphabet[Int(chunk >> 12 & 0x3F)])
            output.append(alphabet[Int(chunk >> 6 & 0x3F)])
        default:
            break
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes an unpadded string, or returns `nil` if it is not canonical.
    ///
    /// Rejects padding, whitespace, characters outside the alphabet, impossible
    /// lengths (`count % 4 == 1`) and non-zero trailing bits, so every byte
    /// string has exactly one accepted encoding.
    func decode(_ string: some StringProtocol) -> [UInt8]? {
        let input = Array(string.utf8)
        guard input.count % 4 != 1 else { return nil }
        var output = [UInt8]()
        output.reserveCapacity(input.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for symbol in input {
            let value = reverse[Int(symbol)]
            guard value != 0xFF else { return nil }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                accumulator &= (1 << UInt32(bits)) - 1
            }
        }
        guard accumulator == 0 else { return nil }
        return output
    }
}
