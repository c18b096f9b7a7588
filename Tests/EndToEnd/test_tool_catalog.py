"""Tool definitions and exposed names through the real sentineld, with a real stdio upstream whose catalog changes.

The upstream (fixtures/catalog_stdio_server.py) answers tools/list with the raw text of a file, so a test can
change the catalog between `sentinelctl server refresh` runs and compare what a client receives with the exact
bytes the upstream sent. Requests are raw HTTP (handshake era) so the bytes on the wire are what is checked.
"""

import http.client
import json
import shutil
import sys
from pathlib import Path

import pytest

from conftest import Daemon, short_tempdir

HERE = Path(__file__).parent
FIXTURE = HERE / "fixtures" / "catalog_stdio_server.py"
INVALID_PARAMS = -32602


def tool_text(name, description="Reads data."):
    return '{"name":"%s","description":"%s","inputSchema":{"type":"object"}}' % (name, description)


class Endpoint:
    """One --no-auth endpoint spoken to over raw HTTP, after an initialize."""

    def __init__(self, daemon, name):
        self.daemon, self.name, self.next_id = daemon, name, 1
        status, headers, body = self.post({"jsonrpc": "2.0", "id": 0, "method": "initialize",
                                           "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                                                      "clientInfo": {"name": "catalog-test", "version": "1"}}})
        assert status == 200, body
        self.session = headers["Mcp-Session-Id"]
        self.post({"jsonrpc": "2.0", "method": "notifications/initialized"})

    def post(self, message):
        connection = http.client.HTTPConnection("127.0.0.1", self.daemon.port, timeout=20)
        headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
        if getattr(self, "session", None):
            headers.update({"Mcp-Session-Id": self.session, "MCP-Protocol-Version": "2025-11-25"})
        try:
            connection.request("POST", f"/mcp/{self.name}", body=json.dumps(message).encode(), headers=headers)
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            connection.close()

    def request(self, method, params=None):
        """(raw response body, decoded message) of one request answered with application/json."""
        self.next_id += 1
        status, headers, body = self.post({"jsonrpc": "2.0", "id": self.next_id, "method": method,
                                           **({"params": params} if params is not None else {})})
        assert status == 200 and headers["Content-Type"].startswith("application/json"), (status, body)
        return body, json.loads(body)

    def listed(self):
        body, message = self.request("tools/list")
        return body, {tool["name"]: tool for tool in message["result"]["tools"]}

    def call(self, name, arguments=None):
        _, message = self.request("tools/call", {"name": name, "arguments": arguments or {}})
        return message


@pytest.fixture
def gateway():
    root = short_tempdir()
    daemon = Daemon(root).start()
    try:
        yield daemon, root
    finally:
        daemon.stop()
        shutil.rmtree(root, ignore_errors=True)


def add_server(daemon, root, name, tools_text):
    catalog = root / f"{name}.tools.json"
    catalog.write_text(tools_text)
    daemon.ctl("server", "add", name, "--", sys.executable, str(FIXTURE), str(catalog))
    return catalog


def upstream_call(message):
    return json.loads(message["result"]["content"][0]["text"])


def test_an_enabled_tool_keeps_its_name_when_a_colliding_tool_appears(gateway):
    """Issue 11, defect 5: `get_data` appears beside the enabled `get.data`, then `server refresh`."""
    daemon, root = gateway
    catalog = add_server(daemon, root, "fm", "[%s]" % tool_text("get.data"))
    daemon.ctl("endpoint", "create", "eng", "--no-auth", "--server", "fm")
    daemon.ctl("endpoint", "enable", "eng", "fm/get.data")
    endpoint = Endpoint(daemon, "eng")
    assert list(endpoint.listed()[1]) == ["fm__get_data"]
    assert upstream_call(endpoint.call("fm__get_data", {"n": 1})) == {"tool": "get.data", "arguments": {"n": 1}}

    catalog.write_text("[%s,%s]" % (tool_text("get.data"), tool_text("get_data", "Newer.")))
    assert daemon.ctl("server", "refresh", "fm")["tool_count"] == 2

    selections = {row["tool"]: row for row in daemon.ctl("endpoint", "tools", "eng")}
    assert selections["get.data"]["exposed_name"] == "fm__get_data" and selections["get.data"]["enabled"]
    newcomer = selections["get_data"]["exposed_name"]
    assert newcomer.startswith("fm__get_data_") and len(newcomer) == len("fm__get_data_") + 8, newcomer
    assert not selections["get_data"]["enabled"]

    assert list(endpoint.listed()[1]) == ["fm__get_data"]
    assert upstream_call(endpoint.call("fm__get_data", {"n": 2})) == {"tool": "get.data", "arguments": {"n": 2}}
    assert endpoint.call(newcomer)["error"]["code"] == INVALID_PARAMS

    # The newcomer, enabled under its hashed name, reaches its own tool; the first keeps its name.
    daemon.ctl("endpoint", "enable", "eng", newcomer)
    assert sorted(endpoint.listed()[1]) == ["fm__get_data", newcomer]
    assert upstream_call(endpoint.call(newcomer))["tool"] == "get_data"
    assert upstream_call(endpoint.call("fm__get_data"))["tool"] == "get.data"

    # The names stay across a restart of the daemon, and across another refresh.
    daemon.stop()
    daemon.start()
    daemon.ctl("server", "refresh", "fm")
    endpoint = Endpoint(daemon, "eng")
    assert sorted(endpoint.listed()[1]) == ["fm__get_data", newcomer]
    assert upstream_call(endpoint.call("fm__get_data"))["tool"] == "get.data"


def test_a_disabled_tool_enabled_again_takes_the_name_it_would_get_then(gateway):
    daemon, root = gateway
    catalog = add_server(daemon, root, "fm", "[%s]" % tool_text("get.data"))
    daemon.ctl("endpoint", "create", "eng", "--no-auth", "--server", "fm")
    daemon.ctl("endpoint", "enable", "eng", "fm/get.data")
    catalog.write_text("[%s,%s]" % (tool_text("get.data"), tool_text("get_data")))
    daemon.ctl("server", "refresh", "fm")
    daemon.ctl("endpoint", "disable", "eng", "fm__get_data")
    daemon.ctl("endpoint", "enable", "eng", "fm/get.data")
    names = {row["tool"]: row["exposed_name"] for row in daemon.ctl("endpoint", "tools", "eng")}
    # Enabled again while `get_data` shares its plain name: it takes its hash, as a newcomer would; `get_data`,
    # still disabled and seen by no client, now finds the plain name free.
    assert names["get.data"].startswith("fm__get_data_") and names["get_data"] == "fm__get_data"
    assert list(Endpoint(daemon, "eng").listed()[1]) == [names["get.data"]]


# A tool as MCP Apps / OpenAI Apps hosts and later revisions describe it, written the way an upstream might:
# odd spacing, escapes, numbers Sentinel must not reformat, members in its own order.
APP_TOOL = ('{ "title" : "Data \\u00e9diteur", "name":"apps.view",'
            ' "icons":[{"src":"data:image/png;base64,iVBORw0KGgo=","mimeType":"image/png","sizes":["48x48"]}],'
            ' "_meta":{"ui":{"resourceUri":"ui://fm/view.html","visibility":["model","app"]},'
            '"openai/outputTemplate":"ui://fm/view.html","weight":1.50},'
            ' "execution":{"taskSupport":"optional"}, "x-later-revision":{"nested":[1,2.0e3,null,true]},'
            ' "inputSchema":{"type":"object","properties":{"q":{"type":"string","x-mcp-header":"Query"}}},'
            ' "outputSchema":{"type":"object"}, "annotations":{"readOnlyHint":true} }')


def test_a_tool_definition_reaches_clients_whole_with_only_its_name_changed(gateway):
    """Issue 11, defect 6: `_meta` (ui), `icons`, `execution` and unknown members arrive byte for byte; issue 14: the
    MCP Apps page URIs in `_meta` are mapped as the endpoint shows them (`ui://fm+…`), so a host can read them back."""
    daemon, root = gateway
    add_server(daemon, root, "fm", "[ %s , %s ]" % (APP_TOOL, tool_text("plain")))
    daemon.ctl("endpoint", "create", "eng", "--no-auth", "--server", "fm")
    daemon.ctl("endpoint", "enable", "eng", "fm/apps.view", "fm/plain")
    body, listed = Endpoint(daemon, "eng").listed()

    origin = '"io.sentinel/origin":{"server":"fm","tool":"apps.view"},'
    expected = (APP_TOOL.replace('"name":"apps.view"', '"name":"fm__apps_view"').replace('"_meta":{', '"_meta":{' + origin)
                .replace('"ui://fm/view.html"', '"ui://fm+fm/view.html"'))
    assert expected.encode() in body, body.decode()

    upstream = json.loads(APP_TOOL)
    exposed = listed["fm__apps_view"]
    assert exposed.pop("name") == "fm__apps_view"
    assert exposed["_meta"].pop("io.sentinel/origin") == {"server": "fm", "tool": "apps.view"}
    del upstream["name"]
    upstream["_meta"]["ui"]["resourceUri"] = upstream["_meta"]["openai/outputTemplate"] = "ui://fm+fm/view.html"
    assert exposed == upstream

    plain = listed["fm__plain"]
    assert plain == {"name": "fm__plain", "description": "Reads data.", "inputSchema": {"type": "object"},
                     "_meta": {"io.sentinel/origin": {"server": "fm", "tool": "plain"}}}
    assert upstream_call(Endpoint(daemon, "eng").call("fm__apps_view", {"q": "x"})) == {
        "tool": "apps.view", "arguments": {"q": "x"}}
