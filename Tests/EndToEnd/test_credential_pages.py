"""What a user meets when connecting personal credentials goes wrong, through the real sentineld and a real upstream
(`fixtures/oauth_upstream.py`: an OAuth authorization server guarding a Streamable HTTP MCP server that also takes
static per-user tokens): a pasted token the upstream refuses is not saved and the page shows the upstream's reason;
a token for an upstream that cannot be reached is saved as "saved, not verified"; an upstream sign-in that fails
(refused at the upstream, a code its token endpoint rejects) returns the user to where they started with a plain
message; a callback in a browser signed in nowhere says so with a link; forms redirect, so a reload resubmits nothing;
the consent page says which accounts come next and where to get a token.
"""

import re
import shutil
import sqlite3
from urllib.parse import parse_qs, urlencode, urljoin, urlparse

import httpx2
import pytest

from conftest import Daemon, free_port, short_tempdir
from oauth_flow import Browser, form_with
from test_credentials import Consent, Upstream, states
from test_oauth import PASSWORD


@pytest.fixture
def setup():
    root = short_tempdir()
    upstream = Upstream("--static-token", "alice=tok-alice-7Qz")
    daemon = Daemon(root).start()
    daemon.ctl("server", "add", "gh", "--url", upstream.url + "/mcp", "--credential-mode", "personal",
               "--credential-kind", "oauth")
    daemon.ctl("server", "add", "tk", "--url", upstream.url + "/mcp", "--credential-mode", "personal")
    daemon.ctl("endpoint", "create", "eng", "--server", "gh", "--server", "tk")
    daemon.ctl("user", "add", "alice", "--display-name", "Alice Example", input=PASSWORD + "\n")
    daemon.ctl("endpoint", "allow", "eng", "--user", "alice")
    yield daemon, upstream
    daemon.stop()
    upstream.stop()
    shutil.rmtree(root, ignore_errors=True)


def problem(page_html):
    found = re.search(r'<p class="error" role="alert" id="problem">([^<]*)</p>', page_html)
    return found and found.group(1)


def notice(page_html):
    found = re.search(r'<p class="notice" role="status" id="notice">([^<]*)</p>', page_html)
    return found and found.group(1)


def credentials_count(daemon):
    db = sqlite3.connect(daemon.database())
    try:
        return db.execute("SELECT COUNT(*), IFNULL(SUM(verified = 0), 0) FROM credentials").fetchone()
    finally:
        db.close()


def signed_in_credentials_page(daemon, username="alice"):
    browser = Browser(daemon.url)
    form = form_with(browser.open("/oauth/credentials").text, "signin")
    response = browser.http.post("/oauth/credentials", data={**form["fields"], "action": "signin",
                                                             "username": username, "password": PASSWORD})
    assert response.status_code == 303
    return browser, browser.open("/oauth/credentials")


def at_upstream(location, username, action="login"):
    """The person at the upstream's sign-in page: signs in (or denies); returns where the upstream sends them."""
    with httpx2.Client(follow_redirects=False, timeout=30) as other_site:
        page = other_site.get(location)
        form = form_with(page.text, "login")
        origin = "{0.scheme}://{0.netloc}".format(urlparse(location))
        answer = other_site.post(urljoin(origin, form["action"]),
                                 data={**form["fields"], "username": username, "action": action})
    assert answer.status_code in (302, 303), answer.text
    return answer.headers["location"]


