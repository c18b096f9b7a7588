"""Endpoint access control through the real sentineld: the OAuth 2.1 flow with the official Python SDK
(mcp==2.3.0 and its OAuthClientProvider), revocation that cuts clients off at once, and every refusal with
its exact OAuth or HTTP error. The test plays the user by submitting the sign-in and consent forms over HTTP.
"""

import contextlib
import http.server
import json
import os
import sqlite3
import threading
import time

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.auth import OAuthClientProvider
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import AuthorizationCodeResult, OAuthClientMetadata

from conftest import Daemon, free_port, short_tempdir, wait_for
from oauth_flow import CALLBACK, Browser, Flow, authorization_url, pkce, redirect_parameters, register, token

BUILD = os.environ.get("SENTINEL_BUILD_DIR", "/work/main/.build/debug")
DEMO_SERVER = BUILD + "/sentinel-demo-server"
PASSWORD = "correct horse battery"
MODES = ["legacy", "auto", "2026-07-28"]


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture(scope="module")
def gateway():
    """One daemon: endpoints `eng` and `ops` (both OAuth), alice allowed on both, carol through group `oncall`
    on ops only, bob on neither."""
    root = short_tempdir()
    d = Daemon(root).start()
    d.ctl("server", "add", "demo", "--", DEMO_SERVER)
    for endpoint in ("eng", "ops"):
        d.ctl("endpoint", "create", endpoint, "--server", "demo")
        d.ctl("endpoint", "enable", endpoint, "demo/echo", "demo/slow")
    for user, groups in (("alice", []), ("bob", []), ("carol", ["--group", "oncall"])):
        d.ctl("user", "add", user, *groups, input=PASSWORD + "\n")
    d.ctl("endpoint", "allow", "eng", "--user", "alice")
    d.ctl("endpoint", "allow", "ops", "--user", "alice", "--group", "oncall")
    yield d
    d.stop()
    import shutil
    shutil.rmtree(root, ignore_errors=True)


class MemoryStorage:
    def __init__(self):
        self.tokens = None
        self.client = None

    async def get_tokens(self):
        return self.tokens

    async def set_tokens(self, tokens):
        self.tokens = tokens

    async def get_client_info(self):
        return self.client

    async def set_client_info(self, client):
        self.client = client


class SDKUser:
    """The SDK's OAuth provider, with a user who approves (or, once `deny` is set, refuses) in the browser."""

    def __init__(self, base, endpoint, username="alice"):
        self.base = base
        self.username = username
        self.url = None
        self.authorizations = 0
        self.deny = False
        self.storage = MemoryStorage()
        self.provider = OAuthClientProvider(
            f"{base}/mcp/{endpoint}",
            OAuthClientMetadata(client_name="SDK test client", redirect_uris=[CALLBACK],
                                grant_types=["authorization_code", "refresh_token"]),
            self.storage, self.redirect_handler, self.callback_handler)

    async def redirect_handler(self, url):
        self.url = url

    async def callback_handler(self):
        self.authorizations += 1
        if self.deny:
            raise RuntimeError("the user refuses to authorize again")
        parameters = await anyio.to_thread.run_sync(
            lambda: Browser(self.base).approve(self.url, self.username, PASSWORD))
        return AuthorizationCodeResult(code=parameters["code"], state=parameters.get("state"), iss=parameters.get("iss"))


def open_event_stream(base, endpoint, access_token, read_timeout=30):
    """Opens the handshake-era GET stream with a bearer token; returns (client, response) once headers arrived."""
    client = httpx2.Client(timeout=httpx2.Timeout(30, read=read_timeout))
    request = client.build_request("GET", f"{base}/mcp/{endpoint}", headers={
        "Accept": "text/event-stream", "Authorization": f"Bearer {access_token}"})
    response = client.send(request, stream=True)
    assert response.status_code == 200, response.read()
    return client, response


def seconds_until_closed(response):
    started = time.monotonic()
    try:
        for _ in response.iter_raw():
            pass
    except httpx2.HTTPError:
        pass
    return time.monotonic() - started


