"""Upstream credentials through the real sentineld: personal servers connected with each user's own OAuth sign-in
or pasted bearer token during consent (and re-authenticated later), calls that reach the upstream with the
caller's own token, transparent refresh, a clear tool error when the upstream revokes, shared credentials, secrets
never stored or logged in plain text, and key rotation that keeps every credential usable.

The upstream is `fixtures/oauth_upstream.py`: a real OAuth authorization server (DCR, PKCE, resource, rotating
refresh tokens) guarding a Streamable HTTP MCP server whose `whoami` tool answers with the user its token belongs to.
"""

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urljoin, urlparse

import httpx2
import pytest

from conftest import Daemon, free_port, short_tempdir, wait_for
from oauth_flow import CALLBACK, Browser, authorization_url, form_with, forms, pkce, redirect_parameters, register, token
from test_oauth import PASSWORD

HERE = Path(__file__).parent
UPSTREAM = HERE / "fixtures" / "oauth_upstream.py"


class Upstream:
    def __init__(self, *args):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen([sys.executable, str(UPSTREAM), "--port", str(self.port), *args],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        assert line.startswith("listening on"), self.process.stderr.read()

    def stats(self):
        return httpx2.get(self.url + "/admin/stats").json()

    def admin(self, what, user):
        response = httpx2.post(f"{self.url}/admin/{what}", params={"user": user})
        assert response.status_code == 200, response.text

    def stop(self):
        self.process.terminate()
        self.process.wait(10)


def upstream_sign_in(browser, location, username):
    """Plays the person at the upstream's sign-in page; then follows the redirect back into Sentinel."""
    with httpx2.Client(follow_redirects=False, timeout=30) as other_site:
        page = other_site.get(location)
        assert page.status_code == 200, page.text
        form = form_with(page.text, "login")
        origin = "{0.scheme}://{0.netloc}".format(urlparse(location))
        answer = other_site.post(urljoin(origin, form["action"]), data={**form["fields"], "username": username,
                                                                         "action": "login"})
    assert answer.status_code in (302, 303), answer.text
    back = browser.open(answer.headers["location"])  # Sentinel's /oauth/upstream/callback
    assert back.status_code == 303, back.text
    return browser.open(back.headers["location"])


def states(page_html):
    """Server name -> state shown on a connect page."""
    import re
    return dict(re.findall(r'<strong class="state" id="state-([a-z0-9-]+)">([^<]+)</strong>', page_html))


class Consent:
    """One user's whole consent, including the connect step; ends with tokens for Sentinel's endpoint."""

    def __init__(self, base, endpoint, username):
        self.base, self.endpoint, self.username = base, endpoint, username
        self.client_id = register(base).json()["client_id"]
        self.verifier, challenge = pkce()
        self.browser = Browser(base)
        self.url = authorization_url(base, self.client_id, challenge, endpoint)

    def approve(self):
        consent = self.browser.sign_in(self.url, self.username, PASSWORD)
        assert consent.status_code == 200, consent.text
        return self.browser.submit(consent.text, "approve", duration=str(7 * 86400))

    def finish(self, page):
        response = self.browser.submit(page.text, "approve")
        assert response.status_code == 303, response.text
        code = redirect_parameters(response)["code"]
        reply = token(self.base, grant_type="authorization_code", code=code, redirect_uri=CALLBACK,
                      client_id=self.client_id, code_verifier=self.verifier)
        assert reply.status_code == 200, reply.text
        self.tokens = reply.json()
        return self.tokens

    def call(self, tool, arguments=None):
        response = httpx2.post(f"{self.base}/mcp/{self.endpoint}", timeout=30, headers={
            "Authorization": f"Bearer {self.tokens['access_token']}", "Accept": "application/json, text/event-stream"},
            json={"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": tool, "arguments": arguments or {}}})
        assert response.status_code == 200, response.text
        assert "result" in response.json(), response.text
        return response.json()["result"]


