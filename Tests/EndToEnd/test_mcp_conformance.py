"""Protocol conformance of the MCP endpoint through the real sentineld (issue 11 defects 3, 4, 6 and items 8, 9).

Raw HTTP (`http.client`) for each row of the 2026-07-28 header table of sentineld(8) "PROTOCOL ERAS"; the official
SDK (mcp==2.3.0) client in `legacy`, `auto` and `2026-07-28` modes for the happy paths and reconnection; session
expiry, deletion, forgery and restart; results' `_meta`; `Mcp-Param-*` headers against a fastmcp upstream that
enforces them; 415 for bodies that are not JSON; refused calls in the audit (private journal, as root).
"""

import base64
import http.client
import json
import os
import shutil
import sys
import textwrap
import time
from pathlib import Path

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.caching import CacheConfig, InMemoryResponseCacheStore
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

from conftest import (run_journal_scenario, SENTINELCTL, Daemon, free_port, journal_entries, require_root, short_tempdir,
                      start_listening_server, stop_process)

HERE = Path(__file__).parent
BUILD = os.environ.get("SENTINEL_BUILD_DIR", "/work/main/.build/debug")
DEMO_SERVER = BUILD + "/sentinel-demo-server"
PARAM_UPSTREAM = HERE / "fixtures" / "param_header_upstream.py"

MODERN = "2026-07-28"
HEADER_MISMATCH = -32020
UNSUPPORTED_VERSION = -32022
INVALID_PARAMS = -32602
INVALID_REQUEST = -32600
SERVER_INFO = "io.modelcontextprotocol/serverInfo"
ALL_VERSIONS = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25", MODERN]


@pytest.fixture
def anyio_backend():
    return "asyncio"


def start_upstream(port):
    return start_listening_server([sys.executable, PARAM_UPSTREAM, port], port, "the param-header upstream")


@pytest.fixture(scope="module")
def gateway():
    """One sentineld with the demo server (stdio) and the param-header fastmcp upstream (HTTP); endpoint `conf`."""
    assert os.access(DEMO_SERVER, os.X_OK), f"{DEMO_SERVER} is missing; run `swift build`"
    root = short_tempdir()
    port = free_port()
    upstream = start_upstream(port)
    daemon = None
    try:
        daemon = Daemon(root).start()
        daemon.ctl("server", "add", "demo", "--", DEMO_SERVER)
        daemon.ctl("server", "add", "px", "--url", f"http://127.0.0.1:{port}/mcp")
        daemon.ctl("endpoint", "create", "conf", "--no-auth", "--server", "demo", "--server", "px")
        daemon.ctl("endpoint", "enable", "conf", "demo/echo", "px/route")
        yield daemon
    finally:
        try:
            if daemon is not None:
                daemon.stop()
        finally:
            stop_process(upstream)
            shutil.rmtree(root, ignore_errors=True)


# --- raw HTTP helpers -------------------------------------------------------------------------------


def post(daemon, body, headers=None, endpoint="conf", content_type="application/json"):
    """POSTs a JSON-RPC body; returns (status, response headers, the JSON-RPC message or None)."""
    connection = http.client.HTTPConnection("127.0.0.1", daemon.port, timeout=20)
    try:
        sent = {"Accept": "application/json, text/event-stream", **(headers or {})}
        if content_type is not None:
            sent["Content-Type"] = content_type
        payload = body if isinstance(body, bytes) else json.dumps(body).encode()
        connection.request("POST", f"/mcp/{endpoint}", body=payload, headers=sent)
        response = connection.getresponse()
        raw = response.read().decode()
        if response.getheader("Content-Type", "").startswith("text/event-stream"):
            data = [line[5:].strip() for line in raw.splitlines() if line.startswith("data:") and line[5:].strip()]
            raw = data[-1] if data else ""
        return response.status, response.headers, json.loads(raw) if raw else None
    finally:
        connection.close()


