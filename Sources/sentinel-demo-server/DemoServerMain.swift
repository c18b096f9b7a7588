#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SentinelCore

/// `sentinel-demo-server`: parses the command line, then serves MCP on stdin/stdout until EOF or SIGTERM.
@main
enum DemoServerMain {
    static func main() async {
        let options: DemoServerOptions
        do {
            switch try DemoServerCommand.parse(Array(CommandLine.arguments.dropFirst())) {
            case .serve(let parsed): options = parsed
            case .help:
                print(DemoServerCommand.usage)
                exit(0)
            case .version:
                print("\(DemoServer.name) \(SentinelVersion.current)")
                exit(0)
            }
        } catch {
            LineWriter.standardError.write(line: "\(DemoServer.name): \(error.message) (see --help)")
            exit(64)
        }

        // A client that goes away must not kill us with SIGPIPE mid-write; SIGTERM is a clean stop.
        signal(SIGPIPE, SIG_IGN)
        signal(SIGTERM) { _ in _exit(0) }

        let log = LineWriter.standardError
        let server = DemoServer(
            options: options,
            runner: DemoToolRunner(terminate: { status in exit(status) }, log: log),
            output: LineWriter.standardOutput,
            log: log)
        log.write(
            line: "\(DemoServer.name) \(SentinelVersion.current) serving \(server.catalog.tools.count) tools "
                + "on stdio (page size \(options.pageSize))")
        await server.run(input: StandardInputReader.lines())
        exit(0)
    }
}
