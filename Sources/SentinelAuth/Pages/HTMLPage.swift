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
        main{max-width:28rem;margin:2rem auto;background:#fff;border-radius:.75rem;padding:1.5rem;box-shadow:0 1px 4px rgba(0,0,0,.12)}
        h1{font-size:1.35rem;margin:0 0 1rem}
        dl{display:grid;grid-template-columns:auto 1fr;gap:.3rem .8rem;margin:0 0 1rem}
        dt{color:#5b6477}dd{margin:0;word-break:break-word}
        label{display:block;margin:.6rem 0 .2rem;font-weight:600}
        input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:.6rem;font-size:1rem;border:1px solid #b9c0cc;border-radius:.4rem}
        fieldset{border:1px solid #d5d9e0;border-radius:.4rem;margin:1rem 0;padding:.5rem .8rem}
        fieldset label{font-weight:400;display:flex;gap:.5rem;align-items:center}
        .actions{display:flex;gap:.6rem;margin-top:1rem;flex-wrap:wrap}
        button{flex:1;padding:.7rem 1rem;font-size:1rem;border-radius:.4rem;border:1px solid #2456c7;background:#2456c7;color:#fff;cursor:pointer}
        button.secondary{background:#fff;color:#2456c7}
        .error{background:#fdecec;border:1px solid #e3a0a0;color:#8a1c1c;padding:.6rem;border-radius:.4rem}
        .note{color:#5b6477;font-size:.9rem}
        .signedin{display:flex;justify-content:space-between;align-items:center;gap:.5rem;font-size:.9rem;color:#5b6477}
        .signedin button{flex:0;padding:.3rem .6rem;font-size:.85rem}
        h2{font-size:1.1rem;margin:1.5rem 0 .3rem}h3{font-size:1rem;margin:0 0 .4rem;word-break:break-word}
        .item{border-top:1px solid #d5d9e0;margin-top:.9rem;padding-top:.7rem}
        a.button{flex:1;text-align:center;padding:.7rem 1rem;font-size:1rem;border-radius:.4rem;border:1px solid #2456c7;color:#2456c7;text-decoration:none}
        button.danger{background:#fff;color:#a32020;border-color:#a32020}.signedin button{white-space:nowrap}
        .notice{background:#e8f4ea;border:1px solid #8fc79a;color:#1d5a2a;padding:.6rem;border-radius:.4rem}
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

    /// Hidden inputs carrying the authorization request from page to page.
    static func hiddenFields(_ fields: [(String, String)]) -> String {
        fields.map { "<input type=\"hidden\" name=\"\(escape($0.0))\" value=\"\(escape($0.1))\">" }.joined(separator: "\n")
    }
}
