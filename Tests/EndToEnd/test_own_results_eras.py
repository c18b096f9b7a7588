"""Every result and error Sentinel builds itself on an endpoint, as the official SDK (mcp==2.3.0) receives it in
each of its modes: `legacy` (initialize, 2025-11-25), `auto` (server/discover, here 2026-07-28) and `2026-07-28`
(pinned). The SDK's pydantic models validate what arrives (a result missing `resultType` in 2026-07-28 raises
ValidationError), and each test also reads what a person would: the text, the code, the URL of the credentials page.

Paths: a personal credential missing, one the upstream refused (expired), the call timeout, an upstream that crashed,
one that cannot be reached, one that breaks the protocol, a disabled and an unknown tool, the per-caller concurrency
limit, and cancellation. A client that declared URL-mode elicitation is asked to open the credentials page the
spec's way: error -32042 in 2025-11-25, an `input_required` result in 2026-07-28; the others get the readable tool
error. One daemon for the module; its OAuth endpoint `eng` is used with alice's access token.
"""

import contextlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import anyio
import httpx2
import mcp_types as types
import pytest
from mcp import Client, UrlElicitationRequiredError
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError
from mcp_types import _v2025_11_25 as wire_2025
from mcp_types import _v2026_07_28 as wire_2026

from conftest import Daemon, short_tempdir, stop_process, wait_for
from oauth_flow import Browser, form_with
from test_credentials import Consent, Upstream, upstream_sign_in
from test_oauth import PASSWORD

HERE = Path(__file__).parent
BUILD = os.environ.get("SENTINEL_BUILD_DIR", str(HERE.parents[1] / ".build" / "debug"))
DEMO_SERVER = BUILD + "/sentinel-demo-server"
HOSTILE = str(HERE / "fixtures" / "hostile_upstream.py")

MODES = ["legacy", "auto", "2026-07-28"]
ALICE_TOKEN = "tok-alice-own-results"

INVALID_PARAMS = -32602
URL_ELICITATION_REQUIRED = -32042
UPSTREAM_TIMEOUT = -31001
CALL_LIMIT_REACHED = -31002
UPSTREAM_UNAVAILABLE = -31003
REQUEST_CANCELLED = -32800


@pytest.fixture
def anyio_backend():
    return "asyncio"


class Gateway:
    """The module's daemon and what the tests need of it: alice's access token and her browser."""

    def __init__(self, daemon, access_token, browser):
        self.daemon, self.access_token, self.browser = daemon, access_token, browser
        self.url = daemon.url
        self.page = f"{daemon.url}/oauth/credentials"

    def credentials_page(self):
        """The credentials page as alice's browser sees it (signing in when its sign-in has lapsed)."""
        page = self.browser.open("/oauth/credentials")
        if 'value="signin"' in page.text:
            form = form_with(page.text, "signin")
            signed_in = self.browser.http.post("/oauth/credentials", data={
                **form["fields"], "action": "signin", "username": "alice", "password": PASSWORD})
            assert signed_in.status_code == 303, signed_in.text
            page = self.browser.open("/oauth/credentials")
        assert page.status_code == 200, page.text
        return page

    def connect_tk(self):
        """What alice does on the page an elicitation opened: pastes her token for `tk`."""
        page = self.credentials_page()
        saved = self.browser.submit(page.text, "connect-token", server="tk", token=ALICE_TOKEN)
        assert saved.status_code in (200, 303), saved.text

    def disconnect_tk(self):
        """Puts `tk` back to "needs your credentials" for alice (the page's disconnect action)."""
        page = self.credentials_page()
        csrf = form_with(page.text, "connect-token")["fields"]["csrf_token"]
        gone = self.browser.http.post("/oauth/credentials", data={"csrf_token": csrf, "server": "tk", "action": "disconnect"})
        assert gone.status_code in (200, 303), gone.text
        assert 'id="state-tk">needs your credentials' in self.credentials_page().text


