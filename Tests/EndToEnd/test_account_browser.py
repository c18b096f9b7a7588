"""The whole self-service walk in headless Chromium (selenium), through the real sentineld and a real OAuth upstream:
sign in -> consent -> connect both kinds of personal server (one behind its own OAuth server, one behind a pasted
token) -> the account page -> revoke the session (the client's open stream ends and its next call is refused within
a second) -> disconnect a credential (the next call names the credentials page) -> sign out (the browser's sign-in
is over). Screenshots at desktop width and at 390 px are kept under Tests/EndToEnd/artifacts/account/ (printed),
and no page of the walk scrolls sideways at 390 px.
"""

import http.server
import shutil
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx2
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from conftest import headless_chromium, Daemon, short_tempdir
from oauth_flow import authorization_url, pkce, register, token
from test_consent_browser import Callback
from test_credentials import Upstream
from test_oauth import PASSWORD, open_event_stream, seconds_until_closed

ARTIFACTS = Path(__file__).parent / "artifacts" / "account"
PHONE = 390


@pytest.fixture
def chromium():
    with headless_chromium(1280) as driver:
        yield driver


def wait_for_element(driver, element_id, timeout=10):
    return WebDriverWait(driver, timeout).until(expected_conditions.presence_of_element_located((By.ID, element_id)))


def screenshots(driver, name):
    """Saves the page at desktop width and at 390 px (emulated through the DevTools protocol: headless Chromium
    clamps real window sizes near 500 px) and asserts that at 390 px nothing scrolls sideways."""
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    driver.save_screenshot(str(ARTIFACTS / f"{name}-desktop.png"))
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": PHONE, "height": 844, "deviceScaleFactor": 1, "mobile": True})
    try:
        assert driver.execute_script("return window.innerWidth") == PHONE
        widths = driver.execute_script(
            "return [document.documentElement.scrollWidth, document.body.scrollWidth]")
        assert max(widths) <= PHONE, f"{name} scrolls sideways at {PHONE} px: {widths}"
        driver.save_screenshot(str(ARTIFACTS / f"{name}-{PHONE}px.png"))
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    assert (ARTIFACTS / f"{name}-{PHONE}px.png").stat().st_size > 5_000


def mcp_call(base, access_token, tool):
    """One legacy-era tools/call; returns the HTTP response."""
    return httpx2.post(f"{base}/mcp/eng", timeout=30, headers={
        "Authorization": f"Bearer {access_token}", "Accept": "application/json, text/event-stream"},
        json={"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": tool, "arguments": {}}})


def state(driver, server):
    return driver.find_element(By.ID, f"state-{server}").text


