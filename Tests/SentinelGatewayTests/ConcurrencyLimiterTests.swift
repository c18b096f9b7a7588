import Testing
@testable import SentinelGateway

struct ConcurrencyLimiterTests {
    @Test func oneCallerFillsOnlyItsShareAndOthersStillGetIn() {
        let limiter = ConcurrencyLimiter()
        for _ in 0..<16 {
            #expect(limiter.acquire(endpoint: "eng", caller: "address:127.0.0.2", endpointLimit: 64, callerLimit: 16) == nil)
        }
        for _ in 0..<48 {
            #expect(
                limiter.acquire(endpoint: "eng", caller: "address:127.0.0.2", endpointLimit: 64, callerLimit: 16)
                    == .callerShareFull(limit: 16))
        }
        #expect(limiter.running(endpoint: "eng") == 16, "refused calls hold no slot")
        #expect(limiter.acquire(endpoint: "eng", caller: "grant:g2", endpointLimit: 64, callerLimit: 16) == nil)
        #expect(limiter.acquire(endpoint: "other", caller: "address:127.0.0.2", endpointLimit: 64, callerLimit: 16) == nil,
                "the share is per endpoint")
    }

    @Test func theEndpointLimitStillHoldsAcrossCallers() {
        let limiter = ConcurrencyLimiter()
        for caller in ["a", "b", "c", "d"] {
            for _ in 0..<2 { #expect(limiter.acquire(endpoint: "eng", caller: caller, endpointLimit: 8, callerLimit: 2) == nil) }
        }
        #expect(limiter.acquire(endpoint: "eng", caller: "e", endpointLimit: 8, callerLimit: 2) == .endpointFull(limit: 8))
        limiter.release(endpoint: "eng", caller: "a")
        #expect(limiter.acquire(endpoint: "eng", caller: "e", endpointLimit: 8, callerLimit: 2) == nil)
        #expect(limiter.running(endpoint: "eng") == 8)
    }

    @Test func releasingGivesTheSlotBackAndForgetsIdleCallers() {
        let limiter = ConcurrencyLimiter()
        #expect(limiter.acquire(endpoint: "eng", caller: "a", endpointLimit: 64, callerLimit: 1) == nil)
        #expect(limiter.acquire(endpoint: "eng", caller: "a", endpointLimit: 64, callerLimit: 1) == .callerShareFull(limit: 1))
        limiter.release(endpoint: "eng", caller: "a")
        #expect(limiter.running(endpoint: "eng") == 0)
        #expect(limiter.acquire(endpoint: "eng", caller: "a", endpointLimit: 64, callerLimit: 1) == nil)
    }
}
