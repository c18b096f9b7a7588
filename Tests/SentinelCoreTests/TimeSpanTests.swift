import Testing
import SentinelCore

struct TimeSpanTests {
    @Test(arguments: [
        ("0", 0), ("90", 90), ("90s", 90), ("15min", 900), ("15m", 900), ("2h", 7200), ("1d", 86400), (" 5 ", 5),
    ])
    func spansConvertToSeconds(text: String, seconds: Int) throws {
        #expect(try parseTimeSpan(text) == seconds)
    }

    @Test(arguments: ["500ms", "-5", "-5s", "", "s", "soon", "1.5h", "10x", "1h30min", "99999999"])
    func invalidSpansAreRefused(text: String) {
        #expect(throws: ConfigurationValueError.self) { try parseTimeSpan(text) }
    }

    @Test func millisecondsAreRefusedWithAReason() {
        do throws(ConfigurationValueError) {
            _ = try parseTimeSpan("250ms")
            Issue.record("250ms accepted")
        } catch {
            #expect(error.reason.contains("whole seconds"))
        }
    }
}
