import Foundation
import SentinelCore

/// Runs tool calls. Cancellation arrives as task cancellation and surfaces as `CancellationError`.
struct DemoToolRunner: Sendable {
    /// The wall clock, passed in so `time` is testable.
    var now: @Sendable () -> Date = { Date() }
    /// Ends the process; `crash` calls it with 3.
    var terminate: @Sendable (Int32) -> Never
    var log: LineWriter

    /// Runs `tool`; input errors come back as `isError` results, cancellation as a thrown `CancellationError`.
    func call(_ tool: DemoTool, arguments: ToolArguments, progress: ProgressReporter?) async throws -> ToolResult {
        do {
            switch tool.behaviour {
            case .echo: return try echo(arguments)
            case .add: return try add(arguments)
            case .time: return try time(arguments)
            case .slow: return try await slow(arguments, progress: progress)
            case .fail: return try fail(arguments)
            case .crash:
                try arguments.onlyAllow([])
                log.write(line: "crash requested through tools/call \(tool.name); exiting with status 3")
                terminate(3)
            case .hang:
                try arguments.onlyAllow([])
                while true { try await Task.sleep(for: .seconds(3600)) }
            case .filler:
                try arguments.onlyAllow([])
                return .success(tool.name)
            }
        } catch let error as ToolArguments.InputError {
            return .failure("Invalid arguments for \(tool.name): \(error.message)")
        }
    }

    private func echo(_ arguments: ToolArguments) throws(ToolArguments.InputError) -> ToolResult {
        try arguments.onlyAllow(["text"])
        let text = try arguments.requiredString("text")
        return .success(text, structured: ["text": .string(text)])
    }

    private func add(_ arguments: ToolArguments) throws(ToolArguments.InputError) -> ToolResult {
        try arguments.onlyAllow(["a", "b"])
        let a = try arguments.requiredNumber("a")
        let b = try arguments.requiredNumber("b")
        let sum: JSONValue
        if case .int(let x) = a, case .int(let y) = b, case (let exact, false) = x.addingReportingOverflow(y) {
            sum = .int(exact)
        } else {
            let total = (a.doubleValue ?? 0) + (b.doubleValue ?? 0)
            guard total.isFinite else { return .failure("The sum of \(a.text()) and \(b.text()) is out of range.") }
            sum = .double(total)
        }
        return .success(sum.text(), structured: ["sum": sum])
    }

    private func time(_ arguments: ToolArguments) throws(ToolArguments.InputError) -> ToolResult {
        try arguments.onlyAllow(["timezone"])
        if let zone = try arguments.string("timezone"), !["utc", "etc/utc"].contains(zone.lowercased()) {
            return .failure(
                "Time zone \"\(zone)\" is not supported: this server carries no time-zone data and reports UTC only. "
                    + "Call again without a timezone, or with \"UTC\".")
        }
        let stamp = now().formatted(.iso8601)
        return .success(stamp, structured: ["time": .string(stamp), "timezone": "UTC"])
    }

    private func slow(_ arguments: ToolArguments, progress: ProgressReporter?) async throws -> ToolResult {
        try arguments.onlyAllow(["seconds", "steps"])
        let seconds = try arguments.requiredNumber("seconds", in: 0...60).doubleValue ?? 0
        let steps = try arguments.integer("steps", in: 1...100, default: 5)
        for step in 1...steps {
            try await Task.sleep(for: .seconds(seconds / Double(steps)))
            progress?.report(progress: Double(step), total: Double(steps), message: "step \(step) of \(steps)")
        }
        return .success("done after \(seconds.plainText) s")
    }

    private func fail(_ arguments: ToolArguments) throws(ToolArguments.InputError) -> ToolResult {
        try arguments.onlyAllow(["message"])
        return .failure(try arguments.string("message") ?? "The fail tool failed, as it always does.")
    }
}
