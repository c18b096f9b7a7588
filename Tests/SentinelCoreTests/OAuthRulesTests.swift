import Foundation
import Testing
import SentinelCore

struct RedirectURIRulesTests {
    @Test(arguments: [
        "https://claude.ai/api/mcp/auth_callback", "https://claude.com/api/mcp/auth_callback",
        "https://chatgpt.com/connector/oauth/abc", "http://127.0.0.1:4567/cb", "http://localhost/cb", "http://[::1]:9/cb",
    ])
    func httpsAndLoopbackURIsCanBeRegistered(_ uri: String) {
        #expect(RedirectURIRules.problem(registering: uri) == nil)
    }

    @Test(arguments: [
        "http://example.org/cb", "https://example.org/cb#x", "https://user:pw@example.org/cb", "myapp://cb",
        "/relative", "", "http://127.attacker.example/cb", "http://127.0.0.1.nip.io/cb", "https://app.example/cb?iss=x",
        "https://app.example/cb?code=1",
    ])
    func otherURIsAreRefused(_ uri: String) {
        #expect(RedirectURIRules.problem(registering: uri) != nil)
    }

    @Test func loopbackRedirectsMayUseAnyPortButNothingElseMayDiffer() {
        let registered = ["http://127.0.0.1/callback", "https://claude.ai/api/mcp/auth_callback"]
        #expect(RedirectURIRules.matches("http://127.0.0.1:53111/callback", registered: registered))
        #expect(RedirectURIRules.matches("https://claude.ai/api/mcp/auth_callback", registered: registered))
        #expect(!RedirectURIRules.matches("http://127.0.0.1:53111/other", registered: registered))
        #expect(!RedirectURIRules.matches("https://claude.ai:8443/api/mcp/auth_callback", registered: registered))
        #expect(!RedirectURIRules.matches("https://claude.ai/api/mcp/auth_callback?x=1", registered: registered))
    }
}

struct AuthorizationRequestTests {
    static let challenge = String(repeating: "a", count: 43)
    static let registered = ["https://claude.ai/api/mcp/auth_callback"]

    static func fields(_ changes: [String: String?] = [:]) -> [String: String] {
        var fields = [
            "response_type": "code", "client_id": "sc_1", "redirect_uri": registered[0], "code_challenge": challenge,
            "code_challenge_method": "S256", "state": "xyz", "resource": "https://gw.example/mcp/eng",
        ]
        for (key, value) in changes { fields[key] = value }
        return fields
    }

    static func endpoint(_ resource: String) -> String? {
        resource == "https://gw.example/mcp/eng" ? "eng" : nil
    }

    @Test func aCompleteRequestIsAccepted() throws {
        let request = try AuthorizationRequest.validate(Self.fields(), registeredRedirectURIs: Self.registered, endpointForResource: Self.endpoint)
        #expect(request.endpoint == "eng")
        #expect(request.scope == "mcp")
        #expect(request.state == "xyz")
    }

    @Test func problemsWithTheClientOrRedirectAreShownNotRedirected() {
        for changes: [String: String?] in [["client_id": nil], ["redirect_uri": nil], ["redirect_uri": "https://evil.example/cb"]] {
            #expect {
                try AuthorizationRequest.validate(Self.fields(changes), registeredRedirectURIs: Self.registered, endpointForResource: Self.endpoint)
            } throws: { error in
                if case .unsafe = error as? AuthorizationRequest.Problem { return true }
                return false
            }
        }
    }

    @Test func otherProblemsGoBackToTheClientWithTheirCode() {
        let cases: [([String: String?], OAuthError.Code)] = [
            (["response_type": "token"], .unsupportedResponseType),
            (["code_challenge": nil], .invalidRequest),
            (["code_challenge_method": "plain"], .invalidRequest),
            (["code_challenge_method": nil], .invalidRequest),
            (["code_challenge": "short"], .invalidRequest),
            (["resource": nil], .invalidTarget),
            (["resource": "https://gw.example/mcp/ops"], .invalidTarget),
            (["scope": "mcp write"], .invalidScope),
        ]
        for (changes, code) in cases {
            #expect {
                try AuthorizationRequest.validate(Self.fields(changes), registeredRedirectURIs: Self.registered, endpointForResource: Self.endpoint)
            } throws: { error in
                guard case .redirect(let oauthError, let uri, let state) = error as? AuthorizationRequest.Problem else { return false }
                return oauthError.code == code && uri == Self.registered[0] && state == "xyz"
            }
        }
    }

    @Test func scopesAreDeduplicatedAndDefaultToMCP() throws {
        #expect(try AuthorizationRequest.grantedScope(requested: nil) == "mcp")
        #expect(try AuthorizationRequest.grantedScope(requested: "mcp offline_access mcp") == "mcp offline_access")
        #expect(throws: OAuthError.self) { try AuthorizationRequest.grantedScope(requested: "admin") }
    }
}

