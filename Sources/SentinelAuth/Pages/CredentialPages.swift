import SentinelCore

/// The pages where users connect their personal servers: during consent and at /oauth/credentials.
enum CredentialPages {
    /// The state's word (also what tests and people scan for), its symbol, and its style.
    static func stateLabel(_ state: CredentialRow.State) -> String {
        switch state {
        case .connected: "connected"
        case .unverified: "saved, not verified"
        case .expired: "expired — re-authenticate"
        case .missing: "needs your credentials"
        }
    }

    /// A symbol for each state, so that states differ by more than colour.
    static func stateSymbol(_ state: CredentialRow.State) -> String {
        switch state {
        case .connected: "✓"
        case .unverified: "!"
        case .expired: "✕"
        case .missing: "○"
        }
    }

    static func stateClass(_ state: CredentialRow.State) -> String {
        switch state {
        case .connected: "connected"
        case .unverified: "unverified"
        case .expired: "expired"
        case .missing: "missing"
        }
    }

    /// The state as a badge: symbol and word, coloured.
    static func badge(_ row: CredentialRow) -> String {
        let name = HTMLPage.escape(row.server)
        return """
            <span class="badge badge-\(stateClass(row.state))"><span aria-hidden="true">\(stateSymbol(row.state))</span> \
            <strong class="state" id="state-\(name)">\(stateLabel(row.state))</strong></span>
            """
    }

    /// Where to get a token for the server, as the admin wrote it (plain text).
    static func hint(_ row: CredentialRow) -> String {
        guard let hint = row.hint, !hint.isEmpty else { return "" }
        return "<p class=\"hint\" id=\"hint-\(HTMLPage.escape(row.server))\">Where to get it: \(HTMLPage.escape(hint))</p>"
    }

    /// One server: its state and the forms that connect it (a token field, or a sign-in button).
    static func row(_ row: CredentialRow, hidden: [(String, String)], csrf: String, action: String) -> String {
        let name = HTMLPage.escape(row.server)
        let common = """
            \(HTMLPage.hiddenFields(hidden))
            <input type="hidden" name="csrf_token" value="\(HTMLPage.escape(csrf))">
            <input type="hidden" name="server" value="\(name)">
            """
        let verb = row.state == .missing ? "Connect" : "Re-authenticate"
        let connect: String
        switch row.kind {
        case .bearer:
            connect = """
                <form method="post" action="\(action)">
                \(common)
                <label for="token-\(name)">\(verb): enter your token for \(name)</label>
                \(hint(row))
                <input type="password" id="token-\(name)" name="token" autocomplete="off" required>
                <div class="actions"><button type="submit" name="action" value="connect-token" id="connect-token-\(name)" class="secondary">Save token</button></div>
                </form>
                """
        case .oauth:
            connect = """
                <form method="post" action="\(action)">
                \(common)
                \(hint(row))
                <div class="actions"><button type="submit" name="action" value="connect-oauth" id="connect-oauth-\(name)" class="secondary">\(verb): sign in to \(name)</button></div>
                </form>
                """
        }
        let description = row.description.isEmpty ? "" : " <span class=\"note\">— \(HTMLPage.escape(row.description))</span>"
        let explanation: String
        switch row.state {
        case .unverified:
            explanation = """
                <p class="note" id="explain-\(name)">\(name) could not be reached to check this token when you saved it. \
                It will be used; if calls fail, enter the token again.</p>
                """
        case .expired:
            explanation = "<p class=\"note\" id=\"explain-\(name)\">\(name) no longer accepts your credentials: connect it again.</p>"
        case .connected, .missing:
            explanation = ""
        }
        return """
            <section class="server" id="server-\(name)">
            <h2>\(name)\(description)</h2>
            <p>\(badge(row))</p>
            \(explanation)
            \(connect)
            </section>
            """
    }

    /// Whether the user's credentials let consent finish: every server connected (or saved, not verified).
    static func ready(_ rows: [CredentialRow]) -> Bool {
        rows.allSatisfy { $0.state == .connected || $0.state == .unverified }
    }

