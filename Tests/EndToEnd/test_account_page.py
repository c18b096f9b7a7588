"""The account page (/oauth/account) through the real sentineld: a user sees their own sessions and personal
credentials, revokes a session (its client's open stream and next call are cut off at once), cannot revoke anyone
else's, disconnects a credential (the next call names the credentials page), signs out (the sign-in is gone on the
server, not only in the browser), and every form without its CSRF token is refused. Each action is audited with the
user as SENTINEL_ACTOR (in a private journald).

Upstreams: the demo server (stdio) and `fixtures/oauth_upstream.py` standing in for a server that takes each user's
pasted token (`--static-token`).
"""

import re
import shutil
import time

import httpx2
import pytest

from conftest import Daemon, journal_entries, require_root, short_tempdir
from oauth_flow import Browser, Flow, form_with
from test_credentials import Consent, Upstream
from test_oauth import DEMO_SERVER, PASSWORD, open_event_stream, seconds_until_closed
from test_oauth_audit import ctl, sentineld_in_private_journal

ACCOUNT = "/oauth/account"


@pytest.fixture(scope="module")
def world():
    """Endpoint `eng` (demo server) and `work` (personal token server `tk`); alice and bob may use both."""
    root = short_tempdir()
    upstream = Upstream("--static-token", "alice=tok-alice-7Qz", "--static-token", "bob=tok-bob-9Xw")
    daemon = Daemon(root).start()
    daemon.ctl("server", "add", "demo", "--", DEMO_SERVER)
    daemon.ctl("server", "add", "tk", "--url", upstream.url + "/mcp", "--credential-mode", "personal",
               "--description", "Ticket tracker")
    daemon.ctl("endpoint", "create", "eng", "--server", "demo")
    daemon.ctl("endpoint", "enable", "eng", "demo/echo")
    daemon.ctl("endpoint", "create", "work", "--server", "tk")
    for user in ("alice", "bob"):
        daemon.ctl("user", "add", user, "--display-name", user.title() + " Example", input=PASSWORD + "\n")
        daemon.ctl("endpoint", "allow", "eng", "--user", user)
        daemon.ctl("endpoint", "allow", "work", "--user", user)
    yield daemon, upstream
    daemon.stop()
    upstream.stop()
    shutil.rmtree(root, ignore_errors=True)


def sign_in(base, username):
    """A browser signed in on the account page (the sign-in form, then back to the page)."""
    browser = Browser(base)
    page = browser.open(ACCOUNT)
    assert page.status_code == 200 and 'value="signin"' in page.text, page.text
    response = browser.submit(page.text, "signin", username=username, password=PASSWORD)
    assert response.status_code == 303 and response.headers["location"] == ACCOUNT, response.text
    return browser


def sessions(page_html):
    """Grant ids with a Revoke button on an account page."""
    return re.findall(r'id="revoke-([A-Za-z0-9_-]+)"', page_html)


def csrf(page_html):
    """The CSRF token of a signed-in account page (every form carries it, the sign-out form always)."""
    return form_with(page_html, "signout")["fields"]["csrf_token"]


def grant_of(daemon, flow):
    return next(s["id"] for s in daemon.ctl("session", "list") if s["client_id"] == flow.client_id)


def connect_work(daemon, username, token):
    """`username` consents on endpoint `work`, connecting `tk` with `token`; returns the finished Consent."""
    consent = Consent(daemon.url, "work", username)
    page = consent.approve()
    page = consent.browser.submit_and_follow(page.text, "connect-token", server="tk", token=token)
    daemon.ctl("endpoint", "enable", "work", "tk/whoami")  # listed once the first credential arrived
    consent.finish(page)
    return consent


