import Testing
@testable import SentinelVarlink

struct IDLParserTests {
    static let shop = """
        # A hand-written interface that uses every construct.
        interface org.example.shop

        # Colours we sell.
        type Colour (red, green, blue)

        type Address (
          street: string,
          # Optional; some countries have none.
          zip: ?string
        )

        type Customer (
          name: string,
          address: Address,
          tags: [string](),
          labels: [string]string,
          nicknames: ?[]string,
          favourite: ?Colour,
          score: float,
          extra: object,
          position: (x: int, y: int),
          size: (small, large)
        )

        type ServerSpec (
          name: string,
          command: []string,
          environment: ?[string]string
        )

        # Places an order.
        method Order(customer: Customer, items: []string, quantities: [string]int, express: ?bool, colour: Colour) -> (id: int)

        method Configure(server: ServerSpec, tools: ?[]string) -> ()

        method Ping() -> ()

        # Not enough left.
        error OutOfStock (item: string, left: int)

        error Closed ()
        """

    @Test func serviceInterfaceParses() throws {
        let definition = try VarlinkInterfaceDefinition(parsing: VarlinkServiceInterface.text)
        #expect(definition.name == "org.varlink.service")
        #expect(definition.text == VarlinkServiceInterface.text)
        #expect(Set(definition.methods.keys) == ["GetInfo", "GetInterfaceDescription"])
        #expect(definition.methods["GetInfo"]?.input == [])
        #expect(definition.methods["GetInfo"]?.output == [
            VarlinkField(name: "vendor", type: .string), VarlinkField(name: "product", type: .string),
            VarlinkField(name: "version", type: .string), VarlinkField(name: "url", type: .string),
            VarlinkField(name: "interfaces", type: .array(.string)),
        ])
        #expect(definition.methods["GetInterfaceDescription"]?.input == [VarlinkField(name: "interface", type: .string)])
        #expect(Set(definition.errors.keys) == [
            "InterfaceNotFound", "MethodNotFound", "MethodNotImplemented", "InvalidParameter", "PermissionDenied", "ExpectedMore",
        ])
        #expect(definition.errors["InvalidParameter"] == [VarlinkField(name: "parameter", type: .string)])
        #expect(definition.errors["PermissionDenied"] == [])
        #expect(definition.types.isEmpty)
    }

    @Test func enumsMapsSetsOptionalsAndNestedTypesParse() throws {
        let definition = try VarlinkInterfaceDefinition(parsing: Self.shop)
        #expect(definition.name == "org.example.shop")
        #expect(definition.types["Colour"] == .enumeration(["red", "green", "blue"]))
        #expect(definition.types["Address"] == .structure([
            VarlinkField(name: "street", type: .string), VarlinkField(name: "zip", type: .optional(.string)),
        ]))
        #expect(definition.types["Customer"] == .structure([
            VarlinkField(name: "name", type: .string),
            VarlinkField(name: "address", type: .named("Address")),
            VarlinkField(name: "tags", type: .set),
            VarlinkField(name: "labels", type: .map(.string)),
            VarlinkField(name: "nicknames", type: .optional(.array(.string))),
            VarlinkField(name: "favourite", type: .optional(.named("Colour"))),
            VarlinkField(name: "score", type: .float),
            VarlinkField(name: "extra", type: .object),
            VarlinkField(name: "position", type: .structure([VarlinkField(name: "x", type: .int), VarlinkField(name: "y", type: .int)])),
            VarlinkField(name: "size", type: .enumeration(["small", "large"])),
        ]))
        #expect(definition.methods["Order"]?.input.map(\.name) == ["customer", "items", "quantities", "express", "colour"])
        #expect(definition.methods["Order"]?.input[2].type == .map(.int))
        #expect(definition.methods["Order"]?.output == [VarlinkField(name: "id", type: .int)])
        #expect(definition.methods["Ping"] == VarlinkMethod(name: "Ping", input: [], output: []))
        #expect(definition.errors["OutOfStock"] == [VarlinkField(name: "item", type: .string), VarlinkField(name: "left", type: .int)])
        #expect(definition.errors["Closed"] == [])
    }

    static func parseError(_ text: String) -> VarlinkIDLError? {
        do {
            _ = try VarlinkInterfaceDefinition(parsing: text)
            return nil
        } catch {
            return error
        }
    }

    @Test func lowerCaseMemberNameIsAnErrorWithItsLine() throws {
        let error = try #require(Self.parseError("interface org.example.a\n\nmethod Ping() -> ()\nmethod ping() -> ()\n"))
        #expect(error.line == 4)
        #expect(error.message.contains("ping"))
        #expect(error.description.hasPrefix("line 4: "))
    }

    @Test func duplicateMethodIsAnErrorWithItsLine() throws {
        let error = try #require(Self.parseError("interface org.example.a\nmethod Ping() -> ()\n# again\nmethod Ping() -> ()\n"))
        #expect(error.line == 4)
        #expect(error.message.contains("Ping"))
    }

    @Test func undefinedTypeIsAnErrorWithTheLineThatUsesIt() throws {
        let error = try #require(Self.parseError("interface org.example.a\n\nmethod Get() -> (value: Missing)\n"))
        #expect(error.message.contains("Missing"))
        #expect(error.line == 3)
    }

    @Test(arguments: [
        "method Ping() -> ()",
        "interface example\nmethod Ping() -> ()",
        "interface org.example.a\nfunction Ping() -> ()",
        "interface org.example.a\nmethod Ping() -> (",
        "interface org.example.a\nmethod Ping() ()",
        "interface org.example.a\nmethod Get(m: [int]string) -> ()",
        "interface org.example.a\nmethod Get(a: string, a: int) -> ()",
        "interface org.example.a\ntype T (a: int)\ntype T (b: int)",
        "interface org.example.a\nerror E ()\nerror E ()",
        "interface org.example.a\nmethod Get(a: integer) -> ()",
    ])
    func malformedIDLIsRefused(text: String) throws {
        let error = try #require(Self.parseError(text))
        #expect(error.line >= 1)
    }
}