def request(daemon, method, path, headers):
    connection = http.client.HTTPConnection("127.0.0.1", daemon.port, timeout=20)
    try:
        connection.request(method, path, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def meta(version=MODERN, capabilities=True, client_info=True):
    envelope = {"io.modelcontextprotocol/protocolVersion": version}
    if capabilities:
        envelope["io.modelcontextprotocol/clientCapabilities"] = {}
    if client_info:
        envelope["io.modelcontextprotocol/clientInfo"] = {"name": "raw-conformance", "version": "1"}
    return envelope


def call_body(name="demo__echo", arguments=None, envelope=None, id=1):
    params = {"name": name, "arguments": {"text": "hi"} if arguments is None else arguments}
    if envelope is not None:
        params["_meta"] = envelope
    return {"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": params}


def modern_headers(method="tools/call", name="demo__echo", version=MODERN):
    headers = {"Mcp-Method": method} if method is not None else {}
    if version is not None:
        headers["MCP-Protocol-Version"] = version
    if name is not None:
        headers["Mcp-Name"] = name
    return headers


def initialize(daemon, version="2025-11-25", endpoint="conf"):
    status, headers, message = post(daemon, {
        "jsonrpc": "2.0", "id": 0, "method": "initialize",
        "params": {"protocolVersion": version, "capabilities": {}, "clientInfo": {"name": "raw-session", "version": "7"}}},
        endpoint=endpoint)
    assert status == 200 and message["result"]["protocolVersion"] == version, message
    return headers["Mcp-Session-Id"]


def error_of(status, message, expected_status, code):
    assert status == expected_status, (status, message)
    assert message["error"]["code"] == code, message
    return message["error"]


def echoed(status, message):
    assert status == 200, message
    assert message["result"]["structuredContent"] == {"text": "hi"}, message
    return message["result"]


# --- the header table, row by row --------------------------------------------------------------------


def test_handshake_bodies_are_served_with_any_or_no_version_header(gateway):
    result = echoed(*post(gateway, call_body())[::2])
    assert "resultType" not in result and SERVER_INFO not in result.get("_meta", {})
    echoed(*post(gateway, call_body(), {"MCP-Protocol-Version": "2025-06-18"})[::2])
    session = initialize(gateway)
    echoed(*post(gateway, call_body(), {"Mcp-Session-Id": session, "MCP-Protocol-Version": "2025-11-25"})[::2])


def test_a_modern_header_after_a_handshake_initialize_is_served_by_the_session(gateway):
    session = initialize(gateway)
    result = echoed(*post(gateway, call_body(), {"Mcp-Session-Id": session, "MCP-Protocol-Version": MODERN})[::2])
    assert "resultType" not in result, "served in the handshake era of the session"


def test_a_modern_body_with_matching_headers_is_served_and_names_the_endpoint(gateway):
    result = echoed(*post(gateway, call_body(envelope=meta()), modern_headers())[::2])
    assert result["resultType"] == "complete"
    assert result["_meta"][SERVER_INFO]["name"] == "sentinel/conf"
    status, _, listed = post(gateway, {"jsonrpc": "2.0", "id": 2, "method": "tools/list", "params": {"_meta": meta()}},
                             modern_headers("tools/list", name=None))
    assert status == 200 and listed["result"]["_meta"][SERVER_INFO]["name"] == "sentinel/conf"
    assert (listed["result"]["ttlMs"], listed["result"]["cacheScope"]) == (0, "private")
    # clientInfo is optional since 2026-07-28; an encoded Mcp-Name is decoded before the comparison.
    echoed(*post(gateway, call_body(envelope=meta(client_info=False)), modern_headers(name="=?base64?ZGVtb19fZWNobw==?="))[::2])


@pytest.mark.parametrize("version_header", ["2025-11-25", None], ids=["claude-ai-2025-11-25", "absent"])
def test_a_handshake_or_missing_version_header_on_a_modern_body_is_served_by_the_body(gateway, version_header):
    result = echoed(*post(gateway, call_body(envelope=meta()), modern_headers(version=version_header))[::2])
    assert result["resultType"] == "complete" and result["_meta"][SERVER_INFO]["name"] == "sentinel/conf"


@pytest.mark.parametrize("headers", [
    modern_headers(method=None), modern_headers(method="tools/list"),
    modern_headers(name=None), modern_headers(name="demo__slow"),
    modern_headers(version="2025-11-25", name="demo__slow"),
    modern_headers(name="=?base64?!!!?="),
], ids=["no-method", "other-method", "no-name", "other-name", "other-name-claude-header", "bad-base64"])
def test_missing_or_different_method_and_name_headers_are_400_header_mismatch(gateway, headers):
    status, _, message = post(gateway, call_body(envelope=meta()), headers)
    error_of(status, message, 400, HEADER_MISMATCH)
    assert message["id"] == 1


def test_meta_without_client_capabilities_is_400_invalid_params(gateway):
    status, _, message = post(gateway, call_body(envelope=meta(capabilities=False)), modern_headers())
    assert "clientCapabilities" in error_of(status, message, 400, INVALID_PARAMS)["message"]


def test_a_modern_version_header_on_a_body_without_meta_or_session_is_400_invalid_params(gateway):
    status, _, message = post(gateway, call_body(), modern_headers())
    error_of(status, message, 400, INVALID_PARAMS)


def test_an_unsupported_version_in_header_or_body_is_400_with_supported_and_requested(gateway):
    status, _, message = post(gateway, call_body(), {"MCP-Protocol-Version": "1999-01-01"})
    error = error_of(status, message, 400, UNSUPPORTED_VERSION)
    assert error["data"] == {"supported": ALL_VERSIONS, "requested": "1999-01-01"}
    status, _, message = post(gateway, call_body(envelope=meta(version="2030-01-01")), modern_headers(version="2030-01-01"))
    assert error_of(status, message, 400, UNSUPPORTED_VERSION)["data"] == {"supported": ALL_VERSIONS, "requested": "2030-01-01"}
    status, _, message = post(gateway, call_body(envelope=meta()), modern_headers(version="1999-01-01"))
    assert error_of(status, message, 400, UNSUPPORTED_VERSION)["data"]["requested"] == "1999-01-01"


# --- Content-Type ------------------------------------------------------------------------------------


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_a_body_that_is_not_declared_json_is_415(gateway, content_type):
    status, _, message = post(gateway, call_body(), content_type=content_type)
    error_of(status, message, 415, INVALID_REQUEST)


def test_json_with_parameters_is_served(gateway):
    echoed(*post(gateway, call_body(), content_type="application/json; charset=utf-8")[::2])
    echoed(*post(gateway, call_body(), content_type="Application/JSON")[::2])


# --- results' _meta and Mcp-Param-* headers through a fastmcp upstream ---------------------------------


def route_body(region="eu-west", envelope=None):
    return call_body("px__route", {"region": region, "query": "q"}, envelope)


def test_upstream_server_info_never_reaches_the_client(gateway):
    # The upstream stamps its own serverInfo on the results it gives Sentinel (it speaks 2026-07-28 to it).
    status, _, message = post(gateway, route_body())
    assert status == 200, message
    result = message["result"]
    assert result["structuredContent"]["region"] == "eu-west"
    assert SERVER_INFO not in result.get("_meta", {}), "a handshake-era client saw the upstream's serverInfo"
    status, _, message = post(gateway, route_body(envelope=meta()), {**modern_headers(name="px__route"), "Mcp-Param-Region": "eu-west"})
    assert status == 200, message
    assert message["result"]["_meta"][SERVER_INFO]["name"] == "sentinel/conf"
    assert message["result"]["structuredContent"]["region"] == "eu-west"


def test_mcp_param_headers_are_checked_against_the_body(gateway):
    headers = modern_headers(name="px__route")
    for wrong in ({}, {"Mcp-Param-Region": "us-east"}, {"Mcp-Param-Region": "=?base64?%%?="}):
        status, _, message = post(gateway, route_body(envelope=meta()), {**headers, **wrong})
        error_of(status, message, 400, HEADER_MISMATCH)
    encoded = "=?base64?" + base64.b64encode(" zone 1 ".encode()).decode() + "?="
    status, _, message = post(gateway, route_body(" zone 1 ", envelope=meta()), {**headers, "Mcp-Param-Region": encoded})
    assert status == 200 and message["result"]["structuredContent"]["region"] == " zone 1 ", message


def test_mcp_param_headers_reach_the_upstream_from_callers_of_both_eras(gateway):
    # A handshake-era caller sends none: Sentinel, the upstream's client, mirrors the declared argument itself.
    status, _, message = post(gateway, route_body(), {"Mcp-Param-Trace": "abc"})
    assert status == 200, message
    assert message["result"]["structuredContent"]["headers"] == {"mcp-param-region": "eu-west", "mcp-param-trace": "abc"}
    # A modern caller's headers are checked, and unknown ones forwarded (intermediaries MUST).
    status, _, message = post(gateway, route_body(envelope=meta()),
                              {**modern_headers(name="px__route"), "Mcp-Param-Region": "eu-west", "Mcp-Param-Trace": "xyz"})
    assert status == 200, message
    assert message["result"]["structuredContent"]["headers"] == {"mcp-param-region": "eu-west", "mcp-param-trace": "xyz"}


def test_a_daemon_configured_for_the_urlsession_transport_serves_http_upstream_calls(workdir):
    # [Upstream] HTTPTransport=urlsession: URLSession (libcurl) even for a loopback upstream NIO would serve.
    port = free_port()
    upstream = start_upstream(port)
    config = workdir / "urlsession.conf"
    config.write_text("[Upstream]\nHTTPTransport=urlsession\n")
    daemon = Daemon(workdir, config=config).start()
    try:
        daemon.ctl("server", "add", "px", "--url", f"http://127.0.0.1:{port}/mcp")
        daemon.ctl("endpoint", "create", "conf", "--no-auth", "--server", "px")
        daemon.ctl("endpoint", "enable", "conf", "px/route")
        status, _, message = post(daemon, route_body("us-east"), {"Mcp-Param-Trace": "t"})
        assert status == 200, message
        assert message["result"]["structuredContent"]["headers"] == {"mcp-param-region": "us-east", "mcp-param-trace": "t"}
    finally:
        daemon.stop()
        stop_process(upstream)


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["legacy", "auto", MODERN])
async def test_the_sdk_calls_an_x_mcp_header_tool_in_every_mode(gateway, mode):
    async with Client(f"{gateway.url}/mcp/conf", mode=mode, read_timeout_seconds=20) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        assert tools["px__route"].input_schema["properties"]["region"]["x-mcp-header"] == "Region"
        result = await client.call_tool("px__route", {"region": "ap-south", "query": "q"})
        assert not result.is_error, result
        assert result.structured_content["headers"] == {"mcp-param-region": "ap-south"}
        if mode != "legacy":
            assert result.meta[SERVER_INFO]["name"] == "sentinel/conf"