@pytest.fixture
def setup():
    root = short_tempdir()
    upstream = Upstream("--static-token", "alice=tok-alice-7Qz", "--static-token", "bob=tok-bob-9Xw")
    daemon = Daemon(root).start()
    yield daemon, upstream
    daemon.stop()
    upstream.stop()
    if not os.environ.get("SENTINEL_KEEP_TEST_DIRS"):
        shutil.rmtree(root, ignore_errors=True)


def text(result):
    return result["content"][0]["text"]


def test_personal_oauth_and_bearer_servers_are_connected_per_user_during_consent(setup):
    daemon, upstream = setup
    daemon.ctl("server", "add", "gh", "--url", upstream.url + "/mcp", "--credential-mode", "personal",
               "--credential-kind", "oauth")
    daemon.ctl("server", "add", "tk", "--url", upstream.url + "/mcp", "--credential-mode", "personal")
    daemon.ctl("endpoint", "create", "eng", "--server", "gh", "--server", "tk")
    for user in ("alice", "bob", "carol"):
        daemon.ctl("user", "add", user, input=PASSWORD + "\n")
    daemon.ctl("endpoint", "allow", "eng", "--user", "alice", "--user", "bob", "--user", "carol")
    shown = daemon.ctl("server", "show", "gh")
    assert (shown["credential_mode"], shown["credential_kind"], shown["connected_users"]) == ("personal", "oauth", 0)

    # alice approves; both servers need her credentials, so no code yet.
    alice = Consent(daemon.url, "eng", "alice")
    page = alice.approve()
    assert page.status_code == 200 and "location" not in page.headers
    assert states(page.text) == {"gh": "needs your credentials", "tk": "needs your credentials"}
    assert 'id="finish"' not in page.text
    # OAuth at the upstream for gh: Sentinel registered itself there (DCR) and sends PKCE and the resource.
    start = alice.browser.submit(page.text, "connect-oauth", server="gh")
    assert start.status_code == 303 and start.headers["location"].startswith(upstream.url + "/authorize?")
    page = upstream_sign_in(alice.browser, start.headers["location"], "alice")
    last = upstream.stats()["last_authorization"]
    assert last["resource"] == upstream.url + "/mcp" and last["client_id"].startswith("client-")
    assert states(page.text) == {"gh": "connected", "tk": "needs your credentials"}
    page = alice.browser.submit_and_follow(page.text, "connect-token", server="tk", token="tok-alice-7Qz")
    assert states(page.text) == {"gh": "connected", "tk": "connected"}

    # The first credential listed the servers' tools; the admin enables them now.
    assert [t["name"] for t in daemon.ctl("server", "tools", "gh")] == ["whoami", "echo"]
    daemon.ctl("endpoint", "enable", "eng", "gh/whoami", "tk/whoami", "tk/echo")
    alice.finish(page)

    # bob connects with his own accounts; carol has not connected anything.
    bob = Consent(daemon.url, "eng", "bob")
    page = bob.approve()
    start = bob.browser.submit(page.text, "connect-oauth", server="gh")
    page = upstream_sign_in(bob.browser, start.headers["location"], "bob")
    page = bob.browser.submit_and_follow(page.text, "connect-token", server="tk", token="tok-bob-9Xw")
    bob.finish(page)
    carol = Consent(daemon.url, "eng", "carol")
    assert 'id="finish"' not in carol.approve().text

    # Each call reaches the upstream with the caller's own token.
    for consent, user in ((alice, "alice"), (bob, "bob"), (alice, "alice"), (bob, "bob")):
        assert text(consent.call("gh__whoami")) == user
        assert text(consent.call("tk__whoami")) == user
        assert text(consent.call("tk__echo", {"text": "hi"})) == f"{user}: hi"
    by_user = upstream.stats()["mcp_requests_by_user"]
    assert by_user["alice"] > 0 and by_user["bob"] > 0 and "carol" not in by_user
    assert daemon.ctl("server", "show", "gh")["connected_users"] == 2

    # An expired upstream access token is refreshed transparently.
    refreshes = upstream.stats()["token_requests"].get("refresh_token", 0)
    upstream.admin("expire-access", "alice")
    assert text(alice.call("gh__whoami")) == "alice"
    assert upstream.stats()["token_requests"]["refresh_token"] == refreshes + 1

    # A revoked upstream refresh token yields a tool error saying where to re-authenticate.
    upstream.admin("revoke-user", "alice")
    result = alice.call("gh__whoami")
    assert result["isError"] is True
    assert f"Re-authenticate at {daemon.url}/oauth/credentials" in text(result)
    assert text(bob.call("gh__whoami")) == "bob", "bob's credential is untouched"
    assert daemon.ctl("server", "show", "gh")["expired_users"] == 1

    # Re-authentication on the credentials page replaces the credential.
    browser = Browser(daemon.url)
    signin = browser.open("/oauth/credentials")
    form = form_with(signin.text, "signin")
    response = browser.http.post("/oauth/credentials", data={**form["fields"], "action": "signin",
                                                             "username": "alice", "password": PASSWORD})
    assert response.status_code == 303
    overview = browser.open("/oauth/credentials")
    assert states(overview.text) == {"gh": "expired — re-authenticate", "tk": "connected"}
    start = browser.http.post("/oauth/credentials", data={**form_with(overview.text, "connect-oauth")["fields"],
                                                          "action": "connect-oauth", "server": "gh"})
    overview = upstream_sign_in(browser, start.headers["location"], "alice")
    assert states(overview.text)["gh"] == "connected"
    assert text(alice.call("gh__whoami")) == "alice"
    replaced = browser.http.post("/oauth/credentials", data={**form_with(overview.text, "connect-token")["fields"],
                                                             "action": "connect-token", "server": "tk",
                                                             "token": "tok-bob-9Xw"})
    assert replaced.status_code == 303 and replaced.headers["location"] == "/oauth/credentials"
    # A token alice pasted is hers, even when it is someone else's at the upstream: the gateway sends what she gave.
    assert text(alice.call("tk__whoami")) == "bob"

    # A user who has not connected gets a tool error, never someone else's credential.
    daemon.ctl("endpoint", "allow", "eng", "--user", "carol")
    flow_carol = Consent(daemon.url, "eng", "carol")
    page = flow_carol.approve()
    assert states(page.text) == {"gh": "needs your credentials", "tk": "needs your credentials"}

    # Secrets at rest and in the journal-bound audit: the store holds none of them in plain text.
    blob = b"".join(Path(str(daemon.database()) + suffix).read_bytes()
                    for suffix in ("", "-wal") if Path(str(daemon.database()) + suffix).exists())
    for secret in (b"tok-alice-7Qz", b"tok-bob-9Xw", b"at-", b"rt-"):
        assert secret not in blob, secret
    log = daemon.log.read_text()
    assert "tok-alice-7Qz" not in log and "tok-bob-9Xw" not in log

    # Key rotation keeps every credential usable, and the old key no longer opens anything.
    old_key = (daemon.state / "secret.key").read_bytes()
    rotated = daemon.ctl("key", "rotate")
    assert rotated["reencrypted"] >= 4
    assert (daemon.state / "secret.key").read_bytes() != old_key
    assert (daemon.state / "secret.key.previous").read_bytes() == old_key
    assert oct((daemon.state / "secret.key").stat().st_mode & 0o777) == "0o600"
    assert text(alice.call("gh__whoami")) == "alice"
    assert text(bob.call("tk__whoami")) == "bob"
    daemon.stop()
    daemon.start()
    assert text(bob.call("gh__whoami")) == "bob"
    assert text(bob.call("tk__echo", {"text": "after restart"})) == "bob: after restart"


