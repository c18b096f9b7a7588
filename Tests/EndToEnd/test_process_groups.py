"""A stdio server's whole process group goes with it (issue 11, defect 7), through the real sentineld.

The upstream (fixtures/catalog_stdio_server.py --grandchild) starts a child in its process group that ignores
SIGTERM, as wrappers like `npx` or `sh -c` leave behind. Neither `sentinelctl server remove` nor stopping
sentineld may leave it running. (A child that leaves the group with setsid or setpgid is out of reach of group
signals: per-server cgroups will cover it.)
"""

import os
import shutil
import signal
import sys
import time
from pathlib import Path

from conftest import Daemon, short_tempdir, wait_for

HERE = Path(__file__).parent
FIXTURE = HERE / "fixtures" / "catalog_stdio_server.py"
STOP_GRACE = 5  # StdioUpstreamClient's stop timeout: SIGTERM, then SIGKILL


def running(pid):
    """Whether `pid` is a live process (a zombie waiting for a parent that does not reap is not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def group_members(pgid):
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                members.append(int(entry.name))
    return members


def kill_leftovers(root):
    """SIGKILLs what a failed test left running, so that it does not outlive the test run."""
    for pids in root.glob("*.pids"):
        for path in pids.iterdir():
            for pid in (int(path.name), int(path.read_text())):
                if running(pid):
                    os.kill(pid, signal.SIGKILL)


def add_server(daemon, root, name):
    pids = root / f"{name}.pids"
    pids.mkdir()
    catalog = root / "tools.json"
    catalog.write_text('[{"name":"noop","inputSchema":{"type":"object"}}]')
    daemon.ctl("server", "add", name, "--", sys.executable, str(FIXTURE), str(catalog), "--grandchild", str(pids))
    grandchildren = wait_for(lambda: [int(path.name) for path in pids.iterdir()], 10, "the server to start its child")
    servers = [int(path.read_text()) for path in pids.iterdir()]
    assert all(running(pid) for pid in grandchildren)
    return grandchildren, servers


def assert_all_gone(grandchildren, servers, within):
    deadline = time.monotonic() + within
    while time.monotonic() < deadline and any(running(pid) for pid in grandchildren + servers):
        time.sleep(0.1)
    assert not [pid for pid in grandchildren if running(pid)], "the server's child outlived it"
    assert not [pid for pid in servers if running(pid)]
    for server in servers:
        assert group_members(server) == [], f"process group {server} still has members"


def test_server_remove_leaves_nothing_of_the_server_behind():
    root = short_tempdir()
    daemon = Daemon(root).start()
    try:
        grandchildren, servers = add_server(daemon, root, "wrapped")
        started = time.monotonic()
        daemon.ctl("server", "remove", "wrapped", json_output=False)
        # `server remove` returns once the group is gone or SIGKILL has been sent to it.
        assert time.monotonic() - started < STOP_GRACE + 3
        assert_all_gone(grandchildren, servers, within=1)
        assert "outlived SIGTERM; sending SIGKILL" in daemon.log.read_text()
    finally:
        daemon.stop()
        kill_leftovers(root)
        shutil.rmtree(root, ignore_errors=True)


def test_stopping_sentineld_leaves_nothing_of_its_servers_behind():
    root = short_tempdir()
    daemon = Daemon(root).start()
    try:
        grandchildren, servers = add_server(daemon, root, "wrapped")
        assert daemon.stop(signal.SIGTERM, timeout=STOP_GRACE + 10) == 0
        assert_all_gone(grandchildren, servers, within=1)
    finally:
        daemon.stop()
        kill_leftovers(root)
        shutil.rmtree(root, ignore_errors=True)
