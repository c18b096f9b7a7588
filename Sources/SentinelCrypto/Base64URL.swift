/// Base64url (RFC 4648 §5) encoding without padding, for tokens and identifiers.
///
/// Output uses only `A–Z a–z 0–9 - _`, so it is safe in URLs, headers and file
/// names. Decoding is strict: padding, whitespace and non-canonical trailing
/// bits are rejected.
public enum Base64URL {
    /// Encodes bytes as base64url without `=` padding.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        Base64Codec.url.encode(bytes)
    }

    /// Decodes unpadded base64url, returning `nil` for any invalid or non-canonical input.
    public static func decode(_ string: some StringProtocol) -> [UInt8]? {
        Base64Codec.url.decode(string)
    }
}
