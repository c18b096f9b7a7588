#!/usr/bin/env python3
"""Sentinel's benchmark: what the gateway costs over a direct connection and against a Python MCP proxy.

Run with the repo venv (`make bench` does everything):  .venv/bin/python Benchmarks/bench.py [--quick] [--only 1,2]

Every scenario runs its targets side by side in one process tree: (a) the fast upstream directly,
(b) sentineld in front of it, (c) a fastmcp 4.1.6 proxy in front of it. Prints one table per scenario and
writes the figures as JSON to Benchmarks/results/<date>-<commit>.json (or --out).
"""

import argparse
import datetime
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SENTINEL_BIN = Path(os.environ.get("SENTINEL_BUILD_DIR", REPO / ".build-release" / "release"))
BENCH_BIN = Path(os.environ.get("SENTINEL_BENCH_BUILD_DIR", HERE / ".build" / "release"))
SENTINELD = SENTINEL_BIN / "sentineld"
SENTINELCTL = SENTINEL_BIN / "sentinelctl"
DEMO_SERVER = SENTINEL_BIN / "sentinel-demo-server"
LOAD = BENCH_BIN / "sentinel-bench-load"
UPSTREAM = BENCH_BIN / "sentinel-bench-upstream"
PYTHON = sys.executable
PROXY = HERE / "peer" / "fastmcp_proxy.py"
sys.path.insert(0, str(REPO / "Tests" / "EndToEnd"))

PROCESSES = []  # every process we start, stopped by PID at exit


# ---------------------------------------------------------------- processes

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise RuntimeError(f"timed out waiting for {what}")


def start(argv, log, env=None):
    handle = open(log, "ab")
    process = subprocess.Popen([str(a) for a in argv], stdout=handle, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL, env=env)
    handle.close()
    PROCESSES.append(process)
    return process


def stop(process, timeout=10):
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def stop_all():
    for process in reversed(PROCESSES):
        stop(process)


def rss_kib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def children(pid):
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            pass
    return sorted(set(found))


class Upstream:
    """One sentinel-bench-upstream process."""

    def __init__(self, work, tools=0, prefix="fast"):
        self.port = free_port()
        self.process = start([UPSTREAM, "--listen", f"127.0.0.1:{self.port}", "--tools", tools, "--prefix", prefix],
                             work / f"upstream-{prefix}-{self.port}.log")
        wait_for(lambda: listening(self.port), 10, "the fast upstream")
        self.url = f"http://127.0.0.1:{self.port}/mcp"

    def requests(self):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/stats", timeout=5) as reply:
            return json.load(reply)["requests"]


class Sentinel:
    """One sentineld with its own state, listener and control socket, configured with sentinelctl."""

    count = 0

    def __init__(self, work, name="sentinel", extra=(), config=""):
        Sentinel.count += 1
        self.root = work / f"{name}-{Sentinel.count}"
        self.root.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.socket = self.root / "control.sock"
        self.base = f"http://127.0.0.1:{self.port}"
        config_file = self.root / "sentineld.conf"
        config_file.write_text(config)
        argv = [SENTINELD, "--config", config_file, "--state-directory", self.root / "state",
                "--http-listen", f"127.0.0.1:{self.port}", "--public-url", self.base,
                "--control-socket", self.socket, "--log-target", "journal", *extra]
        self.process = start(argv, self.root / "sentineld.log")
        wait_for(lambda: self.socket.exists() and listening(self.port), 15, "sentineld")

    def ctl(self, *args, input=None):
        argv = [str(SENTINELCTL), "--address", f"unix:{self.socket}", "--json", *map(str, args)]
        result = subprocess.run(argv, input=input, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"sentinelctl {' '.join(map(str, args))}: {result.stderr.strip()}")
        return json.loads(result.stdout) if result.stdout.strip() else None

    def url(self, endpoint):
        return f"{self.base}/mcp/{endpoint}"


