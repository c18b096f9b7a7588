import Foundation
import SentinelCore
import Testing

struct ServerCredentialHintTests {
    func server(hint: String?) -> Server {
        var server = Server(name: "tk", transport: .http, url: "https://tk.example/mcp", credentialMode: .personal, createdAt: Date(), updatedAt: Date())
        server.credentialHint = hint
        return server
    }

    @Test func aHintIsOneBoundedLineOfText() {
        #expect(server(hint: nil).validationProblem() == nil)
        #expect(server(hint: "Profile → Settings → API tokens (https://tk.example/tokens)").validationProblem() == nil)
        #expect(server(hint: String(repeating: "x", count: Server.maximumCredentialHintLength + 1)).validationProblem()?.field == "credential_hint")
        #expect(server(hint: "line one\nline two").validationProblem()?.field == "credential_hint")
    }
}
