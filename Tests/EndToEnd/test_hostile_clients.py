"""The hostile-client suite through the real sentineld: malformed JSON, oversized bodies, deep nesting, odd ids and
odd envelopes, each sent from one loopback address, and after each a normal call from another address on the same
endpoint answers within a second and the control socket answers too. (Slowloris, idle connections and stalled calls
are in test_connection_limits.py; bodies that are not UTF-8 in test_hostile_input.py.)"""

import json
import shutil
import socket
import subprocess
import threading
import time

import pytest

from conftest import BUILD, SENTINELCTL, Daemon, short_tempdir

DEMO_SERVER = str(BUILD / "sentinel-demo-server")
MAX_BODY = 4 * 1024 * 1024  # [HTTP] MaxRequestBytes' default


@pytest.fixture(scope="module")
def gateway():
    root = short_tempdir()
    daemon = Daemon(root).start()
    try:
        daemon.ctl("server", "add", "demo", "--", DEMO_SERVER)
        daemon.ctl("endpoint", "create", "open", "--no-auth", "--server", "demo")
        daemon.ctl("endpoint", "enable", "open", "demo/echo")
        yield daemon
    finally:
        daemon.stop()
        shutil.rmtree(root, ignore_errors=True)


def exchange(port, body, source="127.0.0.1", content_type="application/json", timeout=10):
    """One POST on a fresh connection bound to `source`; returns (status, parsed JSON body or None)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout, source_address=(source, 0)) as s:
        head = (f"POST /mcp/open HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
                f"Accept: application/json, text/event-stream\r\nContent-Length: {len(body)}\r\n"
                "Connection: close\r\n\r\n").encode()
        def send():
            try:
                s.sendall(head + body)
            except OSError:
                pass  # the server may answer (413) and close before it has read a huge body
        # Sent beside the reading: a server that answers 413 early stops reading, and sendall would block.
        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        data = b""
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            data += chunk
    header, _, payload = data.partition(b"\r\n\r\n")
    status = int(header.split(b" ", 2)[1])
    return status, (json.loads(payload) if payload.startswith(b"{") else None)


def call(request_id, arguments=b'{"text":"hi"}', tool=b"demo__echo"):
    return (b'{"jsonrpc":"2.0","id":' + request_id + b',"method":"tools/call","params":{"name":"' + tool
            + b'","arguments":' + arguments + b"}}")


def still_serving(daemon):
    """Another caller's normal call and `sentinelctl status` both answer within a second."""
    started = time.monotonic()
    status, message = exchange(daemon.port, call(b"1", b'{"text":"after"}'), source="127.0.0.2", timeout=5)
    elapsed = time.monotonic() - started
    assert status == 200 and message["result"]["structuredContent"] == {"text": "after"}, message
    assert elapsed < 1, f"a normal call took {elapsed:.2f} s"
    started = time.monotonic()
    subprocess.run([str(SENTINELCTL), "--address", f"unix:{daemon.socket}", "status"], check=True,
                   capture_output=True, timeout=5)
    elapsed = time.monotonic() - started
    assert elapsed < 1, f"sentinelctl status took {elapsed:.2f} s"
    assert daemon.process.poll() is None


DEEP = 100_000
HOSTILE = {
    # name: (body, expected HTTP status, expected JSON-RPC error code or None for no JSON body)
    "truncated JSON": (b'{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"demo__e', 400, -32700),
    "not JSON at all": (b"\x00\x01GET / HTTP/1.0\r\n", 400, -32700),
    "trailing garbage": (call(b"1") + b"}}}", 400, -32700),
    "an empty body": (b"", 400, -32700),
    "a bare number": (b"42", 400, -32600),
    "a string instead of an object": (b'"tools/call"', 400, -32600),
    "deep nesting in the arguments": (call(b"1", b'{"a":' + b"[" * DEEP + b"]" * DEEP + b"}"), 400, -32700),
    "deep nesting at the top": (b"[" * DEEP + b"]" * DEEP, 400, None),
    "a body over MaxRequestBytes (25 MiB)": (call(b"1", b'{"text":"' + b"x" * (25 * 1024 * 1024) + b'"}'), 413, None),
    "an object as id": (call(b'{"a":1}'), 400, -32600),
    "an array as id": (call(b"[1,2]"), 400, -32600),
    "true as id": (call(b"true"), 400, -32600),
    "a number beyond 64 bits as id": (call(b"123456789012345678901234567890"), 200, None),
    "a 64 KiB string id": (call(b'"' + b"i" * 65536 + b'"'), 200, None),
    "method that is not a string": (b'{"jsonrpc":"2.0","id":1,"method":7}', 400, -32600),
    "wrong jsonrpc version": (b'{"jsonrpc":"1.0","id":1,"method":"tools/list"}', 400, -32600),
    "params that are an array": (b'{"jsonrpc":"2.0","id":1,"method":"tools/call","params":[1]}', 200, -32602),
    "arguments that are a string": (call(b"1", b'"x"'), 200, -32602),
    "a tool name that is a number": (b'{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":5}}', 200, -32602),
    "a million-member object": (call(b"1", b"{" + b",".join(b'"k%d":0' % i for i in range(1_000_000)) + b"}"), 413, None),
}


@pytest.mark.parametrize("kind", HOSTILE)
def test_hostile_request_gets_a_clear_answer_and_the_endpoint_keeps_serving(gateway, kind):
    body, expected_status, expected_code = HOSTILE[kind]
    status, message = exchange(gateway.port, body)
    assert status == expected_status, (kind, status, message)
    if expected_code is not None:
        assert message is not None and message["error"]["code"] == expected_code, (kind, message)
    still_serving(gateway)


def test_a_wrong_content_type_is_415_and_the_endpoint_keeps_serving(gateway):
    status, _ = exchange(gateway.port, call(b"1"), content_type="text/plain")
    assert status == 415
    still_serving(gateway)
