import Foundation
@testable import SentinelControl
import SentinelControlAPI
import SentinelCore
import SentinelStore
@testable import SentinelVarlink
import Testing

struct ManagerInterfaceTests {
    static let definition = try! VarlinkInterfaceDefinition(parsing: ManagerInterface.interfaceDescription)
    static let methods = definition.methods.keys.sorted()

    struct Unexpected: Error, CustomStringConvertible {
        var description: String { "disk on fire" }
    }

    @Test func interfaceDescriptionParses() async throws {
        let definition = try VarlinkInterfaceDefinition(parsing: ManagerInterface.interfaceDescription)
        #expect(definition.name == "io.sentinel.Manager")
        for method in ["GetStatus", "AddServer", "EnableTools", "RevokeSession", "WatchChanges"] {
            #expect(definition.methods[method] != nil, "\(method) missing")
        }
        try await withHarness { harness in
            #expect(harness.manager.definition.text == ManagerInterface.interfaceDescription)
        }
    }

    @Test(arguments: [
        (StoreError.notFound(kind: "server", name: "x"), "NoSuchServer", ["name": "x"] as [String: JSONValue]),
        (.notFound(kind: "endpoint", name: "e"), "NoSuchEndpoint", ["name": "e"]),
        (.notFound(kind: "user", name: "u"), "NoSuchUser", ["name": "u"]),
        (.notFound(kind: "session", name: "g1"), "NoSuchSession", ["id": "g1"]),
        (.alreadyExists(kind: "server", name: "x"), "ServerExists", ["name": "x"]),
        (.alreadyExists(kind: "endpoint", name: "e"), "EndpointExists", ["name": "e"]),
        (.alreadyExists(kind: "user", name: "u"), "UserExists", ["name": "u"]),
        (.serverInUse(server: "x", endpoints: ["a", "b"]), "ServerInUse", ["name": "x", "endpoints": ["a", "b"] as JSONValue]),
        (.notAttached(endpoint: "e", server: "x"), "ServerNotAttached", ["endpoint": "e", "server": "x"]),
        (.noSuchTool(endpoint: "e", tool: "x/t"), "NoSuchTool", ["endpoint": "e", "tool": "x/t", "reason": "no server attached to the endpoint lists it"]),
        (.invalid(field: "url", reason: "bad"), "InvalidValue", ["field": "url", "reason": "bad"]),
    ])
    func storeErrorsBecomeNamedErrorsWithTheirParameters(error: StoreError, name: String, parameters: [String: JSONValue]) async throws {
        try await withHarness { harness in
            let mapped = harness.manager.varlinkError(for: error)
            #expect(mapped == VarlinkError("io.sentinel.Manager." + name, parameters))
            let fields = try #require(Self.definition.errors[name], "\(name) is not declared in the IDL")
            #expect(Self.definition.invalidField(in: mapped.parameters, fields: fields, path: "") == nil)
        }
    }

