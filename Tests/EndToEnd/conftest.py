"""Shared fixtures: run the real sentineld and sentinelctl binaries from the build directory."""

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("SENTINEL_BUILD_DIR", REPO / ".build" / "debug"))
SENTINELD = BUILD / "sentineld"
SENTINELCTL = BUILD / "sentinelctl"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout=10.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def short_tempdir(prefix="snt"):
    """A temp dir with a short path: unix socket paths must stay under 108 bytes."""
    path = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    path.chmod(0o755)
    return path


class Daemon:
    """One sentineld process with its own state directory, port and control socket."""

    def __init__(self, root, extra_args=(), env=None, config=None):
        self.root = Path(root)
        self.state = self.root / "state"
        self.socket = self.root / "control.sock"
        self.port = free_port()
        self.log = self.root / "sentineld.log"
        self.config = config or (self.root / "sentineld.conf")
        if not Path(self.config).exists():
            Path(self.config).write_text("")
        self.extra_args = list(extra_args)
        self.env = dict(os.environ, **(env or {}))
        self.process = None

    @property
    def address(self):
        return f"unix:{self.socket}"

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def command(self):
        return [
            str(SENTINELD), "--config", str(self.config), "--state-directory", str(self.state),
            "--http-listen", f"127.0.0.1:{self.port}", "--control-socket", str(self.socket),
            "--log-target", "stderr", *self.extra_args,
        ]

    def start(self, wait=True):
        self.log_handle = open(self.log, "ab")
        self.process = subprocess.Popen(self.command(), stdout=self.log_handle, stderr=subprocess.STDOUT, env=self.env)
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout=15):
        def ready():
            if self.process.poll() is not None:
                raise AssertionError(f"sentineld exited with {self.process.returncode}:\n{self.log.read_text()}")
            return self.socket.exists() and self.http_ok()
        wait_for(ready, timeout, "sentineld to listen")

    def http_ok(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def stop(self, sig=signal.SIGTERM, timeout=15):
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise AssertionError("sentineld did not stop in time")
        if getattr(self, "log_handle", None):
            self.log_handle.close()
        return self.process.returncode if self.process else None

    def ctl(self, *args, input=None, check=True, json_output=True, env=None, prefix=()):
        """Runs sentinelctl against this daemon; returns parsed JSON (or the CompletedProcess)."""
        # Global options before the subcommand, so commands ending in `-- COMMAND` work too.
        argv = [*prefix, str(SENTINELCTL), "--address", self.address, *(["--json"] if json_output else []), *args]
        result = subprocess.run(argv, input=input, capture_output=True, text=True, env=env, timeout=30)
        if not check:
            return result
        assert result.returncode == 0, f"sentinelctl {' '.join(args)} failed ({result.returncode}): {result.stderr}"
        return json.loads(result.stdout) if json_output else result.stdout

    def database(self):
        return self.state / "sentinel.sqlite"


@pytest.fixture
def workdir():
    path = short_tempdir()
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def daemon(workdir):
    d = Daemon(workdir).start()
    yield d
    d.stop()


def require_root():
    if os.geteuid() != 0:
        pytest.skip("needs root (CI runs as root)")


def journal_directory(workdir):
    """Where private-journal.sh leaves the journal files of a test run in `workdir`."""
    machine = Path("/etc/machine-id").read_text().strip()
    return Path(workdir) / "log" / "journal" / machine


def journal_entries(workdir, *matches):
    """Entries of the test's private journal matching `FIELD=value` arguments, via journalctl."""
    result = subprocess.run(["journalctl", "-D", str(journal_directory(workdir)), "-o", "json", *matches],
                            capture_output=True, text=True, check=True)
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def run_journal_scenario(workdir, port, commands, config="/dev/null", daemon_args="", timeout=60):
    """Starts sentineld on 127.0.0.1:`port` logging to a private journal (private-journal.sh), runs the bash
    `commands` with SENTINEL_ADDRESS naming its control socket, stops it with SIGTERM and returns its exit status.
    The journal is then read with `journal_entries(workdir, …)`."""
    script = Path(workdir) / "scenario.sh"
    script.write_text(textwrap.dedent(f"""\
        set -euo pipefail
        {SENTINELD} --config {config} --state-directory {workdir}/state --http-listen 127.0.0.1:{port} \\
            --control-socket {workdir}/c.sock --log-target journal {daemon_args} &
        pid=$!
        trap 'kill -TERM $pid 2>/dev/null || true' EXIT
        for _ in $(seq 200); do [ -S {workdir}/c.sock ] && break; sleep 0.05; done
        export SENTINEL_ADDRESS=unix:{workdir}/c.sock
        """) + textwrap.dedent(commands) + textwrap.dedent(f"""\
        kill -TERM $pid
        status=0
        wait $pid || status=$?
        trap - EXIT
        echo $status > {workdir}/sentineld.status
        """))
    subprocess.run([str(REPO / "Tests" / "EndToEnd" / "private-journal.sh"), str(workdir), "bash", str(script)],
                   check=True, timeout=timeout)
    return int((Path(workdir) / "sentineld.status").read_text())


def sentinelctl_logs(workdir, *filters):
    """The same journal through `sentinelctl logs --json`."""
    result = subprocess.run([str(SENTINELCTL), "logs", "-D", str(journal_directory(workdir)), "--json", *filters],
                            capture_output=True, text=True, check=True)
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def start_listening_server(argv, port, what):
    """Starts a test server (`argv`, a Python MCP server script and its port) and waits until it listens on `port`."""
    process = subprocess.Popen([str(a) for a in argv], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def listening():
        if process.poll() is not None:
            raise AssertionError(f"{what} exited with {process.returncode}: {process.stderr.read().decode()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            return False
    wait_for(listening, 20, f"{what} to listen")
    return process


def stop_process(process):
    """SIGTERM, then SIGKILL after 10 s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def unix_group_with_member(group, member):
    """A Unix group with one member for the test's duration (root only): who may use a control socket."""
    require_root()
    subprocess.run(["groupadd", "-f", group], check=True)
    if subprocess.run(["id", member], capture_output=True).returncode != 0:
        subprocess.run(["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", "-G", group, member], check=True)
    try:
        yield group
    finally:
        subprocess.run(["userdel", member], capture_output=True)
        subprocess.run(["groupdel", group], capture_output=True)


@contextlib.contextmanager
def headless_chromium(width, height=1000):
    """Debian's chromium driven by selenium (both installed by `make check`), quit on leaving."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    chromium = shutil.which("chromium")
    driver_path = shutil.which("chromedriver")
    assert chromium and driver_path, "make check installs chromium and chromium-driver"
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     f"--window-size={width},{height}"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()
