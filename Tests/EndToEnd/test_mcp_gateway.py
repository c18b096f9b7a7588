"""The MCP data plane through the real sentineld, driven by the official Python SDK (mcp==2.3.0).

One daemon serves the whole module. Its servers: the demo stdio server twice (`demo` and `demo-b`, so the
same tool names come from two servers), the third-party `mcp-server-time` from PyPI over stdio (`time`) and a
fastmcp==4.1.6 server over Streamable HTTP started by the test (`fm`). Every test makes its own endpoint, and
every test runs once per SDK negotiation mode: "legacy" (initialize at 2025-11-25), "auto" (server/discover,
then 2026-07-28) and "2026-07-28" (pinned, no probe).
"""

import itertools
import os
import shutil
import sys
from pathlib import Path

import anyio
import mcp_types as types
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.subscriptions import ToolsListChanged
from mcp.shared.exceptions import MCPError

from conftest import Daemon, free_port, short_tempdir, start_listening_server, stop_process

HERE = Path(__file__).parent
BUILD = os.environ.get("SENTINEL_BUILD_DIR", "/work/main/.build/debug")
DEMO_SERVER = BUILD + "/sentinel-demo-server"
PYTHON = sys.executable
FASTMCP_UPSTREAM = HERE / "fixtures" / "fastmcp_upstream.py"

MODES = ["legacy", "auto", "2026-07-28"]
DEMO_TOOLS = ["echo", "add", "time", "slow", "fail", "crash", "hang"]
TIME_TOOLS = ["get_current_time", "convert_time"]
FASTMCP_TOOLS = ["shout", "multiply"]
INVALID_PARAMS = -32602

_endpoint_numbers = itertools.count(1)


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture(params=MODES)
def mode(request):
    return request.param


def start_fastmcp(port):
    return start_listening_server([PYTHON, FASTMCP_UPSTREAM, port], port, "the fastmcp upstream")


async def upstream_catalog(server):
    async with Client(server, mode="legacy") as client:
        return {tool.name: tool for tool in (await client.list_tools()).tools}


@pytest.fixture(scope="module")
def gateway():
    """(daemon, `server add` replies, upstream catalogs as the SDK sees them directly): one sentineld, four servers."""
    assert os.access(DEMO_SERVER, os.X_OK), f"{DEMO_SERVER} is missing; run `swift build`"
    root = short_tempdir()
    fm_port = free_port()
    fastmcp = start_fastmcp(fm_port)
    fm_url = f"http://127.0.0.1:{fm_port}/mcp"
    daemon = None
    try:
        daemon = Daemon(root).start()
        added = {
            "demo": daemon.ctl("server", "add", "demo", "--", DEMO_SERVER),
            "demo-b": daemon.ctl("server", "add", "demo-b", "--", DEMO_SERVER),
            "time": daemon.ctl("server", "add", "time", "--", PYTHON, "-m", "mcp_server_time"),
            "fm": daemon.ctl("server", "add", "fm", "--url", fm_url),
        }
        direct = {
            "demo": anyio.run(upstream_catalog, StdioServerParameters(command=DEMO_SERVER)),
            "time": anyio.run(upstream_catalog, StdioServerParameters(command=PYTHON, args=["-m", "mcp_server_time"])),
            "fm": anyio.run(upstream_catalog, fm_url),
        }
        yield daemon, added, direct
    finally:
        try:
            if daemon is not None:
                daemon.stop()
        finally:
            stop_process(fastmcp)
            shutil.rmtree(root, ignore_errors=True)


def new_endpoint(daemon, enable):
    name = f"gw{next(_endpoint_numbers)}"
    daemon.ctl("endpoint", "create", name, "--no-auth",
               "--server", "demo", "--server", "demo-b", "--server", "time", "--server", "fm")
    daemon.ctl("endpoint", "enable", name, *enable)
    return name


def connect(daemon, endpoint, mode, **kwargs):
    return Client(f"{daemon.url}/mcp/{endpoint}", mode=mode, read_timeout_seconds=20,
                  client_info=types.Implementation(name="pytest-gateway", version="1.0"), **kwargs)