@pytest.fixture(scope="module")
def gateway():
    """Servers on endpoint `eng`: `gh` (personal, OAuth at the upstream; alice's refresh is revoked there), `tk`
    (personal bearer; alice has not connected it), `demo` (echo, slow, crash), `hangy` (1 s call timeout), `hostile`
    (breaks the protocol on `bad_utf8`) and `remote` (its HTTP upstream is stopped). A caller may run 2 calls at once."""
    assert os.access(DEMO_SERVER, os.X_OK), f"{DEMO_SERVER} is missing; run `swift build`"
    root = short_tempdir()
    config = root / "sentineld.conf"
    config.write_text("[HTTP]\nMaxConcurrentCallsPerCaller=2\n")
    upstream = Upstream("--static-token", f"alice={ALICE_TOKEN}")
    http_dir = root / "remote"
    http_dir.mkdir()
    remote = subprocess.Popen([sys.executable, HOSTILE, "--http", "--dir", str(http_dir)])
    daemon = Daemon(root, config=config).start()
    browser = None
    try:
        port = wait_for(lambda: (http_dir / "port").exists() and (http_dir / "port").read_text(), 10, "the http fixture")
        ctl = daemon.ctl
        ctl("server", "add", "gh", "--url", upstream.url + "/mcp", "--credential-mode", "personal", "--credential-kind", "oauth")
        # tk starts shared (so its tools are listed at once) and turns personal after alice's consent: she then has
        # no credential for it.
        ctl("server", "add", "tk", "--url", upstream.url + "/mcp", "--credential-mode", "shared", "--token-stdin",
            input=ALICE_TOKEN + "\n")
        ctl("server", "add", "demo", "--", DEMO_SERVER)
        ctl("server", "add", "hangy", "--call-timeout", "1", "--", DEMO_SERVER)
        ctl("server", "add", "hostile", "--call-timeout", "30", "--", sys.executable, HOSTILE, "--stdio")
        ctl("server", "add", "remote", "--call-timeout", "30", "--url", f"http://127.0.0.1:{port}/mcp")
        ctl("endpoint", "create", "eng", *[arg for name in ("gh", "tk", "demo", "hangy", "hostile", "remote")
                                           for arg in ("--server", name)])
        ctl("user", "add", "alice", input=PASSWORD + "\n")
        ctl("endpoint", "allow", "eng", "--user", "alice")

        consent = Consent(daemon.url, "eng", "alice")
        page = consent.approve()
        start = consent.browser.submit(page.text, "connect-oauth", server="gh")
        assert start.status_code == 303, start.text
        page = upstream_sign_in(consent.browser, start.headers["location"], "alice")
        ctl("endpoint", "enable", "eng", "gh/whoami", "tk/whoami", "demo/echo", "demo/slow", "demo/crash", "hangy/hang",
            "hostile/bad_utf8", "remote/echo")
        access_token = consent.finish(page)["access_token"]
        browser = consent.browser

        ctl("server", "update", "tk", "--credential-mode", "personal")
        upstream.admin("revoke-user", "alice")  # gh: the upstream refuses her token and its refresh
        stop_process(remote)  # remote: nothing answers at its URL any more
        yield Gateway(daemon, access_token, browser)
    finally:
        if browser:
            browser.close()
        daemon.stop()
        stop_process(remote)
        upstream.stop()
        if not os.environ.get("SENTINEL_KEEP_TEST_DIRS"):
            shutil.rmtree(root, ignore_errors=True)


@contextlib.asynccontextmanager
async def connect(gateway, mode, elicitation=None):
    """The SDK's own client in `mode`, with alice's bearer token; `elicitation` makes it declare elicitation (form and
    URL modes) and answers the requests."""
    async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {gateway.access_token}"}, timeout=30) as http:
        transport = streamable_http_client(f"{gateway.url}/mcp/eng", http_client=http)
        async with Client(transport, mode=mode, read_timeout_seconds=20, elicitation_callback=elicitation,
                          client_info=types.Implementation(name="pytest-own-results", version="1.0")) as client:
            expected = "2025-11-25" if mode == "legacy" else "2026-07-28"
            assert client.protocol_version == expected
            yield client


def tool_error_text(result):
    """The text of a tool error, as a model would read it."""
    assert isinstance(result, types.CallToolResult)
    assert result.is_error is True
    assert len(result.content) == 1 and result.content[0].type == "text"
    return result.content[0].text


