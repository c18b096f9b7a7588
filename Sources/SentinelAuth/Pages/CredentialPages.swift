import SentinelCore

/// The pages where users connect their personal servers: during consent and at /oauth/credentials.
enum CredentialPages {
    static func stateLabel(_ state: CredentialRow.State) -> String {
        switch state {
        case .connected: "connected"
        case .expired: "expired — re-authenticate"
        case .missing: "needs your credentials"
        }
    }

    /// One server: its state and the forms that connect it (a token field, or a sign-in button).
    static func row(_ row: CredentialRow, hidden: [(String, String)], csrf: String, action: String) -> String {
        let common = """
            \(HTMLPage.hiddenFields(hidden))
            <input type="hidden" name="csrf_token" value="\(HTMLPage.escape(csrf))">
            <input type="hidden" name="server" value="\(HTMLPage.escape(row.server))">
            """
        let verb = row.state == .missing ? "Connect" : "Re-authenticate"
        let connect: String
        switch row.kind {
        case .bearer:
            connect = """
                <form method="post" action="\(action)">
                \(common)
                <label for="token-\(HTMLPage.escape(row.server))">\(verb): enter your token for \(HTMLPage.escape(row.server))</label>
                <input type="password" id="token-\(HTMLPage.escape(row.server))" name="token" autocomplete="off" required>
                <div class="actions"><button type="submit" name="action" value="connect-token" id="connect-token-\(HTMLPage.escape(row.server))">Save token</button></div>
                </form>
                """
        case .oauth:
            connect = """
                <form method="post" action="\(action)">
                \(common)
                <div class="actions"><button type="submit" name="action" value="connect-oauth" id="connect-oauth-\(HTMLPage.escape(row.server))">\(verb): sign in to \(HTMLPage.escape(row.server))</button></div>
                </form>
                """
        }
        let description = row.description.isEmpty ? "" : " — \(HTMLPage.escape(row.description))"
        return """
            <section class="server" id="server-\(HTMLPage.escape(row.server))">
            <h2>\(HTMLPage.escape(row.server))\(description)</h2>
            <p>State: <strong class="state" id="state-\(HTMLPage.escape(row.server))">\(stateLabel(row.state))</strong></p>
            \(connect)
            </section>
            """
    }

    static func connect(
        context: ConsentContext, hidden: [(String, String)], rows: [CredentialRow], csrf: String, action: String,
        finishLabel: String, problem: String?
    ) -> String {
        let ready = rows.allSatisfy { $0.state == .connected }
        let problemBlock = problem.map { "<p class=\"error\" role=\"alert\">\(HTMLPage.escape($0))</p>" } ?? ""
        let finish = ready
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
                <h1>Connect your accounts</h1>
                <p>Endpoint \(HTMLPage.escape(context.endpoint)) uses servers that act as you. \
                \(HTMLPage.escape(context.clientName)) gets access once each one is connected with your own credentials.</p>
                \(problemBlock)
                \(rows.map { row($0, hidden: hidden, csrf: csrf, action: action) }.joined(separator: "\n"))
                \(finish)
                """)
    }

    static func overview(user: User, rows: [CredentialRow], csrf: String, problem: String?, notice: String?) -> String {
        let problemBlock = problem.map { "<p class=\"error\" role=\"alert\">\(HTMLPage.escape($0))</p>" } ?? ""
        let noticeBlock = notice.map { "<p class=\"note\" id=\"notice\">\(HTMLPage.escape($0))</p>" } ?? ""
        let list = rows.isEmpty
            ? "<p>None of the endpoints you may use has a server that needs your own credentials.</p>"
            : rows.map { row($0, hidden: [], csrf: csrf, action: "/oauth/credentials") }.joined(separator: "\n")
        return HTMLPage.document(
            title: "Your connected servers",
            body: """
                <p class="signedin"><span>Signed in as <strong id="signed-in-user">\(HTMLPage.escape(user.name))</strong></span></p>
                <h1>Your connected servers</h1>
                \(problemBlock)
                \(noticeBlock)
                \(list)
                """)
    }

    static func signIn(csrf: String, error: String?) -> String {
        let errorBlock = error.map { "<p class=\"error\" role=\"alert\">\(HTMLPage.escape($0))</p>" } ?? ""
        return HTMLPage.document(
            title: "Sign in",
            body: """
                <h1>Sign in to manage your connected servers</h1>
                \(errorBlock)
                <form method="post" action="/oauth/credentials">
                <input type="hidden" name="csrf_token" value="\(HTMLPage.escape(csrf))">
                <label for="username">User name</label>
                <input type="text" id="username" name="username" autocomplete="username" autocapitalize="none" required>
                <label for="password">Password</label>
                <input type="password" id="password" name="password" autocomplete="current-password" required>
                <div class="actions"><button type="submit" name="action" value="signin" id="signin">Sign in</button></div>
                </form>
                """)
    }
}
