"""Every tool call through the gateway is one journal entry (real journald, private to the test)."""

import json
import sys
from pathlib import Path

from conftest import run_journal_scenario, SENTINELCTL, BUILD, free_port, journal_entries, require_root, sentinelctl_logs

HERE = Path(__file__).parent
DEMO_SERVER = BUILD / "sentinel-demo-server"
TOOL_CALL_ID = "ec82b518c7f642baa943f19270fb8ac0"
TOOL_DENIED_ID = "6f20922490b648a5bd454ad6cbc3031f"


def test_each_call_is_one_journal_entry_with_its_outcome(workdir):
    require_root()
    port = free_port()
    result = workdir / "calls.json"
    run_journal_scenario(workdir, port, f"""\
        {SENTINELCTL} server add demo -- {DEMO_SERVER} >/dev/null
        {SENTINELCTL} server add stuck --call-timeout 1 -- {DEMO_SERVER} >/dev/null
        {SENTINELCTL} endpoint create eng --no-auth --server demo --server stuck >/dev/null
        {SENTINELCTL} endpoint enable eng demo/echo demo/fail demo/slow stuck/hang >/dev/null
        {sys.executable} {HERE / "fixtures" / "audit_client.py"} http://127.0.0.1:{port}/mcp/eng {result}
        """)

    calls = json.loads(result.read_text())
    assert calls["ok"] == {"is_error": False, "text": "audited"}
    assert calls["denied"] == {"error": -32602}
    assert calls["error"] == {"is_error": True, "text": "disk on fire"}
    assert calls["timeout"] == {"error": -31001}
    assert calls["after_cancel"] == {"is_error": False, "text": "after cancel"}
    assert calls["modern_ok"] == {"is_error": False, "text": "modern"}

    entries = journal_entries(workdir, "SENTINEL_EVENT=tool-call")
    summary = [(e["SENTINEL_TOOL"], e["SENTINEL_OUTCOME"], e["SENTINEL_CLIENT"]) for e in entries]
    assert summary == [
        ("echo", "ok", "audit-legacy"),
        ("fail", "error", "audit-legacy"),
        ("hang", "timeout", "audit-legacy"),
        ("slow", "cancelled", "audit-legacy"),
        ("echo", "ok", "audit-legacy"),
        ("echo", "ok", "audit-modern"),
    ]
    for entry in entries:
        assert entry["MESSAGE_ID"] == TOOL_CALL_ID
        assert entry["SYSLOG_IDENTIFIER"] == "sentineld"
        server = "stuck" if entry["SENTINEL_TOOL"] == "hang" else "demo"
        assert entry["SENTINEL_ENDPOINT"] == "eng" and entry["SENTINEL_SERVER"] == server
        assert entry["SENTINEL_EXPOSED_NAME"] == f"{server}__{entry['SENTINEL_TOOL']}"
        assert int(entry["SENTINEL_DURATION_US"]) > 0
        assert int(entry["SENTINEL_REQUEST_BYTES"]) > 0
        if entry["SENTINEL_OUTCOME"] in ("ok", "error"):
            assert int(entry["SENTINEL_RESPONSE_BYTES"]) > 0
        assert "audited" not in json.dumps(entry), "payload capture is off by default"
    by_tool = {e["SENTINEL_TOOL"]: e for e in entries}
    assert 1_000_000 <= int(by_tool["hang"]["SENTINEL_DURATION_US"]) < 3_000_000
    assert int(by_tool["slow"]["SENTINEL_DURATION_US"]) < 10_000_000

    denied = journal_entries(workdir, "SENTINEL_EVENT=tool-denied")
    assert len(denied) == 1
    assert denied[0]["MESSAGE_ID"] == TOOL_DENIED_ID
    assert (denied[0]["SENTINEL_ENDPOINT"], denied[0]["SENTINEL_EXPOSED_NAME"], denied[0]["SENTINEL_OUTCOME"],
            denied[0]["SENTINEL_CLIENT"]) == ("eng", "demo__add", "denied", "audit-legacy")
    assert (denied[0]["SENTINEL_SERVER"], denied[0]["SENTINEL_TOOL"]) == ("demo", "add")

    assert journal_entries(workdir, "SENTINEL_ENDPOINT=eng", "SENTINEL_EVENT=tool-call", "SENTINEL_OUTCOME=timeout")

    echo = sentinelctl_logs(workdir, "--tool", "echo")
    assert [(e["SENTINEL_EVENT"], e["SENTINEL_OUTCOME"], e["SENTINEL_CLIENT"]) for e in echo] == [
        ("tool-call", "ok", "audit-legacy"), ("tool-call", "ok", "audit-legacy"), ("tool-call", "ok", "audit-modern")]
    assert [e["SENTINEL_EXPOSED_NAME"] for e in echo] == ["demo__echo"] * 3
    assert [e["SENTINEL_EXPOSED_NAME"] for e in sentinelctl_logs(workdir, "--tool", "demo__echo")] == ["demo__echo"] * 3
    assert [e["SENTINEL_TOOL"] for e in sentinelctl_logs(workdir, "--outcome", "denied")] == ["add"]
    assert [e["SENTINEL_TOOL"] for e in sentinelctl_logs(workdir, "--endpoint", "eng", "--outcome", "timeout")] == ["hang"]

    assert (workdir / "sentineld.status").read_text().strip() == "0", "sentineld must exit 0 on SIGTERM"
