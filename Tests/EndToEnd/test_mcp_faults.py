"""Faults on the MCP data plane: upstream crash, kill, hang and cancellation through the SDK; protocol-level
refusals (parse error, oversized body, unknown endpoint, batch, Origin, missing auth) over raw HTTP."""

import http.client
import json
import os
import re
import shutil
import signal
import socket
import time
from pathlib import Path

import anyio
import mcp_types as types
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError

from conftest import Daemon, short_tempdir, wait_for

BUILD = os.environ.get("SENTINEL_BUILD_DIR", "/work/main/.build/debug")
DEMO_SERVER = BUILD + "/sentinel-demo-server"

UPSTREAM_GONE = -31003  # Sentinel's own codes sit outside the JSON-RPC reserved range (2026-07-28 "Error Codes")
UPSTREAM_TIMEOUT = -31001
PARSE_ERROR = -32700
INVALID_REQUEST = -32600
MAX_BODY = 4 * 1024 * 1024


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture(scope="module")
def gateway():
    """One sentineld; endpoint `faults` (no auth) over four demo servers, endpoint `locked` (OAuth)."""
    assert os.access(DEMO_SERVER, os.X_OK), f"{DEMO_SERVER} is missing; run `swift build`"
    root = short_tempdir()
    daemon = Daemon(root).start()
    try:
        daemon.ctl("server", "add", "demo", "--", DEMO_SERVER)
        daemon.ctl("server", "add", "crashy", "--", DEMO_SERVER)
        daemon.ctl("server", "add", "killy", "--env", "SENTINEL_TEST_ROLE=killy", "--", DEMO_SERVER)
        hangy = daemon.ctl("server", "add", "hangy", "--call-timeout", "2", "--", DEMO_SERVER)
        assert hangy["call_timeout"] == 2
        daemon.ctl("endpoint", "create", "faults", "--no-auth",
                   "--server", "demo", "--server", "crashy", "--server", "killy", "--server", "hangy")
        daemon.ctl("endpoint", "enable", "faults", "demo/echo", "demo/slow", "crashy/crash", "crashy/echo",
                   "killy/slow", "killy/echo", "hangy/hang", "hangy/echo")
        daemon.ctl("endpoint", "create", "locked", "--server", "demo")
        daemon.ctl("endpoint", "enable", "locked", "demo/echo")
        yield daemon
    finally:
        daemon.stop()
        shutil.rmtree(root, ignore_errors=True)


def connect(daemon, mode, endpoint="faults"):
    return Client(f"{daemon.url}/mcp/{endpoint}", mode=mode, read_timeout_seconds=20,
                  client_info=types.Implementation(name="pytest-faults", version="1.0"))


# --- upstream faults through the SDK ----------------------------------------------------------------


@pytest.mark.anyio
async def test_upstream_crash_mid_call_is_an_error_and_the_next_call_succeeds(gateway):
    async with connect(gateway, "legacy") as client:
        assert (await client.call_tool("crashy__echo", {"text": "before"})).structured_content == {"text": "before"}
        started = time.monotonic()
        with pytest.raises(MCPError) as raised:
            await client.call_tool("crashy__crash", {})
        assert raised.value.error.code == UPSTREAM_GONE
        assert time.monotonic() - started < 5
        after = await client.call_tool("crashy__echo", {"text": "after restart"})
        assert not after.is_error and after.structured_content == {"text": "after restart"}


def process_table():
    table = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                table[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    return table


def upstream_children(daemon, role):
    """PIDs of the daemon's descendant processes whose environment holds SENTINEL_TEST_ROLE=role."""
    table = process_table()
    found, frontier = [], [daemon.process.pid]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in table.items():
            if ppid == parent:
                frontier.append(pid)
                try:
                    environment = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
                except OSError:
                    continue
                if f"SENTINEL_TEST_ROLE={role}".encode() in environment:
                    found.append(pid)
    return found


@pytest.mark.anyio
async def test_upstream_killed_mid_call_is_an_error_and_the_next_call_succeeds(gateway):
    in_flight = anyio.Event()

    async def on_progress(progress, total, message):
        in_flight.set()

    async def kill_when_in_flight():
        with anyio.fail_after(5):
            await in_flight.wait()
        children = upstream_children(gateway, "killy")
        assert len(children) == 1, f"expected one killy child, found {children}"
        killed.append(children[0])
        os.kill(children[0], signal.SIGKILL)

    killed = []
    async with connect(gateway, "2026-07-28") as client:
        await client.list_tools()
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(kill_when_in_flight)
            with anyio.fail_after(10):
                with pytest.raises(MCPError) as raised:
                    await client.call_tool("killy__slow", {"seconds": 20, "steps": 20}, progress_callback=on_progress)
        assert raised.value.error.code == UPSTREAM_GONE
        after = await client.call_tool("killy__echo", {"text": "after kill"})
        assert after.structured_content == {"text": "after kill"}
    restarted = upstream_children(gateway, "killy")
    assert len(restarted) == 1 and restarted != killed


@pytest.mark.anyio
async def test_upstream_hang_times_out_within_the_call_timeout(gateway):
    async with connect(gateway, "auto") as client:
        await client.list_tools()
        started = time.monotonic()
        with pytest.raises(MCPError) as raised:
            with anyio.fail_after(10):
                await client.call_tool("hangy__hang", {})
        elapsed = time.monotonic() - started
        assert raised.value.error.code == UPSTREAM_TIMEOUT
        assert 1.8 <= elapsed < 3.5, f"timeout after {elapsed:.2f} s with --call-timeout 2"
        after = await client.call_tool("hangy__echo", {"text": "not stuck"})
        assert after.structured_content == {"text": "not stuck"}


def cancel_lines(daemon):
    return re.findall(r"cancelled request \S+", daemon.log.read_text(errors="replace"))


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["legacy", "2026-07-28"])
async def test_client_cancel_reaches_the_upstream(gateway, mode):
    before = len(cancel_lines(gateway))
    in_flight = anyio.Event()

    async def on_progress(progress, total, message):
        in_flight.set()

    async with connect(gateway, mode) as client:
        await client.list_tools()
        started = time.monotonic()
        async with anyio.create_task_group() as tasks:
            async def call():
                await client.call_tool("demo__slow", {"seconds": 20, "steps": 20}, progress_callback=on_progress)
            tasks.start_soon(call)
            with anyio.fail_after(5):
                await in_flight.wait()
            tasks.cancel_scope.cancel()
        assert time.monotonic() - started < 5

        await anyio.to_thread.run_sync(
            lambda: wait_for(lambda: len(cancel_lines(gateway)) > before, 5, "the upstream to log the cancellation"))
        assert (await client.call_tool("demo__echo", {"text": "next"})).structured_content == {"text": "next"}


