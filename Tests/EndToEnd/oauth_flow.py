"""Plays the user and the client of Sentinel's OAuth flow over plain HTTP (httpx2), for the end-to-end tests.

`Browser` submits the sign-in and consent forms the way a person's browser would (cookies, hidden fields);
`register`, `authorization_url`, `token` and `pkce` are what an OAuth client sends.
"""

import base64
import hashlib
import secrets
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlencode, urljoin, urlparse

import httpx2

CALLBACK = "http://127.0.0.1:9/callback"  # never contacted: the tests read the Location header


class _Forms(HTMLParser):
    """Collects each form's action and inputs (name -> value; radio buttons: the checked one)."""

    def __init__(self):
        super().__init__()
        self.forms = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action"), "fields": {}, "buttons": []})
        elif tag == "input" and self.forms:
            name, kind = attrs.get("name"), attrs.get("type", "text")
            if name and (kind != "radio" or "checked" in attrs):
                self.forms[-1]["fields"][name] = attrs.get("value", "")
        elif tag == "button" and self.forms and attrs.get("name"):
            self.forms[-1]["buttons"].append((attrs["name"], attrs.get("value", "")))


def forms(html):
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def form_with(html, action_value):
    """The form that has a button with `action_value`."""
    for form in forms(html):
        if ("action", action_value) in form["buttons"]:
            return form
    raise AssertionError(f"no form with a '{action_value}' button in:\n{html[:2000]}")


def pkce():
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


class Browser:
    """A person's browser: keeps cookies, follows the pages, submits forms."""

    def __init__(self, base_url):
        self.base = base_url
        self.http = httpx2.Client(base_url=base_url, follow_redirects=False, timeout=30)

    def close(self):
        self.http.close()

    def open(self, url):
        return self.http.get(url)

    def submit(self, page_html, action, **fields):
        form = form_with(page_html, action)
        data = dict(form["fields"])
        data.update(fields)
        data["action"] = action
        return self.http.post(urljoin(self.base, form["action"]), data=data)

    def submit_and_follow(self, page_html, action, **fields):
        """Submits a form that answers with a redirect to a page of Sentinel's (post/redirect/get); returns that page."""
        response = self.submit(page_html, action, **fields)
        assert response.status_code == 303, response.text
        location = response.headers["location"]
        assert location.startswith("/"), location
        return self.open(location)

    def sign_in(self, authorization_url, username, password):
        """Opens the authorization URL and signs in; returns the response after the redirect (the consent page)."""
        page = self.open(authorization_url)
        assert page.status_code == 200, page.text
        response = self.submit(page.text, "signin", username=username, password=password)
        if response.status_code != 303:
            return response
        return self.open(response.headers["location"])

    def approve(self, authorization_url, username, password, duration_days=7):
        """The whole user side: sign in, pick a duration, approve. Returns the redirect's query parameters."""
        consent = self.sign_in(authorization_url, username, password)
        assert consent.status_code == 200, consent.text
        response = self.submit(consent.text, "approve", duration=str(duration_days * 86400))
        assert response.status_code == 303, response.text
        return redirect_parameters(response)


def redirect_parameters(response):
    location = response.headers["location"]
    return {key: values[0] for key, values in parse_qs(urlparse(location).query).items()}


def register(base_url, redirect_uris=(CALLBACK,), auth_method="none", **extra):
    body = {"redirect_uris": list(redirect_uris), "client_name": extra.pop("client_name", "Test client"),
            "token_endpoint_auth_method": auth_method, "grant_types": ["authorization_code", "refresh_token"], **extra}
    return httpx2.post(base_url + "/oauth/register", json=body, timeout=30)


def authorization_url(base_url, client_id, challenge, endpoint, redirect_uri=CALLBACK, state="st4te", **extra):
    params = {"response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri, "state": state,
              "code_challenge": challenge, "code_challenge_method": "S256",
              "resource": f"{base_url}/mcp/{endpoint}", "scope": "mcp", **extra}
    return f"{base_url}/oauth/authorize?{urlencode(params)}"


def token(base_url, **fields):
    return httpx2.post(base_url + "/oauth/token", data=fields, timeout=30)


class Flow:
    """A registered public client that has been through consent: holds its tokens."""

    def __init__(self, base_url, endpoint, username, password, duration_days=7):
        self.base = base_url
        self.endpoint = endpoint
        self.client_id = register(base_url).json()["client_id"]
        self.verifier, challenge = pkce()
        browser = Browser(base_url)
        try:
            self.redirect = browser.approve(
                authorization_url(base_url, self.client_id, challenge, endpoint), username, password, duration_days)
        finally:
            browser.close()
        self.code = self.redirect["code"]
        reply = token(base_url, grant_type="authorization_code", code=self.code, redirect_uri=CALLBACK,
                      client_id=self.client_id, code_verifier=self.verifier, resource=f"{base_url}/mcp/{endpoint}")
        assert reply.status_code == 200, reply.text
        self.tokens = reply.json()

    @property
    def access_token(self):
        return self.tokens["access_token"]

    def refresh(self, refresh_token=None):
        return token(self.base, grant_type="refresh_token", client_id=self.client_id,
                     refresh_token=refresh_token or self.tokens["refresh_token"])

    def mcp(self, endpoint=None, access_token=None, method="tools/list"):
        """One legacy-era JSON-RPC request (no session needed) with the bearer token."""
        headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
        bearer = access_token if access_token is not None else self.access_token
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": {}}
        return httpx2.post(f"{self.base}/mcp/{endpoint or self.endpoint}", json=body, headers=headers, timeout=30)