def test_shared_bearer_credential_and_switching_to_personal(setup):
    daemon, upstream = setup
    result = daemon.ctl("server", "add", "team", "--url", upstream.url + "/mcp", "--credential-mode", "shared",
                        "--token-stdin", input="tok-alice-7Qz\n")
    assert result["shared_credential"] == "connected" and result["tool_count"] == 2
    daemon.ctl("endpoint", "create", "eng", "--server", "team")
    daemon.ctl("endpoint", "enable", "eng", "team/whoami")
    daemon.ctl("user", "add", "bob", input=PASSWORD + "\n")
    daemon.ctl("endpoint", "allow", "eng", "--user", "bob")
    bob = Consent(daemon.url, "eng", "bob")
    response = bob.approve()
    assert response.status_code == 303, "a shared server needs nothing from the user"
    code = redirect_parameters(response)["code"]
    bob.tokens = token(daemon.url, grant_type="authorization_code", code=code, redirect_uri=CALLBACK,
                       client_id=bob.client_id, code_verifier=bob.verifier).json()
    assert text(bob.call("team__whoami")) == "alice", "everyone's calls use the shared credential"

    # Switching to personal discards the shared secret: bob must connect his own now.
    switched = daemon.ctl("server", "update", "team", "--credential-mode", "personal")
    assert switched["shared_credential"] is None and switched["connected_users"] == 0
    result = bob.call("team__whoami")
    assert result["isError"] is True and "needs your own credentials" in text(result)
    db = sqlite3.connect(daemon.database())
    assert db.execute("SELECT COUNT(*) FROM credentials").fetchone()[0] == 0
    db.close()


