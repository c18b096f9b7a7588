import Foundation
import Testing
import SentinelCore

struct ContentURIRewriterTests {
    static func raw(_ text: String) -> RawJSON { RawJSON(Array(text.utf8)) }

    @Test func resourceLinksAndEmbeddedResourcesOfAToolResultAreMappedAndNothingElse() {
        let result = #"{"content":[{"type":"text","text":"see file:///a.md"},"#
            + #" {"type":"resource_link","uri":"file:///a.md","name":"a"},"#
            + #"{"type":"resource","resource":{"uri":"ui://w/x.html","mimeType":"text/html","text":"<p>"}}],"#
            + #""structuredContent":{"content":[{"type":"resource_link","uri":"file:///b"}]},"#
            + #""_meta":{"uri":"file:///c"},"isError":false}"#
        let expected = #"{"content":[{"type":"text","text":"see file:///a.md"},"#
            + #" {"type":"resource_link","uri":"sdk+file:///a.md","name":"a"},"#
            + #"{"type":"resource","resource":{"uri":"ui://sdk+w/x.html","mimeType":"text/html","text":"<p>"}}],"#
            + #""structuredContent":{"content":[{"type":"resource_link","uri":"file:///b"}]},"#
            + #""_meta":{"uri":"file:///c"},"isError":false}"#
        #expect(ContentURIRewriter.toolResult(Self.raw(result), server: "sdk").text == expected)
        #expect(ContentURIRewriter.toolResult(Self.raw(result), server: "sdk", precheck: false).text == expected)
    }

