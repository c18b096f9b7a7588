/// `--name value` and `--flag` options, enough for tools that the orchestrator drives.
public struct CommandLineOptions {
    private var values: [String: String] = [:]
    private var flags: Set<String> = []

    public init(_ arguments: [String] = Array(CommandLine.arguments.dropFirst()), flags known: Set<String>) {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if known.contains(argument) {
                flags.insert(argument)
            } else if argument.hasPrefix("--"), index + 1 < arguments.count {
                values[argument] = arguments[index + 1]
                index += 1
            } else {
                fatalError("unexpected argument \(argument)")
            }
            index += 1
        }
    }

    public func string(_ name: String, _ fallback: String) -> String { values[name] ?? fallback }
    public func int(_ name: String, _ fallback: Int) -> Int { values[name].flatMap { Int($0) } ?? fallback }
    public func double(_ name: String, _ fallback: Double) -> Double { values[name].flatMap { Double($0) } ?? fallback }
    public func flag(_ name: String) -> Bool { flags.contains(name) }
}
