"""Hostile input on the data plane, through the real sentineld: request bodies that are not UTF-8 JSON are refused at
once (-32700, HTTP 400) instead of reaching an upstream, and upstream answers that cannot be routed by id (an error with
"id": null, text that is not UTF-8, an HTTP 400) fail the call they belong to at once, or are counted as protocol
faults of that server when they belong to no single call."""

import http.client
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import BUILD, Daemon, short_tempdir, wait_for

DEMO_SERVER = str(BUILD / "sentinel-demo-server")
FIXTURE = str(Path(__file__).parent / "fixtures" / "hostile_upstream.py")
PARSE_ERROR = -32700
UPSTREAM_UNAVAILABLE = -31003
TIMEOUT = -31001
HEADERS = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream",
           "MCP-Protocol-Version": "2025-11-25"}


@pytest.fixture(scope="module")
def gateway():
    """One sentineld, endpoint `open` (no auth) over the demo server and the hostile fixture (stdio and HTTP)."""
    root = short_tempdir()
    daemon = Daemon(root).start()
    http_dir = root / "http-upstream"
    http_dir.mkdir()
    upstream = subprocess.Popen([sys.executable, FIXTURE, "--http", "--dir", str(http_dir)])
    try:
        port = wait_for(lambda: (http_dir / "port").exists() and (http_dir / "port").read_text(), 10, "the http fixture")
        daemon.ctl("server", "add", "demo", "--", DEMO_SERVER)
        daemon.ctl("server", "add", "hostile", "--call-timeout", "30", "--", sys.executable, FIXTURE, "--stdio")
        daemon.ctl("server", "add", "crowded", "--call-timeout", "2", "--", sys.executable, FIXTURE, "--stdio")
        daemon.ctl("server", "add", "remote", "--call-timeout", "30", "--url", f"http://127.0.0.1:{port}/mcp")
        daemon.ctl("endpoint", "create", "open", "--no-auth",
                   "--server", "demo", "--server", "hostile", "--server", "crowded", "--server", "remote")
        daemon.ctl("endpoint", "enable", "open", "demo/echo", "hostile/null_id_error", "hostile/bad_utf8",
                   "hostile/echo", "crowded/slow", "crowded/null_id_error", "remote/null_id_error", "remote/plain_400",
                   "remote/echo")
        yield daemon
    finally:
        daemon.stop()
        upstream.kill()
        upstream.wait()
        shutil.rmtree(root, ignore_errors=True)


def post(daemon, body, timeout=10):
    """POSTs `body` (bytes) to the endpoint; returns (status, the JSON-RPC message of the answer, seconds taken)."""
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", daemon.port, timeout=timeout)
    try:
        connection.request("POST", "/mcp/open", body=body, headers=HEADERS)
        response = connection.getresponse()
        status, data = response.status, response.read()
    finally:
        connection.close()
    elapsed = time.monotonic() - started
    if data.startswith(b"{"):
        return status, json.loads(data), elapsed
    # An event stream: the answer is the last data line.
    lines = [line[5:] for line in data.decode().splitlines() if line.startswith("data:") and line[5:].strip()]
    return status, json.loads(lines[-1]), elapsed


def call_body(request_id, tool, arguments_text=b"{}"):
    """A tools/call body whose arguments are the given raw bytes (so they can be anything)."""
    return (b'{"jsonrpc":"2.0","id":' + str(request_id).encode() + b',"method":"tools/call","params":{"name":"'
            + tool.encode() + b'","arguments":' + arguments_text + b'}}')


BAD_BODIES = {
    "bytes that are not UTF-8": call_body(1, "demo__echo", b'{"text":"bad\xff\xfe"}'),
    "a UTF-8-encoded surrogate": call_body(2, "demo__echo", b'{"text":"\xed\xa0\x80"}'),
    "an escaped lone surrogate": call_body(3, "demo__echo", b'{"text":"\\ud800"}'),
    "an overlong form deep in a nested value": call_body(4, "demo__echo", b'{"text":"x","n":[{"d":["\xc0\xaf"]}]}'),
}