    static func connect(
        context: ConsentContext, user: User, hidden: [(String, String)], rows: [CredentialRow], csrf: String, action: String,
        finishLabel: String, problem: String?, notice: String? = nil
    ) -> String {
        let finish = ready(rows)
            ? """
                <form method="post" action="\(action)">
                \(HTMLPage.hiddenFields(hidden))
                <input type="hidden" name="csrf_token" value="\(HTMLPage.escape(csrf))">
                <div class="actions"><button type="submit" name="action" value="approve" id="finish">\(HTMLPage.escape(finishLabel))</button></div>
                </form>
                """
            : "<p class=\"note\" id=\"pending\">Connect every server above to finish.</p>"
        return HTMLPage.document(
            title: "Connect your accounts",
            body: """
                \(HTMLPage.signedInHeader(user))
                <h1>Connect your accounts</h1>
                <p>Endpoint \(HTMLPage.escape(context.endpoint)) uses servers that act as you. \
                \(HTMLPage.escape(context.clientName)) gets access once each one is connected with your own credentials.</p>
                \(HTMLPage.messages(problem: problem, notice: notice))
                \(rows.map { row($0, hidden: hidden, csrf: csrf, action: action) }.joined(separator: "\n"))
                \(finish)
                """)
    }

    static func overview(user: User, rows: [CredentialRow], csrf: String, problem: String?, notice: String?) -> String {
        let list = rows.isEmpty
            ? "<p>None of the endpoints you may use has a server that needs your own credentials.</p>"
            : rows.map { row($0, hidden: [], csrf: csrf, action: "/oauth/credentials") }.joined(separator: "\n")
        return HTMLPage.document(
            title: "Your connected servers",
            body: """
                \(HTMLPage.signedInHeader(user))
                <h1>Your connected servers</h1>
                \(HTMLPage.messages(problem: problem, notice: notice))
                \(list)
                """)
    }

    static func signIn(csrf: String, error: String?) -> String {
        HTMLPage.document(
            title: "Sign in",
            body: """
                <h1>Sign in to manage your connected servers</h1>
                \(HTMLPage.messages(problem: error, notice: nil))
                \(HTMLPage.signInForm(action: "/oauth/credentials", csrf: csrf))
                """)
    }

    // MARK: - What the pages say

    /// What the page says after a token was pasted for `server`.
    static func message(for outcome: PastedTokenOutcome, server: String) -> PageMessage {
        switch outcome {
        case .saved:
            .notice("Your token for \(server) is saved, and \(server) accepted it.")
        case .savedNotVerified:
            .notice(
                "Your token for \(server) is saved, but not verified: \(server) could not be reached to check it. "
                    + "It will be used; if calls fail, enter it again.")
        case .refused(let reason):
            .problem(
                "\(server) refused this token, so it was not saved. \(server) said: “\(reason)”. "
                    + "Check that you copied the whole token, then enter it again.")
        }
    }

    /// What the page says when signing in to `server` at the upstream did not connect it: what happened and what to
    /// do, without protocol words (the details go to the log).
    static func signInFailureMessage(_ reason: UpstreamSignInFailure.Reason, server: String) -> String {
        switch reason {
        case .denied:
            "You did not allow access at \(server)'s sign-in, so \(server) is not connected. "
                + "To connect it, sign in to \(server) again and allow access."
        case .upstreamError:
            "\(server)'s sign-in did not finish, so \(server) is not connected. Try signing in again; "
                + "if it keeps failing, tell your administrator."
        case .tokenRefused:
            "\(server) did not accept the sign-in (it may have taken too long, or been used already), so \(server) is "
                + "not connected. Please sign in to \(server) again."
        case .wrongIssuer:
            "The answer did not come from \(server)'s own sign-in service, so it was refused and \(server) is not "
                + "connected. Please sign in to \(server) again."
        case .incomplete:
            "\(server)'s sign-in sent back an incomplete answer, so \(server) is not connected. Please try again."
        case .notConfigured:
            "Signing in to \(server) is not set up correctly, so \(server) is not connected. Please tell your administrator."
        case .unknownState:
            "This sign-in link expired or was already used, so nothing was connected. Start connecting again from your "
                + "connected servers."
        case .notSignedIn:
            "You are not signed in to Sentinel in this browser, so this sign-in could not be finished and nothing was "
                + "connected. Sign in, then start connecting again."
        case .otherUser(let signedIn):
            "This sign-in was started by a different Sentinel account than the one signed in here (\(signedIn)), so "
                + "nothing was connected. Start again from your own connected servers."
        }
    }
}