    @Test func prettyPrintedResultsAreRewrittenInPlace() {
        let result = "{\n  \"content\": [\n    {\n      \"type\": \"resource_link\",\n      \"uri\": \"file:///a\"\n    }\n  ],\n"
            + "  \"messages\": [ { \"role\": \"user\", \"content\": { \"type\": \"resource\", \"resource\": { \"uri\": \"b:c\" } } } ]\n}\n"
        #expect(
            ContentURIRewriter.toolResult(Self.raw(result), server: "sdk").text
                == result.replacingOccurrences(of: "\"file:///a\"", with: "\"sdk+file:///a\""))
        #expect(
            ContentURIRewriter.promptResult(Self.raw(result), server: "sdk").text
                == result.replacingOccurrences(of: "\"b:c\"", with: "\"sdk+b:c\""))
    }

    @Test func aResultWithNothingToRewriteKeepsItsBytes() {
        let results = [
            #"{"content":[{"type":"text","text":"plain \"quoted\" é"}],"isError":false}"#,
            #"{"content":[{"type":"image","data":"AAAA","mimeType":"image/png"}], "structuredContent":{"x":1.50}}"#,
            #"{"content":[{"type":"resource_link","uri":"no scheme","name":"n"}]}"#,  // unmappable: left as it is
            #"{"content":[{"type":"resource_link","uri":42}]}"#,
            #"{"content":[{"type":"resource","resource":"file:///x"}]}"#,
            #"{"content":{"type":"resource_link","uri":"file:///x"}}"#,  // not an array
            #"{"content":["resource_link"]}"#,
            #"[{"type":"resource_link","uri":"file:///x"}]"#,
            #"{"content":[{"type":"resource_link","uri":"file:///x"}"#,  // not JSON
            #"{"isError":true,"content":[{"type":"text","text":"\u00e9 resource"}]}"#,
        ]
        for result in results {
            let raw = Self.raw(result)
            #expect(ContentURIRewriter.toolResult(raw, server: "sdk") == raw, "\(result)")
            #expect(ContentURIRewriter.toolResult(raw, server: "sdk", precheck: false) == raw, "\(result)")
            #expect(ContentURIRewriter.promptResult(raw, server: "sdk", precheck: false) == raw, "\(result)")
        }
    }

    @Test func thePrecheckSkipsOrdinaryResultsAndCatchesEscapedTypes() {
        #expect(!ContentURIRewriter.mayHoldResourceBlocks(Array(#"{"content":[{"type":"text","text":"a resource"}]}"#.utf8)))
        #expect(ContentURIRewriter.mayHoldResourceBlocks(Array(#"{"type":"resource_link"}"#.utf8)))
        #expect(ContentURIRewriter.mayHoldResourceBlocks(Array(#"{"resources":1}"#.utf8)))
        // A type spelled with an escape is still a resource link: the search lets it through to the scan.
        let escaped = #"{"content":[{"type":"resourc\u0065_link","uri":"file:///x"}]}"#
        #expect(ContentURIRewriter.mayHoldResourceBlocks(Array(escaped.utf8)))
        #expect(
            ContentURIRewriter.toolResult(Self.raw(escaped), server: "fm").text
                == #"{"content":[{"type":"resourc\u0065_link","uri":"fm+file:///x"}]}"#)
        #expect(!ContentURIRewriter.mayHoldResourceBlocks([]))
        #expect(!ContentURIRewriter.mayHoldResourceBlocks(Array(#""resourc"#.utf8)))
        #expect(ContentURIRewriter.mayHoldResourceBlocks(Array(#"x"resource"#.utf8)))
    }

    @Test func escapedURIsAreDecodedMappedAndWrittenAgain() {
        let result = #"{"content":[{"type":"resource_link","uri":"file:\/\/\/\u00e9 \"q\".md"}]}"#
        #expect(
            ContentURIRewriter.toolResult(Self.raw(result), server: "sdk").text
                == #"{"content":[{"type":"resource_link","uri":"sdk+file:///é \"q\".md"}]}"#)
    }

    @Test func promptMessagesAreRewrittenWhetherContentIsOneBlockOrAnArray() {
        let result = #"{"description":"d","messages":["#
            + #"{"role":"user","content":{"type":"resource","resource":{"uri":"file:///R.md","text":"r"}}},"#
            + #"{"role":"assistant","content":[{"type":"text","text":"t"},{"type":"resource_link","uri":"notes://x"}]},"#
            + #"{"role":"user","content":{"type":"text","text":"{\"type\":\"resource_link\",\"uri\":\"a:b\"}"}}]}"#
        let expected = #"{"description":"d","messages":["#
            + #"{"role":"user","content":{"type":"resource","resource":{"uri":"fm+file:///R.md","text":"r"}}},"#
            + #"{"role":"assistant","content":[{"type":"text","text":"t"},{"type":"resource_link","uri":"fm+notes://x"}]},"#
            + #"{"role":"user","content":{"type":"text","text":"{\"type\":\"resource_link\",\"uri\":\"a:b\"}"}}]}"#
        #expect(ContentURIRewriter.promptResult(Self.raw(result), server: "fm").text == expected)
        // A tool result's rules do not apply to `messages`, nor a prompt result's to `content`.
        #expect(ContentURIRewriter.toolResult(Self.raw(result), server: "fm").text == result)
    }

    @Test func readResultsMapEveryContentsURI() {
        let result = #"{"contents":[{"uri":"ui://w/a.html","mimeType":"text/html;profile=mcp-app","text":"<html>"},"#
            + #"{"uri":"file:///b","blob":"AAAA"},{"text":"no uri"}],"ttlMs":60000,"_meta":{"k":"v"}}"#
        let expected = #"{"contents":[{"uri":"ui://sdk+w/a.html","mimeType":"text/html;profile=mcp-app","text":"<html>"},"#
            + #"{"uri":"sdk+file:///b","blob":"AAAA"},{"text":"no uri"}],"ttlMs":60000,"_meta":{"k":"v"}}"#
        #expect(ContentURIRewriter.readResult(Self.raw(result), server: "sdk").text == expected)
    }

    @Test func theUIKeysOfAToolsMetaAreMapped() {
        let definition = #"{"name":"show","inputSchema":{},"_meta":{"ui":{"resourceUri":"ui://board/app.html","visibility":["app"]},"#
            + #""ui/resourceUri":"ui://board/app.html","openai/outputTemplate":"ui://widget/chart.html","x":"ui://other"}}"#
        let expected = #"{"name":"show","inputSchema":{},"_meta":{"ui":{"resourceUri":"ui://sdk+board/app.html","visibility":["app"]},"#
            + #""ui/resourceUri":"ui://sdk+board/app.html","openai/outputTemplate":"ui://sdk+widget/chart.html","x":"ui://other"}}"#
        #expect(ContentURIRewriter.toolDefinition(Self.raw(definition), server: "sdk").text == expected)
        for unchanged in [
            #"{"name":"t","inputSchema":{}}"#, #"{"name":"t","_meta":null}"#, #"{"name":"t","_meta":{"ui":"ui://x"}}"#,
            #"{"name":"t","_meta":{"ui":{"resourceUri":null}}}"#, #"{"name":"t","_meta":{"fastmcp":{"tags":[]}}}"#,
        ] {
            #expect(ContentURIRewriter.toolDefinition(Self.raw(unchanged), server: "sdk") == Self.raw(unchanged))
        }
    }

    @Test func everyRewrittenURIUnmapsToTheUpstreamsURI() throws {
        let result = #"{"content":[{"type":"resource_link","uri":"a+b:c"},{"type":"resource","resource":{"uri":"UI://x"}}]}"#
        let rewritten = try ContentURIRewriter.toolResult(Self.raw(result), server: "s1").decoded()
        let link = try #require(rewritten["content"]?.arrayValue?.first?["uri"]?.stringValue)
        let embedded = try #require(rewritten["content"]?.arrayValue?.last?["resource"]?["uri"]?.stringValue)
        #expect(ResourceURIMap.unmap(link) == ResourceURIMap.Origin(server: "s1", uri: "a+b:c"))
        #expect(ResourceURIMap.unmap(embedded) == ResourceURIMap.Origin(server: "s1", uri: "UI://x"))
    }
}