def test_a_refused_token_is_shown_with_the_upstreams_reason_and_nothing_is_saved(setup):
    daemon, upstream = setup
    alice = Consent(daemon.url, "eng", "alice")
    page = alice.approve()
    response = alice.browser.submit(page.text, "connect-token", server="tk", token="tok-alice-typo")
    # Post/redirect/get: the answer to the form is a redirect, so reloading the page resubmits nothing.
    assert response.status_code == 303 and response.headers["location"].startswith("/oauth/authorize?")
    page = alice.browser.open(response.headers["location"])
    shown = problem(page.text)
    assert shown and "tk refused this token, so it was not saved" in shown
    assert "tk said: “The access token is unknown or expired”" in shown, "the upstream's own reason (WWW-Authenticate)"
    assert states(page.text)["tk"] == "needs your credentials" and 'id="finish"' not in page.text
    assert credentials_count(daemon) == (0, 0)
    assert problem(alice.browser.open(response.headers["location"]).text) is None, "a message is shown once"

    # The same on the credentials page; the right token then connects, and says so.
    browser, overview = signed_in_credentials_page(daemon)
    refused = browser.http.post("/oauth/credentials", data={**form_with(overview.text, "connect-token")["fields"],
                                                            "action": "connect-token", "server": "tk",
                                                            "token": "tok-wrong"})
    assert refused.status_code == 303 and refused.headers["location"] == "/oauth/credentials"
    assert "The access token is unknown or expired" in problem(browser.open("/oauth/credentials").text)
    saved = browser.http.post("/oauth/credentials", data={**form_with(overview.text, "connect-token")["fields"],
                                                          "action": "connect-token", "server": "tk",
                                                          "token": "tok-alice-7Qz"})
    page = browser.open(saved.headers["location"])
    assert notice(page.text) == "Your token for tk is saved, and tk accepted it."
    assert states(page.text)["tk"] == "connected"
    assert credentials_count(daemon) == (1, 0)


def test_a_token_for_an_unreachable_upstream_is_saved_not_verified(setup):
    daemon, _ = setup
    daemon.ctl("server", "add", "away", "--url", f"http://127.0.0.1:{free_port()}/mcp", "--credential-mode", "personal")
    daemon.ctl("endpoint", "create", "far", "--server", "away")
    daemon.ctl("endpoint", "allow", "far", "--user", "alice")
    alice = Consent(daemon.url, "far", "alice")
    page = alice.approve()
    page = alice.browser.submit_and_follow(page.text, "connect-token", server="away", token="tok-for-later")
    assert states(page.text) == {"away": "saved, not verified"}
    assert "saved, but not verified" in notice(page.text)
    assert 'class="badge badge-unverified"' in page.text and "could not be reached to check this token" in page.text
    assert credentials_count(daemon) == (1, 1)
    # It is saved, so consent can finish.
    alice.finish(page)
    _, overview = signed_in_credentials_page(daemon)
    assert states(overview.text) == {"away": "saved, not verified", "gh": "needs your credentials",
                                     "tk": "needs your credentials"}