def test_sign_in_consent_connect_both_kinds_then_revoke_disconnect_and_sign_out_in_chromium(chromium):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots: {ARTIFACTS}")
    root = short_tempdir()
    upstream = Upstream("--static-token", "alice=tok-alice-7Qz")
    daemon = Daemon(root).start()
    callback = http.server.ThreadingHTTPServer(("127.0.0.1", 0), type("Handler", (Callback,), {"received": []}))
    threading.Thread(target=callback.serve_forever, daemon=True).start()
    redirect_uri = f"http://127.0.0.1:{callback.server_address[1]}/callback"
    browser = chromium
    try:
        daemon.ctl("server", "add", "gh", "--url", upstream.url + "/mcp", "--credential-mode", "personal",
                   "--credential-kind", "oauth", "--description", "Code hosting")
        daemon.ctl("server", "add", "tk", "--url", upstream.url + "/mcp", "--credential-mode", "personal",
                   "--description", "Ticket tracker")
        daemon.ctl("endpoint", "create", "eng", "--server", "gh", "--server", "tk")
        daemon.ctl("user", "add", "alice", "--display-name", "Alice Example", input=PASSWORD + "\n")
        daemon.ctl("endpoint", "allow", "eng", "--user", "alice")
        client = register(daemon.url, redirect_uris=[redirect_uri], client_name="Claude").json()
        verifier, challenge = pkce()

        # Sign in and approve.
        browser.get(authorization_url(daemon.url, client["client_id"], challenge, "eng", redirect_uri=redirect_uri))
        wait_for_element(browser, "username").send_keys("alice")
        browser.find_element(By.ID, "password").send_keys(PASSWORD)
        browser.find_element(By.ID, "signin").click()
        wait_for_element(browser, "approve").click()

        # Connect the OAuth server at its own sign-in page, then paste the token of the other.
        wait_for_element(browser, "connect-oauth-gh").click()
        WebDriverWait(browser, 10).until(lambda d: d.current_url.startswith(upstream.url + "/authorize"))
        wait_for_element(browser, "username").send_keys("alice")
        browser.find_element(By.ID, "login").click()
        WebDriverWait(browser, 10).until(lambda d: d.current_url.startswith(daemon.url + "/oauth/authorize"))
        wait_for_element(browser, "state-gh")
        assert "connected" in state(browser, "gh").lower() and "needs" in state(browser, "tk").lower()
        screenshots(browser, "connect-step")
        browser.find_element(By.ID, "token-tk").send_keys("tok-alice-7Qz")
        browser.find_element(By.ID, "connect-token-tk").click()
        WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.ID, "finish"))
        daemon.ctl("endpoint", "enable", "eng", "gh/whoami", "tk/whoami")
        browser.find_element(By.ID, "finish").click()
        WebDriverWait(browser, 10).until(lambda d: d.current_url.startswith(redirect_uri))
        code = parse_qs(urlparse(browser.current_url).query)["code"][0]
        tokens = token(daemon.url, grant_type="authorization_code", code=code, redirect_uri=redirect_uri,
                       client_id=client["client_id"], code_verifier=verifier)
        assert tokens.status_code == 200, tokens.text
        access = tokens.json()["access_token"]
        for tool in ("gh__whoami", "tk__whoami"):
            answer = mcp_call(daemon.url, access, tool).json()["result"]
            assert answer["content"][0]["text"] == "alice", answer

        # The account page: still signed in (same browser), the session and both credentials listed.
        browser.get(daemon.url + "/oauth/account")
        wait_for_element(browser, "sign-out")
        assert browser.find_element(By.ID, "signed-in-user").text == "Alice Example (alice)"
        grant, = [s["id"] for s in daemon.ctl("session", "list")]
        session = browser.find_element(By.ID, f"session-{grant}")
        assert "Claude" in session.text and "eng" in session.text and "127.0.0.1" in session.text
        for server in ("gh", "tk"):
            assert "connected" in browser.find_element(By.ID, f"credential-state-{server}").text
        assert "your sign-in at the server" in browser.find_element(By.ID, "credential-gh").text
        assert "a token you pasted" in browser.find_element(By.ID, "credential-tk").text
        screenshots(browser, "account")

        # Revoke: the client's open stream ends and its next call is refused, within a second of the click. (With
        # nothing to send, a stream that stayed open would run into its 3 s read timeout.)
        stream_client, stream = open_event_stream(daemon.url, "eng", access, read_timeout=3)
        try:
            clicked = time.monotonic()
            browser.find_element(By.ID, f"revoke-{grant}").click()
            seconds_until_closed(stream)
            assert mcp_call(daemon.url, access, "gh__whoami").status_code == 401
            assert time.monotonic() - clicked < 1.0
        finally:
            stream.close()
            stream_client.close()
        assert "Access of Claude to endpoint eng is revoked." in wait_for_element(browser, "notice").text
        assert not browser.find_elements(By.ID, f"revoke-{grant}")
        screenshots(browser, "account-revoked")

        # A new session for the disconnect check (the browser is still signed in: consent goes straight through).
        verifier, challenge = pkce()
        browser.get(authorization_url(daemon.url, client["client_id"], challenge, "eng", redirect_uri=redirect_uri))
        wait_for_element(browser, "approve").click()
        WebDriverWait(browser, 10).until(lambda d: d.current_url.startswith(redirect_uri))
        code = parse_qs(urlparse(browser.current_url).query)["code"][0]
        access = token(daemon.url, grant_type="authorization_code", code=code, redirect_uri=redirect_uri,
                       client_id=client["client_id"], code_verifier=verifier).json()["access_token"]
        browser.get(daemon.url + "/oauth/account")
        wait_for_element(browser, "disconnect-tk").click()
        assert "Your credentials for tk are deleted." in wait_for_element(browser, "notice").text
        assert not browser.find_elements(By.ID, "disconnect-tk")
        result = mcp_call(daemon.url, access, "tk__whoami").json()["result"]
        assert result["isError"] is True and f"{daemon.url}/oauth/credentials" in result["content"][0]["text"]
        assert mcp_call(daemon.url, access, "gh__whoami").json()["result"]["content"][0]["text"] == "alice"
        screenshots(browser, "account-disconnected")

        # Sign out: the page says so, the cookie is gone, and the account page asks for a sign-in again.
        browser.find_element(By.ID, "sign-out").click()
        assert "You are signed out." in wait_for_element(browser, "notice").text
        assert not [c for c in browser.get_cookies() if c["name"] == "sentinel_signin"]
        browser.get(daemon.url + "/oauth/account")
        wait_for_element(browser, "signin")
        assert not browser.find_elements(By.ID, "signed-in-user")
        screenshots(browser, "signed-out")
    finally:
        callback.shutdown()
        daemon.stop()
        upstream.stop()
        shutil.rmtree(root, ignore_errors=True)