class Peer:
    """The fastmcp proxy (python) in front of a URL or an MCPConfig file."""

    def __init__(self, work, target, wait=True):
        self.port = free_port()
        self.started = time.monotonic()
        self.process = start([PYTHON, PROXY, self.port, target], work / f"fastmcp-{self.port}.log")
        self.url = f"http://127.0.0.1:{self.port}/mcp"
        if wait:
            wait_for(lambda: listening(self.port), 60, "the fastmcp proxy")


# ---------------------------------------------------------------- load

def load(url, era="modern", method="tools/call", tool="echo", concurrency=1, duration=3.0, warmup=1.0,
         requests=0, bearer=None, follow_cursor=False, uri=None):
    argv = [LOAD, "--url", url, "--era", era, "--method", method, "--tool", tool, "--concurrency", concurrency,
            "--duration", duration, "--warmup", warmup, "--requests", requests]
    if uri:
        argv += ["--uri", uri]
    if bearer:
        argv += ["--bearer", bearer]
    if follow_cursor:
        argv.append("--follow-cursor")
    result = subprocess.run([str(a) for a in argv], capture_output=True, text=True,
                            timeout=duration + warmup + 120)
    if result.returncode != 0:
        raise RuntimeError(f"load generator failed: {result.stderr.strip()}")
    return json.loads(result.stdout)


def summary(run):
    keys = ["requests", "errors", "rps", "p50_us", "p99_us", "max_us", "first_error"]
    return {k: run[k] for k in keys if k in run}


def ratio(a, b):
    return round(a / b, 3) if a is not None and b else None


# ---------------------------------------------------------------- output

def table(title, header, rows):
    print(f"\n== {title}")
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows)]
    for row in [header, *rows]:
        print("  ".join(str(x).rjust(w) for x, w in zip(row, widths)))


def fmt(value, digits=0):
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}" if digits else f"{value:.0f}"
    return str(value)


# ---------------------------------------------------------------- scenarios

def scenario_calls(work, args):
    """1. tools/call echo at concurrency 1, 8, 32 in both eras: direct, sentinel, fastmcp proxy (interleaved)."""
    upstream = Upstream(work)
    sentinel = Sentinel(work)
    sentinel.ctl("server", "add", "fast", "--url", upstream.url)
    sentinel.ctl("endpoint", "create", "bench", "--no-auth", "--server", "fast")
    sentinel.ctl("endpoint", "enable", "bench", "fast/echo")
    # The same gateway with the URLSession upstream transport, so the two transports are compared in one run.
    curl = Sentinel(work, "sentinel-urlsession", config="[Upstream]\nHTTPTransport=urlsession\n")
    curl.ctl("server", "add", "fast", "--url", upstream.url)
    curl.ctl("endpoint", "create", "bench", "--no-auth", "--server", "fast")
    curl.ctl("endpoint", "enable", "bench", "fast/echo")
    peer = Peer(work, upstream.url)
    targets = [("direct", upstream.url, "echo"), ("sentinel", sentinel.url("bench"), "fast__echo"),
               ("sentinel-urlsession", curl.url("bench"), "fast__echo"), ("fastmcp", peer.url, "echo")]
    duration, warmup = (1.5, 0.5) if args.quick else (3.0, 1.0)
    results = []
    for era in ["modern", "handshake"]:
        for concurrency in [1, 8, 32]:
            row = {"era": era, "concurrency": concurrency}
            for name, url, tool in targets:
                slow = name == "fastmcp"
                run = load(url, era=era, tool=tool, concurrency=concurrency,
                           duration=duration * (2 if slow else 1), warmup=warmup)
                row[name] = summary(run)
            s, d, p = row["sentinel"], row["direct"], row["fastmcp"]
            row["added_p50_us"] = s.get("p50_us", 0) - d.get("p50_us", 0)
            row["rps_sentinel_over_direct"] = ratio(s["rps"], d["rps"])
            row["rps_sentinel_over_peer"] = ratio(s["rps"], p["rps"])
            row["p50_sentinel_over_peer"] = ratio(s.get("p50_us"), p.get("p50_us"))
            results.append(row)
    for process in (peer.process, curl.process, sentinel.process, upstream.process):
        stop(process)
    rows = []
    for r in results:
        rows.append([r["era"], r["concurrency"],
                     fmt(r["direct"]["rps"]), fmt(r["sentinel"]["rps"]), fmt(r["sentinel-urlsession"]["rps"]),
                     fmt(r["fastmcp"]["rps"], 1),
                     fmt(r["direct"].get("p50_us")), fmt(r["sentinel"].get("p50_us")),
                     fmt(r["sentinel-urlsession"].get("p50_us")), fmt(r["fastmcp"].get("p50_us")),
                     fmt(r["sentinel"].get("p99_us")), r["added_p50_us"],
                     fmt(r["rps_sentinel_over_direct"], 2), fmt(r["rps_sentinel_over_peer"], 1),
                     sum(r[t]["errors"] for t in ("direct", "sentinel", "sentinel-urlsession", "fastmcp"))])
    table("1. tools/call echo (rps = requests/s; p50/p99 in µs; S = sentinel, D = direct, P = fastmcp proxy)",
          ["era", "c", "rps D", "rps S", "rps S-curl", "rps P", "p50 D", "p50 S", "p50 S-curl", "p50 P", "p99 S",
           "S-D p50", "S/D rps", "S/P rps", "errors"], rows)
    return results


