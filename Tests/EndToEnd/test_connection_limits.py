"""Connections a hostile or careless client holds cannot take sentineld down (issue 11, defect 2).

Through the real sentineld: deadlines for headers (slowloris), bodies and idle keep-alive connections; a cap per
client address and a global one, each answered with 503 + Retry-After; the global cap derived from the open-file
limit (sentineld started through `prlimit`) so that the control socket keeps answering; each caller's share of an
endpoint's concurrent calls; trusted reverse proxies; and the control socket's own small items (group ownership,
half-closed clients, its connection cap). Client sockets are bound to 127.0.0.N to spread connections over
addresses.
"""

import json
import os
import resource
import select
import socket
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from conftest import (run_journal_scenario, SENTINELCTL, SENTINELD, BUILD, Daemon, free_port, journal_entries, require_root,
                      unix_group_with_member, wait_for)

HERE = Path(__file__).parent
DEMO_SERVER = BUILD / "sentinel-demo-server"

# The suite itself holds over a thousand sockets.
_soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
if _soft < 4096 and (_hard == resource.RLIM_INFINITY or _hard >= 4096):
    resource.setrlimit(resource.RLIMIT_NOFILE, (4096, _hard))


def write_config(workdir, text):
    path = Path(workdir) / "sentineld.conf"
    path.write_text(textwrap.dedent(text))
    return path


class LimitedDaemon(Daemon):
    """A Daemon started through `prlimit --nofile=SOFT:HARD`."""

    def __init__(self, root, nofile, **kwargs):
        super().__init__(root, **kwargs)
        self.nofile = nofile

    def command(self):
        return ["prlimit", f"--nofile={self.nofile}", "--", *super().command()]


def connect(port, source="127.0.0.1"):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((source, 0))
    s.connect(("127.0.0.1", port))
    return s


def spread(index):
    """A loopback source address for the index-th connection: 127.0.1.x .. over many addresses."""
    return f"127.0.{1 + index // 50}.{1 + index % 50}"


def readable(s):
    """Whether `s` has data or an end of stream to read now (poll: select() stops at descriptor 1024)."""
    poller = select.poll()
    poller.register(s, select.POLLIN)
    return bool(poller.poll(0))


def closed_now(s):
    """Whether the server has closed `s`: an end of stream, or a reset (our bytes crossed its close)."""
    if not readable(s):
        return False
    try:
        return not s.recv(100)
    except ConnectionResetError:
        return True


