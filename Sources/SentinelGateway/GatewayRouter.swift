public import Hummingbird

/// Builds the HTTP routes sentineld serves.
public enum GatewayRouter {
    /// The routes: a plain description at `/`, and `/healthz` for load balancers.
    public static func make(version: String) -> Router<GatewayRequestContext> {
        let router = Router(context: GatewayRequestContext.self)
        router.get("/") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: "Sentinel MCP gateway \(version)\nEndpoints are served at /mcp/<endpoint>.\n")))
        }
        router.get("/healthz") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
        }
        return router
    }
}