def assert_negotiated(client, mode):
    assert client.protocol_version == ("2025-11-25" if mode == "legacy" else "2026-07-28")


async def listed_names(client):
    tools, cursor = [], None
    while True:
        page = await client.list_tools(cursor=cursor, cache_mode="refresh" if cursor is None else "use")
        tools += page.tools
        cursor = page.next_cursor
        if cursor is None:
            return [tool.name for tool in tools], {tool.name: tool for tool in tools}


# --- catalog --------------------------------------------------------------------------------------


def test_server_add_caches_each_catalog(gateway):
    daemon, added, _ = gateway
    assert {name: reply["tool_count"] for name, reply in added.items()} == {"demo": 7, "demo-b": 7, "time": 2, "fm": 2}
    assert all(reply.get("last_error") is None for reply in added.values()), added
    assert [tool["name"] for tool in daemon.ctl("server", "tools", "demo")] == DEMO_TOOLS
    assert [tool["name"] for tool in daemon.ctl("server", "tools", "time")] == TIME_TOOLS
    assert sorted(tool["name"] for tool in daemon.ctl("server", "tools", "fm")) == sorted(FASTMCP_TOOLS)
    refreshed = daemon.ctl("server", "refresh", "time")
    assert refreshed["tool_count"] == 2 and refreshed.get("last_error") is None


@pytest.mark.anyio
async def test_lists_exactly_the_enabled_tools(gateway, mode):
    daemon, _, direct = gateway
    enabled = ["demo/echo", "demo/slow", "time/get_current_time", "fm/shout"]
    endpoint = new_endpoint(daemon, enabled)

    selections = daemon.ctl("endpoint", "tools", endpoint)
    assert len(selections) == 7 + 7 + 2 + 2
    on = sorted((row["server"], row["tool"], row["exposed_name"]) for row in selections if row["enabled"])
    assert on == [("demo", "echo", "demo__echo"), ("demo", "slow", "demo__slow"),
                  ("fm", "shout", "fm__shout"), ("time", "get_current_time", "time__get_current_time")]

    async with connect(daemon, endpoint, mode) as client:
        assert_negotiated(client, mode)
        names, by_name = await listed_names(client)
    assert sorted(names) == ["demo__echo", "demo__slow", "fm__shout", "time__get_current_time"]
    assert len(names) == len(set(names))
    for absent in ("demo__add", "demo-b__echo", "time__convert_time", "fm__multiply"):
        assert absent not in names

    for exposed, (server, tool) in {"demo__echo": ("demo", "echo"), "demo__slow": ("demo", "slow"),
                                    "time__get_current_time": ("time", "get_current_time"),
                                    "fm__shout": ("fm", "shout")}.items():
        upstream = direct[server][tool]
        assert by_name[exposed].description == upstream.description, exposed
        assert by_name[exposed].input_schema == upstream.input_schema, exposed


@pytest.mark.anyio
async def test_calls_reach_stdio_http_and_third_party_upstreams(gateway, mode):
    daemon, _, _ = gateway
    endpoint = new_endpoint(daemon, ["demo/echo", "time/get_current_time", "fm/shout"])
    async with connect(daemon, endpoint, mode) as client:
        assert_negotiated(client, mode)
        await client.list_tools()

        echoed = await client.call_tool("demo__echo", {"text": "héllo, wörld"})
        assert not echoed.is_error
        assert [(c.type, c.text) for c in echoed.content] == [("text", "héllo, wörld")]
        assert echoed.structured_content == {"text": "héllo, wörld"}

        shouted = await client.call_tool("fm__shout", {"text": "over http"})
        assert not shouted.is_error
        assert [(c.type, c.text) for c in shouted.content] == [("text", "OVER HTTP!")]
        assert shouted.structured_content == {"result": "OVER HTTP!"}

        now = await client.call_tool("time__get_current_time", {"timezone": "UTC"})
        assert not now.is_error
        assert now.structured_content["timezone"] == "UTC"
        assert now.structured_content["datetime"].endswith("+00:00")
        assert set(now.structured_content) == {"timezone", "datetime", "day_of_week", "is_dst"}
        assert '"timezone": "UTC"' in now.content[0].text


