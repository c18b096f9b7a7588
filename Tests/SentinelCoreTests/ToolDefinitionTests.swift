import Foundation
import Testing
import SentinelCore

struct ToolDefinitionTests {
    static let now = Date(timeIntervalSince1970: 1_750_000_000)

    static func tool(_ definition: String, name: String = "get.data") -> Tool {
        Tool(server: "fm", name: name, definition: definition, discoveredAt: now)
    }

    static let origin = #""io.sentinel/origin":{"server":"fm","tool":"get.data"}"#

    @Test func onlyTheNameChangesAndOriginJoinsTheUpstreamsMeta() {
        let upstream = #"{ "name" : "get.data", "icons":[{"src":"https://x.example/i.png","sizes":["48x48"]}],"#
            + #""_meta":{"ui":{"resourceUri":"ui://fm/data.html"},"k":1.50},"execution":{"taskSupport":"optional"},"#
            + #""inputSchema":{"type":"object" },"x-later":[1,"\u00e9"] }"#
        let exposed = ToolDefinition.exposed(Self.tool(upstream), as: "fm__get_data").text
        let expected = #"{ "name" : "fm__get_data", "icons":[{"src":"https://x.example/i.png","sizes":["48x48"]}],"#
            + #""_meta":{"# + Self.origin + #","ui":{"resourceUri":"ui://fm/data.html"},"k":1.50},"#
            + #""execution":{"taskSupport":"optional"},"inputSchema":{"type":"object" },"x-later":[1,"\u00e9"] }"#
        #expect(exposed == expected)
    }

    @Test func aToolWithoutMetaGetsOneAndAnEmptyMetaIsFilled() {
        #expect(
            ToolDefinition.exposed(Self.tool(#"{"name":"get.data","inputSchema":{}}"#), as: "n").text
                == #"{"name":"n","inputSchema":{},"_meta":{"# + Self.origin + "}}")
        #expect(
            ToolDefinition.exposed(Self.tool(#"{"name":"get.data","inputSchema":{},"_meta":{ }}"#), as: "n").text
                == #"{"name":"n","inputSchema":{},"_meta":{"# + Self.origin + " }}")
    }

    @Test func anUpstreamOriginOrANonObjectMetaIsLeftAsItIs() {
        let relayed = #"{"name":"get.data","inputSchema":{},"_meta":{"io.sentinel/origin":{"server":"inner"}}}"#
        #expect(
            ToolDefinition.exposed(Self.tool(relayed), as: "n").text
                == #"{"name":"n","inputSchema":{},"_meta":{"io.sentinel/origin":{"server":"inner"}}}"#)
        #expect(
            ToolDefinition.exposed(Self.tool(#"{"name":"get.data","inputSchema":{},"_meta":null}"#), as: "n").text
                == #"{"name":"n","inputSchema":{},"_meta":null}"#)
    }

    @Test func aToolWithoutInputSchemaGetsAnyObject() {
        #expect(
            ToolDefinition.exposed(Self.tool(#"{"name":"get.data","_meta":{}}"#), as: "n").text
                == #"{"name":"n","_meta":{"# + Self.origin + #"},"inputSchema":{"type":"object"}}"#)
    }

    @Test func aToolBuiltFromFieldsIsListedLikeBefore() throws {
        let tool = Tool(
            server: "fm", name: "get.data", title: "Get", description: "Gets \"data\".", inputSchema: #"{"type":"object"}"#,
            outputSchema: #"{"type":"object"}"#, annotations: #"{"readOnlyHint":true}"#, discoveredAt: Self.now)
        #expect(
            tool.definition
                == #"{"name":"get.data","title":"Get","description":"Gets \"data\".","inputSchema":{"type":"object"},"#
                + #""outputSchema":{"type":"object"},"annotations":{"readOnlyHint":true}}"#)
        let exposed = try ToolDefinition.exposed(tool, as: "fm__get_data").decoded()
        #expect(exposed["name"] == "fm__get_data")
        #expect(exposed["_meta"]?["io.sentinel/origin"]?["tool"] == "get.data")
    }

    @Test func repeatedMembersAreFound() throws {
        for (text, repeats) in [
            (#"{"name":"a","x":1}"#, false), (#" { "name" : "a" , "x" : [1,{"name":2}] } "#, false), ("{}", false),
            (#"{"name":"evil","name":"a"}"#, true), (#"{"name":"a","x":1,"name":"b"}"#, true),
            (#"{"x":{"y":1},"name":"a","x":2}"#, true), (#"{"a\"b":1,"a\"b":2}"#, true), (#"{"a\"b":1,"c":2}"#, false),
        ] {
            let bytes = Array(text.utf8)
            let members = try JSONScanner.members(of: bytes)
            #expect(ToolDefinition.repeatsMember(bytes, in: 0..<bytes.count, members: members) == repeats, "\(text)")
        }
    }
}
