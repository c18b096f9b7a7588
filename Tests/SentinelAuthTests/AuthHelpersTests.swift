import Foundation
import Testing
@testable import SentinelAuth
import SentinelCore

struct PKCETests {
    /// RFC 7636 appendix B.
    @Test func theRFCExampleVerifies() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        #expect(PKCE.verify(verifier: verifier, challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"))
        #expect(!PKCE.verify(verifier: verifier + "x", challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"))
        #expect(!PKCE.verify(verifier: "short", challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"))
    }
}

struct FormFieldsTests {
    @Test func fieldsAreDecodedAndRepeatsReported() {
        let text = "a=1&b=x+y%2Bz&c=&a=2&d"
        #expect(FormFields.parse(text) == ["a": "1", "b": "x y+z", "c": "", "d": ""])
        #expect(FormFields.repeated(text) == ["a"])
        let encoded = FormFields.encode([("redirect_uri", "https://x.example/cb?q=1"), ("s", "a b")])
        #expect(encoded == "redirect_uri=https%3A%2F%2Fx.example%2Fcb%3Fq%3D1&s=a%20b")
        #expect(FormFields.parse(encoded)["redirect_uri"] == "https://x.example/cb?q=1")
        #expect(FormFields.appending([("code", "c")], to: "https://x.example/cb?q=1") == "https://x.example/cb?q=1&code=c")
    }
}

struct AuthSettingsTests {
    @Test func resourcesMapToEndpointNames() {
        let settings = AuthSettings(issuer: "https://gw.example")
        #expect(settings.resource(endpoint: "eng") == "https://gw.example/mcp/eng")
        #expect(settings.endpoint(forResource: "https://gw.example/mcp/eng") == "eng")
        #expect(settings.endpoint(forResource: "https://gw.example/mcp/eng/") == "eng")
        #expect(settings.endpoint(forResource: "https://other.example/mcp/eng") == nil)
        #expect(settings.endpoint(forResource: "https://gw.example/mcp/a/b") == nil)
        #expect(settings.secureCookies)
        #expect(!AuthSettings(issuer: "http://127.0.0.1:8080").secureCookies)
    }
}

struct ClientMetadataTests {
    static let url = "https://app.example/oauth/client.json"
    static let now = Date(timeIntervalSince1970: 1_750_000_000)

    @Test func privateAndLoopbackAddressesAreRecognised() {
        for address: [UInt8] in [
            [127, 0, 0, 1], [10, 1, 2, 3], [172, 20, 0, 1], [192, 168, 1, 1], [169, 254, 169, 254], [0, 0, 0, 0], [100, 64, 0, 1],
            [192, 0, 0, 8], [198, 18, 0, 1], [224, 0, 0, 1], [255, 255, 255, 255],
        ] {
            #expect(ClientMetadataFetcher.isPrivate(address), "\(address)")
        }
        #expect(!ClientMetadataFetcher.isPrivate([93, 184, 216, 34]))
        var loopback6 = [UInt8](repeating: 0, count: 16)
        loopback6[15] = 1
        #expect(ClientMetadataFetcher.isPrivate(loopback6))
        #expect(ClientMetadataFetcher.isPrivate([0xFD] + [UInt8](repeating: 0, count: 15)))
        #expect(ClientMetadataFetcher.isPrivate([0xFE, 0x80] + [UInt8](repeating: 0, count: 14)))
        #expect(ClientMetadataFetcher.isPrivate([UInt8](repeating: 0, count: 10) + [0xFF, 0xFF, 192, 168, 0, 1]))
        #expect(!ClientMetadataFetcher.isPrivate([0x26, 0x06] + [UInt8](repeating: 1, count: 14)))
        // NAT64 and 6to4 forms of 127.0.0.1, and multicast.
        #expect(ClientMetadataFetcher.isPrivate([0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0, 127, 0, 0, 1]))
        #expect(ClientMetadataFetcher.isPrivate([0x20, 0x02, 127, 0, 0, 1] + [UInt8](repeating: 0, count: 10)))
        #expect(!ClientMetadataFetcher.isPrivate([0x20, 0x02, 93, 184, 216, 34] + [UInt8](repeating: 0, count: 10)))
        #expect(ClientMetadataFetcher.isPrivate([0xFF, 0x02] + [UInt8](repeating: 0, count: 14)))
    }