@pytest.mark.anyio
async def test_progress_from_the_slow_tool_reaches_the_client(gateway, mode):
    daemon, _, _ = gateway
    endpoint = new_endpoint(daemon, ["demo/slow"])
    updates = []

    async def on_progress(progress, total, message):
        updates.append((progress, total, message))

    async with connect(daemon, endpoint, mode) as client:
        await client.list_tools()
        result = await client.call_tool("demo__slow", {"seconds": 0.6, "steps": 3}, progress_callback=on_progress)
    assert not result.is_error
    assert result.content[0].text == "done after 0.6 s"
    assert len(updates) >= 2
    assert updates == [(1, 3, "step 1 of 3"), (2, 3, "step 2 of 3"), (3, 3, "step 3 of 3")]


async def disable_in_thread(daemon, endpoint, *tools):
    return await anyio.to_thread.run_sync(lambda: daemon.ctl("endpoint", "disable", endpoint, *tools))


@pytest.mark.anyio
async def test_disable_sends_list_changed_and_the_tool_is_then_denied(gateway, mode):
    daemon, _, _ = gateway
    endpoint = new_endpoint(daemon, ["demo/echo", "demo/add"])
    received = []
    changed = anyio.Event()

    async def on_message(message):
        if isinstance(message, types.ToolListChangedNotification):
            received.append(message)
            changed.set()

    async with connect(daemon, endpoint, mode, message_handler=on_message) as client:
        assert_negotiated(client, mode)
        names, _ = await listed_names(client)
        assert sorted(names) == ["demo__add", "demo__echo"]
        assert (await client.call_tool("demo__add", {"a": 1, "b": 2})).structured_content == {"sum": 3}

        if mode == "legacy":
            # The SDK opens the GET stream right after notifications/initialized; give it a moment to be attached.
            await anyio.sleep(0.5)
            changes = await disable_in_thread(daemon, endpoint, "demo/add")
            with anyio.fail_after(5):
                await changed.wait()
            assert len(received) == 1
        else:
            async with client.listen(tools_list_changed=True) as subscription:
                assert subscription.honored.tools_list_changed is True
                changes = await disable_in_thread(daemon, endpoint, "demo/add")
                with anyio.fail_after(5):
                    event = await subscription.__anext__()
                assert isinstance(event, ToolsListChanged)
        assert [change["exposed_name"] for change in changes] == ["demo__add"]

        names, _ = await listed_names(client)
        assert names == ["demo__echo"]

        with pytest.raises(MCPError) as disabled:
            await client.call_tool("demo__add", {"a": 1, "b": 2})
        assert disabled.value.error.code == INVALID_PARAMS
        with pytest.raises(MCPError) as unknown:
            await client.call_tool("demo__no_such_tool", {})
        assert unknown.value.error.code == INVALID_PARAMS

        # The session survives the refusals.
        assert (await client.call_tool("demo__echo", {"text": "still here"})).structured_content == {"text": "still here"}


@pytest.mark.anyio
async def test_same_tool_name_on_two_servers_is_reachable_under_distinct_names(gateway, mode):
    daemon, _, _ = gateway
    endpoint = new_endpoint(daemon, ["demo/echo", "demo-b/echo", "demo-b/add"])
    async with connect(daemon, endpoint, mode) as client:
        names, _ = await listed_names(client)
        assert sorted(names) == ["demo-b__add", "demo-b__echo", "demo__echo"]
        first = await client.call_tool("demo__echo", {"text": "from a"})
        second = await client.call_tool("demo-b__echo", {"text": "from b"})
        assert first.structured_content == {"text": "from a"}
        assert second.structured_content == {"text": "from b"}
        assert (await client.call_tool("demo-b__add", {"a": 40, "b": 2})).structured_content == {"sum": 42}
        with pytest.raises(MCPError) as raised:
            await client.call_tool("demo__add", {"a": 1, "b": 1})
        assert raised.value.error.code == INVALID_PARAMS