def request_bytes(method, path, body=b"", headers=()):
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", *headers]
    if body:
        lines += ["Content-Type: application/json", "Accept: application/json, text/event-stream",
                  f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def read_response(s, timeout=5.0):
    """Reads one HTTP/1.1 response with a Content-Length body; returns (status, headers, body) or None on close."""
    s.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        try:
            chunk = s.recv(65536)
        except (ConnectionResetError, socket.timeout):
            return None
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = s.recv(65536)
        if not chunk:
            break
        body += chunk
    return status, headers, body


def closed_by_peer(s, timeout):
    """Whether the server closes `s` within `timeout` seconds (data before the close is ignored)."""
    s.settimeout(timeout)
    try:
        while True:
            if not s.recv(65536):
                return True
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def call_body(id, tool, arguments):
    return json.dumps({"jsonrpc": "2.0", "id": id, "method": "tools/call",
                       "params": {"name": tool, "arguments": arguments}}).encode()


def status_within(daemon, seconds):
    started = time.monotonic()
    result = subprocess.run([str(SENTINELCTL), "--address", daemon.address, "--json", "status"],
                            capture_output=True, text=True, timeout=30)
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert elapsed < seconds, f"sentinelctl status took {elapsed:.2f} s"
    return json.loads(result.stdout)


def healthz(port, source="127.0.0.1"):
    with connect(port, source) as s:
        s.sendall(request_bytes("GET", "/healthz"))
        return read_response(s)


# MARK: - Deadlines


def test_slowloris_headers_are_closed_at_the_header_deadline(workdir):
    config = write_config(workdir, """\
        [HTTP]
        HeaderTimeoutSec=2
        """)
    d = Daemon(workdir, config=config).start()
    try:
        started = time.monotonic()
        trickling = [connect(d.port, f"127.0.2.{i + 1}") for i in range(20)]
        request = b"POST /mcp/demo HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 100
        open_ones = list(trickling)
        closed_at = {}
        for byte_index in range(len(request)):
            for s in list(open_ones):
                try:
                    s.sendall(request[byte_index:byte_index + 1])
                except (BrokenPipeError, ConnectionResetError):
                    closed_at[s] = time.monotonic() - started
                    open_ones.remove(s)
                    continue
                if closed_now(s):
                    closed_at[s] = time.monotonic() - started
                    open_ones.remove(s)
            if not open_ones or time.monotonic() - started > 8:
                break
            time.sleep(0.25)
        assert not open_ones, f"{len(open_ones)} slowloris connection(s) still open after 8 s"
        assert all(1.5 <= t <= 4.5 for t in closed_at.values()), sorted(closed_at.values())
        assert healthz(d.port)[0] == 200, "a normal request is still served"
        for s in trickling:
            s.close()
    finally:
        d.stop()


def test_a_slow_body_is_closed_at_the_body_deadline(workdir):
    config = write_config(workdir, """\
        [HTTP]
        BodyTimeoutSec=2
        """)
    d = Daemon(workdir, config=config, extra_args=["--demo"]).start()
    try:
        with connect(d.port) as s:
            body = call_body(1, "demo__echo", {"text": "x" * 200})
            s.sendall(request_bytes("POST", "/mcp/demo", body)[:-len(body)])
            started = time.monotonic()
            closed = False
            for byte in body:
                try:
                    s.sendall(bytes([byte]))
                except (BrokenPipeError, ConnectionResetError):
                    closed = True
                    break
                if closed_now(s):
                    closed = True
                    break
                if time.monotonic() - started > 6:
                    break
                time.sleep(0.2)
            elapsed = time.monotonic() - started
            assert closed, "a body trickling in for 6 s was not cut off"
            assert 1.5 <= elapsed <= 4.5, elapsed
    finally:
        d.stop()


def test_idle_keep_alive_and_silent_new_connections_are_closed(workdir):
    config = write_config(workdir, """\
        [HTTP]
        KeepAliveTimeoutSec=2
        HeaderTimeoutSec=3
        """)
    d = Daemon(workdir, config=config).start()
    try:
        kept = connect(d.port)
        kept.sendall(request_bytes("GET", "/healthz"))
        assert read_response(kept)[0] == 200
        kept.sendall(request_bytes("GET", "/healthz"))  # keep-alive: a second request on the same connection
        assert read_response(kept)[0] == 200
        answered = time.monotonic()
        silent = connect(d.port)
        opened = time.monotonic()
        assert closed_by_peer(kept, 5), "an idle kept-alive connection stayed open"
        assert 1.5 <= time.monotonic() - answered <= 4
        assert closed_by_peer(silent, 5), "a connection that never sent a byte stayed open"
        assert 2.5 <= time.monotonic() - opened <= 5
        kept.close()
        silent.close()
    finally:
        d.stop()


# MARK: - Connection caps


def test_the_per_address_cap_refuses_one_address_and_serves_others(workdir):
    config = write_config(workdir, """\
        [HTTP]
        MaxConnectionsPerAddress=5
        HeaderTimeoutSec=60
        """)
    d = Daemon(workdir, config=config).start()
    try:
        held = [connect(d.port, "127.0.3.1") for _ in range(5)]
        time.sleep(0.3)
        with connect(d.port, "127.0.3.1") as extra:
            extra.sendall(request_bytes("GET", "/healthz"))
            response = read_response(extra)
            assert response is not None, "the refused connection got no answer"
            status, headers, body = response
            assert status == 503 and headers["retry-after"] == "1", response
            assert closed_by_peer(extra, 3)
        assert healthz(d.port, "127.0.3.2")[0] == 200, "another address is served"
        held.pop().close()
        wait_for(lambda: healthz(d.port, "127.0.3.1")[0] == 200, 5, "a freed slot to be usable")
        for s in held:
            s.close()
    finally:
        d.stop()


def refused_and_open(sockets, expected_open, timeout=10):
    """Waits until every socket beyond `expected_open` has been refused; returns (open, refused_with_503, closed)."""
    state = {s: "open" for s in sockets}

    def settle():
        for s in sockets:
            if state[s] != "open":
                continue
            if not readable(s):
                continue
            try:
                data = s.recv(4096)
            except ConnectionResetError:
                data = b""
            state[s] = "503" if data.startswith(b"HTTP/1.1 503") else "closed"
        return sum(1 for v in state.values() if v == "open") <= expected_open

    try:
        wait_for(settle, timeout, "refusals")
    except AssertionError:
        pass
    values = list(state.values())
    return values.count("open"), values.count("503"), values.count("closed")


def test_the_global_cap_refuses_new_connections_from_any_address(workdir):
    config = write_config(workdir, """\
        [HTTP]
        MaxConnections=40
        HeaderTimeoutSec=60
        """)
    d = Daemon(workdir, config=config).start()
    try:
        sockets = [connect(d.port, spread(i)) for i in range(40)]
        time.sleep(0.3)
        late = [connect(d.port, spread(100 + i)) for i in range(5)]
        # Counted over all 45: on a loaded machine the close of Daemon.start's probe connection can be seen
        # after the first 40 arrive, and then one of those is the one refused instead of a late one.
        open_count, refused, closed = refused_and_open(sockets + late, 40)
        assert (open_count, refused + closed) == (40, 5), (open_count, refused, closed)
        assert refused >= 1, "refusals are answered with 503"
        status_within(d, 1.0)
        for s in sockets[:3]:
            s.close()
        wait_for(lambda: healthz(d.port, "127.0.9.9")[0] == 200, 5, "a freed slot to be usable")
        for s in sockets + late:
            s.close()
    finally:
        d.stop()


def test_descriptors_are_reserved_for_the_control_socket_at_a_low_open_file_limit(workdir):
    """1,100 idle connections against sentineld at `ulimit -n 1024`: HTTP stops at 1024 - ReservedDescriptors
    (256) connections, answers the rest 503, and the control socket keeps answering."""
    config = write_config(workdir, """\
        [HTTP]
        HeaderTimeoutSec=120
        """)
    d = LimitedDaemon(workdir, "1024:1024", config=config, extra_args=["--demo"]).start()
    try:
        assert "Max open files            1024                 1024" in Path(f"/proc/{d.process.pid}/limits").read_text()
        sockets = []
        for i in range(1100):
            sockets.append(connect(d.port, spread(i)))
        open_count, refused, closed = refused_and_open(sockets, 768, timeout=15)
        assert open_count == 768, (open_count, refused, closed)
        assert refused + closed == 1100 - 768 and refused > 0
        status = status_within(d, 1.0)
        assert status["servers"] == 1
        d.ctl("endpoint", "list")
        log = d.log.read_text()
        assert "Too many open files" not in log and "EMFILE" not in log
        assert "refusing HTTP connections: [HTTP] MaxConnections=768 are open" in log
        for s in sockets[:10]:
            s.close()
        wait_for(lambda: healthz(d.port, "127.0.99.1")[0] == 200, 5, "HTTP to serve again once connections close")
        for s in sockets[10:]:
            s.close()
    finally:
        d.stop()


def test_the_soft_open_file_limit_is_raised_to_the_hard_one(workdir):
    d = LimitedDaemon(workdir, "1024:4096").start()
    try:
        limits = Path(f"/proc/{d.process.pid}/limits").read_text()
        assert "Max open files            4096                 4096" in limits, limits
    finally:
        d.stop()


def test_a_limit_that_leaves_nothing_for_http_stops_startup_with_one_line(workdir):
    d = LimitedDaemon(workdir, "200:200")
    result = subprocess.run(d.command(), capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "sentineld: the open-file limit 200 leaves no descriptors for HTTP connections after "
        "[Daemon] ReservedDescriptors=256; raise LimitNOFILE= or lower ReservedDescriptors=")


# MARK: - The headline: idle connections and one caller's stalled calls


def test_idle_connections_and_one_callers_stalled_calls_leave_the_endpoint_and_control_socket_answering(workdir):
    config = write_config(workdir, """\
        [HTTP]
        HeaderTimeoutSec=120
        """)
    d = Daemon(workdir, config=config, extra_args=["--demo"]).start()
    try:
        wait_for(lambda: "demo endpoint ready" in d.log.read_text(), 10, "the demo endpoint")
        idle = [connect(d.port, spread(i)) for i in range(1100)]
        stalled = []
        for i in range(64):
            s = connect(d.port, "127.0.50.1")
            s.sendall(request_bytes("POST", "/mcp/demo", call_body(i, "demo__hang", {})))
            stalled.append(s)
        answers = {}

        def answered():
            for s in stalled:
                if s not in answers and readable(s):
                    answers[s] = read_response(s)
            return len(answers) >= 32
        wait_for(answered, 5, "32 calls beyond the caller's share to be refused")
        time.sleep(0.3)
        answered()
        assert [a[0] if a else None for a in answers.values()] == [429] * 32, "beyond the caller's share: 429 at once"
        assert all(a[1]["retry-after"] == "1" for a in answers.values())
        assert "maximum of 32 concurrent calls" in next(iter(answers.values()))[2].decode()
        assert len(stalled) - len(answers) == 32, "32 calls stall (still running, no answer)"

        with connect(d.port, "127.0.60.1") as other:
            started = time.monotonic()
            other.sendall(request_bytes("POST", "/mcp/demo", call_body(1000, "demo__echo", {"text": "still here"})))
            status, _, body = read_response(other, timeout=5)
            elapsed = time.monotonic() - started
        assert status == 200 and json.loads(body)["result"]["content"][0]["text"] == "still here"
        assert elapsed < 1.0, f"another caller's call took {elapsed:.2f} s"
        status_within(d, 1.0)
        for s in idle + stalled:
            s.close()
    finally:
        d.stop()


# MARK: - Trusted proxies and the audit of refused calls

PROXY_CLIENT = textwrap.dedent("""\
    import json, socket, sys, time
    sys.path.insert(0, sys.argv[2])
    from test_connection_limits import connect, request_bytes, read_response, call_body
    port = int(sys.argv[1])
    results = {}

    def call(source, name, headers=(), tool="demo__echo", arguments=None, wait=True):
        s = connect(port, source)
        s.sendall(request_bytes("POST", "/mcp/demo", call_body(name, tool, arguments or {"text": name}), headers))
        if not wait:
            return s
        results[name] = read_response(s)[0]
        s.close()

    # The demo endpoint has no authentication: it serves clients on this host, also through a local proxy,
    # and refuses the ones a proxy forwards from elsewhere.
    call("127.0.70.1", "forwarded", ["X-Forwarded-For: 198.51.100.1, 127.0.80.7"])
    call("127.0.70.1", "forwarded-from-afar", ["X-Forwarded-For: 203.0.113.7"])
    call("127.0.70.2", "forged", ["X-Forwarded-For: 203.0.113.99"])
    call("127.0.70.1", "proxy-itself")
    call("127.0.70.1", "rfc7239-ignored", ["Forwarded: for=127.0.80.8"])
    # The per-caller share (1 here) follows the forwarded address: two clients behind one proxy both get in.
    slow = call("127.0.70.1", "slow-a", ["X-Forwarded-For: 127.0.80.50"], "demo__slow", {"seconds": 2}, wait=False)
    time.sleep(0.5)
    call("127.0.70.1", "behind-same-proxy", ["X-Forwarded-For: 127.0.80.51"])
    call("127.0.70.1", "same-client-again", ["X-Forwarded-For: 127.0.80.50"])
    results["slow-a"] = read_response(slow)[0]
    json.dump(results, open(sys.argv[3], "w"))
    """)


def test_forwarded_addresses_are_believed_only_from_trusted_proxies_and_refused_calls_are_audited(workdir):
    require_root()
    port = free_port()
    (workdir / "proxy_client.py").write_text(PROXY_CLIENT)
    config = write_config(workdir, """\
        [HTTP]
        TrustedProxies=127.0.70.1
        MaxConcurrentCallsPerCaller=1
        """)
    run_journal_scenario(workdir, port, f"""\
        for _ in $(seq 200); do {SENTINELCTL} --address unix:{workdir}/c.sock --json endpoint list | grep -q demo && break; sleep 0.05; done
        sleep 0.5
        {sys.executable} {workdir}/proxy_client.py {port} {HERE} {workdir}/results.json
        """, config=config, daemon_args="--demo")

    results = json.loads((workdir / "results.json").read_text())
    assert results == {"forwarded": 200, "forwarded-from-afar": 403, "forged": 200, "proxy-itself": 200,
                       "rfc7239-ignored": 200, "slow-a": 200, "behind-same-proxy": 200, "same-client-again": 429}, results
    by_text = {}
    for entry in journal_entries(workdir, "SENTINEL_EVENT=tool-call"):
        by_text.setdefault(entry["SENTINEL_TOOL"], []).append(entry["SENTINEL_REMOTE_ADDRESS"])
    assert by_text["echo"] == ["127.0.80.7", "127.0.70.2", "127.0.70.1", "127.0.70.1", "127.0.80.51"], by_text
    assert by_text["slow"] == ["127.0.80.50"]
    denied = journal_entries(workdir, "SENTINEL_EVENT=tool-denied")
    assert len(denied) == 1, denied
    entry = denied[0]
    assert (entry["SENTINEL_OUTCOME"], entry["SENTINEL_REASON"], entry["SENTINEL_REMOTE_ADDRESS"],
            entry["SENTINEL_EXPOSED_NAME"], entry["SENTINEL_TOOL"], entry["SENTINEL_ENDPOINT"]) == \
        ("throttled", "caller-limit", "127.0.80.50", "demo__echo", "echo", "demo")
    assert "maximum of 1 concurrent calls" in entry["SENTINEL_DETAIL"]
    assert entry["PRIORITY"] == "5"


# MARK: - The control socket


GROUP = "sntlimgrp"
MEMBER = "sntlimmember"


@pytest.fixture
def control_group():
    with unix_group_with_member(GROUP, MEMBER) as group:
        yield group


def test_a_self_created_control_socket_belongs_to_the_control_group(workdir, control_group):
    d = Daemon(workdir, extra_args=["--control-group", control_group]).start()
    try:
        info = os.stat(d.socket)
        assert stat.S_IMODE(info.st_mode) == 0o660
        assert info.st_gid == int(subprocess.run(["getent", "group", GROUP], capture_output=True, text=True,
                                                 check=True).stdout.split(":")[2])
        member = subprocess.run(["runuser", "-u", MEMBER, "--", str(SENTINELCTL), "--address", d.address, "--json",
                                 "status"], capture_output=True, text=True)
        assert member.returncode == 0, member.stderr
    finally:
        d.stop()


def varlink_socket(daemon):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(str(daemon.socket))
    return s


def read_until_eof(s, timeout=5):
    s.settimeout(timeout)
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            return data
        data += chunk


def test_a_varlink_client_that_half_closes_gets_its_replies_then_the_close(daemon):
    with varlink_socket(daemon) as s:
        s.sendall(json.dumps({"method": "org.varlink.service.GetInfo"}).encode() + b"\0"
                  + json.dumps({"method": "io.sentinel.Manager.GetStatus", "parameters": {}}).encode() + b"\0")
        s.shutdown(socket.SHUT_WR)
        replies = [json.loads(m) for m in read_until_eof(s).split(b"\0") if m]
    assert len(replies) == 2, replies
    assert "io.sentinel.Manager" in replies[0]["parameters"]["interfaces"]
    assert "status" in replies[1]["parameters"], replies[1]


def test_control_connections_are_capped_with_headroom_for_root(workdir):
    config = write_config(workdir, """\
        [Control]
        MaxConnections=3
        """)
    d = Daemon(workdir, config=config).start()
    try:
        held = []
        for _ in range(3 + 4):  # the limit, then root's headroom
            held.append(varlink_socket(d))
            s = held[-1]
            s.sendall(json.dumps({"method": "org.varlink.service.GetInfo"}).encode() + b"\0")
            s.settimeout(5)
            assert b"interfaces" in s.recv(65536)
        with varlink_socket(d) as extra:
            assert closed_by_peer(extra, 5), "a connection beyond the limit and the headroom is closed"
        held.pop().close()
        status_within(d, 1.0)
        for s in held:
            s.close()
    finally:
        d.stop()


# MARK: - --check-config


@pytest.mark.parametrize("section, line, reason", [
    ("HTTP", "PublicURL=https://", "expected an http:// or https:// URL with a host"),
    ("HTTP", "AllowedOrigins=https://claude.ai/callback", "is not an origin"),
    ("HTTP", "AllowedOrigins=https://claude.ai?x=1", "is not an origin"),
    ("State", "Directory=relative/state", "expected an absolute path"),
    ("HTTP", "Listen=127.0.0.1:0", "port 0 is not a fixed port"),
    ("HTTP", "TrustedProxies=10.0.0.0/40", "is not an address or CIDR block"),
])
def test_check_config_refuses_with_one_line(workdir, section, line, reason):
    config = workdir / "bad.conf"
    config.write_text(f"[{section}]\n{line}\n")
    result = subprocess.run([str(SENTINELD), "--config", str(config), "--check-config"], capture_output=True,
                            text=True, timeout=30)
    assert result.returncode == 78, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"sentineld: {config}:2: {section}.{line}: "), lines
    assert reason in lines[0]
