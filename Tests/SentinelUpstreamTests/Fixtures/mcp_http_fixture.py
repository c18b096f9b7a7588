"""Streamable HTTP MCP servers for the HTTPUpstreamClient tests.

Usage: mcp_http_fixture.py --kind fastmcp|sdk --port PORT --dir DIR [--handshake-only] [--resumable]

- `fastmcp` serves the tools with fastmcp; `sdk` with the official SDK's MCPServer. Both are
  dual-era (2025-11-25 handshake and 2026-07-28 modern) out of the box. Both also serve the
  prompts, resources and templates of mcp_surface_fixture.py.
- `--handshake-only` refuses 2026-07-28 requests with 400, as a server that predates that
  revision does, so a client must fall back to `initialize`.
- `--resumable` (fastmcp) keeps events in an event store, so `interrupted` can close its
  response stream and the client must resume it with `Last-Event-ID`.
- Port 0 picks a free port. Once listening the server writes the port to DIR/ready.
- DIR/requests.log gets one line per HTTP request:
  `<VERB> <jsonrpc method|-> <session id|-> <MCP-Protocol-Version|-> <Mcp-Method|-> <Mcp-Name|-> <params.requestId|->`
  plus `hang cancelled` when the hang tool is cancelled.
- DIR/responses.log gets every response body chunk as one JSON string per line.
- The server exits when its parent process goes away, so a crashed test run leaves nothing behind.
"""

import argparse
import asyncio
import json
import os
import sys

import uvicorn

from mcp_surface_fixture import define_surface

HANDSHAKE_VERSIONS = {"2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"}


class Journal:
    def __init__(self, directory):
        self.requests = open(os.path.join(directory, "requests.log"), "a", buffering=1)
        self.responses = open(os.path.join(directory, "responses.log"), "a", buffering=1)

    def request(self, line):
        self.requests.write(line + "\n")
        self.requests.flush()

    def response(self, chunk):
        self.responses.write(json.dumps(chunk.decode("utf-8", "replace")) + "\n")
        self.responses.flush()


def define_tools(server, context_type, journal):
    @server.tool()
    def echo(text: str) -> str:
        """Returns the text it was given."""
        return text

    @server.tool()
    async def slow(seconds: float, ctx: context_type) -> str:
        """Sleeps for `seconds`, reporting progress ten times along the way."""
        for step in range(1, 11):
            await asyncio.sleep(seconds / 10)
            await ctx.report_progress(step, 10, f"step {step}")
        return f"slept {seconds}"

    @server.tool()
    async def hang() -> str:
        """Never returns (until cancelled)."""
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            journal.request("hang cancelled")
            raise
        return "unreachable"

    @server.tool()
    async def touch(ctx: context_type) -> str:
        """Announces that the tool list changed, outside this request."""
        if hasattr(ctx, "notify_tools_changed"):
            # SDK: reaches 2026-07-28 `subscriptions/listen` streams.
            await ctx.notify_tools_changed()
        try:
            # Handshake era: an unrelated notification rides the session's GET stream.
            await ctx.session.send_tool_list_changed()
        except Exception as error:  # not every era has a standalone channel
            journal.request(f"touch: {error!r}")
        return "touched"

    @server.tool()
    async def interrupted(ctx: context_type) -> str:
        """Reports progress, closes its response stream, then answers on the resumed stream."""
        await ctx.report_progress(1, 2, "before the break")
        await ctx.close_sse_stream()
        await asyncio.sleep(0.5)
        await ctx.report_progress(2, 2, "after the break")
        return "resumed"


def build_app(args, journal):
    if args.kind == "fastmcp":
        from fastmcp import Context, FastMCP

        server = FastMCP("fixture-fastmcp")
        define_tools(server, Context, journal)
        define_surface(server)
        options = {}
        if args.resumable:
            from fastmcp.server.event_store import EventStore

            options = {"event_store": EventStore(), "retry_interval": 100}
        return server.http_app(path="/mcp", **options)
    from mcp.server.mcpserver import Context, MCPServer

    server = MCPServer("fixture-sdk")
    define_tools(server, Context, journal)
    define_surface(server)
    return server.streamable_http_app(streamable_http_path="/mcp")


def with_journal(app, journal, handshake_only):
    async def wrapped(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        chunks = []
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        method, request_id = "-", "-"
        try:
            decoded = json.loads(body)
            method = decoded.get("method") or "response"
            params = decoded.get("params") or {}
            if "requestId" in params:
                request_id = json.dumps(params["requestId"])
        except Exception:
            pass
        version = headers.get("mcp-protocol-version", "-")
        journal.request(" ".join([
            scope["method"], method, headers.get("mcp-session-id", "-"), version,
            headers.get("mcp-method", "-"), headers.get("mcp-name", "-"), request_id,
        ]))
        if handshake_only and version not in HANDSHAKE_VERSIONS and version != "-":
            payload = json.dumps({"jsonrpc": "2.0", "id": None,
                                  "error": {"code": -32600, "message": f"Unsupported protocol version: {version}"}})
            await send({"type": "http.response.start", "status": 400,
                        "headers": [(b"content-type", b"application/json")]})
            await send({"type": "http.response.body", "body": payload.encode()})
            return
        replayed = False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        async def recording_send(message):
            if message["type"] == "http.response.body" and message.get("body"):
                journal.response(message["body"])
            await send(message)

        return await app(scope, replay, recording_send)

    return wrapped


async def exit_with_parent(parent):
    while os.getppid() == parent:
        await asyncio.sleep(0.5)
    os._exit(0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kind", choices=["fastmcp", "sdk"], required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--handshake-only", action="store_true")
    parser.add_argument("--resumable", action="store_true")
    args = parser.parse_args()
    journal = Journal(args.dir)
    app = with_journal(build_app(args, journal), journal, args.handshake_only)
    config = uvicorn.Config(app, host="127.0.0.1", port=args.port, log_level="warning", lifespan="on",
                            timeout_graceful_shutdown=1)
    server = uvicorn.Server(config)
    parent = os.getppid()

    async def serve():
        asyncio.get_running_loop().create_task(exit_with_parent(parent))
        task = asyncio.create_task(server.serve())
        while not server.started:
            if task.done():
                await task
                return
            await asyncio.sleep(0.02)
        port = server.servers[0].sockets[0].getsockname()[1]
        ready = os.path.join(args.dir, "ready")
        with open(ready + ".tmp", "w") as handle:
            handle.write(str(port))
        os.replace(ready + ".tmp", ready)
        await task

    asyncio.run(serve())


if __name__ == "__main__":
    sys.exit(main())
