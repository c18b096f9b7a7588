import Foundation
import Testing
@testable import SentinelAuth
import SentinelCore

/// The account page's HTML rules: what each session and credential offers, every form carrying the CSRF token,
/// and names from users and clients escaped.
struct AccountPagesTests {
    static let now = Date(timeIntervalSince1970: 1_796_000_000)  // 2026-11-30 00:53:20 UTC

    static func view(sessions: [Grant] = [], credentials: [AccountView.Credential] = []) -> AccountView {
        AccountView(
            user: User(name: "alice", displayName: "Alice <Example>", createdAt: now, updatedAt: now),
            sessions: sessions, credentials: credentials, csrf: "CSRF-TOKEN-123", notice: nil, problem: nil)
    }

    static func grant(_ id: String, client: String, lastUsed: Date? = nil, address: String? = nil) -> Grant {
        Grant(
            id: id, user: "alice", clientID: "c1", clientName: client, endpoint: "eng", createdAt: now,
            expiresAt: now.addingTimeInterval(7 * 86400), lastUsedAt: lastUsed, lastAddress: address)
    }

    @Test func timesAreShownInUTCToTheMinute() {
        #expect(AccountPages.time(Self.now) == "2026-11-30 00:53 UTC")
    }

    @Test func lastUseSaysWhenAndFromWhereOrNever() {
        #expect(AccountPages.lastUse(Self.grant("g", client: "c")) == "never")
        #expect(AccountPages.lastUse(Self.grant("g", client: "c", lastUsed: Self.now)) == "2026-11-30 00:53 UTC")
        #expect(
            AccountPages.lastUse(Self.grant("g", client: "c", lastUsed: Self.now, address: "192.0.2.7"))
                == "2026-11-30 00:53 UTC from 192.0.2.7")
    }

    @Test func everySessionHasARevokeFormWithTheCSRFTokenAndNamesAreEscaped() {
        let html = AccountPages.overview(
            Self.view(sessions: [Self.grant("sg_one", client: "<script>alert(1)</script>"), Self.grant("sg_two", client: "Claude")]))
        #expect(!html.contains("<script>alert(1)"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("Alice &lt;Example&gt; (alice)"))
        #expect(html.contains("id=\"revoke-sg_one\"") && html.contains("id=\"revoke-sg_two\""))
        #expect(html.contains("<input type=\"hidden\" name=\"grant\" value=\"sg_one\">"))
        // The sign-out form and one form per session, each with the token.
        #expect(html.components(separatedBy: "name=\"csrf_token\" value=\"CSRF-TOKEN-123\"").count - 1 == 3)
        #expect(html.contains("action=\"/oauth/sign-out\""))
        #expect(!html.contains("<script"))
    }

    @Test func aCredentialIsDisconnectableOnlyWhenThereIsOne() {
        let connected = AccountView.Credential(
            row: CredentialRow(server: "gh", description: "Code", kind: .oauth, state: .connected), connectedAt: Self.now)
        let missing = AccountView.Credential(
            row: CredentialRow(server: "tk", description: "", kind: .bearer, state: .missing), connectedAt: nil)
        let html = AccountPages.overview(Self.view(credentials: [connected, missing]))
        #expect(html.contains("id=\"disconnect-gh\""))
        #expect(!html.contains("id=\"disconnect-tk\""))
        #expect(html.contains("href=\"/oauth/credentials#server-gh\" id=\"reauthenticate-gh\">Re-authenticate<"))
        #expect(html.contains("href=\"/oauth/credentials#server-tk\" id=\"reauthenticate-tk\">Connect<"))
        #expect(html.contains("<dt>Connected</dt><dd>2026-11-30 00:53 UTC</dd>"))
        #expect(html.contains("your sign-in at the server") && html.contains("a token you pasted"))
    }

    @Test func anEmptyAccountSaysSo() {
        let html = AccountPages.overview(Self.view())
        #expect(html.contains("id=\"no-sessions\""))
        #expect(html.contains("id=\"no-credentials\""))
    }
}