def scenario_list(work, args):
    """2. tools/list of 500 tools federated from 20 servers × 50 tools, against ping; no upstream traffic."""
    upstreams = [Upstream(work, tools=50, prefix=f"s{i}") for i in range(20)]
    sentinel = Sentinel(work)
    for i, upstream in enumerate(upstreams):
        sentinel.ctl("server", "add", f"s{i}", "--url", upstream.url)
    sentinel.ctl("endpoint", "create", "fed", "--no-auth", *sum((["--server", f"s{i}"] for i in range(20)), []))
    enable = [f"s{i}/s{i}_tool_{t}" for i in range(20) for t in range(25)]
    sentinel.ctl("endpoint", "enable", "fed", *enable)
    direct = Upstream(work, tools=499, prefix="direct")  # echo + 499: one server with 500 tools
    config = work / "fed.json"
    config.write_text(json.dumps({"mcpServers": {f"s{i}": {"url": u.url, "transport": "http"}
                                                 for i, u in enumerate(upstreams)}}))
    peer = Peer(work, str(config))
    duration, warmup = (1.5, 0.5) if args.quick else (3.0, 1.0)
    out = {}
    # Warm up Sentinel's side first, then count upstream requests over the measured runs only.
    load(sentinel.url("fed"), era="handshake", method="tools/list", duration=0.5, warmup=0, follow_cursor=True)
    before = sum(u.requests() for u in upstreams)
    out["sentinel"] = {
        "ping": summary(load(sentinel.url("fed"), era="handshake", method="ping", duration=duration, warmup=warmup)),
        "list_all": summary(load(sentinel.url("fed"), era="handshake", method="tools/list", duration=duration,
                                 warmup=warmup, follow_cursor=True)),
        "list_page": summary(load(sentinel.url("fed"), era="handshake", method="tools/list", duration=duration,
                                  warmup=warmup)),
        "list_all_modern": summary(load(sentinel.url("fed"), era="modern", method="tools/list", duration=duration,
                                        warmup=warmup, follow_cursor=True)),
    }
    out["upstream_requests_during_measurement"] = sum(u.requests() for u in upstreams) - before
    out["direct"] = {
        "ping": summary(load(direct.url, era="handshake", method="ping", duration=duration, warmup=warmup)),
        "list_all": summary(load(direct.url, era="handshake", method="tools/list", duration=duration, warmup=warmup,
                                 follow_cursor=True)),
    }
    before = sum(u.requests() for u in upstreams)
    out["fastmcp"] = {
        "ping": summary(load(peer.url, era="handshake", method="ping", duration=duration, warmup=warmup)),
        "list_all": summary(load(peer.url, era="handshake", method="tools/list", duration=duration * 2,
                                 warmup=warmup, follow_cursor=True)),
        "note": "the proxy lists all 20 × 51 tools (it cannot enable a subset) and asks every upstream per list",
    }
    out["fastmcp"]["upstream_requests_during_measurement"] = sum(u.requests() for u in upstreams) - before
    s = out["sentinel"]
    out["list_over_ping_p50"] = ratio(s["list_all"].get("p50_us"), s["ping"].get("p50_us"))
    out["page_over_ping_p50"] = ratio(s["list_page"].get("p50_us"), s["ping"].get("p50_us"))
    out["list_sentinel_over_direct_p50"] = ratio(s["list_all"].get("p50_us"), out["direct"]["list_all"].get("p50_us"))
    out["list_sentinel_over_peer_p50"] = ratio(s["list_all"].get("p50_us"), out["fastmcp"]["list_all"].get("p50_us"))
    for process in [peer.process, sentinel.process, direct.process] + [u.process for u in upstreams]:
        stop(process)
    rows = []
    for target in ("direct", "sentinel", "fastmcp"):
        for what, run in out[target].items():
            if isinstance(run, dict):
                rows.append([target, what, run.get("requests"), run.get("errors"), fmt(run.get("rps")),
                             fmt(run.get("p50_us")), fmt(run.get("p99_us"))])
    table("2. tools/list, 500 of 1000 tools enabled from 20 servers (handshake era; list_all follows nextCursor)",
          ["target", "what", "n", "errors", "rps", "p50 µs", "p99 µs"], rows)
    print(f"sentinel list_all/ping p50 = {out['list_over_ping_p50']}, list_page/ping = {out['page_over_ping_p50']}, "
          f"S/D list p50 = {out['list_sentinel_over_direct_p50']}, S/P list p50 = {out['list_sentinel_over_peer_p50']}, "
          f"upstream requests while sentinel was measured = {out['upstream_requests_during_measurement']}")
    return out