# --- reconnecting with only server/discover (claude.ai, claude-ai-mcp#1044) ----------------------------


def test_discover_advertises_list_changed_and_nothing_cacheable_for_long(gateway):
    status, _, message = post(gateway, {"jsonrpc": "2.0", "id": 1, "method": "server/discover", "params": {"_meta": meta()}},
                              modern_headers("server/discover", name=None, version="2025-11-25"))
    assert status == 200, message
    result = message["result"]
    assert result["capabilities"]["tools"]["listChanged"] is True
    assert MODERN in result["supportedVersions"] and result["ttlMs"] == 0
    assert result["_meta"][SERVER_INFO]["name"] == "sentinel/conf" and result["instructions"]


@pytest.mark.anyio
async def test_a_client_reconnecting_with_discover_sees_the_current_tools(gateway):
    endpoint = "rejoin"
    await anyio.to_thread.run_sync(lambda: (
        gateway.ctl("endpoint", "create", endpoint, "--no-auth", "--server", "demo"),
        gateway.ctl("endpoint", "enable", endpoint, "demo/echo")))
    # One cache store across connections, as a client that persists its cache between sessions keeps one.
    store = InMemoryResponseCacheStore()

    def connect(mode, **kwargs):
        return Client(f"{gateway.url}/mcp/{endpoint}", mode=mode, read_timeout_seconds=20,
                      cache=CacheConfig(store=store, partition="user-1"), **kwargs)

    async def names(client):
        return sorted(tool.name for tool in (await client.list_tools()).tools)

    async with connect(MODERN) as client:
        assert await names(client) == ["demo__echo"]
    await anyio.to_thread.run_sync(lambda: gateway.ctl("endpoint", "enable", endpoint, "demo/add"))
    async with connect("auto") as client:  # reconnects with server/discover, then lists from its cache or the wire
        assert client.protocol_version == MODERN and client.server_capabilities.tools.list_changed
        assert await names(client) == ["demo__add", "demo__echo"]
        discovered = client.session.discover_result
        assert (await client.call_tool("demo__add", {"a": 2, "b": 3})).structured_content == {"sum": 5}
    await anyio.to_thread.run_sync(lambda: gateway.ctl("endpoint", "disable", endpoint, "demo/echo"))
    async with connect(MODERN, prior_discover=discovered) as client:
        assert await names(client) == ["demo__add"]
        with pytest.raises(MCPError) as raised:
            await client.call_tool("demo__echo", {"text": "gone"})
        assert raised.value.error.code == INVALID_PARAMS


