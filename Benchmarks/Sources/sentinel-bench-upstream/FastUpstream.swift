import BenchSupport
import NIOCore
import NIOHTTP1
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// A Streamable HTTP MCP server that answers as fast as NIO allows, in both protocol eras, with
/// `application/json` responses. Tools: `echo` plus `--tools N` generated ones named `<prefix>_tool_<i>`.
/// `GET /stats` answers `{"requests":N}`: every other request counted, so a benchmark can show that a
/// phase sent no upstream traffic.
///
///     sentinel-bench-upstream --listen 127.0.0.1:9000 [--tools 50] [--prefix s3] [--threads 1]
@main
enum FastUpstream {
    static func main() throws {
        let options = CommandLineOptions(flags: [])
        let listen = options.string("--listen", "127.0.0.1:9000")
        let threads = options.int("--threads", 1)
        let catalog = Catalog(extraTools: options.int("--tools", 0), prefix: options.string("--prefix", "fast"))
        let counter = RequestCounter()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        let parts = listen.split(separator: ":")
        let host = String(parts.dropLast().joined(separator: ":"))
        let port = Int(parts.last ?? "9000") ?? 9000
        let channel = try ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline(withErrorHandling: true).flatMap {
                    channel.pipeline.addHandler(MCPHandler(catalog: catalog, counter: counter))
                }
            }
            .bind(host: host, port: port)
            .wait()
        // The orchestrator waits for this line before it sends anything.
        print("listening on \(channel.localAddress.map { "\($0)" } ?? listen)")
        fflush(stdout)
        try channel.closeFuture.wait()
    }
}
