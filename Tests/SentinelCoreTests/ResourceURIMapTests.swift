import Foundation
import Testing
import SentinelCore

struct ResourceURIMapTests {
    typealias Origin = ResourceURIMap.Origin

    static let uris = [
        "file:///README.md", "https://example.org/a?b=c#d", "counter://value", "urn:isbn:0451450523", "mailto:a@b.c",
        "c:\\Windows\\x", "a+b+file:///x", "x:", "git+ssh://h/r", "ui://board/app.html", "UI://Board/App.html",
        "Ui://x", "ui://", "ui:///abs", "ui://a+b/c", "ui:foo", "ui:/x", "ui+x://y", "notes://{topic}", "s:é/ü?\u{301}",
        "s:+", "s:a b\n", "x-y.z+w:rest", "ui://\u{301}x",
    ]
    static let servers = ["sdk", "fm", "a", "a1-b2", String(repeating: "z", count: 48)]

    @Test func everyURIWithASchemeRoundTripsOnEveryServer() throws {
        for server in Self.servers {
            for uri in Self.uris {
                let mapped = try #require(ResourceURIMap.map(server: server, uri: uri), "\(server) \(uri)")
                #expect(ResourceURIMap.unmap(mapped) == Origin(server: server, uri: uri), "\(mapped)")
            }
        }
    }

    @Test func theServerGoesBeforeTheURIAndUISchemeStaysOnTheLeft() {
        #expect(ResourceURIMap.map(server: "sdk", uri: "file:///README.md") == "sdk+file:///README.md")
        #expect(ResourceURIMap.map(server: "sdk", uri: "ui://board/app.html") == "ui://sdk+board/app.html")
        #expect(ResourceURIMap.map(server: "sdk", uri: "UI://Board/x") == "UI://sdk+Board/x")
        #expect(ResourceURIMap.map(server: "sdk", uri: "ui://") == "ui://sdk+")
        #expect(ResourceURIMap.map(server: "sdk", uri: "ui:///abs") == "ui://sdk+/abs")
        // `ui:` without `//` is not an MCP Apps URI: it gets the ordinary form.
        #expect(ResourceURIMap.map(server: "sdk", uri: "ui:foo") == "sdk+ui:foo")
        #expect(ResourceURIMap.map(server: "sdk", uri: "ui:/x") == "sdk+ui:/x")
        #expect(ResourceURIMap.map(server: "sdk", uri: "uix://y") == "sdk+uix://y")
        #expect(ResourceURIMap.map(server: "sdk", uri: "a+b+file:///x") == "sdk+a+b+file:///x")
        #expect(ResourceURIMap.unmap("sdk+a+b+file:///x") == Origin(server: "sdk", uri: "a+b+file:///x"))
    }

    @Test func collidingURIsOfTwoServersMapApart() {
        let sdk = ResourceURIMap.map(server: "sdk", uri: "file:///README.md")
        let fm = ResourceURIMap.map(server: "fm", uri: "file:///README.md")
        #expect(sdk != fm)
        #expect(ResourceURIMap.map(server: "sdk", uri: "ui://w/x") != ResourceURIMap.map(server: "fm", uri: "ui://w/x"))
    }

    @Test func noTwoPairsShareAMappedURI() {
        // Pairs chosen to tempt a naive scheme: servers that prefix each other, URIs holding `+` and `ui`.
        let servers = ["a", "a-b", "ab", "b", "ui", "sdk"]
        let uris = ["b+c:x", "c:x", "ui://b+c", "ui://c", "b:x", "a-b+c:x", "ui+c://x", "ui:c", "sdk+file:///x"]
        var seen: [String: Origin] = [:]
        for server in servers {
            for uri in uris {
                guard let mapped = ResourceURIMap.map(server: server, uri: uri) else { continue }
                let origin = Origin(server: server, uri: uri)
                #expect(seen[mapped] == nil, "\(mapped) for both \(String(describing: seen[mapped])) and \(origin)")
                seen[mapped] = origin
            }
        }
        #expect(seen.count == servers.count * uris.count)
    }

    @Test(arguments: ["", ":x", "1abc:x", "a b:x", "-a:x", "+a:x", "no-scheme", "/abs/path", "é:x", "{s}:x", "file"])
    func aURIWithoutAValidSchemeIsNotMapped(uri: String) {
        #expect(ResourceURIMap.map(server: "sdk", uri: uri) == nil)
        #expect(ResourceURIMap.mapTemplate(server: "sdk", uriTemplate: uri) == nil)
    }

    @Test(arguments: ["", "SDK", "a:b", "a/b", "-a", "a-", "a--b", "1a", "é"])
    func anInvalidServerNameIsNeverMappedNorUnmapped(server: String) {
        #expect(ResourceURIMap.map(server: "a+b", uri: "file:///x") == nil)
        #expect(ResourceURIMap.mapTemplate(server: "a+b", uriTemplate: "file:///{x}") == nil)
        #expect(ResourceURIMap.map(server: server, uri: "file:///x") == nil)
        #expect(ResourceURIMap.unmap(server + "+file:///x") == nil)
        #expect(ResourceURIMap.unmap("ui://" + server + "+x") == nil)
    }

