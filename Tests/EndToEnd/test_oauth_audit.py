"""Sign-ins (good and failed), client registrations, grants and revocations are audited in a real journald
(private to the test), with the user and grant on every tool call, and no secret in any entry."""

import contextlib
import json
import re
import subprocess
import textwrap
from pathlib import Path

import httpx2

from conftest import SENTINELCTL, SENTINELD, free_port, journal_entries, require_root, wait_for
from oauth_flow import Browser, Flow, authorization_url, pkce, register
from test_oauth import DEMO_SERVER, PASSWORD

HERE = Path(__file__).parent
MESSAGE_IDS = {
    "sign-in": "c8bb441090fa452b9faa935f8607f346",
    "sign-in-failed": "5ef506b64b944f2b83c5e1919b9be0aa",
    "grant-created": "e9968eca257d4c9ea8b3e64326e22ce6",
    "grant-revoked": "7cd74c1899ed43c9b6f7c44a8369ffed",
    "client-registered": "ed05c060344c41748bd1a194abff6d6e",
}


def ctl(socket, *args, input=None):
    result = subprocess.run([str(SENTINELCTL), "--address", f"unix:{socket}", "--json", *args], input=input,
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@contextlib.contextmanager
def sentineld_in_private_journal(workdir):
    """Runs sentineld inside `private-journal.sh` (its own journald) while the body drives it from outside;
    yields (base URL, control socket). The journal is complete once the block ends."""
    port = free_port()
    socket = workdir / "c.sock"
    done = workdir / "done"
    script = workdir / "scenario.sh"
    script.write_text(textwrap.dedent(f"""\
        set -euo pipefail
        {SENTINELD} --config /dev/null --state-directory {workdir}/state --http-listen 127.0.0.1:{port} \\
            --control-socket {socket} --log-target journal &
        pid=$!
        until [ -e {done} ]; do sleep 0.05; done
        kill -TERM $pid
        wait $pid
        """))
    runner = subprocess.Popen([str(HERE / "private-journal.sh"), str(workdir), "bash", str(script)])
    try:
        wait_for(lambda: socket.exists(), 15, "sentineld in the private journal namespace")
        yield f"http://127.0.0.1:{port}", socket
    finally:
        done.touch()
        runner.wait(60)
    assert runner.returncode == 0


def test_authorization_events_are_in_the_journal(workdir):
    require_root()
    with sentineld_in_private_journal(workdir) as (base, socket):
        ctl(socket, "server", "add", "demo", "--", DEMO_SERVER)
        ctl(socket, "endpoint", "create", "eng", "--server", "demo")
        ctl(socket, "endpoint", "enable", "eng", "demo/echo")
        ctl(socket, "user", "add", "alice", input=PASSWORD + "\n")
        ctl(socket, "endpoint", "allow", "eng", "--user", "alice")
        wait_for(lambda: httpx2.get(base + "/healthz").status_code == 200, 10, "HTTP")

        # A failed sign-in, then a whole flow, a tool call, a refresh-token replay and an admin revocation.
        client_id = register(base).json()["client_id"]
        _, challenge = pkce()
        assert Browser(base).sign_in(authorization_url(base, client_id, challenge, "eng"), "alice", "not it").status_code == 401
        replayed = Flow(base, "eng", "alice", PASSWORD)
        assert replayed.refresh().status_code == 200
        assert replayed.refresh().json()["error"] == "invalid_grant"
        flow = Flow(base, "eng", "alice", PASSWORD)
        call = httpx2.post(f"{base}/mcp/eng", headers={"Authorization": f"Bearer {flow.access_token}",
                                                       "Accept": "application/json, text/event-stream"},
                           json={"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                                 "params": {"name": "demo__echo", "arguments": {"text": "audited"}}})
        assert call.status_code == 200, call.text
        grant_id = next(s["id"] for s in ctl(socket, "session", "list") if s["client_id"] == flow.client_id)
        ctl(socket, "session", "revoke", grant_id)

    for event, message_id in MESSAGE_IDS.items():
        entries = journal_entries(workdir, f"SENTINEL_EVENT={event}")
        assert entries, f"no {event} entry"
        assert all(e["MESSAGE_ID"] == message_id for e in entries)

    failed = journal_entries(workdir, "SENTINEL_EVENT=sign-in-failed")
    assert [(e["SENTINEL_USER"], e["SENTINEL_REASON"], e["SENTINEL_REMOTE_ADDRESS"]) for e in failed] == [
        ("alice", "wrong password", "127.0.0.1")]
    assert [e["SENTINEL_USER"] for e in journal_entries(workdir, "SENTINEL_EVENT=sign-in")] == ["alice", "alice"]

    created = journal_entries(workdir, "SENTINEL_EVENT=grant-created")
    assert len(created) == 2
    assert {e["SENTINEL_ENDPOINT"] for e in created} == {"eng"}
    assert all(e["SENTINEL_DURATION_SEC"] == str(7 * 86400) for e in created)

    revoked = journal_entries(workdir, "SENTINEL_EVENT=grant-revoked")
    reasons = {e["SENTINEL_GRANT"]: e.get("SENTINEL_REASON", "admin") for e in revoked}
    assert reasons[grant_id] == "admin" and "refresh token reused" in reasons.values()
    by_admin = next(e for e in revoked if e["SENTINEL_GRANT"] == grant_id)
    assert by_admin["SENTINEL_PEER_UID"] == "0"

    calls = journal_entries(workdir, "SENTINEL_EVENT=tool-call", "SENTINEL_ENDPOINT=eng")
    assert [(e["SENTINEL_USER"], e["SENTINEL_GRANT"], e["SENTINEL_CLIENT_ID"]) for e in calls] == [
        ("alice", grant_id, flow.client_id)]

    everything = json.dumps(journal_entries(workdir))
    for secret in (PASSWORD, flow.access_token, flow.tokens["refresh_token"], flow.code,
                   replayed.tokens["refresh_token"]):
        assert secret not in everything


def test_credential_events_are_in_the_journal_without_secrets(workdir):
    require_root()
    from test_credentials import Consent, Upstream, states, upstream_sign_in
    upstream = Upstream("--static-token", "alice=tok-journal-secret-1", "--static-token", "alice=tok-journal-secret-2")
    try:
        with sentineld_in_private_journal(workdir) as (base, socket):
            ctl(socket, "server", "add", "gh", "--url", upstream.url + "/mcp", "--credential-mode", "personal",
                "--credential-kind", "oauth")
            ctl(socket, "server", "add", "tk", "--url", upstream.url + "/mcp", "--credential-mode", "personal")
            ctl(socket, "endpoint", "create", "eng", "--server", "gh", "--server", "tk")
            ctl(socket, "user", "add", "alice", input=PASSWORD + "\n")
            ctl(socket, "endpoint", "allow", "eng", "--user", "alice")
            alice = Consent(base, "eng", "alice")
            page = alice.approve()
            start = alice.browser.submit(page.text, "connect-oauth", server="gh")
            page = upstream_sign_in(alice.browser, start.headers["location"], "alice")
            page = alice.browser.submit_and_follow(page.text, "connect-token", server="tk", token="tok-journal-secret-1")
            page = alice.browser.submit_and_follow(page.text, "connect-token", server="tk", token="tok-journal-secret-2")
            assert states(page.text) == {"gh": "connected", "tk": "connected"}
            ctl(socket, "endpoint", "enable", "eng", "gh/whoami")
            alice.finish(page)
            upstream.admin("expire-access", "alice")
            assert alice.call("gh__whoami")["content"][0]["text"] == "alice"
            upstream.admin("revoke-user", "alice")
            assert alice.call("gh__whoami")["isError"] is True
            ctl(socket, "server", "update", "tk", "--credential-mode", "none")
    finally:
        upstream.stop()
    changes = journal_entries(workdir, "SENTINEL_EVENT=credential-changed")
    seen = [(e["SENTINEL_SERVER"], e["SENTINEL_CHANGE"]) for e in changes]
    assert seen == [("gh", "connected"), ("tk", "connected"), ("tk", "replaced"), ("gh", "refreshed"),
                    ("gh", "expired"), ("tk", "removed")]
    assert all(e["SENTINEL_USER"] == "alice" and e["MESSAGE_ID"] == "063bb8694ad7460ea6959e954d9f74d0" for e in changes)
    everything = json.dumps(journal_entries(workdir))
    for secret in ("tok-journal-secret-1", "tok-journal-secret-2"):
        assert secret not in everything, secret
    assert not re.search(r"\b(at|rt|code)-[A-Za-z0-9_-]{20,}", everything), "an upstream token is in the journal"


def test_refused_upstream_callbacks_are_in_the_journal(workdir):
    """A forged state, another user's flow landing in alice's browser, and a flow answered in a browser signed in
    nowhere are each refused and audited as upstream-callback-refused; an ordinary denial at the upstream is not."""
    require_root()
    from test_credential_pages import at_upstream
    from test_credentials import Consent, Upstream
    upstream = Upstream()
    try:
        with sentineld_in_private_journal(workdir) as (base, socket):
            ctl(socket, "server", "add", "gh", "--url", upstream.url + "/mcp", "--credential-mode", "personal",
                "--credential-kind", "oauth")
            ctl(socket, "endpoint", "create", "eng", "--server", "gh")
            for user in ("alice", "mallory"):
                ctl(socket, "user", "add", user, input=PASSWORD + "\n")
                ctl(socket, "endpoint", "allow", "eng", "--user", user)
            wait_for(lambda: httpx2.get(base + "/healthz").status_code == 200, 10, "HTTP")
            assert httpx2.get(base + "/oauth/upstream/callback?state=forged-state&code=x").status_code == 400

            mallory = Consent(base, "eng", "mallory")
            start = mallory.browser.submit(mallory.approve().text, "connect-oauth", server="gh")
            alice = Consent(base, "eng", "alice")
            alice_page = alice.approve()
            assert alice.browser.open(at_upstream(start.headers["location"], "alice")).status_code == 400

            start = alice.browser.submit(alice_page.text, "connect-oauth", server="gh")
            assert Browser(base).open(at_upstream(start.headers["location"], "alice")).status_code == 400

            start = alice.browser.submit(alice_page.text, "connect-oauth", server="gh")
            assert alice.browser.open(at_upstream(start.headers["location"], "alice", action="deny")).status_code == 303
    finally:
        upstream.stop()
    refused = journal_entries(workdir, "SENTINEL_EVENT=upstream-callback-refused")
    assert {e["MESSAGE_ID"] for e in refused} == {"feb978cbaade214db5f02bf5cc1f220f"}
    assert {e["PRIORITY"] for e in refused} == {"5"}
    seen = [(e["SENTINEL_REASON"], e.get("SENTINEL_SERVER"), e.get("SENTINEL_CREDENTIAL_OWNER"), e.get("SENTINEL_USER"))
            for e in refused]
    assert seen == [
        ("unknown, expired or used state", None, None, None),
        ("another user's sign-in", "gh", "mallory", "alice"),
        ("no signed-in user", "gh", "alice", None),
    ]
    assert all(e["SENTINEL_REMOTE_ADDRESS"] == "127.0.0.1" for e in refused)