def recording(action="accept", then=None):
    """An elicitation callback that records each request, runs `then` (what the user does on the page) and answers."""
    seen = []

    async def callback(context, params):
        seen.append(params)
        if then:
            await anyio.to_thread.run_sync(then)
        return types.ElicitResult(action=action)

    return callback, seen


# --- credentials: the readable tool error for a client that cannot show a URL ------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("tool, says", [
    ("tk__whoami", "Server tk needs your own credentials. Connect it at {page}, then try again."),
    ("gh__whoami", "Your credentials for server gh expired or were refused. Re-authenticate at {page}, then try again."),
])
async def test_a_credential_to_connect_is_a_readable_tool_error_without_url_elicitation(gateway, mode, tool, says):
    async with connect(gateway, mode) as client:
        result = await client.call_tool(tool, {})
        assert tool_error_text(result) == says.format(page=gateway.page)
        assert result.structured_content is None


# --- credentials: the spec's URL-mode elicitation for a client that declared it ------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("tool, server", [("tk__whoami", "tk"), ("gh__whoami", "gh")])
async def test_a_handshake_client_with_url_elicitation_gets_error_url_elicitation_required(gateway, tool, server):
    callback, seen = recording()
    async with connect(gateway, "legacy", elicitation=callback) as client:
        with pytest.raises(MCPError) as raised:
            await client.call_tool(tool, {})
    error = raised.value.error
    assert error.code == URL_ELICITATION_REQUIRED
    assert gateway.page in error.message, "the error alone already says where to go"
    required = UrlElicitationRequiredError.from_error(error)  # the SDK's own model of -32042 validates it
    assert len(required.elicitations) == 1
    elicitation = required.elicitations[0]
    assert elicitation.mode == "url"
    assert elicitation.url == f"{gateway.page}#server-{server}"
    assert elicitation.message == error.message
    assert elicitation.elicitation_id and len(elicitation.elicitation_id) >= 16
    assert seen == [], "2025-11-25 asks by error; the client opens the URL itself"


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["auto", "2026-07-28"])
@pytest.mark.parametrize("tool, server", [("tk__whoami", "tk"), ("gh__whoami", "gh")])
@pytest.mark.parametrize("action", ["accept", "decline"])
async def test_a_modern_client_with_url_elicitation_is_asked_to_open_the_page_and_its_retry_is_answered(
        gateway, mode, tool, server, action):
    callback, seen = recording(action)
    async with connect(gateway, mode, elicitation=callback) as client:
        result = await client.call_tool(tool, {})
    assert len(seen) == 1, "one input_required round: the SDK opened the page once and retried"
    request = seen[0]
    assert isinstance(request, types.ElicitRequestURLParams)
    assert request.url == f"{gateway.page}#server-{server}"
    assert gateway.page in request.message
    assert request.elicitation_id is None, "2026-07-28 URL elicitations have no id"
    # The retry still finds no credential (the user has not finished on the page): the readable tool error.
    assert gateway.page in tool_error_text(result)


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_connecting_on_the_page_the_client_opened_lets_the_call_through(gateway, mode):
    """The whole "connect your account" flow: the client shows the URL, the user connects `tk` there, and the call
    (the SDK's automatic retry in 2026-07-28, the client's own in 2025-11-25) reaches the upstream as alice."""
    callback, seen = recording("accept", then=gateway.connect_tk)
    try:
        async with connect(gateway, mode, elicitation=callback) as client:
            if mode == "legacy":
                with pytest.raises(MCPError) as raised:
                    await client.call_tool("tk__whoami", {})
                url = UrlElicitationRequiredError.from_error(raised.value.error).elicitations[0].url
                assert url == f"{gateway.page}#server-tk"
                gateway.connect_tk()
                result = await client.call_tool("tk__whoami", {})
            else:
                result = await client.call_tool("tk__whoami", {})
                assert [request.url for request in seen] == [f"{gateway.page}#server-tk"]
            assert not result.is_error
            assert result.structured_content == {"user": "alice"}
    finally:
        gateway.disconnect_tk()