    @Test(arguments: [
        "file:///README.md",  // no server
        "+file:///x",  // empty server
        "sdk+",  // no URI
        "sdk+nocolon",  // no scheme in the rest
        "sdk+ui://board/x",  // a ui:// URI has one spelling: ui://sdk+board/x
        "sdk+UI://x",
        "ui://board/x",  // no server in a ui:// URI
        "ui://sdk",  // no `+`
        "ui://sdk/x+y",  // the `+` comes after a `/`: `sdk/x` is no server
        "ui://+x",
        "Sdk+file:///x",
        "ui://Sdk+x",
        "unknown:sdk+file:///x",
    ])
    func onlyWhatMapProducesUnmaps(mapped: String) {
        #expect(ResourceURIMap.unmap(mapped) == nil)
    }

    @Test func unmapComparesBytesNotCanonicallyEquivalentCharacters() throws {
        // `+` followed by a combining mark is one Character: only a byte-wise split finds the server's end.
        let combining = try #require(ResourceURIMap.map(server: "sdk", uri: "ui://\u{301}x"))
        #expect(Array(combining.utf8) == Array("ui://sdk+\u{301}x".utf8))
        #expect(ResourceURIMap.unmap(combining) == Origin(server: "sdk", uri: "ui://\u{301}x"))
        #expect(ResourceURIMap.unmap("sdk+\u{301}s:x") == nil)  // the rest has no valid scheme
        // é precomposed and decomposed are equal Strings but different URIs: each unmaps to its own bytes.
        let composed = try #require(ResourceURIMap.map(server: "sdk", uri: "s:\u{e9}"))
        let decomposed = try #require(ResourceURIMap.map(server: "sdk", uri: "s:e\u{301}"))
        #expect(Array(try #require(ResourceURIMap.unmap(composed)).uri.utf8) == Array("s:\u{e9}".utf8))
        #expect(Array(try #require(ResourceURIMap.unmap(decomposed)).uri.utf8) == Array("s:e\u{301}".utf8))
    }

    @Test func templatesAreMappedWhenTheirSchemeIsLiteral() throws {
        #expect(ResourceURIMap.mapTemplate(server: "sdk", uriTemplate: "notes://{topic}") == "sdk+notes://{topic}")
        #expect(ResourceURIMap.mapTemplate(server: "fm", uriTemplate: "fm://docs/{name}") == "fm+fm://docs/{name}")
        #expect(ResourceURIMap.mapTemplate(server: "sdk", uriTemplate: "ui://{host}/x") == "ui://sdk+{host}/x")
        #expect(ResourceURIMap.mapTemplate(server: "sdk", uriTemplate: "file:///{+path}") == "sdk+file:///{+path}")
        #expect(ResourceURIMap.mapTemplate(server: "sdk", uriTemplate: "ui:x{y}") == "sdk+ui:x{y}")
        // The scheme is an expression, or `ui:` is followed by one that may expand to `//`: not mapped.
        for template in ["{scheme}://x", "{+base}/x", "x{y}:z", "ui:{x}", "ui:/{/x}", "UI:{+x}"] {
            #expect(ResourceURIMap.mapTemplate(server: "sdk", uriTemplate: template) == nil, "\(template)")
        }
        for template in ["notes://{topic}", "ui://{host}/x", "file:///{+path}", "s:{a}{b}", "ui:x{y}"] {
            let mapped = try #require(ResourceURIMap.mapTemplate(server: "sdk", uriTemplate: template))
            #expect(ResourceURIMap.unmapTemplate(mapped) == Origin(server: "sdk", uri: template))
        }
        #expect(ResourceURIMap.unmapTemplate("sdk+ui:{x}") == nil)
    }

    @Test func expandingAMappedTemplateGivesTheMappedExpansion() throws {
        // A literal prefix commutes with expansion; check with a plain substitution of one variable.
        func expand(_ template: String, _ value: String) -> String {
            template.replacingOccurrences(of: "{topic}", with: value)
        }
        for template in ["notes://{topic}", "ui://{topic}/page", "ui://h/{topic}", "s:{topic}"] {
            let mapped = try #require(ResourceURIMap.mapTemplate(server: "sdk", uriTemplate: template))
            for value in ["a", "a+b", "x/y", ""] {
                let upstream = expand(template, value)
                guard let expected = ResourceURIMap.map(server: "sdk", uri: upstream) else { continue }
                #expect(expand(mapped, value) == expected, "\(template) with \(value)")
                #expect(ResourceURIMap.unmap(expand(mapped, value)) == Origin(server: "sdk", uri: upstream))
            }
        }
    }

    @Test func rulePrefixesRoundTripAndAcceptBothSpellings() {
        for prefix in ["", "file:///docs/", "ui://", "ui:/", "UI://w", "fi", "a+b"] {
            let shown = ResourceURIMap.mapPrefix(server: "notes", prefix: prefix)
            #expect(ResourceURIMap.unmapPrefix(shown) == Origin(server: "notes", uri: prefix), "\(shown)")
        }
        #expect(ResourceURIMap.mapPrefix(server: "notes", prefix: "") == "notes+")
        #expect(ResourceURIMap.mapPrefix(server: "notes", prefix: "ui://w/") == "ui://notes+w/")
        #expect(ResourceURIMap.unmapPrefix("notes+ui://w/") == Origin(server: "notes", uri: "ui://w/"))
        #expect(ResourceURIMap.unmapPrefix("Notes+file:") == nil)
        #expect(ResourceURIMap.unmapPrefix("file:///docs/") == nil)
    }
}
