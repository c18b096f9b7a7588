"""sentinel-demo-server driven over stdio by the official Python MCP SDK (mcp==2.3.0) and by raw JSON-RPC.

The SDK tests run once per negotiation mode: "legacy" (initialize handshake at 2025-11-25), "auto"
(server/discover probe, then 2026-07-28 per-request envelopes) and "2026-07-28" (envelopes without a probe).
"""

import json
import os
import queue
import subprocess
import threading
import time

import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.shared.exceptions import MCPError

DEMO_SERVER = os.environ.get("SENTINEL_BUILD_DIR", "/work/main/.build/debug") + "/sentinel-demo-server"

BUILT_IN_TOOLS = ["echo", "add", "time", "slow", "fail", "crash", "hang"]
MODES = ["legacy", "auto", "2026-07-28"]


@pytest.fixture(scope="module", autouse=True)
def built_binary():
    assert os.access(DEMO_SERVER, os.X_OK), (
        f"{DEMO_SERVER} is missing; build it with `swift build --product sentinel-demo-server`")


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture(params=MODES)
def mode(request):
    return request.param


def demo_client(mode, *args):
    return Client(StdioServerParameters(command=DEMO_SERVER, args=list(args)), mode=mode)


async def all_tools(client):
    tools, pages, cursor = [], 0, None
    while True:
        page = await client.list_tools(cursor=cursor)
        pages += 1
        tools += page.tools
        cursor = page.next_cursor
        if cursor is None:
            return tools, pages


# --- through the SDK --------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_lists_every_tool_with_schemas(mode):
    async with demo_client(mode) as client:
        expected_version = "2025-11-25" if mode == "legacy" else "2026-07-28"
        assert client.protocol_version == expected_version
        if mode != "2026-07-28":  # a pinned client skips server/discover and knows neither of these
            assert client.server_info.name == "sentinel-demo-server"
            assert client.server_capabilities.tools.list_changed is True

        tools, pages = await all_tools(client)
        assert pages == 1
        assert [tool.name for tool in tools] == BUILT_IN_TOOLS
        for tool in tools:
            assert tool.title and tool.description
            assert tool.input_schema["type"] == "object"
            assert tool.input_schema["additionalProperties"] is False
        by_name = {tool.name: tool for tool in tools}
        assert by_name["echo"].input_schema["required"] == ["text"]
        assert by_name["echo"].output_schema["properties"] == {"text": {"type": "string"}}
        assert by_name["slow"].input_schema["properties"]["seconds"] == {
            "type": "number", "minimum": 0, "maximum": 60, "description": "Total time to take."}
        assert by_name["echo"].annotations.read_only_hint is True
        assert by_name["crash"].annotations.read_only_hint is None


@pytest.mark.anyio
async def test_echo_round_trip_with_structured_content(mode):
    async with demo_client(mode) as client:
        await client.list_tools()
        result = await client.call_tool("echo", {"text": "héllo, wörld"})
        assert not result.is_error
        assert result.content[0].type == "text" and result.content[0].text == "héllo, wörld"
        assert result.structured_content == {"text": "héllo, wörld"}

        summed = await client.call_tool("add", {"a": 2, "b": 0.5})
        assert summed.structured_content == {"sum": 2.5} and summed.content[0].text == "2.5"


@pytest.mark.anyio
async def test_page_size_two_returns_every_tool_exactly_once(mode):
    async with demo_client(mode, "--page-size", "2", "--extra-tools", "5") as client:
        seen, cursor, pages = [], None, 0
        while True:
            page = await client.list_tools(cursor=cursor)
            pages += 1
            assert len(page.tools) <= 2
            seen += [tool.name for tool in page.tools]
            cursor = page.next_cursor
            if cursor is None:
                break
        expected = BUILT_IN_TOOLS + [f"tool_000{n}" for n in range(1, 6)]
        assert seen == expected and len(set(seen)) == len(seen)
        assert pages == 6

        filler = await client.call_tool("tool_0003", {})
        assert filler.content[0].text == "tool_0003"


@pytest.mark.anyio
async def test_slow_call_reports_progress_for_each_step(mode):
    updates = []

    async def on_progress(progress, total, message):
        updates.append((progress, total, message))

    async with demo_client(mode) as client:
        result = await client.call_tool("slow", {"seconds": 0.5, "steps": 3}, progress_callback=on_progress)
    assert result.content[0].text == "done after 0.5 s"
    assert updates == [(1, 3, "step 1 of 3"), (2, 3, "step 2 of 3"), (3, 3, "step 3 of 3")]