def test_a_user_revokes_their_own_session_and_the_client_is_cut_off_at_once(world):
    daemon, _ = world
    flow = Flow(daemon.url, "eng", "alice", PASSWORD)
    other = Flow(daemon.url, "eng", "alice", PASSWORD)
    bobs = Flow(daemon.url, "eng", "bob", PASSWORD)
    for each in (flow, other, bobs):
        assert each.mcp().status_code == 200

    browser = sign_in(daemon.url, "alice")
    page = browser.open(ACCOUNT)
    assert 'id="signed-in-user">Alice Example (alice)<' in page.text
    grant = grant_of(daemon, flow)
    assert grant in sessions(page.text) and grant_of(daemon, other) in sessions(page.text)
    assert grant_of(daemon, bobs) not in sessions(page.text), "only alice's own sessions are listed"
    section = page.text.split(f'id="session-{grant}"')[1].split("</section>")[0]
    assert "Test client" in section and ">eng<" in section
    assert re.search(r'class="session-last-used">\d{4}-\d\d-\d\d \d\d:\d\d UTC from 127\.0\.0\.1<', section), section

    # Opened just before the click: with nothing to send, an open stream would run into the 3 s read timeout.
    stream_client, stream = open_event_stream(daemon.url, "eng", flow.access_token, read_timeout=3)
    try:
        clicked = time.monotonic()
        response = browser.submit(page.text, "revoke", grant=grant)
        assert response.status_code == 303, response.text
        assert response.headers["location"] == f"{ACCOUNT}?done=revoked&grant={grant}"
        seconds_until_closed(stream)
        assert flow.mcp().status_code == 401
        assert time.monotonic() - clicked < 1.0, "the stream ended and the next call was refused within a second"
    finally:
        stream.close()
        stream_client.close()
    assert flow.refresh().status_code == 400
    assert other.mcp().status_code == 200 and bobs.mcp().status_code == 200

    # Post/redirect/get: the page confirms what happened and no longer offers the session.
    page = browser.open(response.headers["location"])
    assert 'id="notice"' in page.text and "Access of Test client to endpoint eng is revoked." in page.text
    assert grant not in sessions(page.text)
    listed = {s["id"]: s for s in daemon.ctl("session", "list", "--user", "alice", "--all")}
    assert listed[grant]["revoked"] is not None


def test_a_user_cannot_revoke_another_users_session(world):
    daemon, _ = world
    bobs = Flow(daemon.url, "eng", "bob", PASSWORD)
    browser = sign_in(daemon.url, "alice")
    token = csrf(browser.open(ACCOUNT).text)
    for target in (grant_of(daemon, bobs), "sg_does-not-exist"):
        refused = browser.http.post(ACCOUNT, data={"csrf_token": token, "action": "revoke", "grant": target})
        assert refused.status_code == 404, refused.text
        assert "not one of your active sessions; nothing was revoked" in refused.text
    assert bobs.mcp().status_code == 200
    assert grant_of(daemon, bobs) in [s["id"] for s in daemon.ctl("session", "list", "--user", "bob")]
    # A crafted confirmation link claims nothing about someone else's session.
    crafted = browser.open(f"{ACCOUNT}?done=revoked&grant={grant_of(daemon, bobs)}")
    assert 'id="notice"' not in crafted.text


def test_disconnecting_a_credential_makes_the_next_call_name_the_credentials_page(world):
    daemon, _ = world
    alice = connect_work(daemon, "alice", "tok-alice-7Qz")
    bob = connect_work(daemon, "bob", "tok-bob-9Xw")
    assert alice.call("tk__whoami")["content"][0]["text"] == "alice"

    browser = sign_in(daemon.url, "alice")
    page = browser.open(ACCOUNT)
    assert '<strong class="state" id="credential-state-tk">' in page.text
    section = page.text.split('id="credential-tk"')[1].split("</section>")[0]
    assert "Ticket tracker" in section and "a token you pasted" in section and "Connected" in section
    assert 'href="/oauth/credentials#server-tk"' in section and ">Re-authenticate<" in section

    response = browser.submit(page.text, "disconnect", server="tk")
    assert response.status_code == 303 and response.headers["location"] == f"{ACCOUNT}?done=disconnected&server=tk"
    page = browser.open(response.headers["location"])
    assert "Your credentials for tk are deleted." in page.text
    section = page.text.split('id="credential-tk"')[1].split("</section>")[0]
    assert 'id="disconnect-tk"' not in section and ">Connect<" in section

    result = alice.call("tk__whoami")
    assert result["isError"] is True
    assert f"{daemon.url}/oauth/credentials" in result["content"][0]["text"]
    assert bob.call("tk__whoami")["content"][0]["text"] == "bob", "bob's credential is untouched"
    again = browser.http.post(ACCOUNT, data={"csrf_token": csrf(page.text), "action": "disconnect", "server": "tk"})
    assert again.status_code == 404 and "You have no credentials for that server" in again.text


def test_sign_out_ends_the_sign_in_on_the_server(world):
    daemon, _ = world
    browser = sign_in(daemon.url, "bob")
    page = browser.open(ACCOUNT)
    cookie = browser.http.cookies.get("sentinel_signin")
    assert cookie and 'id="signed-in-user"' in page.text
    response = browser.submit(page.text, "signout")
    assert response.status_code == 303 and response.headers["location"] == f"{ACCOUNT}?done=signed-out"
    assert re.search(r"sentinel_signin=;.*Max-Age=0", response.headers["set-cookie"])
    page = browser.open(response.headers["location"])
    assert 'value="signin"' in page.text and "You are signed out." in page.text
    # The old cookie, replayed, no longer signs anyone in: the sign-in was deleted, not just forgotten.
    replay = httpx2.get(daemon.url + ACCOUNT, cookies={"sentinel_signin": cookie})
    assert 'id="signed-in-user"' not in replay.text and 'value="signin"' in replay.text
    consent = Consent(daemon.url, "eng", "bob")
    assert 'value="signin"' in httpx2.get(consent.url, cookies={"sentinel_signin": cookie}).text


