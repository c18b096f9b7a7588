import Foundation
import Testing

@testable import SentinelUpstream

@Suite("Which HTTP transport an upstream gets")
struct HTTPTransportChoiceTests {
    @Test(arguments: [
        ("http://127.0.0.1:8080/mcp", false, "nio"),
        ("http://localhost:8080/mcp", false, "nio"),
        ("https://127.0.0.1:8443/mcp", false, "urlsession"),
        ("http://mcp.example.org/mcp", false, "urlsession"),
        ("http://127.0.0.1:8080/mcp", true, "urlsession"),
    ])
    func loopbackPlainHTTPUsesNIOUnlessURLSessionIsConfigured(url: String, urlSessionOnly: Bool, expected: String) throws {
        let transport = HTTPUpstreamClient.transport(for: try #require(URL(string: url)), headers: [], urlSessionOnly: urlSessionOnly)
        defer { transport.shutdown() }
        switch transport {
        case is HTTPNIOTransport: #expect(expected == "nio")
        case is HTTPURLSessionTransport: #expect(expected == "urlsession")
        default: Issue.record("unexpected transport \(type(of: transport))")
        }
    }
}
