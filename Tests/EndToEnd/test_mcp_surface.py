"""Prompts, resources, templates, completion and MCP Apps pages through the real sentineld (issue 14), driven by
the official Python SDK (mcp==2.3.0), and the control plane that switches them on.

One daemon serves the module. Its servers: `sdk` (fixtures/sdk_surface_server.py over Streamable HTTP, which
Sentinel speaks 2026-07-28 to), `fm` (fixtures/fastmcp_surface_server.py over stdio: the same `file:///README.md`
URI with other text, and an app-only tool named `refresh_board` like the SDK server's) and `fetch` (the third-party
mcp-server-fetch over stdio, whose `fetch` prompt reads a page from a local HTTP server). Every test makes its own
endpoint; the data-plane tests run once per SDK negotiation mode ("legacy", "auto", "2026-07-28").

Resource subscriptions are not offered in this release: the gateway answers `resources/subscribe` with -32601 and
leaves `resourceSubscriptions` out of a `subscriptions/listen` acknowledgement; both are checked here.
"""

import functools
import http.server
import itertools
import json
import re
import shutil
import sys
import textwrap
import threading
from pathlib import Path

import anyio
import mcp_types as types
import pytest
from mcp import Client
from mcp.client.extension import ClientExtension
from mcp.client.stdio import StdioServerParameters
from mcp.client.subscriptions import PromptsListChanged, ResourcesListChanged
from mcp.shared.exceptions import MCPError

from conftest import (run_journal_scenario, SENTINELCTL, Daemon, free_port, journal_entries, require_root, short_tempdir,
                      start_listening_server, stop_process, wait_for)

HERE = Path(__file__).parent
PYTHON = sys.executable
SDK_SERVER = HERE / "fixtures" / "sdk_surface_server.py"
FM_SERVER = HERE / "fixtures" / "fastmcp_surface_server.py"

MODES = ["legacy", "auto", "2026-07-28"]
INVALID_PARAMS = -32602
METHOD_NOT_FOUND = -32601
RESOURCE_NOT_FOUND_HANDSHAKE = -32002
APP_MIME = "text/html;profile=mcp-app"
PAGE_TEXT = "Plain text served to mcp-server-fetch through the gateway.\n"

_endpoint_numbers = itertools.count(1)


class AppsExtension(ClientExtension):
    """The MCP Apps client capability (`extensions["io.modelcontextprotocol/ui"]`)."""
    identifier = "io.modelcontextprotocol/ui"

    def settings(self):
        return {"mimeTypes": [APP_MIME]}


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture(params=MODES)
def mode(request):
    return request.param


