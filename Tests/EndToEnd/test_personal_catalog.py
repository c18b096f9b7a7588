"""A personal server's tools before anyone connects (issue 13, defect 4), through the real sentineld and sentinelctl.

The admin connects a catalog-only credential with `sentinelctl server login NAME --token-stdin`: it lists the tools
(tools/list) and is never used for a user's call. Tools can be enabled by name ahead of the catalog; they appear in
tools/list once their server lists them. The waiting state shows as a state, not an error, and every refusal says why.

The upstream is `fixtures/oauth_upstream.py` with static bearer tokens: its `whoami` tool answers with the user a
token belongs to, so a call shows whose credential reached it.
"""

import os
import shutil
from pathlib import Path

import httpx2
import pytest

from conftest import Daemon, short_tempdir
from test_credentials import Consent, Upstream, states, text
from test_oauth import PASSWORD

ADMIN_TOKEN = "tok-catalog-admin-5Kd"
ALICE_TOKEN = "tok-alice-7Qz"


@pytest.fixture
def setup():
    root = short_tempdir()
    upstream = Upstream("--static-token", f"catalog-admin={ADMIN_TOKEN}", "--static-token", f"alice={ALICE_TOKEN}")
    daemon = Daemon(root).start()
    yield daemon, upstream
    daemon.stop()
    upstream.stop()
    if not os.environ.get("SENTINEL_KEEP_TEST_DIRS"):
        shutil.rmtree(root, ignore_errors=True)


