import Foundation
import Testing
import SentinelCore

struct ServerValidationTests {
    static let now = Date(timeIntervalSince1970: 1_700_000_000)

    static func stdio(_ command: [String] = ["/usr/bin/mcp-server", "--stdio"]) -> Server {
        Server(name: "files", transport: .stdio, command: command, createdAt: now, updatedAt: now)
    }

    static func http(_ url: String? = "https://mcp.example.org/mcp") -> Server {
        Server(name: "remote", transport: .http, url: url, createdAt: now, updatedAt: now)
    }

    @Test func validServersHaveNoProblem() {
        var server = Self.stdio()
        server.environment = ["TOKEN": "x", "A_B": ""]
        server.workingDirectory = "/srv"
        #expect(server.validationProblem() == nil)
        #expect(Self.http().validationProblem() == nil)
        #expect(Self.http("http://127.0.0.1:3000/mcp").validationProblem() == nil)
    }

    @Test func badNameIsReportedFirst() {
        var server = Self.stdio([])
        server.name = "Bad Name"
        #expect(server.validationProblem()?.field == "name")
    }

    @Test func stdioServerNeedsACommand() {
        #expect(Self.stdio([]).validationProblem()?.field == "command")
        #expect(Self.stdio([""]).validationProblem()?.field == "command")
    }

    @Test func stdioServerHasNoURL() {
        var server = Self.stdio()
        server.url = "https://example.org"
        #expect(server.validationProblem()?.field == "url")
    }

    @Test(arguments: ["", "A=B", "NUL\0"])
    func stdioEnvironmentNamesMustBeValid(key: String) {
        var server = Self.stdio()
        server.environment = [key: "v"]
        #expect(server.validationProblem()?.field == "environment")
    }

    @Test func workingDirectoryMustBeAbsolute() {
        var server = Self.stdio()
        server.workingDirectory = "relative"
        #expect(server.validationProblem()?.field == "working_directory")
    }

    @Test(arguments: [nil, "", "ftp://example.org", "example.org/mcp", "https://", "file:///tmp/x"] as [String?])
    func httpServerNeedsAnHTTPURL(url: String?) {
        #expect(Self.http(url).validationProblem()?.field == "url")
    }

    @Test func httpServerHasNoCommand() {
        var server = Self.http()
        server.command = ["/bin/true"]
        #expect(server.validationProblem()?.field == "command")
    }

    @Test func timeoutsMustBeInRange() {
        var server = Self.http()
        server.connectTimeoutSeconds = 0
        #expect(server.validationProblem()?.field == "connect_timeout")
        server.connectTimeoutSeconds = 3600
        #expect(server.validationProblem() == nil)
        server.callTimeoutSeconds = 86401
        #expect(server.validationProblem()?.field == "call_timeout")
    }
}