# --- the upstream's faults and the gateway's refusals: JSON-RPC errors with Sentinel's codes ------------------


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("tool, arguments, code, says", [
    ("hangy__hang", {}, UPSTREAM_TIMEOUT, "server hangy did not answer within 1 s"),
    ("demo__crash", {}, UPSTREAM_UNAVAILABLE, "server demo: "),
    ("remote__echo", {"text": "hi"}, UPSTREAM_UNAVAILABLE, "server remote: cannot reach the server"),
    ("hostile__bad_utf8", {}, UPSTREAM_UNAVAILABLE, "UTF-8"),
    ("demo__time", {}, INVALID_PARAMS, "Unknown tool: demo__time"),
    ("nothing__here", {}, INVALID_PARAMS, "Unknown tool: nothing__here"),
], ids=["timeout", "crashed", "unreachable", "protocol-fault", "disabled", "unknown"])
async def test_each_fault_is_an_error_the_sdk_reads_in_every_mode(gateway, mode, tool, arguments, code, says):
    async with connect(gateway, mode) as client:
        started = time.monotonic()
        with pytest.raises(MCPError) as raised:
            await client.call_tool(tool, arguments)
        assert raised.value.error.code == code
        assert says in raised.value.error.message
        assert time.monotonic() - started < 10
        # The connection still serves.
        assert (await client.call_tool("demo__echo", {"text": "after"})).structured_content == {"text": "after"}


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_the_concurrency_limit_is_an_error_that_says_to_retry(gateway, mode):
    running = [anyio.Event(), anyio.Event()]

    def progressed(index):
        async def callback(progress, total, message):
            running[index].set()
        return callback

    async with connect(gateway, mode) as client:
        async with anyio.create_task_group() as tasks:
            for index in range(2):
                tasks.start_soon(lambda i=index: client.call_tool(
                    "demo__slow", {"seconds": 20, "steps": 40}, progress_callback=progressed(i)))
            with anyio.fail_after(10):
                for event in running:
                    await event.wait()
            with pytest.raises(MCPError) as raised:
                await client.call_tool("demo__echo", {"text": "third"})
            tasks.cancel_scope.cancel()
        assert raised.value.error.code == CALL_LIMIT_REACHED
        assert raised.value.error.message == (
            "this caller is running its maximum of 2 concurrent calls on endpoint eng; retry when one finishes")
        with anyio.fail_after(10):
            while True:  # the cancelled calls give their slots back
                try:
                    assert (await client.call_tool("demo__echo", {"text": "x"})).structured_content == {"text": "x"}
                    break
                except MCPError as error:
                    assert error.error.code == CALL_LIMIT_REACHED
                    await anyio.sleep(0.05)


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_a_cancelled_call_leaves_the_client_working(gateway, mode):
    running = anyio.Event()

    async def progressed(progress, total, message):
        running.set()

    async with connect(gateway, mode) as client:
        with anyio.move_on_after(10) as scope:
            async with anyio.create_task_group() as tasks:
                tasks.start_soon(lambda: client.call_tool("demo__slow", {"seconds": 20, "steps": 40},
                                                          progress_callback=progressed))
                await running.wait()
                tasks.cancel_scope.cancel()
        assert not scope.cancelled_caught, "the call was in flight and cancelled"
        assert (await client.call_tool("demo__echo", {"text": "next"})).structured_content == {"text": "next"}