# --- handshake-era sessions ----------------------------------------------------------------------------


def session_call(daemon, session, endpoint="conf"):
    return post(daemon, call_body(), {"Mcp-Session-Id": session}, endpoint=endpoint)


def forged(session):
    scheme, version, capabilities, issued, nonce, tag = session.split(".")
    return [
        ".".join([scheme, version, capabilities, str(int(issued) + 1), nonce, tag]),   # another issue time, same tag
        ".".join([scheme, version, capabilities, issued, nonce, tag[:-1] + ("0" if tag[-1] != "0" else "1")]),
        ".".join([scheme, version, "1" if capabilities == "0" else "0", issued, nonce, tag]),  # other capabilities
        "0123456789abcdef0123456789abcdef",                            # an id of the kind Sentinel issued before
    ]


def test_forged_deleted_and_restarted_sessions(workdir):
    daemon = Daemon(workdir).start()
    try:
        daemon.ctl("server", "add", "demo", "--", DEMO_SERVER)
        for name in ("eng", "ops"):
            daemon.ctl("endpoint", "create", name, "--no-auth", "--server", "demo")
            daemon.ctl("endpoint", "enable", name, "demo/echo")
        kept, deleted = initialize(daemon, endpoint="eng"), initialize(daemon, "2025-06-18", endpoint="eng")
        echoed(*session_call(daemon, kept, "eng")[::2])
        for fake in forged(kept):
            error_of(*session_call(daemon, fake, "eng")[::2], 404, INVALID_REQUEST)
        # An id is valid on the endpoint that issued it only.
        error_of(*session_call(daemon, kept, "ops")[::2], 404, INVALID_REQUEST)
        assert request(daemon, "GET", "/mcp/eng", {"Accept": "text/event-stream", "Mcp-Session-Id": forged(kept)[0]})[0] == 404

        assert request(daemon, "DELETE", "/mcp/eng", {"Mcp-Session-Id": deleted})[0] == 204
        error_of(*session_call(daemon, deleted, "eng")[::2], 404, INVALID_REQUEST)
        assert request(daemon, "DELETE", "/mcp/eng", {"Mcp-Session-Id": deleted})[0] == 404
        # Requests without a session id are always served.
        echoed(*post(daemon, call_body(), endpoint="eng")[::2])

        assert daemon.stop() == 0
        daemon.start()
        result = echoed(*session_call(daemon, kept, "eng")[::2])
        assert "resultType" not in result, "the session's handshake era survives the restart"
        error_of(*session_call(daemon, deleted, "eng")[::2], 404, INVALID_REQUEST)
        for fake in forged(kept):
            error_of(*session_call(daemon, fake, "eng")[::2], 404, INVALID_REQUEST)
    finally:
        daemon.stop()


