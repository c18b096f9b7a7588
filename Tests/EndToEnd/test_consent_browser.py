"""The consent pages in a real browser: headless Chromium (Debian's chromium and chromium-driver) through
selenium signs in, picks 7 days, approves, and lands on the client's callback with a code. Screenshots of
the sign-in and consent pages at phone size are saved under build/test-artifacts/.
"""

import http.server
import shutil
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from conftest import headless_chromium, REPO, Daemon, free_port, short_tempdir
from oauth_flow import authorization_url, pkce, register, token
from test_oauth import DEMO_SERVER, PASSWORD

ARTIFACTS = REPO / "build" / "test-artifacts"


class Callback(http.server.BaseHTTPRequestHandler):
    """The client's redirect URI: records the query it was called with."""
    received = []

    def do_GET(self):
        self.received.append(self.path)
        body = b"<!DOCTYPE html><title>callback</title><p id=done>Connected.</p>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def browser():
    with headless_chromium(390) as driver:
        yield driver


def test_user_signs_in_picks_seven_days_and_approves_in_chromium(browser):
    root = short_tempdir()
    daemon = Daemon(root).start()
    port = free_port()
    callback_server = http.server.ThreadingHTTPServer(("127.0.0.1", port), type("Handler", (Callback,), {"received": []}))
    threading.Thread(target=callback_server.serve_forever, daemon=True).start()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        daemon.ctl("server", "add", "demo", "--", DEMO_SERVER)
        daemon.ctl("endpoint", "create", "eng", "--server", "demo", "--description", "Engineering tools")
        daemon.ctl("endpoint", "enable", "eng", "demo/echo", "demo/add", "demo/time")
        daemon.ctl("user", "add", "alice", "--display-name", "Alice Example", input=PASSWORD + "\n")
        daemon.ctl("endpoint", "allow", "eng", "--user", "alice")
        redirect_uri = f"http://127.0.0.1:{port}/callback"
        client = register(daemon.url, redirect_uris=[redirect_uri], client_name="Claude").json()
        verifier, challenge = pkce()

        browser.get(authorization_url(daemon.url, client["client_id"], challenge, "eng", redirect_uri=redirect_uri))
        assert "Sign in" in browser.title
        assert browser.find_element(By.ID, "client-name").text == "Claude"
        assert browser.find_element(By.ID, "redirect-host").text == "127.0.0.1"
        assert browser.find_element(By.ID, "tool-count").text == "3 enabled"
        browser.save_screenshot(str(ARTIFACTS / "sign-in-page.png"))
        browser.find_element(By.ID, "username").send_keys("alice")
        browser.find_element(By.ID, "password").send_keys(PASSWORD)
        browser.find_element(By.ID, "signin").click()

        WebDriverWait(browser, 10).until(expected_conditions.presence_of_element_located((By.ID, "approve")))
        assert "Alice Example" in browser.find_element(By.ID, "signed-in-user").text
        assert "Engineering tools" in browser.find_element(By.ID, "endpoint").text
        labels = [element.text for element in browser.find_elements(By.CSS_SELECTOR, "fieldset label")]
        assert labels == ["1 day", "7 days", "30 days", "90 days"]
        browser.find_element(By.ID, "duration-604800").click()
        browser.save_screenshot(str(ARTIFACTS / "consent-page.png"))
        browser.find_element(By.ID, "approve").click()

        WebDriverWait(browser, 10).until(lambda driver: driver.current_url.startswith(redirect_uri))
        query = parse_qs(urlparse(browser.current_url).query)
        assert query["state"] == ["st4te"] and query["iss"] == [daemon.url]
        code = query["code"][0]
        tokens = token(daemon.url, grant_type="authorization_code", code=code, redirect_uri=redirect_uri,
                       client_id=client["client_id"], code_verifier=verifier)
        assert tokens.status_code == 200, tokens.text
        session, = daemon.ctl("session", "list")
        assert session["user"] == "alice" and session["client_name"] == "Claude"
        from datetime import datetime
        created = datetime.fromisoformat(session["created"].replace("Z", "+00:00"))
        expires = datetime.fromisoformat(session["expires"].replace("Z", "+00:00"))
        assert round((expires - created).total_seconds()) == 7 * 86400
        assert (ARTIFACTS / "consent-page.png").stat().st_size > 10_000
    finally:
        callback_server.shutdown()
        daemon.stop()
        shutil.rmtree(root, ignore_errors=True)