    @Test func newerSchemaAndUnknownErrorsBecomeInternalError() async throws {
        try await withHarness { harness in
            let manager = harness.manager
            let newer = StoreError.newerSchema(path: "/db", unknownMigrations: ["v9"])
            #expect(manager.varlinkError(for: newer) == VarlinkError("io.sentinel.Manager.InternalError", ["message": .string(newer.description)]))
            #expect(manager.varlinkError(for: Unexpected()) == VarlinkError("io.sentinel.Manager.InternalError", ["message": "disk on fire"]))
            #expect(manager.varlinkError(for: ManagerError.invalidValue(field: "password", reason: "short"))
                == VarlinkError("io.sentinel.Manager.InvalidValue", ["field": "password", "reason": "short"]))
        }
    }

    @Test func watchChangesStreamsAChangeMadeByAnotherCall() async throws {
        try await withHarness { harness in
            let peer = VarlinkPeer(uid: 1000, gid: 777, pid: 2024, groups: [])
            let response = try await harness.manager.handle(
                VarlinkCall(method: "io.sentinel.Manager.WatchChanges", more: true), peer: ControlHarness.admin)
            guard case .stream(let stream) = response else {
                Issue.record("WatchChanges did not return a stream")
                return
            }
            var iterator = stream.makeAsyncIterator()
            _ = try await harness.call("AddServer", ["server": .object(stdioSpec)], peer: peer)
            _ = try await harness.call("CreateEndpoint", ["name": "eng", "servers": ["files"]], peer: peer)

            let firstReply = try #require(try await iterator.next())
            #expect(firstReply.continues)
            let first = firstReply.parameters
            #expect(Self.definition.invalidReplyField(in: first, method: "WatchChanges") == nil)
            #expect(first["change"]?["action"] == "server-add")
            #expect(first["change"]?["object"] == "server")
            #expect(first["change"]?["name"] == "files")
            #expect(first["change"]?["uid"] == 1000)
            #expect(first["change"]?["pid"] == 2024)
            let time = try #require(first["change"]?["time"]?.stringValue)
            #expect(try Date(time, strategy: .iso8601).timeIntervalSinceNow > -60)

            let second = try #require(try await iterator.next()).parameters
            #expect(second["change"]?["action"] == "endpoint-create")
            #expect(second["change"]?["name"] == "eng")
        }
    }

    /// A value for every required field of `type`, the smallest the IDL accepts.
    static func minimalValue(_ type: VarlinkType) -> JSONValue? {
        switch type {
        case .optional: nil
        case .bool: false
        case .int: 1
        case .float: 1.0
        case .string: "x"
        case .object, .set, .map: [:]
        case .array: []
        case .enumeration(let cases): .string(cases[0])
        case .named(let name): minimalValue(definition.types[name]!)
        case .structure(let fields): .object(minimalObject(fields))
        }
    }

    static func minimalObject(_ fields: [VarlinkField]) -> [String: JSONValue] {
        var object: [String: JSONValue] = [:]
        for field in fields {
            if let value = minimalValue(field.type) { object[field.name] = value }
        }
        return object
    }

    @Test func theIDLDeclaresEveryMethodSentinelctlUses() {
        let used: Set = [
            "GetStatus", "AddServer", "ListServers", "GetServer", "UpdateServer", "RemoveServer", "ListServerTools",
            "CreateEndpoint", "ListEndpoints", "GetEndpoint", "UpdateEndpoint", "DeleteEndpoint", "AttachServer",
            "DetachServer", "ListToolSelections", "EnableTools", "DisableTools", "AddUser", "ListUsers", "RemoveUser",
            "SetPassword", "ListSessions", "RevokeSession", "WatchChanges",
        ]
        #expect(used.subtracting(Self.methods).isEmpty, "missing: \(used.subtracting(Self.methods).sorted())")
    }

    /// What each method does with the minimal parameters below (AddServer: a stdio server without command), against the fixtures of `everyMethodIsImplemented`
    /// (nil: it succeeds). Methods added later only have to avoid MethodNotImplemented and undeclared errors.
    static let expectedErrors: [String: String?] = [
        "GetStatus": nil, "ListServers": nil, "GetServer": nil, "UpdateServer": nil, "ListServerTools": nil,
        "ListEndpoints": nil, "GetEndpoint": nil, "UpdateEndpoint": nil, "DeleteEndpoint": nil, "AttachServer": nil,
        "DetachServer": nil, "ListToolSelections": nil, "ListUsers": nil, "RemoveUser": nil, "ListSessions": nil,
        "WatchChanges": nil,
        "AddServer": "InvalidValue", "CreateEndpoint": "EndpointExists", "AddUser": "UserExists",
        "RemoveServer": "ServerInUse", "EnableTools": "InvalidValue", "DisableTools": "InvalidValue",
        "RevokeSession": "InvalidValue", "SetPassword": "InvalidValue", "RotateSecretKey": "SecretKeyNotRotatable",
        "LoginServer": "InvalidValue",
    ]

    /// Calls every method of the IDL with minimal valid parameters against a store holding
    /// a server, endpoint, user and session named x; no call may be MethodNotImplemented,
    /// errors must be declared in the IDL, and replies must match it.
    @Test(arguments: methods)
    func everyMethodIsImplemented(method: String) async throws {
        try await withHarness { harness in
            _ = try await harness.call("AddServer", ["server": ["name": "x", "transport": "stdio", "command": ["/bin/x"]]])
            try await harness.store.replaceCatalog(
                server: "x", tools: [Tool(server: "x", name: "t", title: "T", discoveredAt: Date())])
            _ = try await harness.call("CreateEndpoint", ["name": "x", "servers": ["x"]])
            _ = try await harness.call("AddUser", ["name": "x"])
            try await harness.insertGrant(id: "x", user: "x", endpoint: "x")

            let input = try #require(Self.definition.methods[method]).input
            let parameters = Self.minimalObject(input)
            #expect(Self.definition.invalidParameter(in: parameters, method: method) == nil)
            let call = VarlinkCall(method: "io.sentinel.Manager." + method, parameters: parameters, more: method == "WatchChanges")
            do {
                switch try await harness.manager.handle(call, peer: ControlHarness.admin) {
                case .reply(let reply):
                    if let expected = Self.expectedErrors[method], let name = expected {
                        Issue.record("\(method) succeeded; expected \(name)")
                    }
                    let bad = Self.definition.invalidReplyField(in: reply, method: method)
                    #expect(bad == nil, "\(method) reply field \(bad ?? "") does not match the IDL: \(JSONValue.object(reply).text())")
                case .stream:
                    #expect(method == "WatchChanges")
                }
            } catch {
                let named = (error as? VarlinkError) ?? harness.manager.varlinkError(for: error)
                #expect(named.name != VarlinkError.methodNotImplemented(call.method).name, "\(method) is not implemented")
                #expect(named.name.hasPrefix("io.sentinel.Manager."), "\(method) failed with \(named)")
                let member = String(named.name.dropFirst("io.sentinel.Manager.".count))
                #expect(Self.definition.errors[member] != nil, "\(method) failed with undeclared \(named)")
                #expect(named.name != "io.sentinel.Manager.InternalError", "\(method) failed with \(named)")
                if let expected = Self.expectedErrors[method] {
                    #expect(member == expected, "\(method) failed with \(named)")
                }
            }
        }
    }
}
