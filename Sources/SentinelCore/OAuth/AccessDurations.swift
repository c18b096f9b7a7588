/// The access durations a user may choose on the consent page, from the configuration.
public struct AccessDurations: Sendable, Equatable {
    /// Choices in seconds, ascending, each at most `maximum`.
    public var choices: [Int]
    /// The longest grant anyone can make, in seconds.
    public var maximum: Int

    public init(choices: [Int] = [86_400, 7 * 86_400, 30 * 86_400, 90 * 86_400], maximum: Int = 90 * 86_400) {
        self.maximum = maximum
        self.choices = Array(Set(choices.filter { $0 > 0 && $0 <= maximum })).sorted()
        if self.choices.isEmpty { self.choices = [maximum] }
    }

    /// The choice pre-selected on the page: 30 days when offered, else the longest one below it, else the shortest.
    public var preselected: Int {
        choices.last(where: { $0 <= 30 * 86_400 }) ?? choices[0]
    }

    /// The chosen duration when `seconds` is one of the offered choices.
    public func validate(_ seconds: Int) -> Int? {
        choices.contains(seconds) ? seconds : nil
    }

    /// "1 day", "7 days", "12 hours", "90 minutes".
    public static func label(_ seconds: Int) -> String {
        func plural(_ count: Int, _ unit: String) -> String { "\(count) \(unit)\(count == 1 ? "" : "s")" }
        if seconds % 86_400 == 0 { return plural(seconds / 86_400, "day") }
        if seconds % 3600 == 0 { return plural(seconds / 3600, "hour") }
        if seconds % 60 == 0 { return plural(seconds / 60, "minute") }
        return plural(seconds, "second")
    }
}
