import BenchSupport
import Foundation
import Histogram
import NIOCore
import NIOPosix

/// A closed-loop load generator for Streamable HTTP MCP endpoints: one keep-alive HTTP/1.1
/// connection per concurrent worker (TCP_NODELAY), a warm-up, then a measured phase bounded by
/// `--duration` seconds and, if given, `--requests`. Prints one JSON object: requests, errors,
/// requests/s and latency percentiles in microseconds.
///
///     sentinel-bench-load --url http://127.0.0.1:8080/mcp/bench --era modern|handshake \
///         --method tools/call|tools/list|ping|session --tool echo --concurrency 8 --duration 5 --warmup 1
///
/// `--method session` measures opening handshake-era sessions (initialize + notifications/initialized).
@main
enum LoadGenerator {
    static func main() throws {
        let options = LoadOptions(CommandLineOptions(flags: ["--follow-cursor"]))
        let group = MultiThreadedEventLoopGroup(numberOfThreads: options.threads)
        defer { try? group.syncShutdownGracefully() }

        let workers = (0..<options.concurrency).map { _ in Worker(options: options, loop: group.next()) }
        // Connect everything first, so the warm-up starts with all connections open.
        var connectFailures = 0
        var firstConnectError: String?
        let plannedStart = NIODeadline.now() + .milliseconds(20)
        let plan = RunPlan(start: plannedStart, options: options)
        for worker in workers {
            worker.plan = plan
        }
        let connects = workers.map { worker in
            worker.connect().map { _ in () }.flatMapErrorThrowing { error in
                worker.loop.execute { worker.finish() }
                throw error
            }
        }
        for connect in connects {
            do { try connect.wait() } catch {
                connectFailures += 1
                if firstConnectError == nil { firstConnectError = "connect: \(error)" }
            }
        }
        for worker in workers { try? worker.finished.futureResult.wait() }

        var total = WorkerStats()
        for worker in workers {
            let stats = try worker.loop.submit { worker.stats }.wait()
            total.merge(stats)
        }
        total.errors += connectFailures
        if total.firstError == nil { total.firstError = firstConnectError }
        let end = total.lastEnd ?? plan.measureStart
        let seconds = max(1e-9, Double((end - plan.measureStart).nanoseconds) / 1e9)
        let histogram = total.histogram
        var report: [String: Any] = [
            "url": options.url, "era": options.era.rawValue, "method": options.method, "concurrency": options.concurrency,
            "requests": total.ok, "errors": total.errors, "seconds": round3(seconds),
            "rps": round3(Double(total.ok) / seconds), "reconnects": total.reconnects,
            "statuses": Dictionary(uniqueKeysWithValues: total.statuses.map { ("\($0.key)", $0.value) }),
        ]
        if total.ok > 0 {
            report["p50_us"] = histogram.valueAtPercentile(50)
            report["p90_us"] = histogram.valueAtPercentile(90)
            report["p99_us"] = histogram.valueAtPercentile(99)
            report["max_us"] = histogram.max
            report["mean_us"] = round3(histogram.mean)
        }
        if let firstError = total.firstError { report["first_error"] = firstError }
        let data = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }

    static func round3(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
}