# --- protocol-level refusals over raw HTTP ----------------------------------------------------------


HEADERS = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
INITIALIZE = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
              "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                         "clientInfo": {"name": "raw-http", "version": "1"}}}


def post(daemon, path, body, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", daemon.port, timeout=10)
    try:
        payload = body if isinstance(body, bytes) else json.dumps(body).encode()
        connection.request("POST", path, body=payload, headers={**HEADERS, **(headers or {})})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def json_rpc_error(body):
    message = json.loads(body)
    assert message["jsonrpc"] == "2.0" and "result" not in message
    assert isinstance(message["error"]["code"], int) and message["error"]["message"]
    return message


def test_malformed_json_is_a_400_parse_error(gateway):
    status, headers, body = post(gateway, "/mcp/faults", b'{"jsonrpc": "2.0", "id": 1, "method": ')
    assert status == 400
    assert headers["Content-Type"].startswith("application/json")
    error = json_rpc_error(body)
    assert error["error"]["code"] == PARSE_ERROR and error["id"] is None


def test_body_over_four_mib_is_a_413_with_a_json_rpc_error(gateway):
    text = "x" * (MAX_BODY + 1024)
    payload = json.dumps({"jsonrpc": "2.0", "id": 9, "method": "tools/call",
                          "params": {"name": "demo__echo", "arguments": {"text": text}}}).encode()
    head = (f"POST /mcp/faults HTTP/1.1\r\nHost: 127.0.0.1:{gateway.port}\r\nContent-Type: application/json\r\n"
            f"Accept: application/json, text/event-stream\r\nContent-Length: {len(payload)}\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", gateway.port), timeout=10) as raw:
        raw.sendall(head)
        try:
            raw.sendall(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer and close before reading the whole body
        response = http.client.HTTPResponse(raw)
        response.begin()
        status, body = response.status, response.read()
    assert status == 413
    json_rpc_error(body)


def test_a_body_under_the_limit_is_served(gateway):
    text = "y" * (1024 * 1024)
    status, _, body = post(gateway, "/mcp/faults", {"jsonrpc": "2.0", "id": 3, "method": "tools/call",
                                                    "params": {"name": "demo__echo", "arguments": {"text": text}}},
                           {"MCP-Protocol-Version": "2025-11-25"})
    assert status == 200
    if body.startswith(b"{"):
        message = json.loads(body)
    else:  # an SSE stream: the last data line is the response
        message = json.loads([line[5:] for line in body.decode().splitlines() if line.startswith("data:")
                              and line[5:].strip()][-1])
    assert message["id"] == 3 and message["result"]["structuredContent"] == {"text": text}


def test_unknown_endpoint_is_404(gateway):
    status, _, _ = post(gateway, "/mcp/no-such-endpoint", INITIALIZE)
    assert status == 404


def test_batch_is_rejected_for_versions_without_batching(gateway):
    batch = [{"jsonrpc": "2.0", "id": 1, "method": "ping"}, {"jsonrpc": "2.0", "id": 2, "method": "ping"}]
    status, _, body = post(gateway, "/mcp/faults", batch, {"MCP-Protocol-Version": "2025-11-25"})
    assert status == 400
    assert json_rpc_error(body)["error"]["code"] == INVALID_REQUEST


def test_foreign_origin_is_403_and_no_origin_is_served(gateway):
    status, _, _ = post(gateway, "/mcp/faults", INITIALIZE, {"Origin": "https://evil.example"})
    assert status == 403
    status, headers, _ = post(gateway, "/mcp/faults", INITIALIZE)
    assert status == 200 and headers["Mcp-Session-Id"]


def test_endpoint_with_auth_is_401_with_resource_metadata(gateway):
    status, headers, _ = post(gateway, "/mcp/locked", INITIALIZE)
    assert status == 401
    challenge = headers["WWW-Authenticate"]
    match = re.fullmatch(r'Bearer resource_metadata="(http://[^"/]+)/\.well-known/oauth-protected-resource/mcp/locked"'
                         r'(, .*)?', challenge)
    assert match, challenge
    assert match.group(1).endswith(f":{gateway.port}"), challenge