def test_sessions_end_after_their_idle_lifetime(workdir):
    config = workdir / "sentineld.conf"
    config.write_text("[HTTP]\nSessionIdleSec=3\n")
    daemon = Daemon(workdir, config=config).start()
    try:
        daemon.ctl("server", "add", "demo", "--", DEMO_SERVER)
        daemon.ctl("endpoint", "create", "eng", "--no-auth", "--server", "demo")
        daemon.ctl("endpoint", "enable", "eng", "demo/echo")
        idle, busy = initialize(daemon, endpoint="eng"), initialize(daemon, endpoint="eng")
        deadline = time.monotonic() + 4
        while time.monotonic() < deadline:  # used every 0.3 s: an idle lifetime, not an absolute one
            echoed(*session_call(daemon, busy, "eng")[::2])
            time.sleep(0.3)
        error_of(*session_call(daemon, idle, "eng")[::2], 404, INVALID_REQUEST)
        echoed(*session_call(daemon, busy, "eng")[::2])
    finally:
        daemon.stop()


@pytest.mark.anyio
async def test_an_sdk_client_whose_session_was_deleted_is_told_to_initialize_again(gateway):
    issued = []

    async def remember(response):
        if "mcp-session-id" in response.headers:
            issued.append(response.headers["mcp-session-id"])

    async with httpx2.AsyncClient(event_hooks={"response": [remember]}, timeout=20) as http:
        transport = streamable_http_client(f"{gateway.url}/mcp/conf", http_client=http, terminate_on_close=False)
        async with Client(transport, mode="legacy", read_timeout_seconds=20) as client:
            assert (await client.call_tool("demo__echo", {"text": "one"})).structured_content == {"text": "one"}
            assert issued, "initialize issued no Mcp-Session-Id"
            status, _ = await anyio.to_thread.run_sync(lambda: request(gateway, "DELETE", "/mcp/conf", {"Mcp-Session-Id": issued[0]}))
            assert status == 204
            with pytest.raises(MCPError) as raised:
                await client.call_tool("demo__echo", {"text": "two"})
            assert raised.value.error.code == INVALID_REQUEST and "initialize" in raised.value.error.message
    async with Client(f"{gateway.url}/mcp/conf", mode="legacy", read_timeout_seconds=20) as client:
        assert (await client.call_tool("demo__echo", {"text": "three"})).structured_content == {"text": "three"}