def test_personal_server_on_an_endpoint_without_sign_in_is_refused_with_a_tool_error(setup):
    daemon, upstream = setup
    daemon.ctl("server", "add", "tk", "--url", upstream.url + "/mcp", "--credential-mode", "personal")
    daemon.ctl("user", "add", "alice", input=PASSWORD + "\n")
    daemon.ctl("endpoint", "create", "eng", "--server", "tk")
    daemon.ctl("endpoint", "allow", "eng", "--user", "alice")
    alice = Consent(daemon.url, "eng", "alice")
    page = alice.approve()
    page = alice.browser.submit(page.text, "connect-token", server="tk", token="tok-alice-7Qz")
    daemon.ctl("endpoint", "enable", "eng", "tk/whoami")
    daemon.ctl("endpoint", "create", "open", "--no-auth", "--server", "tk")
    daemon.ctl("endpoint", "enable", "open", "tk/whoami")
    response = httpx2.post(f"{daemon.url}/mcp/open", headers={"Accept": "application/json, text/event-stream"},
                           json={"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                                 "params": {"name": "tk__whoami", "arguments": {}}})
    result = response.json()["result"]
    assert result["isError"] is True and "no signed-in user" in text(result)


def test_cli_refuses_bad_credential_options(setup):
    daemon, upstream = setup
    bad = daemon.ctl("server", "add", "x", "--url", upstream.url + "/mcp", "--credential-kind", "oauth",
                     check=False, json_output=False)
    assert bad.returncode != 0 and "credential" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
    bad = daemon.ctl("server", "add", "y", "--credential-mode", "personal", "--credential-kind", "oauth", "--",
                     "/bin/true", check=False, json_output=False)
    assert bad.returncode != 0 and "OAuth needs an http server" in bad.stderr
    bad = daemon.ctl("server", "add", "z", "--url", upstream.url + "/mcp", "--token-stdin", input="t\n",
                     check=False, json_output=False)
    assert bad.returncode != 0 and "shared mode" in bad.stderr
    assert [s["name"] for s in daemon.ctl("server", "list")] == []


def test_stdio_children_of_a_personal_server_run_with_each_users_credential(setup):
    daemon, _ = setup
    script = str(HERE / "fixtures" / "credential_stdio_server.py")
    daemon.ctl("server", "add", "local", "--credential-mode", "personal", "--credential-env", "UPSTREAM_TOKEN",
               "--", sys.executable, script)
    assert daemon.ctl("server", "show", "local")["credential_env"] == "UPSTREAM_TOKEN"
    daemon.ctl("endpoint", "create", "eng", "--server", "local")
    consents = {}
    for user in ("alice", "bob"):
        daemon.ctl("user", "add", user, input=PASSWORD + "\n")
        daemon.ctl("endpoint", "allow", "eng", "--user", user)
        consent = Consent(daemon.url, "eng", user)
        page = consent.approve()
        page = consent.browser.submit_and_follow(page.text, "connect-token", server="local", token=f"{user}-stdio-secret")
        if user == "alice":
            daemon.ctl("endpoint", "enable", "eng", "local/holder", "local/pid")
        consent.finish(page)
        consents[user] = consent
    assert text(consents["alice"].call("local__holder")) == "alice"
    assert text(consents["bob"].call("local__holder")) == "bob"
    assert text(consents["alice"].call("local__pid")) != text(consents["bob"].call("local__pid"))


def test_shared_oauth_server_is_connected_by_the_admin_with_server_login(setup):
    daemon, upstream = setup
    daemon.ctl("server", "add", "crm", "--url", upstream.url + "/mcp", "--credential-mode", "shared",
               "--credential-kind", "oauth")
    assert daemon.ctl("server", "show", "crm")["shared_credential"] == "missing"
    url = daemon.ctl("server", "login", "crm")["url"]
    assert url.startswith(upstream.url + "/authorize?")
    printed = daemon.ctl("server", "login", "crm", json_output=False)
    assert "Open this URL in a browser" in printed
    browser = Browser(daemon.url)
    done = upstream_sign_in(browser, url, "ops-admin")
    assert "The server is connected" in done.text
    assert daemon.ctl("server", "show", "crm")["shared_credential"] == "connected"
    daemon.ctl("server", "refresh", "crm")
    daemon.ctl("endpoint", "create", "eng", "--server", "crm")
    daemon.ctl("endpoint", "enable", "eng", "crm/whoami")
    daemon.ctl("user", "add", "bob", input=PASSWORD + "\n")
    daemon.ctl("endpoint", "allow", "eng", "--user", "bob")
    bob = Consent(daemon.url, "eng", "bob")
    response = bob.approve()
    assert response.status_code == 303
    bob.tokens = token(daemon.url, grant_type="authorization_code", code=redirect_parameters(response)["code"],
                       redirect_uri=CALLBACK, client_id=bob.client_id, code_verifier=bob.verifier).json()
    assert text(bob.call("crm__whoami")) == "ops-admin"
    # A callback whose state was used (or never issued) is refused.
    stale = browser.open("/oauth/upstream/callback?state=used-or-forged&code=x")
    assert stale.status_code == 400 and "expired or was already used" in stale.text


def test_an_upstream_sign_in_completes_only_in_the_browser_of_the_user_who_started_it(setup):
    daemon, upstream = setup
    daemon.ctl("server", "add", "gh", "--url", upstream.url + "/mcp", "--credential-mode", "personal",
               "--credential-kind", "oauth")
    daemon.ctl("endpoint", "create", "eng", "--server", "gh")
    for user in ("alice", "mallory"):
        daemon.ctl("user", "add", user, input=PASSWORD + "\n")
        daemon.ctl("endpoint", "allow", "eng", "--user", user)
    mallory = Consent(daemon.url, "eng", "mallory")
    page = mallory.approve()
    start = mallory.browser.submit(page.text, "connect-oauth", server="gh")
    # mallory sends her flow's link to alice, who signs in at the upstream as herself…
    alice_browser = Browser(daemon.url)
    alice_browser.sign_in(Consent(daemon.url, "eng", "alice").url, "alice", PASSWORD)
    with httpx2.Client(follow_redirects=False) as other_site:
        form = form_with(other_site.get(start.headers["location"]).text, "login")
        answer = other_site.post(upstream.url + form["action"], data={**form["fields"], "username": "alice", "action": "login"})
    callback = alice_browser.open(answer.headers["location"])
    # …but the callback lands in alice's browser, not mallory's session: refused, nothing stored.
    assert callback.status_code == 400 and "started by a different Sentinel account" in callback.text
    assert daemon.ctl("server", "show", "gh")["connected_users"] == 0


def test_an_upstream_answer_naming_another_issuer_is_refused(setup):
    """RFC 9207: every upstream shares Sentinel's callback, so the answer must come from this server's own issuer."""
    daemon, upstream = setup
    daemon.ctl("server", "add", "gh", "--url", upstream.url + "/mcp", "--credential-mode", "personal",
               "--credential-kind", "oauth")
    daemon.ctl("endpoint", "create", "eng", "--server", "gh")
    daemon.ctl("user", "add", "alice", input=PASSWORD + "\n")
    daemon.ctl("endpoint", "allow", "eng", "--user", "alice")
    alice = Consent(daemon.url, "eng", "alice")
    page = alice.approve()
    start = alice.browser.submit(page.text, "connect-oauth", server="gh")
    with httpx2.Client(follow_redirects=False) as other_site:
        form = form_with(other_site.get(start.headers["location"]).text, "login")
        answer = other_site.post(upstream.url + form["action"], data={**form["fields"], "username": "alice", "action": "login"})
    location = urlparse(answer.headers["location"])
    query = parse_qs(location.query)
    assert query["iss"] == [upstream.url]
    query["iss"] = ["https://evil.example"]
    callback = alice.browser.open(location._replace(query=urlencode(query, doseq=True)).geturl())
    # alice's own flow: back to where she started, saying what happened in plain words.
    assert callback.status_code == 303 and callback.headers["location"].startswith("/oauth/authorize?")
    page = alice.browser.open(callback.headers["location"])
    assert "did not come from gh&#39;s own sign-in service" in page.text and "evil.example" not in page.text
    assert daemon.ctl("server", "show", "gh")["connected_users"] == 0


def test_a_new_server_url_discards_the_credentials_issued_for_the_old_one(setup):
    daemon, upstream = setup
    daemon.ctl("server", "add", "team", "--url", upstream.url + "/mcp", "--credential-mode", "shared",
               "--token-stdin", input="tok-alice-7Qz\n")
    daemon.ctl("server", "add", "tk", "--url", upstream.url + "/mcp", "--credential-mode", "personal")
    daemon.ctl("endpoint", "create", "eng", "--server", "tk")
    daemon.ctl("user", "add", "alice", input=PASSWORD + "\n")
    daemon.ctl("endpoint", "allow", "eng", "--user", "alice")
    alice = Consent(daemon.url, "eng", "alice")
    alice.browser.submit(alice.approve().text, "connect-token", server="tk", token="tok-alice-7Qz")
    assert daemon.ctl("server", "show", "tk")["connected_users"] == 1
    assert daemon.ctl("server", "show", "team")["shared_credential"] == "connected"
    moved = f"http://localhost:{upstream.port}/mcp"
    assert daemon.ctl("server", "update", "tk", "--url", moved)["connected_users"] == 0
    assert daemon.ctl("server", "update", "team", "--url", moved)["shared_credential"] == "missing"
    # A change that keeps the target (the description) keeps the credentials.
    daemon.ctl("server", "update", "team", "--token-stdin", input="tok-alice-7Qz\n")
    assert daemon.ctl("server", "update", "team", "--description", "the team's")["shared_credential"] == "connected"


def test_a_password_change_ends_the_users_browser_sign_ins(setup):
    daemon, _ = setup
    daemon.ctl("user", "add", "alice", input=PASSWORD + "\n")
    browser = Browser(daemon.url)
    form = form_with(browser.open("/oauth/credentials").text, "signin")
    signed_in = browser.http.post("/oauth/credentials", data={**form["fields"], "action": "signin",
                                                               "username": "alice", "password": PASSWORD})
    assert signed_in.status_code == 303
    assert 'id="signed-in-user">alice<' in browser.open("/oauth/credentials").text
    daemon.ctl("user", "passwd", "alice", input="a brand new password\n")
    page = browser.open("/oauth/credentials")
    assert 'id="signed-in-user"' not in page.text and 'value="signin"' in page.text