def oauth_token(sentinel, endpoint):
    """Plays a user's consent over HTTP (Tests/EndToEnd/oauth_flow.py); returns an access token or raises."""
    import oauth_flow  # noqa: E402  (the end-to-end tests' helper)
    password = "bench-password-1"
    sentinel.ctl("user", "add", "bench", "--no-password")
    sentinel.ctl("user", "passwd", "bench", input=password + "\n")
    sentinel.ctl("endpoint", "allow", endpoint, "--user", "bench")
    return oauth_flow.Flow(sentinel.base, endpoint, "bench", password).access_token


def scenario_auth(work, args):
    """3. the bearer check: the same calls on an oauth endpoint with a token and on a --no-auth endpoint."""
    upstream = Upstream(work)
    sentinel = Sentinel(work)
    sentinel.ctl("server", "add", "fast", "--url", upstream.url)
    sentinel.ctl("endpoint", "create", "open", "--no-auth", "--server", "fast")
    sentinel.ctl("endpoint", "enable", "open", "fast/echo")
    try:
        sentinel.ctl("endpoint", "create", "secure", "--server", "fast")
        sentinel.ctl("endpoint", "enable", "secure", "fast/echo")
        token = oauth_token(sentinel, "secure")
    except Exception as error:  # noqa: BLE001
        stop(sentinel.process)
        stop(upstream.process)
        reason = f"no bearer token could be obtained: {str(error).splitlines()[0][:300]}"
        print(f"\n== 3. bearer check\nskipped: {reason}")
        return {"skipped": reason}
    duration, warmup = (1.5, 0.5) if args.quick else (3.0, 1.0)
    rows, out = [], {"rounds": []}
    def best(runs):
        return max(runs, key=lambda run: run["rps"])

    for concurrency in [1, 32]:
        for era in ["modern", "handshake"]:
            # Alternating runs, best of each kind: the two paths share whatever noise the machine has.
            plains, bearers = [], []
            for _ in range(2):
                plains.append(summary(load(sentinel.url("open"), era=era, tool="fast__echo",
                                           concurrency=concurrency, duration=duration, warmup=warmup)))
                bearers.append(summary(load(sentinel.url("secure"), era=era, tool="fast__echo",
                                            concurrency=concurrency, duration=duration, warmup=warmup, bearer=token)))
            plain, bearer = best(plains), best(bearers)
            plain["errors"] = sum(run["errors"] for run in plains)
            bearer["errors"] = sum(run["errors"] for run in bearers)
            cost = round(1 - bearer["rps"] / plain["rps"], 4) if plain["rps"] else None
            out["rounds"].append({"era": era, "concurrency": concurrency, "no_auth": plain, "bearer": bearer,
                                  "throughput_cost": cost})
            rows.append([era, concurrency, fmt(plain["rps"]), fmt(bearer["rps"]), fmt(plain.get("p50_us")),
                         fmt(bearer.get("p50_us")), f"{cost * 100:.1f}%" if cost is not None else "-",
                         plain["errors"] + bearer["errors"]])
    stop(sentinel.process)
    stop(upstream.process)
    table("3. bearer check on every request (sentinel, tools/call echo)",
          ["era", "c", "rps no-auth", "rps bearer", "p50 no-auth", "p50 bearer", "cost", "errors"], rows)
    return out