struct AccessDurationsTests {
    @Test func choicesAreCappedSortedAndValidated() {
        let durations = AccessDurations(choices: [30 * 86_400, 86_400, 365 * 86_400, 86_400], maximum: 90 * 86_400)
        #expect(durations.choices == [86_400, 30 * 86_400])
        #expect(durations.validate(86_400) == 86_400)
        #expect(durations.validate(7 * 86_400) == nil)
        #expect(durations.preselected == 30 * 86_400)
        #expect(AccessDurations(choices: [365 * 86_400], maximum: 86_400).choices == [86_400])
    }

    @Test func labelsReadNaturally() {
        #expect(AccessDurations.label(86_400) == "1 day")
        #expect(AccessDurations.label(7 * 86_400) == "7 days")
        #expect(AccessDurations.label(8 * 3600) == "8 hours")
        #expect(AccessDurations.label(90 * 60) == "90 minutes")
    }
}

struct EndpointAccessTests {
    @Test func usersAndGroupMembersAreAdmittedAndAnEmptyListAdmitsNobody() {
        let access = EndpointAccess(users: ["alice"], groups: ["oncall"])
        #expect(access.admits(user: "alice", memberOf: []))
        #expect(access.admits(user: "carol", memberOf: ["eng", "oncall"]))
        #expect(!access.admits(user: "bob", memberOf: ["eng"]))
        #expect(!EndpointAccess().admits(user: "alice", memberOf: ["oncall"]))
    }
}

struct SignInThrottleTests {
    static let start = Date(timeIntervalSince1970: 1_000_000)

    @Test func failuresBeyondTheFreeOnesLockForDoublingTimes() {
        var throttle = SignInThrottle(freeAttempts: 3, window: 900, maximumLock: 8)
        for _ in 0..<2 { throttle.recordFailure(["alice"], now: Self.start) }
        #expect(throttle.delay(for: ["alice"], now: Self.start) == nil)
        throttle.recordFailure(["alice"], now: Self.start)
        #expect(throttle.delay(for: ["alice"], now: Self.start) == 1)
        throttle.recordFailure(["alice"], now: Self.start)
        #expect(throttle.delay(for: ["alice"], now: Self.start) == 2)
        for _ in 0..<5 { throttle.recordFailure(["alice"], now: Self.start) }
        #expect(throttle.delay(for: ["alice"], now: Self.start) == 8)
        #expect(throttle.delay(for: ["alice"], now: Self.start.addingTimeInterval(9)) == nil)
        #expect(throttle.delay(for: ["bob"], now: Self.start) == nil)
    }

    @Test func successAndTheWindowReset() {
        var throttle = SignInThrottle(freeAttempts: 1, window: 60, maximumLock: 300)
        throttle.recordFailure(["alice"], now: Self.start)
        #expect(throttle.delay(for: ["alice"], now: Self.start) != nil)
        throttle.recordSuccess("alice")
        #expect(throttle.delay(for: ["alice"], now: Self.start) == nil)
        throttle.recordFailure(["bob"], now: Self.start)
        throttle.recordFailure(["bob"], now: Self.start.addingTimeInterval(120))
        #expect(throttle.delay(for: ["bob"], now: Self.start.addingTimeInterval(120)) == 1)
    }
}

struct RequestRateLimitTests {
    @Test func eachKeyGetsItsLimitPerWindow() {
        let start = Date(timeIntervalSince1970: 1_000_000)
        var limit = RequestRateLimit(limit: 2, window: 60)
        let first = limit.admit("a", now: start)
        let second = limit.admit("a", now: start)
        let third = limit.admit("a", now: start.addingTimeInterval(59))
        let other = limit.admit("b", now: start)
        let nextWindow = limit.admit("a", now: start.addingTimeInterval(60))
        #expect(first && second && !third && other && nextWindow)
    }
}
