"""sentineld as systemd runs it: socket activation, sd_notify, signals, state across restarts, configuration."""

import hashlib
import os
import signal
import socket
import sqlite3
import subprocess
import time
import urllib.request

import pytest
import varlink

from conftest import SENTINELCTL, SENTINELD, Daemon, free_port, wait_for


class NotifySocket:
    """A datagram socket standing in for systemd's NOTIFY_SOCKET."""

    def __init__(self, directory):
        self.path = str(directory / "notify.sock")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.sock.settimeout(0.2)
        self.messages = []

    def collect(self, until, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                self.messages.append(self.sock.recv(4096).decode())
            except socket.timeout:
                pass
            if any(until(m) for m in self.messages):
                return self.messages
        raise AssertionError(f"no matching notification; got {self.messages}")

    def close(self):
        self.sock.close()


def fields(message):
    return dict(line.split("=", 1) for line in message.strip().split("\n"))


def test_notify_ready_reload_stopping_and_clean_exit(workdir):
    notify = NotifySocket(workdir)
    config = workdir / "sentineld.conf"
    config.write_text("[HTTP]\nPublicURL=https://before.example\n")
    d = Daemon(workdir, env={"NOTIFY_SOCKET": notify.path}, config=config).start()
    try:
        ready = notify.collect(lambda m: "READY=1" in m)
        status = fields([m for m in ready if "READY=1" in m][0])
        assert status["STATUS"].startswith("Serving 0 endpoint(s) from 0 server(s)")
        assert d.ctl("status")["public_url"] == "https://before.example"

        config.write_text("[HTTP]\nPublicURL=https://after.example\n")
        notify.messages.clear()
        d.process.send_signal(signal.SIGHUP)
        messages = notify.collect(lambda m: "READY=1" in m)
        reloading = fields([m for m in messages if "RELOADING=1" in m][0])
        assert int(reloading["MONOTONIC_USEC"]) > 0
        assert messages.index([m for m in messages if "RELOADING=1" in m][0]) < messages.index([m for m in messages if "READY=1" in m][0])
        assert d.ctl("status")["public_url"] == "https://after.example"

        config.write_text("[HTTP]\nBogus=1\n")
        notify.messages.clear()
        d.process.send_signal(signal.SIGHUP)
        notify.collect(lambda m: "READY=1" in m)
        assert d.ctl("status")["public_url"] == "https://after.example", "a bad reload keeps the running configuration"

        notify.messages.clear()
        assert d.stop() == 0
        notify.collect(lambda m: "STOPPING=1" in m, timeout=2)
        assert not d.socket.exists(), "a socket sentineld bound itself is removed at exit"
    finally:
        d.stop()
        notify.close()


def test_watchdog_pings_when_requested(workdir):
    notify = NotifySocket(workdir)
    d = Daemon(workdir, env={"NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "600000"}).start()
    try:
        started = time.monotonic()
        notify.collect(lambda m: sum("WATCHDOG=1" in x for x in notify.messages) >= 3, timeout=5)
        # WatchdogSec=0.6 s: pings at least every 0.3 s, so three arrive well within 2 s.
        assert time.monotonic() - started < 2.5
    finally:
        d.stop()
        notify.close()


@pytest.mark.parametrize("taken", ["http", "control"])
def test_a_failed_bind_names_the_address_and_never_says_ready(workdir, taken):
    """Readiness follows the binds: no READY=1, no "ready" log line, no daemon-started audit; one line names what."""
    notify = NotifySocket(workdir)
    d = Daemon(workdir, env={"NOTIFY_SOCKET": notify.path})
    holder = None
    if taken == "http":
        holder = socket.socket()
        holder.bind(("127.0.0.1", d.port))
        holder.listen()
        expected = f"sentineld: cannot listen for HTTP on 127.0.0.1:{d.port}: Address already in use"
    else:
        (d.socket / "occupied").mkdir(parents=True)  # a directory where the socket should go
        expected = f"sentineld: cannot create the control socket {d.socket}: Is a directory"
    try:
        d.start(wait=False)
        assert d.process.wait(15) == 1
        log = d.log.read_text()
        assert expected in log.splitlines(), log
        assert not any(line.endswith("sentineld: ready") for line in log.splitlines()), log
        assert "daemon-started" not in log and "Error:" not in log, log
        time.sleep(0.2)
        try:
            while True:
                notify.messages.append(notify.sock.recv(4096).decode())
        except socket.timeout:
            pass
        assert not any("READY=1" in m for m in notify.messages), notify.messages
    finally:
        if holder:
            holder.close()
        d.stop()
        notify.close()


def test_state_survives_restart(workdir):
    d = Daemon(workdir).start()
    d.ctl("server", "add", "kept", "--", "/bin/true")
    d.ctl("endpoint", "create", "eng", "--server", "kept")
    d.ctl("user", "add", "dana", "--no-password")
    assert d.stop() == 0
    d2 = Daemon(workdir)
    d2.port = d.port
    d2.start()
    try:
        assert [s["name"] for s in d2.ctl("server", "list")] == ["kept"]
        assert d2.ctl("endpoint", "show", "eng")["servers"] == ["kept"]
        assert [u["name"] for u in d2.ctl("user", "list")] == ["dana"]
    finally:
        d2.stop()


def test_database_from_an_older_migration_is_migrated(workdir):
    d = Daemon(workdir).start()
    d.ctl("server", "add", "old", "--", "/bin/true")
    d.stop()
    db = sqlite3.connect(d.database())
    with db:  # roll the file back to the first migration, as an older sentineld left it
        db.executescript("DROP TABLE endpoint_resource_rules; DROP TABLE endpoint_prompts; DROP TABLE resource_templates; "
                         "DROP TABLE resources; DROP TABLE prompts; ALTER TABLE servers DROP COLUMN capabilities; "
                         "DROP TABLE tokens; DROP TABLE grants; DROP TABLE oauth_clients; DROP TABLE signins; "
                         "DROP TABLE endpoint_access; DROP TABLE user_groups; DROP TABLE credentials; "
                         "DROP TABLE upstream_authorizations; DROP TABLE secret_canary; "
                         "DROP TABLE mcp_session_key; DROP TABLE mcp_sessions; "
                         "ALTER TABLE servers DROP COLUMN sealed_headers; ALTER TABLE servers DROP COLUMN credential_kind; "
                         "ALTER TABLE servers DROP COLUMN credential_env; ALTER TABLE servers DROP COLUMN oauth_client_id; "
                         "ALTER TABLE servers DROP COLUMN sealed_oauth_client_secret; "
                         "ALTER TABLE servers DROP COLUMN sealed_oauth_registration; "
                         "DROP INDEX endpoint_tools_by_exposed_name; ALTER TABLE endpoint_tools DROP COLUMN exposed_name; "
                         "ALTER TABLE tools DROP COLUMN definition; ALTER TABLE servers DROP COLUMN credential_hint;")
        db.execute("DELETE FROM grdb_migrations WHERE identifier IN "
                   "('v2-clients-grants-tokens', 'v3-server-secret-headers', 'v4-authorization', "
                   "'v5-upstream-credentials', 'v6-mcp-sessions', 'v6-pinned-exposed-names', 'v6-whole-tool-definitions', "
                   "'v7-credential-hints-and-verification', 'v8-prompts-resources')")
    db.close()
    d2 = Daemon(workdir).start()
    try:
        assert d2.ctl("status")["schema_migrations"] == [
            "v1-servers-endpoints-users", "v2-clients-grants-tokens", "v3-server-secret-headers", "v4-authorization",
            "v5-upstream-credentials", "v6-mcp-sessions", "v6-pinned-exposed-names", "v6-whole-tool-definitions",
            "v7-credential-hints-and-verification", "v8-prompts-resources"]
        assert [s["name"] for s in d2.ctl("server", "list")] == ["old"]
        assert d2.ctl("session", "list") == []
    finally:
        d2.stop()


def test_database_from_a_newer_sentineld_is_refused_untouched(workdir):
    d = Daemon(workdir).start()
    d.stop()
    db = sqlite3.connect(d.database())
    with db:
        db.execute("INSERT INTO grdb_migrations (identifier) VALUES ('v9-from-the-future')")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    digest = hashlib.sha256(d.database().read_bytes()).hexdigest()
    result = subprocess.run(Daemon(workdir).command(), capture_output=True, text=True, timeout=20)
    assert result.returncode == 1
    assert "written by a newer sentineld" in result.stderr and "v9-from-the-future" in result.stderr
    assert hashlib.sha256(d.database().read_bytes()).hexdigest() == digest


@pytest.mark.parametrize("text,expected", [
    ("[HTTP]\nListen=nowhere\n", "sentineld.conf:2: HTTP.Listen=nowhere: expected HOST:PORT or [IPv6]:PORT"),
    ("# comment\n[HTTP]\nListn=1\n", "sentineld.conf:3: unknown key 'Listn' in section [HTTP]"),
    ("[Nope]\nA=b\n", "sentineld.conf:2: unknown section [Nope]"),
    ("Listen=1\n", "sentineld.conf:1: assignment outside of a [Section]"),
    ("[Log]\nLevel=loud\n", "sentineld.conf:2: Log.Level=loud: expected one of trace, debug, info, notice, warning, error, critical"),
])
def test_bad_configuration_is_reported_with_file_and_line(workdir, text, expected):
    config = workdir / "sentineld.conf"
    config.write_text(text)
    result = subprocess.run([str(SENTINELD), "--config", str(config), "--check-config"], capture_output=True, text=True)
    assert result.returncode == 78
    assert result.stderr.strip() == f"sentineld: {config.parent}/{expected}"


def test_drop_ins_override_in_order_and_flags_override_files(workdir):
    config = workdir / "sentineld.conf"
    config.write_text("[HTTP]\nPublicURL=https://main.example\n[Daemon]\nIdleExitSec=0\n")
    dropins = workdir / "sentineld.conf.d"
    dropins.mkdir()
    (dropins / "10-a.conf").write_text("[HTTP]\nPublicURL=https://a.example/\n")
    (dropins / "20-b.conf").write_text("[HTTP]\nPublicURL=https://b.example/\n")
    (dropins / "ignored.txt").write_text("[Bad]\n")
    d = Daemon(workdir, config=config).start()
    try:
        assert d.ctl("status")["public_url"] == "https://b.example"
    finally:
        d.stop()
    d = Daemon(workdir, config=config, extra_args=["--public-url", "https://flag.example"]).start()
    try:
        assert d.ctl("status")["public_url"] == "https://flag.example"
    finally:
        d.stop()


def test_reference_configuration_documents_every_key_and_parses(workdir):
    reference = subprocess.run([str(SENTINELD), "--print-config-reference"], capture_output=True, text=True, check=True).stdout
    for key in ["Listen", "PublicURL", "Socket", "Group", "Directory", "Level", "Target", "IdleExitSec", "StopTimeoutSec"]:
        assert f"\n#{key}=" in reference
    uncommented = "\n".join(line[1:] if line.startswith("#") and "=" in line and not line.startswith("# ") else line
                            for line in reference.splitlines())
    config = workdir / "ref.conf"
    config.write_text(uncommented)
    assert subprocess.run([str(SENTINELD), "--config", str(config), "--check-config"], capture_output=True).returncode == 0


def test_idle_daemon_exits_cleanly(workdir):
    d = Daemon(workdir, extra_args=["--idle-exit", "2"]).start()
    started = time.monotonic()
    d.process.wait(15)
    assert d.process.returncode == 0
    assert time.monotonic() - started >= 1.5


def activate(workdir, order):
    port = free_port()
    sock = workdir / "control.sock"
    listens = {"http": f"127.0.0.1:{port}", "varlink": str(sock)}
    argv = ["systemd-socket-activate"]
    for name in order:
        argv += ["-l", listens[name]]
    argv += [f"--fdname={':'.join(order)}", str(SENTINELD), "--config", "/dev/null",
             "--state-directory", str(workdir / "state"), "--log-target", "stderr",
             "--http-listen", "127.0.0.1:1", "--control-socket", str(workdir / "unused.sock")]
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=open(workdir / "activate.log", "wb"))
    wait_for(lambda: sock.exists(), 10, "systemd-socket-activate to bind")
    return process, port, sock


@pytest.mark.parametrize("order", [("http", "varlink"), ("varlink", "http")], ids=["http-first", "varlink-first"])
def test_socket_activation_picks_sockets_by_name(workdir, order):
    process, port, sock = activate(workdir, order)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as response:
            assert response.read() == b"ok\n"
        with varlink.Client(address=f"unix:{sock}") as client, client.open("io.sentinel.Manager") as manager:
            status = manager.GetStatus()["status"]
        assert status["http_listen"] == "socket-activated" and status["control_socket"] == "socket-activated"
        assert status["pid"] == process.pid, "systemd-socket-activate execs sentineld in place"
        assert not (workdir / "unused.sock").exists(), "the configured fallback socket is not bound when activated"
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(15) == 0


def test_sigterm_under_load_stops_within_the_stop_timeout(workdir):
    """In-flight calls that never finish, an event stream, a varlink `more` stream, a half-sent request and idle
    connections: SIGTERM still ends sentineld with 0 soon after [Daemon] StopTimeoutSec, its stdio children with it."""
    import json
    import threading
    config = workdir / "sentineld.conf"
    config.write_text("[Daemon]\nStopTimeoutSec=2\n")
    d = Daemon(workdir, extra_args=["--demo"], config=config).start()
    url = d.url + "/mcp/demo"
    meta = {"io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}}

    def post(method, params, name=None, timeout=30):
        headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream",
                   "MCP-Protocol-Version": "2026-07-28", "Mcp-Method": method}
        if name:
            headers["Mcp-Name"] = name
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": {**params, "_meta": meta}}).encode()
        return urllib.request.urlopen(urllib.request.Request(url, data=body, headers=headers), timeout=timeout)

    def tools():
        try:
            return [t["name"] for t in json.loads(post("tools/list", {}).read())["result"]["tools"]]
        except OSError:
            return []
    wait_for(lambda: any(n.endswith("hang") for n in tools()), 15, "the demo endpoint's tools")
    names = tools()
    hang = next(n for n in names if n.endswith("hang"))
    slow = next(n for n in names if n.endswith("slow"))

    def quietly(call):
        try:
            call().read()
        except OSError:
            pass
    for call in (lambda: post("tools/call", {"name": hang, "arguments": {}}, hang, 60),
                 lambda: post("tools/call", {"name": slow, "arguments": {"seconds": 60}}, slow, 60),
                 lambda: post("subscriptions/listen", {}, timeout=60)):
        threading.Thread(target=quietly, args=(call,), daemon=True).start()
    watch = subprocess.Popen([str(SENTINELCTL), "--address", d.address, "watch"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    held = [socket.create_connection(("127.0.0.1", d.port)) for _ in range(5)]
    partial = socket.create_connection(("127.0.0.1", d.port))
    partial.sendall(b"POST /mcp/demo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
    held.append(partial)
    control = socket.socket(socket.AF_UNIX)
    control.connect(str(d.socket))
    held.append(control)
    children = subprocess.run(["pgrep", "-P", str(d.process.pid)], capture_output=True, text=True).stdout.split()
    assert children, "the demo endpoint's stdio server runs as a child"
    time.sleep(1)
    try:
        started = time.monotonic()
        d.process.send_signal(signal.SIGTERM)
        assert d.process.wait(20) == 0
        assert time.monotonic() - started < 10, "stopped, but only after the bound for in-flight calls had long passed"
        for pid in children:
            assert not os.path.exists(f"/proc/{pid}") or "Z" in open(f"/proc/{pid}/stat").read().split()[2]
    finally:
        watch.kill()
        watch.wait()
        for s in held:
            s.close()
        d.stop()
