import SentinelCore

/// Server-rendered pages: no JavaScript, no third-party assets, readable on a phone.
enum HTMLPage {
    /// Escapes text for HTML element content and attribute values.
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// A whole document around `body` (already escaped where needed).
    static func document(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="no-referrer">
        <title>\(escape(title)) · Sentinel</title>
        <style>
        body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;background:#f4f5f7;color:#1d2330;margin:0;padding:1rem;line-height:1.45}
        main{max-width:30rem;margin:2rem auto;background:#fff;border-radius:.75rem;padding:1.5rem;box-shadow:0 1px 4px rgba(0,0,0,.12)}
        h1{font-size:1.5rem;line-height:1.25;margin:0 0 1rem}
        h2{font-size:1.05rem;margin:0 0 .4rem}
        dl{display:grid;grid-template-columns:auto 1fr;gap:.3rem .8rem;margin:0 0 1rem}
        dt{color:#5b6477}dd{margin:0;word-break:break-word}
        label{display:block;margin:.6rem 0 .2rem;font-weight:600}
        input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:.6rem;font-size:1rem;border:1px solid #b9c0cc;border-radius:.4rem}
        fieldset{border:1px solid #d5d9e0;border-radius:.4rem;margin:1rem 0;padding:.5rem .8rem}
        fieldset label{font-weight:400;display:flex;gap:.5rem;align-items:center}
        .actions{display:flex;gap:.6rem;margin-top:1rem;flex-wrap:wrap}
        button{flex:1;padding:.7rem 1rem;font-size:1rem;font-weight:600;border-radius:.4rem;border:1px solid #2456c7;background:#2456c7;color:#fff;cursor:pointer}
        button.secondary{background:#fff;color:#2456c7;font-weight:400}
        a{color:#2456c7}
        .error{background:#fdecec;border:1px solid #e3a0a0;color:#8a1c1c;padding:.6rem;border-radius:.4rem}
        .notice{background:#e9f6ee;border:1px solid #8cc9a3;color:#1b5e34;padding:.6rem;border-radius:.4rem}
        .note{color:#5b6477;font-size:.9rem}
        .next{border-left:3px solid #2456c7;padding:.2rem 0 .2rem .8rem;margin:1rem 0}
        .next ul{margin:.3rem 0;padding-left:1.2rem}
        .back{margin-top:1.2rem}
        .signedin{display:flex;justify-content:space-between;align-items:center;flex-wrap:wrap;gap:.5rem;font-size:.9rem;color:#5b6477;margin:0 0 1rem}
        .signedin .links{display:flex;align-items:center;gap:.8rem}
        .signedin button{flex:0;padding:.3rem .6rem;font-size:.85rem}
        h2.section{font-size:1.1rem;margin:1.5rem 0 .3rem}h3{font-size:1rem;margin:0 0 .4rem;word-break:break-word}
        .item{border-top:1px solid #d5d9e0;margin-top:.9rem;padding-top:.7rem}
        a.button{flex:1;text-align:center;padding:.7rem 1rem;font-size:1rem;border-radius:.4rem;border:1px solid #2456c7;color:#2456c7;text-decoration:none}
        button.danger{background:#fff;color:#a32020;border-color:#a32020}.signedin button{white-space:nowrap}
        .server{border:1px solid #d5d9e0;border-radius:.5rem;padding:.8rem;margin:.8rem 0}
        .badge{display:inline-flex;align-items:center;gap:.35rem;padding:.15rem .55rem;border-radius:1rem;font-size:.9rem;border:1px solid}
        .badge strong{font-weight:600}
        .badge-connected{background:#e9f6ee;border-color:#8cc9a3;color:#1b5e34}
        .badge-unverified{background:#fff6e0;border-color:#e0bf6a;color:#6b4e00}
        .badge-expired{background:#fdecec;border-color:#e3a0a0;color:#8a1c1c}
        .badge-missing{background:#eef1f6;border-color:#b9c0cc;color:#3a4356}
        .hint{font-size:.9rem;background:#f4f5f7;border-radius:.4rem;padding:.4rem .6rem;word-break:break-word}
        </style>
        </head>
        <body>
        <main>
        \(body)
        </main>
        </body>
        </html>
        """
    }

    /// How a user is named on every page: "Display Name (login)", or the login alone.
    static func userLabel(_ user: User) -> String {
        user.displayName.isEmpty ? user.name : "\(user.displayName) (\(user.name))"
    }

    /// The line at the top of a signed-in page: who is signed in, a link to their account page, and `extra`
    /// (already HTML, e.g. a sign-out form's button).
    static func signedInHeader(_ user: User, extra: String = "") -> String {
        """
        <div class="signedin"><span>Signed in as <strong id="signed-in-user">\(escape(userLabel(user)))</strong></span>
        <span class="links"><a href="/oauth/account" id="account-link">Your account</a>\(extra)</span></div>
        """
    }

    /// A problem (red) and a notice (green) block, when there is one.
    static func messages(problem: String?, notice: String?) -> String {
        let problemBlock = problem.map { "<p class=\"error\" role=\"alert\" id=\"problem\">\(escape($0))</p>" } ?? ""
        let noticeBlock = notice.map { "<p class=\"notice\" role=\"status\" id=\"notice\">\(escape($0))</p>" } ?? ""
        return problemBlock + noticeBlock
    }

    /// The user name and password form, posting `action=signin` to `action` with the CSRF token `csrf` and the
    /// `hidden` fields; `username` fills the name in again after a refusal.
    static func signInForm(action: String, csrf: String, hidden: [(String, String)] = [], username: String = "") -> String {
        let value = username.isEmpty ? "" : " value=\"\(escape(username))\""
        return """
            <form method="post" action="\(escape(action))">
            \(hiddenFields(hidden))
            <input type="hidden" name="csrf_token" value="\(escape(csrf))">
            <label for="username">User name</label>
            <input type="text" id="username" name="username" autocomplete="username" autocapitalize="none" required\(value)>
            <label for="password">Password</label>
            <input type="password" id="password" name="password" autocomplete="current-password" required>
            <div class="actions"><button type="submit" name="action" value="signin" id="signin">Sign in</button></div>
            </form>
            """
    }

    /// Hidden inputs carrying the authorization request from page to page.
    static func hiddenFields(_ fields: [(String, String)]) -> String {
        fields.map { "<input type=\"hidden\" name=\"\(escape($0.0))\" value=\"\(escape($0.1))\">" }.joined(separator: "\n")
    }
}