def post_initialize(port, path, timeout=60):
    """One initialize over a fresh connection; returns (seconds to the first byte, status line) or raises."""
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}}}).encode()
    request = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
               f"Accept: application/json, text/event-stream\r\nContent-Length: {len(body)}\r\n"
               f"Connection: close\r\n\r\n").encode() + body
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.sendall(request)
        first = s.recv(1)
        elapsed = time.monotonic() - started
        rest = first + s.recv(64)
    if not first:
        raise OSError("closed without a response")
    return elapsed, rest.split(b"\r\n")[0].decode(errors="replace")


def scenario_activation(work, args):
    """4. first response after socket activation (sentineld) against the fastmcp proxy's start to first response."""
    upstream = Upstream(work)
    # Prepare the state once: an endpoint that the first request reaches.
    sentinel = Sentinel(work, "activation")
    root = sentinel.root
    sentinel.ctl("server", "add", "fast", "--url", upstream.url)
    sentinel.ctl("endpoint", "create", "bench", "--no-auth", "--server", "fast")
    sentinel.ctl("endpoint", "enable", "bench", "fast/echo")
    stop(sentinel.process)
    trials = 3 if args.quick else 5
    activation, peer_times, statuses = [], [], []
    for _ in range(trials):
        port = free_port()
        varlink = root / "activated.sock"
        if varlink.exists():
            varlink.unlink()
        # It binds both sockets, then waits for the first connection to exec sentineld with them.
        process = start(["systemd-socket-activate", "-l", f"127.0.0.1:{port}", "-l", varlink, "--fdname=http:varlink",
                         SENTINELD, "--config", "/dev/null", "--state-directory", root / "state",
                         "--public-url", f"http://127.0.0.1:{port}", "--log-target", "journal"],
                        root / "activate.log")
        wait_for(lambda: varlink.exists(), 10, "systemd-socket-activate to bind")
        time.sleep(0.2)
        elapsed, status = post_initialize(port, "/mcp/bench")
        activation.append(elapsed)
        statuses.append(status)
        stop(process)
    for _ in range(trials):
        started = time.monotonic()
        peer = Peer(work, upstream.url, wait=False)

        def answered():
            try:
                _, status = post_initialize(peer.port, "/mcp", timeout=5)
                return status.endswith("200 OK")
            except OSError:
                return False
        wait_for(answered, 60, "the fastmcp proxy to answer")
        peer_times.append(time.monotonic() - started)
        stop(peer.process)
    stop(upstream.process)
    out = {
        "sentinel_activation_ms": [round(t * 1000, 1) for t in activation],
        "sentinel_statuses": statuses,
        "fastmcp_start_ms": [round(t * 1000, 1) for t in peer_times],
        "sentinel_median_ms": round(statistics.median(activation) * 1000, 1),
        "fastmcp_median_ms": round(statistics.median(peer_times) * 1000, 1),
    }
    out["sentinel_over_peer"] = ratio(out["sentinel_median_ms"], out["fastmcp_median_ms"])
    table("4. first response after start (ms; sentinel: socket activation to first byte of initialize; "
          "fastmcp: python start to first successful initialize)",
          ["target", "median", "trials"],
          [["sentinel", out["sentinel_median_ms"], " ".join(map(str, out["sentinel_activation_ms"]))],
           ["fastmcp", out["fastmcp_median_ms"], " ".join(map(str, out["fastmcp_start_ms"]))]])
    print(f"sentinel/peer = {out['sentinel_over_peer']}; statuses {set(statuses)}")
    return out