def test_account_forms_without_their_csrf_token_are_refused(world):
    daemon, _ = world
    flow = Flow(daemon.url, "eng", "alice", PASSWORD)
    grant = grant_of(daemon, flow)
    alice = sign_in(daemon.url, "alice")
    page = alice.open(ACCOUNT)
    good = csrf(page.text)
    bobs_token = csrf(sign_in(daemon.url, "bob").open(ACCOUNT).text)
    assert bobs_token != good, "the token is bound to the sign-in"
    for token in (None, "", "x" * len(good), bobs_token):
        data = {"action": "revoke", "grant": grant}
        if token is not None:
            data["csrf_token"] = token
        refused = alice.http.post(ACCOUNT, data=data)
        assert refused.status_code == 403 and "CSRF" in refused.text, refused.text
        refused = alice.http.post(ACCOUNT, data={**data, "action": "disconnect", "server": "tk"})
        assert refused.status_code == 403
        refused = alice.http.post("/oauth/sign-out", data={k: v for k, v in data.items() if k == "csrf_token"})
        assert refused.status_code == 403
    # A page from another site posting with alice's cookies but no token changes nothing.
    assert flow.mcp().status_code == 200
    assert 'id="signed-in-user"' in alice.open(ACCOUNT).text
    # The sign-in form is a double-submit: without the matching csrf cookie it signs nobody in.
    forged_sign_in = httpx2.post(daemon.url + ACCOUNT, data={"action": "signin", "username": "alice",
                                                             "password": PASSWORD, "csrf_token": "guess" * 8})
    assert forged_sign_in.status_code == 403
    assert "sentinel_signin" not in forged_sign_in.headers.get("set-cookie", "")


def test_account_actions_are_audited_with_the_user_as_actor(workdir):
    require_root()
    upstream = Upstream("--static-token", "alice=tok-alice-7Qz")
    try:
        with sentineld_in_private_journal(workdir) as (base, socket):
            ctl(socket, "server", "add", "demo", "--", DEMO_SERVER)
            ctl(socket, "server", "add", "tk", "--url", upstream.url + "/mcp", "--credential-mode", "personal")
            ctl(socket, "endpoint", "create", "eng", "--server", "demo", "--server", "tk")
            ctl(socket, "user", "add", "alice", input=PASSWORD + "\n")
            ctl(socket, "endpoint", "allow", "eng", "--user", "alice")
            consent = Consent(base, "eng", "alice")
            page = consent.browser.submit_and_follow(consent.approve().text, "connect-token", server="tk", token="tok-alice-7Qz")
            consent.finish(page)
            browser = sign_in(base, "alice")
            page = browser.open(ACCOUNT)
            grant, = sessions(page.text)
            assert browser.submit(page.text, "revoke", grant=grant).status_code == 303
            page = browser.open(ACCOUNT)
            assert browser.submit(page.text, "disconnect", server="tk").status_code == 303
            page = browser.open(ACCOUNT)
            assert browser.submit(page.text, "signout").status_code == 303
    finally:
        upstream.stop()
    revoked, = journal_entries(workdir, "SENTINEL_EVENT=grant-revoked")
    assert (revoked["SENTINEL_GRANT"], revoked["SENTINEL_USER"], revoked["SENTINEL_ACTOR"]) == (grant, "alice", "alice")
    assert revoked["SENTINEL_REMOTE_ADDRESS"] == "127.0.0.1" and revoked["MESSAGE_ID"] == "7cd74c1899ed43c9b6f7c44a8369ffed"
    removed = [e for e in journal_entries(workdir, "SENTINEL_EVENT=credential-changed") if e["SENTINEL_CHANGE"] == "removed"]
    assert len(removed) == 1 and removed[0]["SENTINEL_SERVER"] == "tk" and removed[0]["SENTINEL_ACTOR"] == "alice"
    signed_out, = journal_entries(workdir, "SENTINEL_EVENT=sign-out")
    assert signed_out["SENTINEL_USER"] == "alice" and signed_out["MESSAGE_ID"] == "059948a5ac044d0c9a8f91fe0b6b8b56"
    assert signed_out["SENTINEL_REMOTE_ADDRESS"] == "127.0.0.1"