def serve_directory(directory):
    """A plain HTTP server for `directory` on a free loopback port, in a thread: (server, url)."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


async def direct_pages(sdk_url):
    """The MCP Apps pages as the servers serve them, read without Sentinel."""
    async with Client(sdk_url, mode="legacy") as client:
        board = (await client.read_resource("ui://board/app.html")).contents[0]
    async with Client(StdioServerParameters(command=PYTHON, args=[str(FM_SERVER)]), mode="legacy") as client:
        chart = (await client.read_resource("ui://widget/chart.html")).contents[0]
    return {"board": board, "chart": chart}


@pytest.fixture(scope="module")
def surface():
    """(daemon, direct pages, page URL): one sentineld with servers sdk (HTTP), fm and fetch (stdio)."""
    root = short_tempdir()
    sdk_port = free_port()
    sdk = start_listening_server([PYTHON, SDK_SERVER, "--http", sdk_port], sdk_port, "the SDK surface server")
    sdk_url = f"http://127.0.0.1:{sdk_port}/mcp"
    (root / "www").mkdir()
    (root / "www" / "page.txt").write_text(PAGE_TEXT)
    web, web_url = serve_directory(root / "www")
    daemon = None
    try:
        daemon = Daemon(root).start()
        daemon.ctl("server", "add", "sdk", "--url", sdk_url)
        daemon.ctl("server", "add", "fm", "--", PYTHON, FM_SERVER)
        daemon.ctl("server", "add", "fetch", "--", PYTHON, "-m", "mcp_server_fetch", "--allow-private-ips")
        yield daemon, anyio.run(direct_pages, sdk_url), web_url + "/page.txt"
    finally:
        try:
            if daemon is not None:
                daemon.stop()
        finally:
            web.shutdown()
            stop_process(sdk)
            shutil.rmtree(root, ignore_errors=True)


def new_endpoint(daemon, *enable):
    name = f"sf{next(_endpoint_numbers)}"
    daemon.ctl("endpoint", "create", name, "--no-auth", "--server", "sdk", "--server", "fm", "--server", "fetch")
    if enable:
        daemon.ctl("endpoint", "enable", name, *enable)
    return name


def connect(daemon, endpoint, mode, **kwargs):
    return Client(f"{daemon.url}/mcp/{endpoint}", mode=mode, read_timeout_seconds=20,
                  client_info=types.Implementation(name="pytest-surface", version="1.0"), **kwargs)


def not_found_code(mode):
    return RESOURCE_NOT_FOUND_HANDSHAKE if mode == "legacy" else INVALID_PARAMS


async def refused(call):
    with pytest.raises(MCPError) as raised:
        await call
    return raised.value.error.code


def prompt_ref(name):
    return types.PromptReference(type="ref/prompt", name=name)


def template_ref(uri):
    return types.ResourceTemplateReference(type="ref/resource", uri=uri)


# --- before anything is enabled ---------------------------------------------------------------------


@pytest.mark.anyio
async def test_nothing_is_exposed_before_enabling(surface, mode):
    daemon, _, _ = surface
    endpoint = new_endpoint(daemon, "sdk/bump")
    async with connect(daemon, endpoint, mode) as client:
        assert (await client.list_prompts()).prompts == []
        assert (await client.list_resources()).resources == []
        assert (await client.list_resource_templates()).resource_templates == []
        assert await refused(client.get_prompt("sdk__review", {"code": "x"})) == INVALID_PARAMS
        for uri in ("sdk+file:///README.md", "ui://sdk+board/app.html", "file:///README.md", "nosuch+file:///x"):
            assert await refused(client.read_resource(uri)) == not_found_code(mode), uri
        assert await refused(client.complete(prompt_ref("sdk__review"), {"name": "code", "value": ""})) == INVALID_PARAMS
        assert await refused(
            client.complete(template_ref("sdk+notes://{topic}"), {"name": "topic", "value": ""})) == INVALID_PARAMS
        assert await refused(client.call_tool("refresh_board", {})) == INVALID_PARAMS
        # The session survives the refusals.
        assert (await client.call_tool("sdk__bump", {})).is_error is False


@pytest.mark.anyio
async def test_resource_subscriptions_are_not_offered(surface, mode):
    daemon, _, _ = surface
    endpoint = new_endpoint(daemon, "--resources", "sdk")
    async with connect(daemon, endpoint, mode) as client:
        if mode == "legacy":
            assert client.server_capabilities.resources.subscribe in (None, False)
            assert await refused(client.subscribe_resource("sdk+counter://value")) == METHOD_NOT_FOUND
        else:
            async with client.listen(resource_subscriptions=["sdk+counter://value"], prompts_list_changed=True) as listen:
                assert listen.honored.prompts_list_changed is True
                assert not listen.honored.resource_subscriptions


# --- prompts ------------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_enabled_prompts_are_listed_fetched_and_completed(surface, mode):
    daemon, _, _ = surface
    endpoint = new_endpoint(daemon, "--prompt", "sdk/review", "--all-prompts", "fm")
    async with connect(daemon, endpoint, mode) as client:
        listed = {prompt.name: prompt for prompt in (await client.list_prompts()).prompts}
        assert sorted(listed) == ["fm__summarize", "sdk__review"]
        assert listed["sdk__review"].description == "Asks for a review of a piece of code."
        assert [argument.name for argument in listed["sdk__review"].arguments] == ["code"]
        assert [argument.name for argument in listed["fm__summarize"].arguments] == ["text"]

        review = await client.get_prompt("sdk__review", {"code": "print(1)"})
        assert [(m.role, m.content.text) for m in review.messages] == [("user", "Please review: print(1)")]
        summary = await client.get_prompt("fm__summarize", {"text": "a long story"})
        assert [(m.role, m.content.text) for m in summary.messages] == [("user", "Summarize: a long story")]

        completed = await client.complete(prompt_ref("sdk__review"), {"name": "code", "value": "p"})
        assert completed.completion.values == ["print(1)", "pass"]
        completed = await client.complete(prompt_ref("fm__summarize"), {"name": "text", "value": "l"})
        assert completed.completion.values == ["long"]

        # A prompt is not a tool, nor reachable by its upstream name or another server's prefix.
        for name in ("review", "fm__review", "sdk__summarize"):
            assert await refused(client.get_prompt(name, {"code": "x"})) == INVALID_PARAMS, name
        assert await refused(client.call_tool("sdk__review", {"code": "x"})) == INVALID_PARAMS

    daemon.ctl("endpoint", "disable", endpoint, "--prompt", "fm__summarize")
    async with connect(daemon, endpoint, mode) as client:
        assert [prompt.name for prompt in (await client.list_prompts()).prompts] == ["sdk__review"]
        assert await refused(client.get_prompt("fm__summarize", {"text": "x"})) == INVALID_PARAMS


@pytest.mark.anyio
async def test_a_third_party_prompt_fetches_a_page(surface, mode):
    daemon, _, page_url = surface
    endpoint = new_endpoint(daemon, "--prompt", "fetch/fetch")
    async with connect(daemon, endpoint, mode) as client:
        assert [prompt.name for prompt in (await client.list_prompts()).prompts] == ["fetch__fetch"]
        result = await client.get_prompt("fetch__fetch", {"url": page_url})
    texts = [message.content.text for message in result.messages if message.content.type == "text"]
    assert any(PAGE_TEXT.strip() in text for text in texts), texts


# --- resources and templates -------------------------------------------------------------------------


@pytest.mark.anyio
async def test_rules_open_resources_under_distinct_uris(surface, mode):
    daemon, _, _ = surface
    endpoint = new_endpoint(daemon, "--resources", "sdk", "--resources", "fm:file:///")
    async with connect(daemon, endpoint, mode) as client:
        listed = {str(resource.uri): resource for resource in (await client.list_resources()).resources}
        assert sorted(listed) == ["fm+file:///README.md", "sdk+counter://value", "sdk+file:///README.md",
                                  "ui://sdk+board/app.html"]
        assert listed["ui://sdk+board/app.html"].mime_type == APP_MIME

        for uri, text in (("sdk+file:///README.md", "sdk readme"), ("fm+file:///README.md", "fm readme")):
            read = await client.read_resource(uri)
            assert [(str(c.uri), c.text) for c in read.contents] == [(uri, text)]
        if mode != "legacy":
            # The upstream's cache hint passes through on a 2026-07-28 read (sdk says 60 s, public).
            read = await client.read_resource("sdk+file:///README.md", cache_mode="refresh")
            assert (read.ttl_ms, read.cache_scope) == (60000, "public")

        templates = [t.uri_template for t in (await client.list_resource_templates()).resource_templates]
        assert templates == ["sdk+notes://{topic}"], "fm:file:/// does not open fm://docs/{name}"
        note = await client.read_resource("sdk+notes://beta")
        assert [(str(c.uri), c.text) for c in note.contents] == [("sdk+notes://beta", "note about beta")]
        completed = await client.complete(template_ref("sdk+notes://{topic}"), {"name": "topic", "value": "g"})
        assert completed.completion.values == ["gamma"]

        for uri in ("fm+fm://docs/intro", "ui://fm+widget/chart.html", "file:///README.md", "sdk+ui://board/app.html"):
            assert await refused(client.read_resource(uri)) == not_found_code(mode), uri
        assert await refused(
            client.complete(template_ref("fm+fm://docs/{name}"), {"name": "name", "value": ""})) == INVALID_PARAMS

    # A mapped prefix names a rule as well as SERVER:PREFIX does.
    daemon.ctl("endpoint", "enable", endpoint, "--resources", "fm+fm://docs/")
    async with connect(daemon, endpoint, mode) as client:
        templates = [t.uri_template for t in (await client.list_resource_templates()).resource_templates]
        assert sorted(templates) == ["fm+fm://docs/{name}", "sdk+notes://{topic}"]
        doc = await client.read_resource("fm+fm://docs/usage")
        assert [(str(c.uri), c.text) for c in doc.contents] == [("fm+fm://docs/usage", "doc usage")]
        completed = await client.complete(template_ref("fm+fm://docs/{name}"), {"name": "name", "value": "in"})
        assert completed.completion.values == ["intro", "install"]

    daemon.ctl("endpoint", "disable", endpoint, "--resources", "sdk")
    async with connect(daemon, endpoint, mode) as client:
        uris = sorted(str(resource.uri) for resource in (await client.list_resources()).resources)
        assert uris == ["fm+file:///README.md"]
        assert await refused(client.read_resource("sdk+file:///README.md")) == not_found_code(mode)


# --- MCP Apps ------------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_an_enabled_app_tool_opens_its_page(surface, mode):
    daemon, direct, _ = surface
    endpoint = new_endpoint(daemon, "sdk/show_board", "fm/show_chart")
    async with connect(daemon, endpoint, mode) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        assert tools["sdk__show_board"].meta["ui"]["resourceUri"] == "ui://sdk+board/app.html"
        assert tools["fm__show_chart"].meta["openai/outputTemplate"] == "ui://fm+widget/chart.html"

        board = (await client.read_resource("ui://sdk+board/app.html")).contents
        assert [(str(c.uri), c.mime_type, c.text) for c in board] == [
            ("ui://sdk+board/app.html", APP_MIME, direct["board"].text)]
        chart = (await client.read_resource("ui://fm+widget/chart.html")).contents
        assert [(str(c.uri), c.mime_type, c.text) for c in chart] == [
            ("ui://fm+widget/chart.html", "text/html+skybridge", direct["chart"].text)]
        # The pages are listed (both servers list them); nothing else of the servers is.
        uris = sorted(str(resource.uri) for resource in (await client.list_resources()).resources)
        assert uris == ["ui://fm+widget/chart.html", "ui://sdk+board/app.html"]
        assert await refused(client.read_resource("sdk+file:///README.md")) == not_found_code(mode)

    daemon.ctl("endpoint", "disable", endpoint, "sdk/show_board")
    async with connect(daemon, endpoint, mode) as client:
        assert await refused(client.read_resource("ui://sdk+board/app.html")) == not_found_code(mode)


@pytest.mark.anyio
async def test_app_only_tools_reach_apps_hosts_and_their_calls(surface, mode):
    daemon, _, _ = surface
    endpoint = new_endpoint(daemon, "sdk/show_board", "sdk/refresh_board")
    async with connect(daemon, endpoint, mode) as client:
        names = [tool.name for tool in (await client.list_tools()).tools]
        assert names == ["sdk__show_board"], "a client without the Apps extension never sees app-only tools"
    async with connect(daemon, endpoint, mode, extensions=[AppsExtension()]) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        assert sorted(tools) == ["sdk__refresh_board", "sdk__show_board"]
        assert tools["sdk__refresh_board"].meta["ui"] == {"resourceUri": "ui://sdk+board/app.html", "visibility": ["app"]}
        # An app calls its tool by the name its server gave it.
        called = await client.call_tool("refresh_board", {})
        assert [c.text for c in called.content] == ["sdk board refreshed"]
        assert [c.text for c in (await client.call_tool("sdk__refresh_board", {})).content] == ["sdk board refreshed"]

    daemon.ctl("endpoint", "enable", endpoint, "fm/refresh_board")
    async with connect(daemon, endpoint, mode, extensions=[AppsExtension()]) as client:
        with pytest.raises(MCPError) as ambiguous:
            await client.call_tool("refresh_board", {})
        assert ambiguous.value.error.code == INVALID_PARAMS
        assert "ambiguous" in ambiguous.value.error.message
        assert [c.text for c in (await client.call_tool("fm__refresh_board", {})).content] == ["fm board refreshed"]


# --- list_changed -----------------------------------------------------------------------------------


async def ctl_in_thread(daemon, *args):
    return await anyio.to_thread.run_sync(lambda: daemon.ctl(*args))


@pytest.mark.anyio
async def test_enable_and_disable_announce_list_changes(surface, mode):
    daemon, _, _ = surface
    endpoint = new_endpoint(daemon, "sdk/bump")
    received = []
    arrived = anyio.Event()

    async def on_message(message):
        if isinstance(message, (types.PromptListChangedNotification, types.ResourceListChangedNotification)):
            received.append(type(message).__name__)
            arrived.set()

    async def expect(kinds, *args):
        nonlocal arrived
        arrived = anyio.Event()
        received.clear()
        await ctl_in_thread(daemon, "endpoint", *args)
        with anyio.fail_after(5):
            while not set(kinds) <= set(received):
                await arrived.wait()
                arrived = anyio.Event()

    async with connect(daemon, endpoint, mode, message_handler=on_message) as client:
        if mode == "legacy":
            await client.list_tools()
            await anyio.sleep(0.5)  # the SDK opens its GET stream after notifications/initialized
            await expect(["PromptListChangedNotification"], "enable", endpoint, "--prompt", "sdk/review")
            await expect(["ResourceListChangedNotification"], "enable", endpoint, "--resources", "sdk")
            await expect(["PromptListChangedNotification"], "disable", endpoint, "--prompt", "sdk/review")
            await expect(["ResourceListChangedNotification"], "disable", endpoint, "--resources", "sdk")
        else:
            async with client.listen(prompts_list_changed=True, resources_list_changed=True) as listen:
                assert (listen.honored.prompts_list_changed, listen.honored.resources_list_changed) == (True, True)
                for args, kind in ((("enable", "--prompt", "sdk/review"), PromptsListChanged),
                                   (("enable", "--resources", "sdk"), ResourcesListChanged),
                                   (("disable", "--prompt", "sdk/review"), PromptsListChanged),
                                   (("disable", "--resources", "sdk"), ResourcesListChanged)):
                    await ctl_in_thread(daemon, "endpoint", args[0], endpoint, *args[1:])
                    with anyio.fail_after(5):
                        while not isinstance(await listen.__anext__(), kind):
                            pass


@pytest.mark.anyio
async def test_an_upstream_prompt_list_change_reaches_listening_clients(surface, mode):
    daemon, _, _ = surface
    added = f"later_{mode.replace('-', '_')}"
    endpoint = new_endpoint(daemon, "sdk/add_prompt", "--all-prompts", "sdk")
    async with connect(daemon, endpoint, mode) as client:
        if mode == "legacy":
            # Handshake clients hear it on the GET stream; checked by the prompts list afterwards.
            await client.call_tool("sdk__add_prompt", {"name": added})
        else:
            async with client.listen(prompts_list_changed=True) as listen:
                await client.call_tool("sdk__add_prompt", {"name": added})
                with anyio.fail_after(10):
                    while not isinstance(await listen.__anext__(), PromptsListChanged):
                        pass

    def refreshed():
        return any(row["prompt"] == added for row in daemon.ctl("endpoint", "prompts", endpoint))
    await anyio.to_thread.run_sync(lambda: wait_for(refreshed, 10, "the catalog to list the new prompt"))
    daemon.ctl("endpoint", "enable", endpoint, "--prompt", f"sdk/{added}")
    async with connect(daemon, endpoint, mode) as client:
        result = await client.get_prompt(f"sdk__{added}", {})
        assert [m.content.text for m in result.messages] == [f"hello from {added}"]


# --- control plane -------------------------------------------------------------------------------------


def ctl_text(daemon, *args):
    return daemon.ctl(*args, json_output=False)


def ctl_fails(daemon, *args):
    result = daemon.ctl(*args, check=False, json_output=False)
    assert result.returncode != 0, f"sentinelctl {' '.join(args)} succeeded: {result.stdout}"
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("sentinelctl: ")
    return lines[0]


def test_prompt_selections_table_and_json(surface):
    daemon, _, _ = surface
    endpoint = new_endpoint(daemon)
    out = ctl_text(daemon, "endpoint", "enable", endpoint, "--prompt", "sdk/review", "--all-prompts", "fm")
    assert out.splitlines() == [f"Enabled 2 prompt(s) on {endpoint}: sdk__review, fm__summarize"]
    rows = daemon.ctl("endpoint", "prompts", endpoint)
    by_name = {(row["server"], row["prompt"]): row for row in rows}
    assert by_name[("sdk", "review")] == {"server": "sdk", "prompt": "review", "exposed_name": "sdk__review", "enabled": True}
    assert by_name[("fm", "summarize")]["enabled"] is True
    assert by_name[("fetch", "fetch")] == {"server": "fetch", "prompt": "fetch", "exposed_name": "fetch__fetch",
                                           "enabled": False}
    table = ctl_text(daemon, "endpoint", "prompts", endpoint).splitlines()
    assert table[0].split() == ["SERVER", "PROMPT", "EXPOSED", "NAME", "ENABLED"]
    assert ["sdk", "review", "sdk__review", "yes"] in [line.split() for line in table[1:]]
    assert ["fetch", "fetch", "fetch__fetch", "no"] in [line.split() for line in table[1:]]

    shown = daemon.ctl("endpoint", "show", endpoint)
    assert (shown["enabled_prompts"], shown["resource_rules"]) == (2, 0)
    assert shown["available_prompts"] >= 3
    assert re.search(r"^Prompts: +2 enabled of \d+$", ctl_text(daemon, "endpoint", "show", endpoint), re.M)

    changed = daemon.ctl("endpoint", "disable", endpoint, "--prompt", "sdk__review")
    assert changed == [{"server": "sdk", "prompt": "review", "exposed_name": "sdk__review", "enabled": False}]
    again = ctl_text(daemon, "endpoint", "disable", endpoint, "--prompt", "sdk/review")
    assert again.strip() == "No prompt changed: already disabled."


def test_resource_rules_table_and_json(surface):
    daemon, _, _ = surface
    endpoint = new_endpoint(daemon, "sdk/show_board")
    out = ctl_text(daemon, "endpoint", "enable", endpoint, "--resources", "fm:file:///", "--resources", "sdk+notes://")
    assert out.splitlines() == [f"Added 2 resource rule(s) to {endpoint}: fm+file:///, sdk+notes://"]

    listed = daemon.ctl("endpoint", "resources", endpoint)
    assert listed["rules"] == [
        {"server": "fm", "prefix": "file:///", "mapped_prefix": "fm+file:///"},
        {"server": "sdk", "prefix": "notes://", "mapped_prefix": "sdk+notes://"},
    ] or listed["rules"] == [
        {"server": "sdk", "prefix": "notes://", "mapped_prefix": "sdk+notes://"},
        {"server": "fm", "prefix": "file:///", "mapped_prefix": "fm+file:///"},
    ]
    rows = {row["uri"]: row for row in listed["resources"]}
    assert rows["fm+file:///README.md"]["state"] == "rule" and rows["fm+file:///README.md"]["rule"] == "fm+file:///"
    assert rows["fm+file:///README.md"]["upstream_uri"] == "file:///README.md"
    assert rows["sdk+file:///README.md"]["state"] == "off"
    assert rows["ui://sdk+board/app.html"]["state"] == "tool" and rows["ui://sdk+board/app.html"]["tool"] == "show_board"
    assert rows["sdk+notes://{topic}"]["kind"] == "template" and rows["sdk+notes://{topic}"]["state"] == "rule"
    assert rows["fm+fm://docs/{name}"]["kind"] == "template" and rows["fm+fm://docs/{name}"]["state"] == "off"
    assert {row["server"] for row in listed["resources"]} >= {"sdk", "fm"}

    text = ctl_text(daemon, "endpoint", "resources", endpoint).splitlines()
    assert text[0].split() == ["RULE", "SERVER", "PREFIX"]
    header = text.index("") + 1
    assert text[header].split() == ["URI", "SERVER", "KIND", "STATE"]
    lines = [line.split(None, 3) for line in text[header + 1:]]
    assert ["ui://sdk+board/app.html", "sdk", "resource", "enabled (page of tool show_board)"] in lines
    assert ["fm+file:///README.md", "fm", "resource", "enabled (rule fm+file:///)"] in lines
    assert ["sdk+counter://value", "sdk", "resource", "off"] in lines

    assert daemon.ctl("endpoint", "show", endpoint)["resource_rules"] == 2
    # Removing names exactly one rule: another prefix of the same server is another rule.
    assert daemon.ctl("endpoint", "disable", endpoint, "--resources", "fm") == []
    removed = daemon.ctl("endpoint", "disable", endpoint, "--resources", "fm+file:///")
    assert removed == [{"server": "fm", "prefix": "file:///", "mapped_prefix": "fm+file:///"}]
    assert [rule["mapped_prefix"] for rule in daemon.ctl("endpoint", "resources", endpoint)["rules"]] == ["sdk+notes://"]

    # Tools, prompts and rules in one command: --json prints one list per kind.
    both = daemon.ctl("endpoint", "enable", endpoint, "sdk/bump", "--prompt", "sdk/review", "--resources", "sdk")
    assert sorted(both) == ["prompts", "resources", "tools"]
    assert [row["exposed_name"] for row in both["tools"]] == ["sdk__bump"]
    assert both["resources"] == [{"server": "sdk", "prefix": "", "mapped_prefix": "sdk+"}]


def test_control_errors_are_one_line(surface):
    daemon, _, _ = surface
    endpoint = new_endpoint(daemon)
    assert "none named 'nope'" in ctl_fails(daemon, "endpoint", "enable", endpoint, "--prompt", "sdk/nope")
    assert "no server named 'ghost'" in ctl_fails(daemon, "endpoint", "enable", endpoint, "--prompt", "ghost/x")
    assert "review is a prompt" in ctl_fails(daemon, "endpoint", "enable", endpoint, "sdk/review")
    assert "bump is a tool" in ctl_fails(daemon, "endpoint", "enable", endpoint, "--prompt", "sdk/bump")
    assert "SERVER/PROMPT" in ctl_fails(daemon, "endpoint", "enable", endpoint, "--prompt", "review")
    assert "no server named 'ghost'" in ctl_fails(daemon, "endpoint", "enable", endpoint, "--resources", "ghost")
    assert "no server named 'ghost'" in ctl_fails(daemon, "endpoint", "enable", endpoint, "--resources", "ghost+file:///")
    assert "no server name" in ctl_fails(daemon, "endpoint", "enable", endpoint, "--resources", "Docs:file:///")
    daemon.ctl("server", "add", "lonely", "--", PYTHON, FM_SERVER)
    assert "not attached" in ctl_fails(daemon, "endpoint", "enable", endpoint, "--resources", "lonely")
    assert "--all-prompts" in ctl_fails(daemon, "endpoint", "enable", endpoint)
    assert "no endpoint named 'nowhere'" in ctl_fails(daemon, "endpoint", "prompts", "nowhere")
    assert "no endpoint named 'nowhere'" in ctl_fails(daemon, "endpoint", "resources", "nowhere")
    # Nothing changed on the way.
    assert not any(row["enabled"] for row in daemon.ctl("endpoint", "prompts", endpoint))
    assert daemon.ctl("endpoint", "resources", endpoint)["rules"] == []


# --- audit ---------------------------------------------------------------------------------------------

AUDIT_CLIENT = textwrap.dedent("""\
    import anyio, json, sys
    import mcp_types as types
    from mcp import Client
    from mcp.shared.exceptions import MCPError

    async def main(url, out):
        codes = {}
        async with Client(url, mode=sys.argv[3], client_info=types.Implementation(name="audit-surface", version="1")) as c:
            await c.get_prompt("sdk__review", {"code": "x"})
            await c.read_resource("sdk+file:///README.md")
            await c.complete(types.PromptReference(type="ref/prompt", name="sdk__review"), {"name": "code", "value": "p"})
            for name, call in (("prompt", c.get_prompt("fm__summarize", {"text": "x"})),
                               ("read", c.read_resource("fm+file:///README.md")),
                               ("complete", c.complete(types.PromptReference(type="ref/prompt", name="fm__summarize"),
                                                       {"name": "text", "value": ""}))):
                try:
                    await call
                    codes[name] = 0
                except MCPError as error:
                    codes[name] = error.error.code
        open(out, "w").write(json.dumps(codes))

    anyio.run(main, sys.argv[1], sys.argv[2])
    """)


def test_surface_operations_and_changes_are_audited(workdir):
    require_root()
    port = free_port()
    (workdir / "client.py").write_text(AUDIT_CLIENT)
    run_journal_scenario(workdir, port, f"""\
        {SENTINELCTL} server add sdk -- {PYTHON} {SDK_SERVER} --stdio >/dev/null
        {SENTINELCTL} server add fm -- {PYTHON} {FM_SERVER} >/dev/null
        {SENTINELCTL} endpoint create eng --no-auth --server sdk --server fm >/dev/null
        {SENTINELCTL} endpoint enable eng --prompt sdk/review --resources sdk:file:/// >/dev/null
        {PYTHON} {workdir}/client.py http://127.0.0.1:{port}/mcp/eng {workdir}/legacy.json legacy
        {PYTHON} {workdir}/client.py http://127.0.0.1:{port}/mcp/eng {workdir}/modern.json 2026-07-28
        {SENTINELCTL} endpoint disable eng --prompt sdk/review --resources sdk+file:/// >/dev/null
        """, timeout=90)

    assert json.loads((workdir / "legacy.json").read_text()) == {
        "prompt": INVALID_PARAMS, "read": RESOURCE_NOT_FOUND_HANDSHAKE, "complete": INVALID_PARAMS}
    assert json.loads((workdir / "modern.json").read_text()) == {
        "prompt": INVALID_PARAMS, "read": INVALID_PARAMS, "complete": INVALID_PARAMS}

    def entries(kind):
        return journal_entries(workdir, f"SENTINEL_EVENT={kind}")

    gets = entries("prompt-get")
    assert [(e["SENTINEL_SERVER"], e["SENTINEL_PROMPT"], e["SENTINEL_EXPOSED_NAME"], e["SENTINEL_OUTCOME"])
            for e in gets] == [("sdk", "review", "sdk__review", "ok")] * 2
    assert gets[0]["MESSAGE_ID"] == "01688cdae657484e9abd176ccfa4fc8f"
    assert [e["SENTINEL_EXPOSED_NAME"] for e in entries("prompt-denied")] == ["fm__summarize"] * 2

    reads = entries("resource-read")
    assert [(e["SENTINEL_SERVER"], e["SENTINEL_URI"], e["SENTINEL_UPSTREAM_URI"], e["SENTINEL_OUTCOME"]) for e in reads] \
        == [("sdk", "sdk+file:///README.md", "file:///README.md", "ok")] * 2
    assert int(reads[0]["SENTINEL_RESPONSE_BYTES"]) > 0
    denied = entries("resource-denied")
    assert [e["SENTINEL_URI"] for e in denied] == ["fm+file:///README.md"] * 2
    assert all(e["PRIORITY"] == "5" for e in denied)

    completions = entries("completion")
    assert [(e["SENTINEL_SERVER"], e["SENTINEL_REF"], e["SENTINEL_ARGUMENT"]) for e in completions] \
        == [("sdk", "prompt", "code")] * 2
    assert len(entries("completion-denied")) == 2
    for entry in gets + reads + completions:
        assert entry["SENTINEL_ENDPOINT"] == "eng" and entry["SENTINEL_CLIENT"] == "audit-surface"

    changes = [(e["SENTINEL_ACTION"], e.get("SENTINEL_PROMPTS"), e.get("SENTINEL_RESOURCE_RULES"))
               for e in entries("config-changed") if e["SENTINEL_ACTION"].startswith("endpoint-") and "SENTINEL_ENDPOINT" in e]
    actions = [action for action, _, _ in changes]
    assert actions.count("endpoint-enable-prompts") == 1 and actions.count("endpoint-disable-prompts") == 1
    assert actions.count("endpoint-enable-resources") == 1 and actions.count("endpoint-disable-resources") == 1
    for action, prompts, rules in changes:
        if action.endswith("-prompts"):
            assert "sdk/review" in prompts or "review" in prompts
        if action.endswith("-resources"):
            assert "sdk" in rules and "file:///" in rules