def scenario_memory(work, args):
    """5. resident memory with 1, 100, 1000 open sessions and with 20 stdio upstreams started."""
    upstream = Upstream(work)
    sentinel = Sentinel(work, "memory")
    sentinel.ctl("server", "add", "fast", "--url", upstream.url)
    sentinel.ctl("endpoint", "create", "bench", "--no-auth", "--server", "fast")
    sentinel.ctl("endpoint", "enable", "bench", "fast/echo")
    peer = Peer(work, upstream.url)
    out = {"sentinel": {"idle_kib": rss_kib(sentinel.process.pid)}, "fastmcp": {"idle_kib": rss_kib(peer.process.pid)}}
    opened = 0
    for sessions in [1, 100, 1000]:
        for name, url, process in [("sentinel", sentinel.url("bench"), sentinel.process), ("fastmcp", peer.url, peer.process)]:
            run = load(url, era="handshake", method="session", requests=sessions - opened, concurrency=4,
                       duration=300, warmup=0)
            time.sleep(0.3)
            out[name][f"sessions_{sessions}_kib"] = rss_kib(process.pid)
            out[name][f"sessions_{sessions}_errors"] = run["errors"]
        opened = sessions
    stop(peer.process)
    # 20 stdio demo servers attached and started (each called once).
    for i in range(20):
        sentinel.ctl("server", "add", f"demo{i}", "--", DEMO_SERVER)
    sentinel.ctl("endpoint", "create", "demos", "--no-auth", *sum((["--server", f"demo{i}"] for i in range(20)), []))
    sentinel.ctl("endpoint", "enable", "demos", *[f"demo{i}/echo" for i in range(20)])
    errors = 0
    for i in range(20):
        errors += load(sentinel.url("demos"), era="modern", tool=f"demo{i}__echo", requests=1, duration=30,
                       warmup=0)["errors"]
    time.sleep(0.3)
    kids = children(sentinel.process.pid)
    out["sentinel"]["stdio_20_kib"] = rss_kib(sentinel.process.pid)
    out["sentinel"]["stdio_20_children"] = len(kids)
    out["sentinel"]["stdio_20_children_kib"] = sum(rss_kib(k) for k in kids)
    out["sentinel"]["stdio_20_errors"] = errors
    stop(sentinel.process)
    # The peer with the same 20 stdio servers behind one proxy (it starts them per request).
    config = work / "demos.json"
    config.write_text(json.dumps({"mcpServers": {f"demo{i}": {"command": str(DEMO_SERVER)} for i in range(20)}}))
    peer = Peer(work, str(config))
    errors = 0
    for i in range(20):
        errors += load(peer.url, era="modern", tool=f"demo{i}_echo", requests=1, duration=60, warmup=0)["errors"]
    out["fastmcp"]["stdio_20_kib"] = rss_kib(peer.process.pid)
    out["fastmcp"]["stdio_20_children"] = len(children(peer.process.pid))
    out["fastmcp"]["stdio_20_errors"] = errors
    stop(peer.process)
    stop(upstream.process)
    rows = []
    for key in ["idle_kib", "sessions_1_kib", "sessions_100_kib", "sessions_1000_kib", "stdio_20_kib"]:
        s, p = out["sentinel"].get(key), out["fastmcp"].get(key)
        rows.append([key.replace("_kib", ""), fmt(s and s / 1024, 1), fmt(p and p / 1024, 1), fmt(ratio(s, p), 2)])
    table("5. resident memory (MiB, VmRSS of the gateway process; stdio children not included)",
          ["state", "sentinel", "fastmcp", "S/P"], rows)
    print(f"sentinel's 20 demo servers: {out['sentinel']['stdio_20_children']} children, "
          f"{out['sentinel']['stdio_20_children_kib'] / 1024:.1f} MiB together; "
          f"fastmcp kept {out['fastmcp']['stdio_20_children']} children")
    return out