def test_the_reply_to_a_cancelled_call_is_a_valid_error_in_both_eras(gateway):
    """The SDK drops the answer to a call it cancelled, so the body is read over raw HTTP: `notifications/cancelled`
    ends the call and the pending POST gets error -32800, valid for either era's wire model."""
    headers = {"Authorization": f"Bearer {gateway.access_token}", "Content-Type": "application/json",
               "Accept": "application/json, text/event-stream", "MCP-Protocol-Version": "2025-11-25"}
    url = f"{gateway.url}/mcp/eng"
    answer = {}

    def call():
        answer["response"] = httpx2.post(url, headers=headers, timeout=30, json={
            "jsonrpc": "2.0", "id": 77, "method": "tools/call",
            "params": {"name": "demo__slow", "arguments": {"seconds": 20, "steps": 2}}})

    thread = threading.Thread(target=call)
    thread.start()
    deadline = time.monotonic() + 15
    while thread.is_alive() and time.monotonic() < deadline:  # until the call is in flight and hears it
        cancelled = httpx2.post(url, headers=headers, timeout=30, json={
            "jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 77, "reason": "test"}})
        assert cancelled.status_code == 202
        thread.join(0.2)
    assert not thread.is_alive(), "the call was not cancelled"
    response = answer["response"]
    assert response.status_code == 200
    body = response.json()
    assert body["error"]["code"] == REQUEST_CANCELLED and body["error"]["message"] == "request cancelled"
    for wire in (wire_2025, wire_2026):
        wire.JSONRPCErrorResponse.model_validate(body)


# --- the raw bytes behind the SDK: each era's own wire model, strictly -----------------------------------------


def raw_call(gateway, mode, tool, capabilities, session=None, params=None):
    """One tools/call as `mode` sends it (2026-07-28 `_meta` and headers, or a handshake session)."""
    headers = {"Authorization": f"Bearer {gateway.access_token}", "Content-Type": "application/json",
               "Accept": "application/json, text/event-stream"}
    params = {"name": tool, "arguments": {}, **(params or {})}
    if mode == "modern":
        headers.update({"MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/call", "Mcp-Name": tool})
        params["_meta"] = {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
                           "io.modelcontextprotocol/clientCapabilities": capabilities}
    else:
        headers.update({"MCP-Protocol-Version": "2025-11-25", "Mcp-Session-Id": session})
    response = httpx2.post(f"{gateway.url}/mcp/eng", headers=headers, timeout=30,
                           json={"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": params})
    assert response.status_code == 200, response.text
    return response.json()


def test_the_wire_form_of_each_credential_reply_is_valid_for_its_era(gateway):
    url_mode = {"elicitation": {"form": {}, "url": {}}}
    # 2026-07-28: input_required (never -32042), then the readable tool error on the retry.
    first = raw_call(gateway, "modern", "tk__whoami", url_mode)
    response = wire_2026.CallToolResultResponse.model_validate(first)
    assert isinstance(response.result, wire_2026.InputRequiredResult)
    assert first["result"]["resultType"] == "input_required" and "error" not in first
    request = first["result"]["inputRequests"]["connect-tk"]
    assert request["method"] == "elicitation/create" and request["params"]["url"] == f"{gateway.page}#server-tk"
    wire_2026.ElicitRequestURLParams.model_validate(request["params"])
    assert "elicitationId" not in request["params"] and "requestState" not in first["result"]
    retry = raw_call(gateway, "modern", "tk__whoami", url_mode,
                     params={"inputResponses": {"connect-tk": {"action": "accept"}}})
    assert isinstance(wire_2026.CallToolResultResponse.model_validate(retry).result, wire_2026.CallToolResult)
    assert retry["result"]["resultType"] == "complete" and retry["result"]["isError"] is True
    plain = raw_call(gateway, "modern", "tk__whoami", {})
    assert isinstance(wire_2026.CallToolResultResponse.model_validate(plain).result, wire_2026.CallToolResult)

    # 2025-11-25: -32042 with data.elicitations after an initialize that declared URL mode; else the tool error.
    def session(capabilities):
        reply = httpx2.post(f"{gateway.url}/mcp/eng", timeout=30, headers={
            "Authorization": f"Bearer {gateway.access_token}", "Content-Type": "application/json",
            "Accept": "application/json, text/event-stream"}, json={
            "jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
                "protocolVersion": "2025-11-25", "capabilities": capabilities,
                "clientInfo": {"name": "raw", "version": "1"}}})
        return reply.headers["mcp-session-id"]

    error = raw_call(gateway, "handshake", "tk__whoami", None, session=session(url_mode))
    wire_2025.JSONRPCErrorResponse.model_validate(error)
    assert error["error"]["code"] == URL_ELICITATION_REQUIRED
    wire_2025.URLElicitationRequiredError.model_validate(error)
    for elicitation in error["error"]["data"]["elicitations"]:
        wire_2025.ElicitRequestURLParams.model_validate(elicitation)  # elicitationId is required in 2025-11-25
    result = raw_call(gateway, "handshake", "gh__whoami", None, session=session({"elicitation": {}}))
    wire_2025.JSONRPCResultResponse.model_validate(result)
    wire_2025.CallToolResult.model_validate(result["result"])
    assert "resultType" not in result["result"] and result["result"]["isError"] is True