def test_a_failed_upstream_sign_in_returns_to_the_page_it_started_from_with_a_plain_message(setup):
    daemon, upstream = setup
    browser, overview = signed_in_credentials_page(daemon)
    assert 'href="/oauth/account"' in overview.text and "Alice Example (alice)" in overview.text

    # Denied at the upstream: back on the credentials page, in plain words.
    start = browser.http.post("/oauth/credentials", data={**form_with(overview.text, "connect-oauth")["fields"],
                                                          "action": "connect-oauth", "server": "gh"})
    callback = browser.open(at_upstream(start.headers["location"], "alice", action="deny"))
    assert callback.status_code == 303 and callback.headers["location"] == "/oauth/credentials"
    page = browser.open("/oauth/credentials")
    assert "You did not allow access at gh&#39;s sign-in, so gh is not connected" in problem(page.text)
    assert "access_denied" not in page.text and states(page.text)["gh"] == "needs your credentials"

    # A code the upstream's token endpoint refuses (invalid_grant): the same, without the jargon.
    start = browser.http.post("/oauth/credentials", data={**form_with(page.text, "connect-oauth")["fields"],
                                                          "action": "connect-oauth", "server": "gh"})
    location = urlparse(at_upstream(start.headers["location"], "alice"))
    query = parse_qs(location.query)
    query["code"] = ["code-that-was-never-issued"]
    callback = browser.open(location._replace(query=urlencode(query, doseq=True)).geturl())
    assert callback.status_code == 303 and callback.headers["location"] == "/oauth/credentials"
    page = browser.open("/oauth/credentials")
    assert "gh did not accept the sign-in" in problem(page.text)
    assert "invalid_grant" not in page.text and "token endpoint" not in page.text
    assert "invalid_grant" in daemon.log.read_text(), "the details go to the log"

    # Signing in works, and the page confirms it.
    start = browser.http.post("/oauth/credentials", data={**form_with(page.text, "connect-oauth")["fields"],
                                                          "action": "connect-oauth", "server": "gh"})
    callback = browser.open(at_upstream(start.headers["location"], "alice"))
    page = browser.open(callback.headers["location"])
    assert notice(page.text) == "Signed in to gh: your account is connected." and states(page.text)["gh"] == "connected"

    # During consent, a denial returns to the connect step, which still offers the sign-in.
    alice = Consent(daemon.url, "eng", "alice")
    page = alice.approve()
    start = alice.browser.submit(page.text, "connect-oauth", server="gh")
    callback = alice.browser.open(at_upstream(start.headers["location"], "alice", action="deny"))
    assert callback.status_code == 303 and callback.headers["location"].startswith("/oauth/authorize?")
    page = alice.browser.open(callback.headers["location"])
    assert "You did not allow access" in problem(page.text) and 'value="connect-oauth"' in page.text


def test_a_callback_in_a_browser_signed_in_nowhere_says_to_sign_in_with_a_link(setup):
    daemon, upstream = setup
    alice = Consent(daemon.url, "eng", "alice")
    page = alice.approve()
    start = alice.browser.submit(page.text, "connect-oauth", server="gh")
    callback_url = at_upstream(start.headers["location"], "alice")
    stranger = Browser(daemon.url)
    answer = stranger.open(callback_url)
    assert answer.status_code == 400
    assert "You are not signed in to Sentinel in this browser" in problem(answer.text)
    assert "another user" not in answer.text and "different Sentinel account" not in answer.text
    assert '<a href="/oauth/credentials" id="back-link">Sign in to Sentinel</a>' in answer.text
    assert daemon.ctl("server", "show", "gh")["connected_users"] == 0


def test_the_consent_page_says_which_accounts_come_next_and_where_to_get_a_token(setup):
    daemon, _ = setup
    hint = "Profile → Settings → API tokens <new>"
    assert daemon.ctl("server", "update", "tk", "--credential-hint", hint)["credential_hint"] == hint
    assert re.search(r"^Credential hint: +" + re.escape(hint) + "$", daemon.ctl("server", "show", "tk", json_output=False), re.M)
    too_long = daemon.ctl("server", "update", "tk", "--credential-hint", "x" * 501, check=False)
    assert too_long.returncode != 0 and "credential_hint" in too_long.stderr and len(too_long.stderr.splitlines()) == 1
    assert daemon.ctl("server", "show", "tk")["credential_hint"] == hint
    alice = Consent(daemon.url, "eng", "alice")
    consent = alice.browser.sign_in(alice.url, "alice", PASSWORD)
    assert "Next: connect your accounts." in consent.text
    assert '<li id="next-gh"><strong>gh</strong>: sign in to gh</li>' in consent.text
    assert "where to get it: Profile → Settings → API tokens &lt;new&gt;" in consent.text
    assert 'href="/oauth/account"' in consent.text and "Alice Example (alice)" in consent.text
    page = alice.browser.submit(consent.text, "approve", duration=str(7 * 86400))
    assert 'id="hint-tk">Where to get it: Profile → Settings → API tokens &lt;new&gt;' in page.text
    # The primary action is the only filled button; connecting is secondary.
    assert 'id="connect-token-tk" class="secondary"' in page.text and 'id="connect-oauth-gh" class="secondary"' in page.text
