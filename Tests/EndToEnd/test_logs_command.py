"""`sentinelctl logs` when the journal holds nothing of Sentinel's (issue 11, item 8), with the real binaries.

sentineld here runs without a journal (no journald in the test's namespace), so it writes its audit events to
standard error; `sentinelctl logs` used to print nothing and exit 0. Journal files with entries are made by
systemd-journal-remote from export-format text, so no journald is needed.
"""

import subprocess
from pathlib import Path

import pytest

from conftest import SENTINELCTL

JOURNAL_REMOTE = Path("/lib/systemd/systemd-journal-remote")
CONFIG_CHANGED = "b83dffb512ef4ea2a66aa5b7a075c05b"  # AuditEventKind.configChanged's MESSAGE_ID


def logs(daemon, *args):
    return subprocess.run([str(SENTINELCTL), "--address", daemon.address, "logs", *args],
                          capture_output=True, text=True, timeout=30)


def test_status_says_where_logs_and_audit_events_go(daemon):
    status = daemon.ctl("status")
    assert status["log_target"] == "stderr"  # --log-target stderr
    assert status["audit_target"] in ("journal", "stderr")


def test_an_empty_journal_is_an_error_that_says_where_the_daemon_writes(daemon, workdir):
    if daemon.ctl("status")["audit_target"] != "stderr":
        pytest.skip("a journal is reachable here, so sentineld audits to it")
    empty = workdir / "journal"
    empty.mkdir()
    result = logs(daemon, "-D", str(empty))
    assert result.returncode == 1 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"sentinelctl: no Sentinel audit entries in the journal files in {empty}: ")
    assert f"sentineld (pid {daemon.process.pid}) writes them to its standard error" in lines[0]
    # `-n 0` asks for nothing and gets nothing, without complaint.
    assert logs(daemon, "-D", str(empty), "-n", "0").returncode == 0


def test_without_a_daemon_to_ask_the_error_says_so(workdir):
    empty = workdir / "journal"
    empty.mkdir()
    result = subprocess.run([str(SENTINELCTL), "--address", f"unix:{workdir}/none.sock", "logs", "-D", str(empty)],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert result.stderr.strip() == (f"sentinelctl: no Sentinel audit entries in the journal files in {empty}, and "
                                     f"sentineld did not answer at unix:{workdir}/none.sock to say where it writes them")


@pytest.mark.skipif(not JOURNAL_REMOTE.exists(), reason="needs systemd-journal-remote")
def test_filters_that_match_nothing_in_a_journal_with_entries_are_not_an_error(daemon, workdir):
    directory = workdir / "journal"
    directory.mkdir()
    export = (f"__REALTIME_TIMESTAMP=1700000000000000\nMESSAGE_ID={CONFIG_CHANGED}\nMESSAGE=endpoint eng created\n"
              "SENTINEL_EVENT=config-changed\nSENTINEL_ENDPOINT=eng\n\n")
    subprocess.run([str(JOURNAL_REMOTE), f"--output={directory}/test.journal", "--compress=no", "-"],
                   input=export.encode(), check=True, capture_output=True)
    assert "endpoint eng created" in logs(daemon, "-D", str(directory)).stdout
    nothing = logs(daemon, "-D", str(directory), "--endpoint", "ops")
    assert (nothing.returncode, nothing.stdout, nothing.stderr) == (0, "", "")