# MARK: - The whole flow with the official SDK


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_sdk_client_authorizes_calls_refreshes_and_is_cut_off_by_revocation(gateway, mode):
    user = SDKUser(gateway.url, "eng")
    progress = []
    async with httpx2.AsyncClient(auth=user.provider, timeout=30) as http:
        try:
            async with Client(streamable_http_client(f"{gateway.url}/mcp/eng", http_client=http), mode=mode) as client:
                await authorize_refresh_and_revoke(gateway, user, client, progress)
        except BaseException as error:  # the SDK reports the refused re-authorization as an exception group
            if progress != ["revoked"] or isinstance(error, AssertionError):
                raise
    assert progress == ["revoked"], "a call after revocation succeeded"
    assert user.authorizations == 2
    tokens, client_info = user.storage.tokens, user.storage.client
    old = httpx2.post(f"{gateway.url}/mcp/eng", headers={"Authorization": f"Bearer {tokens.access_token}"},
                      json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
    assert old.status_code == 401
    assert 'error="invalid_token"' in old.headers["www-authenticate"]
    refresh = token(gateway.url, grant_type="refresh_token", refresh_token=tokens.refresh_token,
                    client_id=client_info.client_id, client_secret=client_info.client_secret or "")
    assert (refresh.status_code, refresh.json()["error"]) == (400, "invalid_grant")


async def authorize_refresh_and_revoke(gateway, user, client, progress):
    assert [tool.name for tool in (await client.list_tools()).tools] == ["demo__echo", "demo__slow"]
    result = await client.call_tool("demo__echo", {"text": "through oauth"})
    assert result.content[0].text == "through oauth"
    assert user.authorizations == 1

    # The SDK refreshes an expired access token with the rotating refresh token.
    first = user.storage.tokens
    user.provider.context.token_expiry_time = time.time() - 1
    result = await client.call_tool("demo__echo", {"text": "after refresh"})
    assert result.content[0].text == "after refresh"
    second = user.storage.tokens
    assert second.access_token != first.access_token and second.refresh_token != first.refresh_token
    assert user.authorizations == 1
    sessions = gateway.ctl("session", "list", "--user", "alice", "--endpoint", "eng")
    grant = next(s for s in sessions if s["client_id"] == user.storage.client.client_id)
    assert grant["client_name"] == "SDK test client"
    assert grant["last_used"] is not None and grant["last_address"] == "127.0.0.1"

    # An open event stream of this grant is closed within a second of the revocation.
    stream_client, stream = await anyio.to_thread.run_sync(open_event_stream, gateway.url, "eng", second.access_token)
    try:
        closed = anyio.Event()

        async def watch():
            await anyio.to_thread.run_sync(seconds_until_closed, stream)
            closed.set()
        async with anyio.create_task_group() as group:
            group.start_soon(watch)
            await anyio.sleep(0.3)
            assert not closed.is_set()
            revoked = gateway.ctl("session", "revoke", grant["id"])
            assert [s["id"] for s in revoked] == [grant["id"]]
            started = time.monotonic()
            with anyio.fail_after(5):
                await closed.wait()
            assert time.monotonic() - started < 1.0
    finally:
        stream.close()
        stream_client.close()

    # The next request is refused: the SDK's refresh fails and the user refuses to authorize again.
    user.deny = True
    progress.append("revoked")
    await client.call_tool("demo__echo", {"text": "after revoke"})
    progress.append("called after revocation")


# MARK: - Discovery


def test_unauthenticated_request_gets_401_pointing_at_resource_metadata(gateway):
    response = httpx2.post(f"{gateway.url}/mcp/eng", json={"jsonrpc": "2.0", "id": 1, "method": "initialize",
                                                           "params": {}})
    assert response.status_code == 401
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith("Bearer ")
    assert f'resource_metadata="{gateway.url}/.well-known/oauth-protected-resource/mcp/eng"' in challenge
    assert 'scope="mcp"' in challenge and "error=" not in challenge
    assert response.json()["error"]["code"] == -32600


def test_protected_resource_and_authorization_server_metadata(gateway):
    prm = httpx2.get(f"{gateway.url}/.well-known/oauth-protected-resource/mcp/eng").json()
    assert prm["resource"] == f"{gateway.url}/mcp/eng"
    assert prm["authorization_servers"] == [gateway.url]
    assert httpx2.get(f"{gateway.url}/.well-known/oauth-protected-resource/mcp/nope").status_code == 404
    for path in ("/.well-known/oauth-authorization-server",):
        metadata = httpx2.get(gateway.url + path).json()
        assert metadata["issuer"] == gateway.url
        assert metadata["code_challenge_methods_supported"] == ["S256"]
        assert "none" in metadata["token_endpoint_auth_methods_supported"]
        assert metadata["client_id_metadata_document_supported"] is True
        assert metadata["authorization_endpoint"] == gateway.url + "/oauth/authorize"
        assert metadata["token_endpoint"] == gateway.url + "/oauth/token"
        assert metadata["registration_endpoint"] == gateway.url + "/oauth/register"
        assert metadata["revocation_endpoint"] == gateway.url + "/oauth/revoke"


def test_no_openid_connect_discovery_is_published(gateway):
    """Issue 11, item 9: Sentinel issues no ID tokens, so it must not advertise OpenID Connect (ChatGPT then
    requires an ID token and fails); RFC 8414 metadata stays, without OIDC members."""
    for path in ("/.well-known/openid-configuration", "/.well-known/openid-configuration/mcp/eng"):
        assert httpx2.get(gateway.url + path).status_code == 404, path
    response = httpx2.get(f"{gateway.url}/.well-known/oauth-authorization-server")
    assert response.status_code == 200
    metadata = response.json()
    assert metadata["issuer"] == gateway.url and metadata["code_challenge_methods_supported"] == ["S256"]
    for oidc_only in ("jwks_uri", "id_token_signing_alg_values_supported", "userinfo_endpoint", "subject_types_supported"):
        assert oidc_only not in metadata
    assert "openid" not in metadata.get("scopes_supported", [])


# MARK: - Client registration


@pytest.mark.parametrize("uri", ["https://claude.ai/api/mcp/auth_callback", "https://claude.com/api/mcp/auth_callback",
                                 "https://chatgpt.com/connector/oauth/abc123", "http://localhost:33418/callback",
                                 "http://127.0.0.1/cb"])
def test_registration_accepts_real_client_callbacks(gateway, uri):
    reply = register(gateway.url, redirect_uris=[uri], client_name="Claude")
    assert reply.status_code == 201, reply.text
    body = reply.json()
    assert body["redirect_uris"] == [uri]
    assert body["registration_client_uri"] == f"{gateway.url}/oauth/register/{body['client_id']}"
    assert "client_secret" not in body
    read = httpx2.get(body["registration_client_uri"],
                      headers={"Authorization": f"Bearer {body['registration_access_token']}"})
    assert read.status_code == 200 and read.json()["client_id"] == body["client_id"]
    assert httpx2.get(body["registration_client_uri"]).status_code == 401
    # The consent page shows the client's name and where it sends the browser back to.
    _, challenge = pkce()
    page = httpx2.get(authorization_url(gateway.url, body["client_id"], challenge, "eng", redirect_uri=uri))
    assert page.status_code == 200
    assert "Claude" in page.text and urlhost(uri) in page.text and "2 enabled" in page.text


def urlhost(uri):
    from urllib.parse import urlparse
    return urlparse(uri).hostname


@pytest.mark.parametrize("uri", ["http://evil.example/cb", "ftp://127.0.0.1/cb", "https://claude.ai/cb#frag",
                                 "not a uri", "/relative", "http://127.attacker.example/cb",
                                 "https://claude.ai/cb?code=x"])
def test_registration_refuses_unsafe_redirect_uris(gateway, uri):
    reply = register(gateway.url, redirect_uris=[uri])
    assert reply.status_code == 400
    assert reply.json()["error"] == "invalid_redirect_uri"


def test_confidential_client_gets_a_secret_and_must_present_it(gateway):
    body = register(gateway.url, auth_method="client_secret_post").json()
    assert body["client_secret"].startswith("scs_")
    reply = token(gateway.url, grant_type="authorization_code", code="x", redirect_uri=CALLBACK,
                  client_id=body["client_id"], code_verifier="v" * 43)
    assert (reply.status_code, reply.json()["error"]) == (401, "invalid_client")
    reply = token(gateway.url, grant_type="authorization_code", code="x", redirect_uri=CALLBACK,
                  client_id=body["client_id"], client_secret="wrong", code_verifier="v" * 43)
    assert (reply.status_code, reply.json()["error"]) == (401, "invalid_client")
    reply = token(gateway.url, grant_type="authorization_code", code="x", redirect_uri=CALLBACK,
                  client_id=body["client_id"], client_secret=body["client_secret"], code_verifier="v" * 43)
    assert (reply.status_code, reply.json()["error"]) == (400, "invalid_grant")


def test_unknown_client_gets_invalid_client(gateway):
    reply = token(gateway.url, grant_type="refresh_token", refresh_token="srt_x", client_id="sc_unknown")
    assert (reply.status_code, reply.json()["error"]) == (401, "invalid_client")


# MARK: - Authorization and consent refusals


def test_redirect_uri_not_registered_is_shown_not_redirected(gateway):
    client_id = register(gateway.url).json()["client_id"]
    _, challenge = pkce()
    page = httpx2.get(authorization_url(gateway.url, client_id, challenge, "eng", redirect_uri="https://evil.example/cb"))
    assert page.status_code == 400
    assert "location" not in page.headers
    assert "is not registered for this client" in page.text


def test_authorization_request_errors_go_back_to_the_client(gateway):
    client_id = register(gateway.url).json()["client_id"]
    _, challenge = pkce()
    cases = [
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge": ""}, "invalid_request"),
        ({"resource": "https://elsewhere.example/mcp/eng"}, "invalid_target"),
        ({"resource": f"{gateway.url}/mcp/nope"}, "invalid_target"),
        ({"scope": "mcp admin"}, "invalid_scope"),
        ({"response_type": "token"}, "unsupported_response_type"),
    ]
    for extra, error in cases:
        response = httpx2.get(authorization_url(gateway.url, client_id, challenge, "eng", **extra))
        assert response.status_code == 302, (extra, response.text)
        parameters = redirect_parameters(response)
        assert parameters["error"] == error, extra
        assert parameters["state"] == "st4te" and parameters["iss"] == gateway.url


def test_user_not_on_the_access_list_can_sign_in_but_is_refused_consent(gateway):
    client_id = register(gateway.url).json()["client_id"]
    _, challenge = pkce()
    browser = Browser(gateway.url)
    page = browser.sign_in(authorization_url(gateway.url, client_id, challenge, "eng"), "bob", PASSWORD)
    assert page.status_code == 403
    assert "Your account bob is not allowed to use endpoint eng" in page.text
    assert "sentinelctl endpoint allow eng --user bob" in page.text


def test_group_membership_admits_and_leaving_the_group_revokes(gateway):
    flow = Flow(gateway.url, "ops", "carol", PASSWORD)
    assert flow.mcp().status_code == 200
    # carol is not on eng's list
    _, challenge = pkce()
    page = Browser(gateway.url).sign_in(authorization_url(gateway.url, flow.client_id, challenge, "eng"), "carol", PASSWORD)
    assert page.status_code == 403
    gateway.ctl("user", "update", "carol", "--remove-group", "oncall")
    try:
        response = flow.mcp()
        assert response.status_code == 401 and 'error="invalid_token"' in response.headers["www-authenticate"]
    finally:
        gateway.ctl("user", "update", "carol", "--add-group", "oncall")


def test_consent_without_csrf_token_is_refused(gateway):
    client_id = register(gateway.url).json()["client_id"]
    _, challenge = pkce()
    url = authorization_url(gateway.url, client_id, challenge, "eng")
    browser = Browser(gateway.url)
    page = browser.open(url)
    # Sign-in without the token
    from oauth_flow import form_with
    fields = dict(form_with(page.text, "signin")["fields"])
    fields.pop("csrf_token")
    response = browser.http.post("/oauth/authorize", data={**fields, "action": "signin", "username": "alice",
                                                           "password": PASSWORD})
    assert response.status_code == 403 and "CSRF" in response.text
    # Approve without (and with a wrong) token after a proper sign-in
    consent = browser.sign_in(url, "alice", PASSWORD)
    fields = dict(form_with(consent.text, "approve")["fields"])
    for bad in (None, "forged"):
        data = {**fields, "action": "approve"}
        if bad is None:
            data.pop("csrf_token")
        else:
            data["csrf_token"] = bad
        response = browser.http.post("/oauth/authorize", data=data)
        assert response.status_code == 403 and "CSRF" in response.text
        assert "location" not in response.headers


def test_denying_consent_redirects_with_access_denied(gateway):
    client_id = register(gateway.url).json()["client_id"]
    _, challenge = pkce()
    url = authorization_url(gateway.url, client_id, challenge, "eng")
    browser = Browser(gateway.url)
    consent = browser.sign_in(url, "alice", PASSWORD)
    response = browser.submit(consent.text, "deny")
    assert response.status_code == 303
    parameters = redirect_parameters(response)
    assert (parameters["error"], parameters["state"]) == ("access_denied", "st4te")


def test_failed_sign_ins_are_slowed_down_per_account(gateway):
    gateway.ctl("user", "add", "dave", input=PASSWORD + "\n")
    gateway.ctl("endpoint", "allow", "eng", "--user", "dave")
    client_id = register(gateway.url).json()["client_id"]
    _, challenge = pkce()
    url = authorization_url(gateway.url, client_id, challenge, "eng")
    browser = Browser(gateway.url)
    for _ in range(5):
        page = browser.sign_in(url, "dave", "wrong password")
        assert page.status_code == 401 and "not correct" in page.text
    page = browser.sign_in(url, "dave", PASSWORD)
    assert page.status_code == 429 and "Too many failed sign-ins" in page.text
    time.sleep(1.2)
    assert browser.sign_in(url, "dave", PASSWORD).status_code == 200


# MARK: - Token endpoint refusals


def test_wrong_pkce_verifier_is_invalid_grant(gateway):
    flow_client = register(gateway.url).json()["client_id"]
    verifier, challenge = pkce()
    parameters = Browser(gateway.url).approve(authorization_url(gateway.url, flow_client, challenge, "eng"), "alice", PASSWORD)
    assert parameters["iss"] == gateway.url and parameters["state"] == "st4te"
    reply = token(gateway.url, grant_type="authorization_code", code=parameters["code"], redirect_uri=CALLBACK,
                  client_id=flow_client, code_verifier=pkce()[0])
    assert (reply.status_code, reply.json()["error"]) == (400, "invalid_grant")
    assert "PKCE" in reply.json()["error_description"]
    # A wrong verifier does not burn the code: whoever saw the code cannot spoil the real client's exchange.
    genuine = token(gateway.url, grant_type="authorization_code", code=parameters["code"], redirect_uri=CALLBACK,
                    client_id=flow_client, code_verifier=verifier)
    assert genuine.status_code == 200, genuine.text


def test_reused_code_is_invalid_grant_and_revokes_its_session(gateway):
    flow = Flow(gateway.url, "eng", "alice", PASSWORD)
    assert flow.mcp().status_code == 200
    again = token(gateway.url, grant_type="authorization_code", code=flow.code, redirect_uri=CALLBACK,
                  client_id=flow.client_id, code_verifier=flow.verifier)
    assert (again.status_code, again.json()["error"]) == (400, "invalid_grant")
    response = flow.mcp()
    assert response.status_code == 401 and 'error="invalid_token"' in response.headers["www-authenticate"]


def test_code_redeemed_by_another_client_or_with_another_redirect_is_invalid_grant(gateway):
    client_id = register(gateway.url).json()["client_id"]
    other = register(gateway.url).json()["client_id"]
    verifier, challenge = pkce()
    code = Browser(gateway.url).approve(authorization_url(gateway.url, client_id, challenge, "eng"), "alice", PASSWORD)["code"]
    reply = token(gateway.url, grant_type="authorization_code", code=code, redirect_uri=CALLBACK, client_id=other,
                  code_verifier=verifier)
    assert (reply.status_code, reply.json()["error"]) == (400, "invalid_grant")


def test_resource_at_token_must_be_the_granted_endpoint(gateway):
    client_id = register(gateway.url).json()["client_id"]
    verifier, challenge = pkce()
    code = Browser(gateway.url).approve(authorization_url(gateway.url, client_id, challenge, "eng"), "alice", PASSWORD)["code"]
    reply = token(gateway.url, grant_type="authorization_code", code=code, redirect_uri=CALLBACK, client_id=client_id,
                  code_verifier=verifier, resource=f"{gateway.url}/mcp/ops")
    assert (reply.status_code, reply.json()["error"]) == (400, "invalid_target")


def test_token_for_endpoint_a_is_refused_on_endpoint_b(gateway):
    flow = Flow(gateway.url, "eng", "alice", PASSWORD)
    assert flow.mcp("eng").status_code == 200
    response = flow.mcp("ops")
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
    assert "another endpoint" in response.json()["error"]["message"]


def test_missing_malformed_and_unknown_bearer_tokens(gateway):
    flow = Flow(gateway.url, "eng", "alice", PASSWORD)
    missing = flow.mcp(access_token="")
    assert missing.status_code == 401 and "error=" not in missing.headers["www-authenticate"]
    for bad in (flow.access_token + "x", "sat_" + "A" * 43):
        response = flow.mcp(access_token=bad)
        assert response.status_code == 401 and 'error="invalid_token"' in response.headers["www-authenticate"]
    basic = httpx2.post(f"{gateway.url}/mcp/eng", headers={"Authorization": "Basic YWxpY2U6cHc="},
                        json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
    assert basic.status_code == 401


def test_token_without_mcp_scope_gets_403_insufficient_scope(gateway):
    client_id = register(gateway.url).json()["client_id"]
    verifier, challenge = pkce()
    code = Browser(gateway.url).approve(
        authorization_url(gateway.url, client_id, challenge, "eng", scope="offline_access"), "alice", PASSWORD)["code"]
    tokens = token(gateway.url, grant_type="authorization_code", code=code, redirect_uri=CALLBACK, client_id=client_id,
                   code_verifier=verifier).json()
    assert tokens["scope"] == "offline_access"
    response = httpx2.post(f"{gateway.url}/mcp/eng", headers={"Authorization": f"Bearer {tokens['access_token']}"},
                           json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
    assert response.status_code == 403
    assert 'error="insufficient_scope"' in response.headers["www-authenticate"]


def test_expired_grant_is_refused_and_cannot_be_refreshed(gateway):
    flow = Flow(gateway.url, "eng", "alice", PASSWORD)
    grant = next(s for s in gateway.ctl("session", "list", "--user", "alice") if s["client_id"] == flow.client_id)
    db = sqlite3.connect(gateway.database())
    with db:
        db.execute("UPDATE grants SET expires_at = '2020-01-01 00:00:00.000' WHERE id = ?", (grant["id"],))
    db.close()
    response = flow.mcp()
    assert response.status_code == 401 and 'error="invalid_token"' in response.headers["www-authenticate"]
    refresh = flow.refresh()
    assert (refresh.status_code, refresh.json()["error"]) == (400, "invalid_grant")
    assert grant["id"] not in [s["id"] for s in gateway.ctl("session", "list")]


def test_tampered_refresh_token_is_invalid_grant(gateway):
    flow = Flow(gateway.url, "eng", "alice", PASSWORD)
    tampered = flow.tokens["refresh_token"][:-2] + ("AA" if not flow.tokens["refresh_token"].endswith("AA") else "BB")
    reply = flow.refresh(tampered)
    assert (reply.status_code, reply.json()["error"]) == (400, "invalid_grant")
    assert flow.refresh().status_code == 200  # the genuine one still works


def test_refresh_token_reuse_revokes_the_session(gateway):
    flow = Flow(gateway.url, "eng", "alice", PASSWORD)
    first = flow.tokens["refresh_token"]
    rotated = flow.refresh()
    assert rotated.status_code == 200
    new = rotated.json()
    assert new["refresh_token"] != first
    assert flow.mcp(access_token=new["access_token"]).status_code == 200
    reuse = flow.refresh(first)
    assert (reuse.status_code, reuse.json()["error"]) == (400, "invalid_grant")
    assert "revoked" in reuse.json()["error_description"]
    # The whole session is gone: the newest tokens stop working too.
    assert flow.mcp(access_token=new["access_token"]).status_code == 401
    assert flow.refresh(new["refresh_token"]).json()["error"] == "invalid_grant"


def test_rfc7009_revocation_of_a_refresh_token_ends_the_session(gateway):
    flow = Flow(gateway.url, "eng", "alice", PASSWORD)
    assert flow.mcp().status_code == 200
    reply = httpx2.post(gateway.url + "/oauth/revoke", data={"token": flow.tokens["refresh_token"], "client_id": flow.client_id})
    assert reply.status_code == 200
    assert flow.mcp().status_code == 401
    unknown = httpx2.post(gateway.url + "/oauth/revoke", data={"token": "nonsense", "client_id": flow.client_id})
    assert unknown.status_code == 200


def test_session_list_and_revoke_by_user_and_endpoint(gateway):
    flows = [Flow(gateway.url, "ops", "alice", PASSWORD), Flow(gateway.url, "ops", "carol", PASSWORD)]
    listed = gateway.ctl("session", "list", "--endpoint", "ops")
    mine = {s["client_id"]: s for s in listed}
    for flow in flows:
        session = mine[flow.client_id]
        assert session["endpoint"] == "ops" and session["client_name"] == "Test client"
        assert session["expires"] > session["created"]
    table = gateway.ctl("session", "list", "--endpoint", "ops", json_output=False)
    assert "alice" in table and "carol" in table
    revoked = gateway.ctl("session", "revoke", "--endpoint", "ops")
    assert {s["client_id"] for s in revoked} >= {f.client_id for f in flows}
    for flow in flows:
        assert flow.mcp().status_code == 401
    bad = gateway.ctl("session", "revoke", "--user", "nobody", check=False, json_output=False)
    assert bad.returncode != 0 and "nobody" in bad.stderr


def test_denying_a_user_revokes_their_sessions_on_that_endpoint(gateway):
    gateway.ctl("user", "add", "erin", input=PASSWORD + "\n")
    gateway.ctl("endpoint", "allow", "eng", "--user", "erin")
    flow = Flow(gateway.url, "eng", "erin", PASSWORD)
    assert flow.mcp().status_code == 200
    reply = gateway.ctl("endpoint", "deny", "eng", "--user", "erin")
    assert [s["user"] for s in reply["revoked"]] == ["erin"]
    assert "erin" not in reply["endpoint"]["allowed_users"]
    assert flow.mcp().status_code == 401


# MARK: - Secrets at rest


def test_store_holds_no_token_password_or_client_secret_in_plain_text(gateway):
    confidential = register(gateway.url, auth_method="client_secret_basic").json()
    flow = Flow(gateway.url, "eng", "alice", PASSWORD)
    refreshed = flow.refresh().json()
    browser = Browser(gateway.url)
    _, challenge = pkce()
    browser.sign_in(authorization_url(gateway.url, flow.client_id, challenge, "eng"), "alice", PASSWORD)
    cookie = browser.http.cookies.get("sentinel_signin")
    assert cookie
    # Copy the database with its WAL so nothing written is missed.
    blob = b""
    for suffix in ("", "-wal"):
        path = str(gateway.database()) + suffix
        if os.path.exists(path):
            blob += open(path, "rb").read()
    secrets_in_play = [PASSWORD, flow.code, flow.tokens["access_token"], flow.tokens["refresh_token"],
                       refreshed["access_token"], refreshed["refresh_token"], confidential["client_secret"],
                       confidential["registration_access_token"], cookie]
    for secret in secrets_in_play:
        assert secret.encode() not in blob, f"{secret[:8]}… is stored in plain text"
    # What is stored is the SHA-256.
    import hashlib
    assert hashlib.sha256(refreshed["access_token"].encode()).hexdigest().encode() in blob


# MARK: - Client-ID metadata documents


class _Document(http.server.BaseHTTPRequestHandler):
    body = b""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


def serve_document(document_for_url):
    port = free_port()
    url = f"http://127.0.0.1:{port}/oauth/client.json"
    handler = type("Handler", (_Document,), {"body": json.dumps(document_for_url(url)).encode()})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, url


def test_client_id_metadata_document_is_fetched_and_used(workdir):
    root = workdir
    config = root / "sentineld.conf"
    config.write_text("[OAuth]\nClientMetadataPrivateTargets=yes\n")
    d = Daemon(root, config=config).start()
    server, url = serve_document(lambda url: {"client_id": url, "client_name": "Metadata Doc Client",
                                              "redirect_uris": [CALLBACK], "token_endpoint_auth_method": "none"})
    try:
        d.ctl("server", "add", "demo", "--", DEMO_SERVER)
        d.ctl("endpoint", "create", "eng", "--server", "demo")
        d.ctl("endpoint", "enable", "eng", "demo/echo")
        d.ctl("user", "add", "alice", input=PASSWORD + "\n")
        d.ctl("endpoint", "allow", "eng", "--user", "alice")
        verifier, challenge = pkce()
        parameters = Browser(d.url).approve(authorization_url(d.url, url, challenge, "eng"), "alice", PASSWORD)
        tokens = token(d.url, grant_type="authorization_code", code=parameters["code"], redirect_uri=CALLBACK,
                       client_id=url, code_verifier=verifier)
        assert tokens.status_code == 200, tokens.text
        assert [s["client_name"] for s in d.ctl("session", "list")] == ["Metadata Doc Client"]
        # A document over 64 KiB is refused (the transfer is cut off, not read to its end).
        big, big_url = serve_document(lambda url: {"client_id": url, "client_name": "x" * 200_000,
                                                   "redirect_uris": [CALLBACK]})
        try:
            page = httpx2.get(authorization_url(d.url, big_url, challenge, "eng"))
            assert page.status_code == 400 and "larger than 65536 bytes" in page.text, page.text
        finally:
            big.shutdown()
    finally:
        server.shutdown()
        d.stop()


def test_client_metadata_from_loopback_is_refused_by_default(gateway):
    server, url = serve_document(lambda url: {"client_id": url, "client_name": "Sneaky",
                                              "redirect_uris": [CALLBACK]})
    try:
        _, challenge = pkce()
        page = httpx2.get(authorization_url(gateway.url, url, challenge, "eng"))
        assert page.status_code == 400
        assert "Unknown application" in page.text
    finally:
        server.shutdown()


def test_one_users_cancellation_cannot_stop_another_users_call(gateway):
    """notifications/cancelled names a request id; ids are small integers, so they must be matched per grant."""
    import threading
    alice = Flow(gateway.url, "eng", "alice", PASSWORD)
    other = Flow(gateway.url, "eng", "alice", PASSWORD)  # another grant (another client) on the same endpoint
    headers = {"Accept": "application/json, text/event-stream"}
    outcome = {}

    def slow_call():
        response = httpx2.post(f"{gateway.url}/mcp/eng", timeout=30,
                               headers={**headers, "Authorization": f"Bearer {alice.access_token}"},
                               json={"jsonrpc": "2.0", "id": 7, "method": "tools/call",
                                     "params": {"name": "demo__slow", "arguments": {"seconds": 1, "steps": 1}}})
        outcome["body"] = response.text
    thread = threading.Thread(target=slow_call)
    thread.start()
    import time as clock
    clock.sleep(0.3)
    cancel = httpx2.post(f"{gateway.url}/mcp/eng", headers={**headers, "Authorization": f"Bearer {other.access_token}"},
                         json={"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 7}})
    assert cancel.status_code == 202
    thread.join(10)
    assert "done after 1 s" in outcome["body"], outcome


def test_a_stream_of_a_grant_revoked_behind_the_cache_ends_at_once(gateway):
    """The bearer check may answer from its cache for a moment; an event stream re-reads the grant once registered."""
    flow = Flow(gateway.url, "eng", "alice", PASSWORD)
    assert flow.mcp().status_code == 200  # the token is now cached
    grant = next(s for s in gateway.ctl("session", "list", "--user", "alice") if s["client_id"] == flow.client_id)
    db = sqlite3.connect(gateway.database())
    with db:  # revoked in the store without telling the daemon (as another sentineld sharing the store would)
        db.execute("UPDATE grants SET revoked_at = '2020-01-01 00:00:00.000' WHERE id = ?", (grant["id"],))
    db.close()
    client, stream = open_event_stream(gateway.url, "eng", flow.access_token, read_timeout=3)
    try:
        assert seconds_until_closed(stream) < 1.0  # an open stream would run into the 3 s read timeout
    finally:
        stream.close()
        client.close()


def test_user_groups_and_display_name_through_sentinelctl(gateway):
    gateway.ctl("user", "add", "frank", "--group", "ops", "--group", "eng", input=PASSWORD + "\n")
    frank = next(u for u in gateway.ctl("user", "list") if u["name"] == "frank")
    assert frank["groups"] == ["eng", "ops"]
    updated = gateway.ctl("user", "update", "frank", "--display-name", "Frank F", "--remove-group", "ops",
                          "--add-group", "dev")
    assert (updated["display_name"], updated["groups"]) == ("Frank F", ["dev", "eng"])
    table = gateway.ctl("user", "list", json_output=False)
    assert "dev,eng" in table
    bad = gateway.ctl("user", "update", "frank", check=False, json_output=False)
    assert bad.returncode != 0 and "nothing to change" in bad.stderr
    bad = gateway.ctl("endpoint", "allow", "eng", check=False, json_output=False)
    assert bad.returncode != 0 and "--user or --group" in bad.stderr
    bad = gateway.ctl("endpoint", "allow", "eng", "--user", "ghost", check=False, json_output=False)
    assert bad.returncode != 0 and "ghost" in bad.stderr