@pytest.mark.parametrize("kind", BAD_BODIES)
def test_a_body_that_is_not_utf8_json_is_a_parse_error_at_once(gateway, kind):
    status, message, elapsed = post(gateway, BAD_BODIES[kind], timeout=5)
    assert status == 400, message
    assert message["error"]["code"] == PARSE_ERROR and message["id"] is None
    assert elapsed < 1, f"{kind}: answered after {elapsed:.2f} s"


def test_a_hundred_bad_bodies_leave_the_endpoint_serving(gateway):
    bodies = list(BAD_BODIES.values())
    for index in range(100):
        status, message, elapsed = post(gateway, bodies[index % len(bodies)], timeout=5)
        assert status == 400 and message["error"]["code"] == PARSE_ERROR and elapsed < 1
    status, message, elapsed = post(gateway, call_body(9, "demo__echo", b'{"text":"still here \xc3\xa9"}'))
    assert status == 200 and message["result"]["structuredContent"] == {"text": "still here é"}
    assert elapsed < 1


def test_stdio_error_without_id_fails_the_one_call_in_flight_at_once(gateway):
    status, message, elapsed = post(gateway, call_body(10, "hostile__null_id_error"))
    assert status == 200
    assert message["id"] == 10
    assert message["error"] == {"code": PARSE_ERROR, "message": "Parse error: hostile fixture"}
    assert elapsed < 5, f"the call waited {elapsed:.1f} s (call timeout 30 s)"


def test_stdio_answer_that_is_not_utf8_fails_its_call_at_once(gateway):
    status, message, elapsed = post(gateway, call_body(11, "hostile__bad_utf8"))
    assert status == 200
    assert message["id"] == 11 and message["error"]["code"] == UPSTREAM_UNAVAILABLE
    assert "UTF-8" in message["error"]["message"]
    assert elapsed < 5, f"the call waited {elapsed:.1f} s (call timeout 30 s)"
    # The connection still serves.
    status, message, _ = post(gateway, call_body(12, "hostile__echo", b'{"text":"ok"}'))
    assert message["result"]["content"][0]["text"] == "ok"
    assert gateway.ctl("server", "show", "hostile")["protocol_faults"] == 1


def test_stdio_error_without_id_among_several_calls_is_a_counted_protocol_fault(gateway):
    assert gateway.ctl("server", "show", "crowded")["protocol_faults"] == 0
    slow = {}
    thread = threading.Thread(target=lambda: slow.update(answer=post(gateway, call_body(20, "crowded__slow",
                                                                                        b'{"seconds":1.5}'))))
    thread.start()
    time.sleep(0.5)  # the slow call is in flight: the error below cannot be told apart
    status, message, elapsed = post(gateway, call_body(21, "crowded__null_id_error"))
    thread.join()
    assert message["error"]["code"] == TIMEOUT, message
    assert slow["answer"][1]["result"]["content"][0]["text"] == "slept"
    assert gateway.ctl("server", "show", "crowded")["protocol_faults"] == 1
    shown = gateway.ctl("server", "show", "crowded", json_output=False)
    assert "Protocol faults" in shown
    log = gateway.log.read_text()
    assert "without an id, with 2 requests in flight" in log


def test_http_400_with_a_json_rpc_error_fails_the_call_with_that_error(gateway):
    status, message, elapsed = post(gateway, call_body(30, "remote__null_id_error"))
    assert message["id"] == 30
    assert message["error"] == {"code": PARSE_ERROR, "message": "Parse error: hostile fixture"}
    assert elapsed < 5


def test_http_400_without_a_json_rpc_error_is_a_refusal_not_a_protocol_fault(gateway):
    status, message, elapsed = post(gateway, call_body(31, "remote__plain_400"))
    assert message["id"] == 31 and message["error"]["code"] == UPSTREAM_UNAVAILABLE
    text = message["error"]["message"]
    assert "refused the request with HTTP 400: Bad Request" in text and "broke the MCP protocol" not in text
    status, message, _ = post(gateway, call_body(32, "remote__echo", b'{"text":"fine"}'))
    assert message["result"]["content"][0]["text"] == "fine"
    assert gateway.ctl("server", "show", "remote")["protocol_faults"] == 0