@pytest.mark.anyio
async def test_fail_is_a_tool_error_not_a_protocol_error(mode):
    async with demo_client(mode) as client:
        result = await client.call_tool("fail", {"message": "disk on fire"})
        assert result.is_error is True
        assert result.content[0].text == "disk on fire"

        # Bad arguments are tool errors too (MCP 2025-11-25, SEP-1303), so a model can correct itself.
        invalid = await client.call_tool("slow", {"seconds": 61})
        assert invalid.is_error is True and "between 0 and 60" in invalid.content[0].text


@pytest.mark.anyio
async def test_unknown_tool_is_a_protocol_error(mode):
    async with demo_client(mode) as client:
        with pytest.raises(MCPError) as raised:
            await client.call_tool("no_such_tool", {})
        assert raised.value.error.code == -32602
        assert "no_such_tool" in raised.value.error.message


@pytest.mark.anyio
async def test_tools_prefix_renames_every_tool():
    async with demo_client("legacy", "--tools-prefix", "b_") as client:
        tools, _ = await all_tools(client)
        assert [tool.name for tool in tools] == ["b_" + name for name in BUILT_IN_TOOLS]
        assert (await client.call_tool("b_echo", {"text": "x"})).structured_content == {"text": "x"}


# --- raw JSON-RPC over a pipe -----------------------------------------------------------------------


class RawServer:
    """The binary on plain pipes: write lines, read parsed lines from stdout, collect stderr at exit."""

    def __init__(self, *args):
        self.process = subprocess.Popen(
            [DEMO_SERVER, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.lines = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        for line in self.process.stdout:
            self.lines.put(json.loads(line))

    def send(self, message):
        text = message if isinstance(message, str) else json.dumps(message)
        self.process.stdin.write(text.encode() + b"\n")
        self.process.stdin.flush()

    def request(self, id, method, params=None):
        self.send({"jsonrpc": "2.0", "id": id, "method": method, **({"params": params} if params else {})})

    def receive(self, timeout=5.0):
        return self.lines.get(timeout=timeout)

    def receive_all(self, seconds):
        messages, deadline = [], time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                messages.append(self.lines.get(timeout=left))
            except queue.Empty:
                break
        return messages

    def close(self):
        """Closes stdin and returns (exit status, stderr text)."""
        self.process.stdin.close()
        status = self.process.wait(timeout=10)
        return status, self.process.stderr.read().decode()


def test_malformed_json_gets_parse_error_with_null_id():
    server = RawServer()
    server.send('{"jsonrpc": "2.0", "id": 1, "method": ')
    reply = server.receive()
    assert reply["id"] is None and reply["error"]["code"] == -32700

    server.request(2, "no/such/method")
    assert server.receive()["error"]["code"] == -32601
    server.request(3, "ping")
    assert server.receive() == {"jsonrpc": "2.0", "id": 3, "result": {}}
    assert server.close()[0] == 0


def test_cancelled_slow_call_gets_no_response_and_does_not_block_others():
    server = RawServer()
    server.request(1, "initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                                     "clientInfo": {"name": "pytest", "version": "1"}})
    assert server.receive()["result"]["protocolVersion"] == "2025-06-18"
    server.send({"jsonrpc": "2.0", "method": "notifications/initialized"})

    server.request(7, "tools/call", {"name": "slow", "arguments": {"seconds": 1, "steps": 1}})
    started = time.monotonic()
    server.request(8, "ping")
    assert server.receive()["id"] == 8
    assert time.monotonic() - started < 0.5, "a slow call blocked a ping"

    server.send({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 7, "reason": "test"}})
    # Past the moment the call would have finished: nothing for id 7 may arrive.
    assert [m for m in server.receive_all(1.3) if m.get("id") == 7] == []

    status, stderr = server.close()
    assert status == 0
    assert "cancelled request 7" in stderr.splitlines()


def test_crash_exits_with_status_three_and_unknown_flag_with_64():
    server = RawServer()
    server.request(1, "tools/call", {"name": "crash", "arguments": {}})
    assert server.process.wait(timeout=5) == 3

    refused = subprocess.run([DEMO_SERVER, "--no-such-flag"], capture_output=True, text=True, timeout=5)
    assert refused.returncode == 64
    assert refused.stderr.count("\n") == 1 and "--no-such-flag" in refused.stderr