def tools_list(base, endpoint, access_token):
    response = httpx2.post(f"{base}/mcp/{endpoint}", timeout=30, headers={
        "Authorization": f"Bearer {access_token}", "Accept": "application/json, text/event-stream"},
        json={"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}})
    assert response.status_code == 200, response.text
    return [tool["name"] for tool in response.json()["result"]["tools"]]


def row(table, name):
    """The line of a sentinelctl table whose first column is `name`."""
    return next(line for line in table.splitlines() if line.split()[0] == name)


def test_catalog_credential_lists_the_tools_before_anyone_connects_and_never_serves_a_call(setup):
    daemon, upstream = setup
    daemon.ctl("server", "add", "tk", "--url", upstream.url + "/mcp", "--credential-mode", "personal")

    # Waiting for a credential is a state, not an error.
    listed = daemon.ctl("server", "list", json_output=False)
    assert row(listed, "tk").endswith("waiting for a credential"), listed
    assert "error" not in row(listed, "tk")
    shown = daemon.ctl("server", "show", "tk")
    assert (shown["catalog_state"], shown["catalog_credential"], shown["tool_count"]) == (
        "waiting_for_credential", "missing", 0)
    shown_text = daemon.ctl("server", "show", "tk", json_output=False)
    assert "Catalog:" in shown_text and "waiting for a credential" in shown_text
    assert "Catalog credential: missing" in " ".join(shown_text.split())

    # The admin connects a catalog-only token: the tools are listed at once.
    login = daemon.ctl("server", "login", "tk", "--token-stdin", input=ADMIN_TOKEN + "\n", json_output=False)
    assert login.strip() == "Connected the catalog credential of tk: 2 tool(s) listed.", login
    assert [t["name"] for t in daemon.ctl("server", "tools", "tk")] == ["whoami", "echo"]
    shown = daemon.ctl("server", "show", "tk")
    assert (shown["catalog_state"], shown["catalog_credential"], shown["connected_users"]) == ("listed", "connected", 0)
    assert row(daemon.ctl("server", "list", json_output=False), "tk").endswith("ok")
    assert upstream.stats()["mcp_requests_by_user"].get("catalog-admin", 0) > 0

    # The admin enables tools from the catalog; alice connects her own token and her calls carry it, never the
    # catalog credential.
    daemon.ctl("endpoint", "create", "eng", "--server", "tk")
    daemon.ctl("endpoint", "enable", "eng", "tk/whoami")
    daemon.ctl("user", "add", "alice", input=PASSWORD + "\n")
    daemon.ctl("endpoint", "allow", "eng", "--user", "alice")
    alice = Consent(daemon.url, "eng", "alice")
    page = alice.approve()
    assert states(page.text) == {"tk": "needs your credentials"}
    page = alice.browser.submit_and_follow(page.text, "connect-token", server="tk", token=ALICE_TOKEN)
    alice.finish(page)
    assert text(alice.call("tk__whoami")) == "alice"

    # A secret read from standard input is in no reply, no log line and not in plain text at rest.
    log = daemon.log.read_text()
    assert ADMIN_TOKEN not in log
    assert "catalog credential of tk connected" in log
    blob = b"".join(Path(str(daemon.database()) + suffix).read_bytes()
                    for suffix in ("", "-wal") if Path(str(daemon.database()) + suffix).exists())
    assert ADMIN_TOKEN.encode() not in blob
    assert ADMIN_TOKEN not in str(daemon.ctl("server", "show", "tk"))

    # Switching to shared mode never turns the catalog-only credential into everyone's credential.
    switched = daemon.ctl("server", "update", "tk", "--credential-mode", "shared")
    assert switched["shared_credential"] == "missing"


def test_tools_enabled_by_name_ahead_of_the_catalog_appear_when_it_arrives(setup):
    daemon, upstream = setup
    daemon.ctl("server", "add", "tk", "--url", upstream.url + "/mcp", "--credential-mode", "personal")
    daemon.ctl("endpoint", "create", "eng", "--server", "tk")

    enabled = daemon.ctl("endpoint", "enable", "eng", "tk/whoami", "tk__echo", json_output=False)
    assert enabled.strip().splitlines() == [
        "Enabled ahead of the catalog on eng: tk__whoami, tk__echo; they will appear when server tk lists them "
        "(waiting for a credential: sentinelctl server login tk, or the first user's)"], enabled
    selections = daemon.ctl("endpoint", "tools", "eng")
    assert [(s["exposed_name"], s["enabled"], s["listed"]) for s in selections] == [
        ("tk__echo", True, False), ("tk__whoami", True, False)]
    table = daemon.ctl("endpoint", "tools", "eng", json_output=False)
    assert row(table, "tk").endswith("enabled, not listed yet"), table
    assert daemon.ctl("endpoint", "show", "eng")["awaiting_tools"] == 2

    # The consent page counts them instead of claiming that no tool is enabled.
    daemon.ctl("user", "add", "alice", input=PASSWORD + "\n")
    daemon.ctl("endpoint", "allow", "eng", "--user", "alice")
    alice = Consent(daemon.url, "eng", "alice")
    consent = alice.browser.sign_in(alice.url, "alice", PASSWORD)
    assert "0 enabled" not in consent.text
    assert "2 enabled" in consent.text

    # alice connects her own token: the first credential lists the catalog, and the tools enabled by name appear.
    page = alice.browser.submit(consent.text, "approve", duration=str(7 * 86400))
    page = alice.browser.submit_and_follow(page.text, "connect-token", server="tk", token=ALICE_TOKEN)
    alice.finish(page)
    assert sorted(tools_list(daemon.url, "eng", alice.tokens["access_token"])) == ["tk__echo", "tk__whoami"]
    assert text(alice.call("tk__echo", {"text": "hi"})) == "alice: hi"
    selections = daemon.ctl("endpoint", "tools", "eng")
    assert [(s["exposed_name"], s["enabled"], s["listed"]) for s in selections] == [
        ("tk__whoami", True, True), ("tk__echo", True, True)]


def test_cli_says_why_it_refuses(setup):
    daemon, upstream = setup
    daemon.ctl("server", "add", "tk", "--url", upstream.url + "/mcp", "--credential-mode", "personal")
    daemon.ctl("server", "add", "other", "--url", upstream.url + "/mcp", "--credential-mode", "personal")
    daemon.ctl("endpoint", "create", "eng", "--server", "tk")

    def refused(*args, input=None):
        result = daemon.ctl(*args, input=input, check=False, json_output=False)
        assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1, result
        return result.stderr.strip()

    assert "name it SERVER/TOOL" in refused("endpoint", "enable", "eng", "whoami")
    assert "server 'other' is not attached to endpoint 'eng' (sentinelctl endpoint attach eng other)" in refused(
        "endpoint", "enable", "eng", "other/whoami")
    assert "no server named 'ghost'" in refused("endpoint", "enable", "eng", "ghost/x")
    assert "server tk lists no tools yet" in refused("endpoint", "enable", "eng", "--all", "tk")
    assert refused("server", "refresh", "tk") == (
        "sentinelctl: tk cannot list its tools yet: it waits for a credential (sentinelctl server login tk, or the first "
        "user's)")
    assert "sentinelctl server login" in refused("server", "add", "nt", "--url", upstream.url + "/mcp",
                                                  "--credential-mode", "personal", "--token-stdin", input="t\n")

    # A bearer server's catalog credential is a token; a wrong one is refused with the upstream's answer.
    assert "--token-stdin" in refused("server", "login", "tk")
    wrong = refused("server", "login", "tk", "--token-stdin", input="not-a-token\n")
    assert "listing its tools failed" in wrong and "401" in wrong
    daemon.ctl("server", "login", "tk", "--token-stdin", input=ADMIN_TOKEN + "\n")

    # Once the server lists its catalog, a name it does not list is a typo, and the refusal says so.
    assert "server tk lists 2 tool(s), none named 'nope'" in refused("endpoint", "enable", "eng", "tk/nope")
    assert daemon.ctl("endpoint", "tools", "eng", json_output=False).count("enabled") == 0
