"""Audit and log entries land in a real journald (private to the test) and are found by field."""

import json
import subprocess
from pathlib import Path

from conftest import run_journal_scenario, SENTINELCTL, free_port, journal_directory, journal_entries, require_root

HERE = Path(__file__).parent


def test_changes_and_daemon_events_are_in_the_journal(workdir):
    require_root()
    port = free_port()
    status = run_journal_scenario(workdir, port, f"""\
        {SENTINELCTL} server add clock --env SECRET_TOKEN=hunter2 -- /bin/true >/dev/null
        {SENTINELCTL} endpoint create eng --server clock >/dev/null
        echo 'a long password' | {SENTINELCTL} user add erin >/dev/null
        """)
    assert status == 0, "sentineld must exit 0 on SIGTERM"

    changes = journal_entries(workdir, "SENTINEL_EVENT=config-changed")
    actions = [(e["SENTINEL_ACTION"], e.get("SENTINEL_SERVER") or e.get("SENTINEL_ENDPOINT") or e.get("SENTINEL_USER"))
               for e in changes]
    assert actions == [("server-add", "clock"), ("endpoint-create", "eng"), ("user-add", "erin")]
    for entry in changes:
        assert entry["MESSAGE_ID"] == "b83dffb512ef4ea2a66aa5b7a075c05b"
        assert entry["SYSLOG_IDENTIFIER"] == "sentineld"
        assert entry["SENTINEL_PEER_UID"] == "0" and int(entry["SENTINEL_PEER_PID"]) > 0
        assert "hunter2" not in json.dumps(entry) and "a long password" not in json.dumps(entry)
    assert "SECRET_TOKEN" in changes[0]["SENTINEL_CHANGES"], "the audit names environment keys, never values"

    assert len(journal_entries(workdir, "SENTINEL_EVENT=daemon-started")) == 1
    assert len(journal_entries(workdir, "SENTINEL_EVENT=daemon-stopping")) == 1
    logs = journal_entries(workdir, "SYSLOG_IDENTIFIER=sentineld", "SENTINEL_LOGGER=sentineld.http")
    assert any("HTTP listening" in e["MESSAGE"] for e in logs), "the daemon's own log goes to the journal too"

    journal_dir = str(journal_directory(workdir))
    via_ctl = subprocess.run([str(SENTINELCTL), "logs", "-D", journal_dir, "--event", "config-changed", "--json"],
                             capture_output=True, text=True, check=True)
    entries = [json.loads(line) for line in via_ctl.stdout.splitlines()]
    assert [e["SENTINEL_ACTION"] for e in entries] == ["server-add", "endpoint-create", "user-add"]

    by_endpoint = subprocess.run([str(SENTINELCTL), "logs", "-D", journal_dir, "--endpoint", "eng"],
                                 capture_output=True, text=True, check=True).stdout.splitlines()
    assert len(by_endpoint) == 1 and "config-changed" in by_endpoint[0] and "endpoint=eng" in by_endpoint[0]

    last = subprocess.run([str(SENTINELCTL), "logs", "-D", journal_dir, "-n", "1", "--json"],
                          capture_output=True, text=True, check=True).stdout.splitlines()
    assert [json.loads(line)["SENTINEL_EVENT"] for line in last] == ["daemon-stopping"]