# ---------------------------------------------------------------- targets

def scenario_read(work, args):
    """6. resources/read of a 100 KiB text resource at concurrency 1 and 8 in both eras: direct, sentinel, proxy."""
    upstream = Upstream(work)
    sentinel = Sentinel(work)
    sentinel.ctl("server", "add", "fast", "--url", upstream.url)
    sentinel.ctl("endpoint", "create", "bench", "--no-auth", "--server", "fast")
    sentinel.ctl("endpoint", "enable", "bench", "--resources", "fast")
    peer = Peer(work, upstream.url)
    blob = "bench://blob/100k"
    targets = [("direct", upstream.url, blob), ("sentinel", sentinel.url("bench"), "fast+" + blob),
               ("fastmcp", peer.url, blob)]
    duration, warmup = (1.5, 0.5) if args.quick else (3.0, 1.0)
    results = []
    for era in ["modern", "handshake"]:
        for concurrency in [1, 8]:
            row = {"era": era, "concurrency": concurrency}
            for name, url, uri in targets:
                slow = name == "fastmcp"
                run = load(url, era=era, method="resources/read", uri=uri, concurrency=concurrency,
                           duration=duration * (2 if slow else 1), warmup=warmup)
                row[name] = summary(run)
            s, d, p = row["sentinel"], row["direct"], row["fastmcp"]
            row["added_p50_us"] = s.get("p50_us", 0) - d.get("p50_us", 0)
            row["p50_sentinel_over_direct"] = ratio(s.get("p50_us"), d.get("p50_us"))
            row["rps_sentinel_over_direct"] = ratio(s["rps"], d["rps"])
            row["rps_sentinel_over_peer"] = ratio(s["rps"], p["rps"])
            results.append(row)
    for process in (peer.process, sentinel.process, upstream.process):
        stop(process)
    rows = [[r["era"], r["concurrency"], fmt(r["direct"]["rps"]), fmt(r["sentinel"]["rps"]), fmt(r["fastmcp"]["rps"], 1),
             fmt(r["direct"].get("p50_us")), fmt(r["sentinel"].get("p50_us")), fmt(r["fastmcp"].get("p50_us")),
             r["added_p50_us"], fmt(r["p50_sentinel_over_direct"], 2), fmt(r["rps_sentinel_over_direct"], 2),
             fmt(r["rps_sentinel_over_peer"], 1), sum(r[t]["errors"] for t in ("direct", "sentinel", "fastmcp"))]
            for r in results]
    table("6. resources/read of 100 KiB (S = sentinel, D = direct, P = fastmcp proxy)",
          ["era", "c", "rps D", "rps S", "rps P", "p50 D", "p50 S", "p50 P", "S-D p50", "S/D p50", "S/D rps", "S/P rps",
           "errors"], rows)
    return results


