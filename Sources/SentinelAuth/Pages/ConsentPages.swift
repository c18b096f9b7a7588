import SentinelCore

/// What the sign-in and consent pages show about a request.
struct ConsentContext {
    var clientName: String
    var clientID: String
    var redirectHost: String
    var endpoint: String
    var endpointDescription: String
    var enabledTools: Int
    /// The authorization request's fields, re-sent with every form.
    var requestFields: [(String, String)]
    /// Tools enabled by name that their (personal) servers do not list yet: they come once accounts are connected.
    var awaitingTools = 0
}

/// The HTML of the sign-in, consent and error pages.
enum ConsentPages {
    static func summary(_ context: ConsentContext) -> String {
        let description = context.endpointDescription.isEmpty ? "" : " — \(HTMLPage.escape(context.endpointDescription))"
        return """
            <dl>
            <dt>Application</dt><dd id="client-name">\(HTMLPage.escape(context.clientName))</dd>
            <dt>Returns to</dt><dd id="redirect-host">\(HTMLPage.escape(context.redirectHost))</dd>
            <dt>Endpoint</dt><dd id="endpoint">\(HTMLPage.escape(context.endpoint))\(description)</dd>
            <dt>Tools</dt><dd id="tool-count">\(context.enabledTools + context.awaitingTools) enabled\(
                context.awaitingTools > 0 ? " (\(context.awaitingTools) listed once the servers are connected)" : "")</dd>
            </dl>
            """
    }

    static func signIn(_ context: ConsentContext, csrf: String, username: String = "", error: String? = nil) -> String {
        let errorBlock = error.map { "<p class=\"error\" role=\"alert\">\(HTMLPage.escape($0))</p>" } ?? ""
        return HTMLPage.document(
            title: "Sign in",
            body: """
                <h1>Sign in to connect an AI application</h1>
                \(summary(context))
                \(errorBlock)
                \(HTMLPage.signInForm(action: "/oauth/authorize", csrf: csrf, hidden: context.requestFields, username: username))
                """)
    }

    /// Before approval: which servers the user connects next, how, and where to get a token.
    static func nextSteps(_ personal: [CredentialRow]) -> String {
        guard !personal.isEmpty else { return "" }
        let items = personal.map { row -> String in
            let name = HTMLPage.escape(row.server)
            let how: String
            switch (row.state, row.kind) {
            case (.connected, _), (.unverified, _): how = "already connected"
            case (_, .oauth): how = "sign in to \(name)"
            case (_, .bearer): how = "enter a personal token"
            }
            let hint = row.hint.flatMap { $0.isEmpty ? nil : $0 }.map { " — where to get it: \(HTMLPage.escape($0))" } ?? ""
            return "<li id=\"next-\(name)\"><strong>\(name)</strong>: \(how)\(hint)</li>"
        }
        return """
            <div class="next" id="next-steps"><strong>Next: connect your accounts.</strong>
            After you approve, connect these servers with your own credentials:
            <ul>\(items.joined())</ul></div>
            """
    }

    static func consent(
        _ context: ConsentContext, user: User, csrf: String, durations: AccessDurations, personal: [CredentialRow] = []
    ) -> String {
        let choices = durations.choices.map { seconds in
            let checked = seconds == durations.preselected ? " checked" : ""
            return "<label><input type=\"radio\" name=\"duration\" value=\"\(seconds)\" id=\"duration-\(seconds)\"\(checked)> \(AccessDurations.label(seconds))</label>"
        }.joined(separator: "\n")
        let signOut = """
            <form method="post" action="/oauth/authorize">
            \(HTMLPage.hiddenFields(context.requestFields))
            <input type="hidden" name="csrf_token" value="\(HTMLPage.escape(csrf))">
            <button type="submit" name="action" value="signout" class="secondary">Sign out</button>
            </form>
            """
        return HTMLPage.document(
            title: "Allow access",
            body: """
                \(HTMLPage.signedInHeader(user, extra: signOut))
                <h1>Allow \(HTMLPage.escape(context.clientName)) to use endpoint \(HTMLPage.escape(context.endpoint))?</h1>
                \(summary(context))
                \(nextSteps(personal))
                <p class="note">The application will call the enabled tools as you. Every call is logged.
                You can revoke this access at any time on <a href="/oauth/account">your account page</a>.</p>
                <form method="post" action="/oauth/authorize">
                \(HTMLPage.hiddenFields(context.requestFields))
                <input type="hidden" name="csrf_token" value="\(HTMLPage.escape(csrf))">
                <fieldset>
                <legend>Access lasts for</legend>
                \(choices)
                </fieldset>
                <div class="actions">
                <button type="submit" name="action" value="approve" id="approve">Approve</button>
                <button type="submit" name="action" value="deny" id="deny" class="secondary">Deny</button>
                </div>
                </form>
                """)
    }

    /// A page saying what went wrong and what to do, with a link back to where the user was (`back`: the address
    /// and the link's words), when that is known.
    static func problem(title: String, message: String, detail: String? = nil, back: (href: String, label: String)? = nil) -> String {
        let extra = detail.map { "<p class=\"note\">\(HTMLPage.escape($0))</p>" } ?? ""
        let link = back.map(backLink) ?? ""
        return HTMLPage.document(
            title: title,
            body: """
                <h1>\(HTMLPage.escape(title))</h1>
                <p class="error" role="alert" id="problem">\(HTMLPage.escape(message))</p>
                \(extra)
                \(link)
                """)
    }

    /// A page saying something worked, with a link onwards when there is one.
    static func done(title: String, message: String, back: (href: String, label: String)? = nil) -> String {
        let link = back.map(backLink) ?? ""
        return HTMLPage.document(
            title: title,
            body: """
                <h1>\(HTMLPage.escape(title))</h1>
                <p class="notice" role="status" id="notice">\(HTMLPage.escape(message))</p>
                \(link)
                """)
    }

    /// The link back to where the user was, under a problem or a confirmation.
    private static func backLink(_ back: (href: String, label: String)) -> String {
        "<p class=\"back\"><a href=\"\(HTMLPage.escape(back.href))\" id=\"back-link\">\(HTMLPage.escape(back.label))</a></p>"
    }
}