# --- refusals in the audit -------------------------------------------------------------------------------


def test_refused_calls_and_the_claude_version_quirk_are_audited(workdir):
    require_root()
    port = free_port()
    client = workdir / "client.py"
    client.write_text(textwrap.dedent(f"""\
        import json, sys
        sys.path.insert(0, {str(HERE)!r})
        from test_mcp_conformance import call_body, meta, modern_headers, post, initialize, request

        class D: port = {port}
        d = D()
        assert post(d, call_body(envelope=meta()), modern_headers(name="demo__slow"), endpoint="eng")[0] == 400
        assert post(d, call_body(envelope=meta(capabilities=False)), modern_headers(), endpoint="eng")[0] == 400
        assert post(d, call_body(), content_type="text/plain", endpoint="eng")[0] == 415
        session = initialize(d, endpoint="eng")
        assert request(d, "DELETE", "/mcp/eng", {{"Mcp-Session-Id": session}})[0] == 204
        assert post(d, call_body(), {{"Mcp-Session-Id": session}}, endpoint="eng")[0] == 404
        assert post(d, call_body(envelope=meta()), modern_headers(version="2025-11-25"), endpoint="eng")[0] == 200
        assert post(d, call_body(envelope=meta()), modern_headers(), endpoint="eng")[0] == 200
        """))
    status = run_journal_scenario(workdir, port, f"""\
        {SENTINELCTL} server add demo -- {DEMO_SERVER} >/dev/null
        {SENTINELCTL} endpoint create eng --no-auth --server demo >/dev/null
        {SENTINELCTL} endpoint enable eng demo/echo >/dev/null
        {sys.executable} {client}
        """)
    assert status == 0, "sentineld must exit 0 on SIGTERM"

    denied = journal_entries(workdir, "SENTINEL_EVENT=tool-denied")
    details = [entry["SENTINEL_DETAIL"] for entry in denied]
    assert len(denied) == 4, details
    assert all(entry["SENTINEL_EXPOSED_NAME"] == "demo__echo" and entry["SENTINEL_OUTCOME"] == "denied" for entry in denied)
    assert "Mcp-Name 'demo__slow' differs from the body's 'demo__echo'" in details[0]
    assert "clientCapabilities" in details[1]
    assert "Content-Type text/plain is not application/json" in details[2]
    assert "ended" in details[3] and denied[3]["SENTINEL_SESSION"]
    calls = journal_entries(workdir, "SENTINEL_EVENT=tool-call")
    assert [(entry["SENTINEL_PROTOCOL_VERSION"], entry.get("SENTINEL_VERSION_HEADER")) for entry in calls] == [
        (MODERN, "2025-11-25"), (MODERN, None)]