def targets(results):
    """Where each target of issue 7 stands in this run."""
    verdicts = []

    def add(name, ok, figure):
        verdicts.append({"target": name, "met": ok, "figure": figure})

    def ok(name):
        value = results.get(name)
        return value if value and "failed" not in value else None

    calls = ok("calls")
    if calls:
        for era in ("modern", "handshake"):
            c1 = next(r for r in calls if r["era"] == era and r["concurrency"] == 1)
            c32 = next(r for r in calls if r["era"] == era and r["concurrency"] == 32)
            add(f"added p50 at c=1 <= 100 µs ({era})", c1["added_p50_us"] <= 100, f"{c1['added_p50_us']} µs")
            add(f"rps at c=32 >= 50% of direct ({era})", (c32["rps_sentinel_over_direct"] or 0) >= 0.5,
                f"{c32['rps_sentinel_over_direct']}")
            add(f"rps at c=32 >= 20x fastmcp ({era})", (c32["rps_sentinel_over_peer"] or 0) >= 20,
                f"{c32['rps_sentinel_over_peer']}x")
    listing = ok("list")
    if listing:
        add("tools/list 500 p50 <= 2x ping", (listing["list_over_ping_p50"] or 99) <= 2,
            f"{listing['list_over_ping_p50']}x (without following cursors: {listing['page_over_ping_p50']}x)")
        add("tools/list: no upstream traffic", listing["upstream_requests_during_measurement"] == 0,
            f"{listing['upstream_requests_during_measurement']} requests")
    auth = ok("auth")
    if auth:
        if "skipped" in auth:
            add("bearer check <= 5% throughput cost", None, "skipped: " + auth["skipped"])
        else:
            worst = max(r["throughput_cost"] for r in auth["rounds"])
            add("bearer check <= 5% throughput cost", worst <= 0.05, f"worst {worst * 100:.1f}%")
    activation = ok("activation")
    if activation:
        add("first response after activation < 150 ms", activation["sentinel_median_ms"] < 150,
            f"{activation['sentinel_median_ms']} ms")
        add("activation <= 1/5 of the peer's start", (activation["sentinel_over_peer"] or 1) <= 0.2,
            f"{activation['sentinel_over_peer']}")
    table("targets", ["target", "met", "figure"],
          [[v["target"], {True: "yes", False: "NO", None: "-"}[v["met"]], v["figure"]] for v in verdicts])
    return verdicts


def machine():
    load1, load5, load15 = os.getloadavg()
    return {"nproc": os.cpu_count(), "loadavg_at_start": [load1, load5, load15],
            "kernel": os.uname().release}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs (for trying the harness)")
    parser.add_argument("--only", default="1,2,3,4,5,6", help="scenarios to run, e.g. 1,3")
    parser.add_argument("--out", help="JSON file (default Benchmarks/results/<date>-<commit>.json)")
    args = parser.parse_args()
    for binary in (SENTINELD, SENTINELCTL, DEMO_SERVER, LOAD, UPSTREAM):
        if not os.access(binary, os.X_OK):
            sys.exit(f"{binary} is missing: run `make bench` (it builds both packages in release mode)")
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip() or "unknown"
    dirty = bool(subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
                                capture_output=True, text=True).stdout.strip())
    now = datetime.datetime.now(datetime.timezone.utc)
    results = {"commit": commit, "dirty": dirty, "date": now.isoformat(timespec="seconds"), "quick": args.quick,
               "machine": machine()}
    work = Path(tempfile.mkdtemp(prefix="snb", dir="/tmp"))
    work.chmod(0o755)
    scenarios = {"1": ("calls", scenario_calls), "2": ("list", scenario_list), "3": ("auth", scenario_auth),
                 "4": ("activation", scenario_activation), "5": ("memory", scenario_memory),
                 "6": ("read", scenario_read)}
    started = time.monotonic()
    try:
        for key in args.only.split(","):
            name, run = scenarios[key.strip()]
            try:
                results[name] = run(work, args)
            except Exception as error:  # noqa: BLE001  (one broken scenario must not lose the others)
                results[name] = {"failed": str(error)}
                print(f"\n== {name}: FAILED: {error}")
            finally:
                stop_all()
    finally:
        stop_all()
        keep = os.environ.get("SENTINEL_BENCH_KEEP")
        if keep:
            print(f"logs kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    results["targets"] = targets(results)
    results["machine"]["loadavg_at_end"] = list(os.getloadavg())
    results["seconds"] = round(time.monotonic() - started, 1)
    out = Path(args.out) if args.out else HERE / "results" / f"{now:%Y-%m-%d}-{commit}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"\nresults: {out} ({results['seconds']} s, load average at start {results['machine']['loadavg_at_start']})")


if __name__ == "__main__":
    main()
