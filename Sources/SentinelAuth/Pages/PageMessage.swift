import SentinelCrypto

/// A message for the next page a signed-in user sees, after a form's post/redirect/get: the POST sets it as a
/// short-lived cookie, the page the browser is redirected to shows it once and clears it. So a reload never
/// submits a token again, and the page still says what the form did.
///
/// The cookie is signed with the user's sign-in token, so no other session (or site) can put words on the page.
struct PageMessage: Equatable {
    enum Kind: String {
        /// Shown in red: something went wrong, and what to do.
        case problem = "p"
        /// Shown in green: what the form did.
        case notice = "n"
    }

    static let cookieName = "sentinel_message"
    /// Long enough for a redirect, short enough that an abandoned message does not turn up later.
    static let lifetime = 120
    /// The longest text carried (the cookie stays well below the 4 KiB browsers keep).
    static let maximumLength = 1200

    var kind: Kind
    var text: String

    static func problem(_ text: String) -> PageMessage { PageMessage(kind: .problem, text: text) }
    static func notice(_ text: String) -> PageMessage { PageMessage(kind: .notice, text: text) }

    /// The cookie value: base64url(kind + text) "." base64url(HMAC-SHA256 under the sign-in token).
    func sealed(signInToken: String) -> String {
        let bounded = text.count <= Self.maximumLength ? text : String(text.prefix(Self.maximumLength - 1)) + "…"
        let payload = Array((kind.rawValue + bounded).utf8)
        return Base64URL.encode(payload) + "." + Base64URL.encode(Self.mac(payload, signInToken: signInToken))
    }

    /// The message in a cookie value, if it was sealed for this sign-in token.
    static func open(_ value: String, signInToken: String) -> PageMessage? {
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let payload = Base64URL.decode(parts[0]), let mac = Base64URL.decode(parts[1]),
            constantTimeEquals(mac, Self.mac(payload, signInToken: signInToken)),
            let text = String(validating: payload, as: UTF8.self), let first = text.first,
            let kind = Kind(rawValue: String(first))
        else { return nil }
        return PageMessage(kind: kind, text: String(text.dropFirst()))
    }

    private static func mac(_ payload: [UInt8], signInToken: String) -> [UInt8] {
        Digest.hmacSHA256(key: Array(signInToken.utf8), data: Array("sentinel-page-message:".utf8) + payload)
    }
}
