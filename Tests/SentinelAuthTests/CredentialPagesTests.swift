import Foundation
import Testing
@testable import SentinelAuth
import SentinelCore

struct CredentialPagesTests {
    func row(_ name: String, _ state: CredentialRow.State, kind: CredentialKind = .bearer, hint: String? = nil) -> CredentialRow {
        CredentialRow(server: name, description: "", kind: kind, state: state, hint: hint)
    }

    @Test func everyStateHasItsOwnWordAndSymbol() {
        let states: [CredentialRow.State] = [.connected, .unverified, .expired, .missing]
        #expect(Set(states.map(CredentialPages.stateLabel)).count == states.count)
        #expect(Set(states.map(CredentialPages.stateSymbol)).count == states.count)
        let badge = CredentialPages.badge(row("tk", .unverified))
        #expect(badge.contains("badge-unverified") && badge.contains("saved, not verified") && badge.contains("aria-hidden"))
    }

    @Test func consentFinishesOnceEveryServerIsConnectedOrSavedUnverified() {
        #expect(CredentialPages.ready([row("a", .connected), row("b", .unverified)]))
        #expect(!CredentialPages.ready([row("a", .connected), row("b", .expired)]))
        #expect(!CredentialPages.ready([row("a", .missing)]))
    }

    @Test func theSaveButtonIsSecondaryAndTheHintIsEscaped() {
        let html = CredentialPages.row(row("tk", .missing, hint: "Settings → Tokens <b>now</b>"), hidden: [], csrf: "c", action: "/x")
        #expect(html.contains("id=\"connect-token-tk\" class=\"secondary\""))
        #expect(html.contains("Where to get it: Settings → Tokens &lt;b&gt;now&lt;/b&gt;"))
    }

    @Test func aRefusedTokenSaysSoWithTheServersReasonAndNothingIsSaved() {
        let refused = CredentialPages.message(for: .refused(reason: "The access token is unknown"), server: "tk")
        #expect(refused.kind == .problem)
        #expect(refused.text.contains("not saved") && refused.text.contains("The access token is unknown"))
        let unverified = CredentialPages.message(for: .savedNotVerified(reason: "connection refused"), server: "tk")
        #expect(unverified.kind == .notice && unverified.text.contains("saved, but not verified"))
        #expect(!unverified.text.contains("connection refused"), "the technical reason goes to the log")
    }

    @Test func signInFailuresSpeakPlainly() {
        let reasons: [UpstreamSignInFailure.Reason] = [
            .denied, .upstreamError("server_error"), .tokenRefused, .wrongIssuer("https://evil.example"), .incomplete,
            .notConfigured, .unknownState, .notSignedIn, .otherUser("bob"),
        ]
        for reason in reasons {
            let text = CredentialPages.signInFailureMessage(reason, server: "gh")
            for jargon in ["invalid_grant", "token endpoint", "state", "server_error", "evil.example", "OAuth"] {
                #expect(!text.contains(jargon), "\(reason): \(text)")
            }
        }
        #expect(CredentialPages.signInFailureMessage(.notSignedIn, server: "gh").contains("not signed in"))
        #expect(!CredentialPages.signInFailureMessage(.notSignedIn, server: "gh").contains("another user"))
    }

    @Test func onlyPossibleAttacksAreAudited() {
        let suspicious: [UpstreamSignInFailure.Reason] = [.unknownState, .notSignedIn, .otherUser("b"), .wrongIssuer("x")]
        let ordinary: [UpstreamSignInFailure.Reason] = [.denied, .upstreamError("x"), .incomplete, .tokenRefused, .notConfigured]
        #expect(suspicious.allSatisfy { UpstreamSignInFailure($0, flow: nil, detail: "").isSuspicious })
        #expect(!ordinary.contains { UpstreamSignInFailure($0, flow: nil, detail: "").isSuspicious })
    }

    @Test func theConsentPageNamesTheServersToConnectNext() {
        let html = ConsentPages.nextSteps([
            row("gh", .missing, kind: .oauth), row("tk", .missing, hint: "Profile > API tokens"), row("ok", .connected),
        ])
        #expect(html.contains("Next: connect your accounts"))
        #expect(html.contains("sign in to gh") && html.contains("enter a personal token"))
        #expect(html.contains("Profile &gt; API tokens") && html.contains("already connected"))
        #expect(ConsentPages.nextSteps([]).isEmpty)
    }

    @Test func theUserIsNamedTheSameWayEverywhere() {
        var user = User(name: "alice", createdAt: Date(), updatedAt: Date())
        #expect(HTMLPage.userLabel(user) == "alice")
        user.displayName = "Alice Example"
        #expect(HTMLPage.userLabel(user) == "Alice Example (alice)")
        let header = HTMLPage.signedInHeader(user)
        #expect(header.contains("Alice Example (alice)") && header.contains("href=\"/oauth/account\""))
    }

    @Test func errorPagesLinkBack() {
        let page = ConsentPages.problem(title: "T", message: "M", back: ("/oauth/credentials?a=1&b=2", "Back"))
        #expect(page.contains("href=\"/oauth/credentials?a=1&amp;b=2\""))
    }
}

struct PageMessageTests {
    @Test func aMessageOpensOnlyWithTheSignInItWasSealedFor() {
        let sealed = PageMessage.problem("tk refused this token: “bad”").sealed(signInToken: "ssi_one")
        #expect(PageMessage.open(sealed, signInToken: "ssi_one") == .problem("tk refused this token: “bad”"))
        #expect(PageMessage.open(sealed, signInToken: "ssi_two") == nil)
        let forged = "bldlbGNvbWU" + "." + sealed.split(separator: ".")[1]
        #expect(PageMessage.open(forged, signInToken: "ssi_one") == nil)
        #expect(PageMessage.open("garbage", signInToken: "ssi_one") == nil)
    }

    @Test func longMessagesAreBounded() {
        let sealed = PageMessage.notice(String(repeating: "x", count: 5000)).sealed(signInToken: "t")
        #expect(sealed.count < 2000)
        #expect(PageMessage.open(sealed, signInToken: "t")?.text.count == PageMessage.maximumLength)
    }
}
