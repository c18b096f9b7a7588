import Foundation
import SentinelCore

/// The HTML of the account page (/oauth/account): a user's sessions with Revoke, their personal credentials with
/// Re-authenticate and Disconnect, and Sign out. Every action is a POST with the page's CSRF token.
enum AccountPages {
    static let path = "/oauth/account"
    static let signOutPath = "/oauth/sign-out"

    /// A time as people read it in a log: `2026-12-07 21:51 UTC`.
    static func time(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: date) + " UTC"
    }

    /// "Last used" of a session: when and from where, or "never".
    static func lastUse(_ grant: Grant) -> String {
        guard let used = grant.lastUsedAt else { return "never" }
        guard let address = grant.lastAddress, !address.isEmpty else { return time(used) }
        return "\(time(used)) from \(address)"
    }

    /// How a server takes the user's credential, in plain words.
    static func kindLabel(_ kind: CredentialKind) -> String {
        switch kind {
        case .bearer: "a token you pasted"
        case .oauth: "your sign-in at the server"
        }
    }

    /// The user as every page names them: "Display Name (name)", or the name alone.
    static func shownName(_ user: User) -> String {
        user.displayName.isEmpty ? user.name : "\(user.displayName) (\(user.name))"
    }

    static func hiddenCSRF(_ csrf: String) -> String {
        "<input type=\"hidden\" name=\"csrf_token\" value=\"\(HTMLPage.escape(csrf))\">"
    }

    static func session(_ grant: Grant, csrf: String) -> String {
        let id = HTMLPage.escape(grant.id)
        return """
            <section class="item" id="session-\(id)">
            <h3>\(HTMLPage.escape(grant.clientName))</h3>
            <dl>
            <dt>Endpoint</dt><dd class="session-endpoint">\(HTMLPage.escape(grant.endpoint))</dd>
            <dt>Allowed</dt><dd>\(time(grant.createdAt))</dd>
            <dt>Expires</dt><dd>\(time(grant.expiresAt))</dd>
            <dt>Last used</dt><dd class="session-last-used">\(HTMLPage.escape(lastUse(grant)))</dd>
            </dl>
            <form method="post" action="\(path)">
            \(hiddenCSRF(csrf))
            <input type="hidden" name="grant" value="\(id)">
            <div class="actions"><button type="submit" name="action" value="revoke" id="revoke-\(id)" class="danger">Revoke access</button></div>
            </form>
            </section>
            """
    }

    static func credential(_ credential: AccountView.Credential, csrf: String) -> String {
        let row = credential.row
        let server = HTMLPage.escape(row.server)
        let description = row.description.isEmpty ? "" : " — \(HTMLPage.escape(row.description))"
        let connected = credential.connectedAt.map { "<dt>Connected</dt><dd>\(time($0))</dd>" } ?? ""
        let disconnect = credential.hasCredential
            ? """
                <form method="post" action="\(path)">
                \(hiddenCSRF(csrf))
                <input type="hidden" name="server" value="\(server)">
                <div class="actions"><button type="submit" name="action" value="disconnect" id="disconnect-\(server)" class="danger">Disconnect</button></div>
                </form>
                """
            : ""
        let verb = credential.hasCredential ? "Re-authenticate" : "Connect"
        return """
            <section class="item" id="credential-\(server)">
            <h3>\(server)\(description)</h3>
            <dl>
            <dt>State</dt><dd><strong class="state" id="credential-state-\(server)">\(HTMLPage.escape(CredentialPages.stateLabel(row.state)))</strong></dd>
            <dt>With</dt><dd>\(kindLabel(row.kind))</dd>
            \(connected)
            </dl>
            <div class="actions"><a class="button" href="/oauth/credentials#server-\(server)" id="reauthenticate-\(server)">\(verb)</a></div>
            \(disconnect)
            </section>
            """
    }

    static func overview(_ view: AccountView) -> String {
        let problem = view.problem.map { "<p class=\"error\" role=\"alert\" id=\"problem\">\(HTMLPage.escape($0))</p>" } ?? ""
        let notice = view.notice.map { "<p class=\"notice\" role=\"status\" id=\"notice\">\(HTMLPage.escape($0))</p>" } ?? ""
        let sessions = view.sessions.isEmpty
            ? "<p id=\"no-sessions\">No application has access to an endpoint as you.</p>"
            : view.sessions.map { session($0, csrf: view.csrf) }.joined(separator: "\n")
        let credentials = view.credentials.isEmpty
            ? "<p id=\"no-credentials\">None of the endpoints you may use has a server that needs your own credentials.</p>"
            : view.credentials.map { credential($0, csrf: view.csrf) }.joined(separator: "\n")
        return HTMLPage.document(
            title: "Your account",
            body: """
                <form method="post" action="\(signOutPath)" class="signedin">
                \(hiddenCSRF(view.csrf))
                <span>Signed in as <strong id="signed-in-user">\(HTMLPage.escape(shownName(view.user)))</strong></span>
                <button type="submit" name="action" value="signout" id="sign-out" class="secondary">Sign out</button>
                </form>
                <h1>Your account</h1>
                \(problem)
                \(notice)
                <h2 class="section">Applications with access</h2>
                <p class="note">Revoking ends an application's access at once; it has to ask you again.</p>
                \(sessions)
                <h2 class="section">Your connected servers</h2>
                <p class="note">Servers that act as you, with your own account there.</p>
                \(credentials)
                """)
    }

    static func signIn(csrf: String, error: String?, notice: String?) -> String {
        let errorBlock = error.map { "<p class=\"error\" role=\"alert\">\(HTMLPage.escape($0))</p>" } ?? ""
        let noticeBlock = notice.map { "<p class=\"notice\" role=\"status\" id=\"notice\">\(HTMLPage.escape($0))</p>" } ?? ""
        return HTMLPage.document(
            title: "Sign in",
            body: """
                <h1>Sign in to manage your account</h1>
                \(noticeBlock)
                \(errorBlock)
                \(HTMLPage.signInForm(action: path, csrf: csrf))
                """)
    }
}