    @Test func aValidDocumentMakesAPublicClient() throws {
        let document = #"{"client_id":"\#(Self.url)","client_name":"App","redirect_uris":["https://app.example/cb"]}"#
        let client = try ClientMetadataFetcher.client(from: Data(document.utf8), clientID: Self.url, now: Self.now)
        #expect(client.kind == .metadataDocument && client.name == "App" && client.redirectURIs == ["https://app.example/cb"])
        #expect(client.tokenEndpointAuthMethod == "none")
    }

    @Test(arguments: [
        #"{"client_id":"https://other.example/x","redirect_uris":["https://app.example/cb"]}"#,
        #"{"client_id":"https://app.example/oauth/client.json","redirect_uris":[]}"#,
        #"{"client_id":"https://app.example/oauth/client.json","redirect_uris":["http://evil.example/cb"]}"#,
        #"{"client_id":"https://app.example/oauth/client.json","redirect_uris":["https://app.example/cb"],"token_endpoint_auth_method":"client_secret_basic"}"#,
        #"[1,2]"#,
    ])
    func invalidDocumentsAreRefused(_ document: String) {
        #expect(throws: OAuthError.self) {
            try ClientMetadataFetcher.client(from: Data(document.utf8), clientID: Self.url, now: Self.now)
        }
    }

    @Test func plainHTTPAndPrivateTargetsAreRefusedByDefault() async {
        let fetcher = ClientMetadataFetcher(allowPrivateTargets: false)
        await #expect(throws: OAuthError.self) { try await fetcher.fetch("http://app.example/client.json", now: Self.now) }
        await #expect(throws: OAuthError.self) { try await fetcher.fetch("https://127.0.0.1/client.json", now: Self.now) }
        await #expect(throws: OAuthError.self) { try await fetcher.fetch("https://localhost/client.json", now: Self.now) }
        await #expect(throws: OAuthError.self) { try await fetcher.fetch("https://app.example/", now: Self.now) }
    }
}

struct RegistrationTests {
    @Test func confidentialClientsGetASecretAndOnlyItsHashIsKept() throws {
        let fields: [String: JSONValue] = [
            "redirect_uris": ["https://claude.ai/api/mcp/auth_callback"], "client_name": "Claude",
            "token_endpoint_auth_method": "client_secret_post", "grant_types": ["authorization_code", "refresh_token"],
        ]
        let (client, secret, registrationToken) = try AuthorizationServer.newClient(fields, now: Date())
        let issued = try #require(secret)
        #expect(client.secretHash == OpaqueToken.hash(issued))
        #expect(client.registrationTokenHash == OpaqueToken.hash(registrationToken))
        #expect(!client.metadata.contains(issued) && !client.metadata.contains(registrationToken))
        #expect(client.name == "Claude" && client.kind == .dynamic)
    }

    @Test func badMetadataIsRefusedWithItsCode() {
        let cases: [([String: JSONValue], OAuthError.Code)] = [
            ([:], .invalidRedirectURI),
            (["redirect_uris": ["http://evil.example/cb"]], .invalidRedirectURI),
            (["redirect_uris": ["https://a.example/cb"], "token_endpoint_auth_method": "private_key_jwt"], .invalidClientMetadata),
            (["redirect_uris": ["https://a.example/cb"], "grant_types": ["client_credentials"]], .invalidClientMetadata),
            (["redirect_uris": ["https://a.example/cb"], "response_types": ["token"]], .invalidClientMetadata),
            (["redirect_uris": ["https://a.example/cb"], "scope": "root"], .invalidScope),
        ]
        for (fields, code) in cases {
            #expect { try AuthorizationServer.newClient(fields, now: Date()) } throws: { ($0 as? OAuthError)?.code == code }
        }
    }
}

struct HTMLPageTests {
    @Test func dynamicTextIsEscaped() {
        #expect(HTMLPage.escape(#"<script>"x"&'y'</script>"#) == "&lt;script&gt;&quot;x&quot;&amp;&#39;y&#39;&lt;/script&gt;")
        let context = ConsentContext(
            clientName: "<b>Evil</b>", clientID: "c", redirectHost: "evil.example", endpoint: "eng", endpointDescription: "",
            enabledTools: 2, requestFields: [("state", "\"><script>")])
        let page = ConsentPages.signIn(context, csrf: "t")
        #expect(!page.contains("<b>Evil</b>") && page.contains("&lt;b&gt;Evil&lt;/b&gt;"))
        #expect(!page.contains("\"><script>"))
        #expect(!page.contains("<script"))
    }
}
