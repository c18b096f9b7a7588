"""sentinelctl round trips through the real daemon for every subcommand, with --json parsed."""

import json
import sqlite3
import subprocess
import time

from conftest import SENTINELCTL


def seed_catalog(daemon, server, tools):
    """Stands in for catalog discovery: writes tools for `server` straight into the store."""
    db = sqlite3.connect(daemon.database(), timeout=5)
    with db:
        server_id = db.execute("SELECT id FROM servers WHERE name = ?", (server,)).fetchone()[0]
        for position, name in enumerate(tools):
            db.execute(
                "INSERT INTO tools (server_id, name, description, input_schema, position, discovered_at) "
                "VALUES (?, ?, ?, '{\"type\":\"object\"}', ?, '2026-01-01 00:00:00.000')",
                (server_id, name, f"{name} tool", position),
            )
    db.close()


def test_status_reports_listeners_and_counts(daemon):
    status = daemon.ctl("status")
    assert status["version"]
    assert status["http_listen"] == f"127.0.0.1:{daemon.port}"
    assert status["control_socket"] == str(daemon.socket)
    assert status["state_directory"] == str(daemon.state)
    assert status["schema_migrations"] == [
        "v1-servers-endpoints-users", "v2-clients-grants-tokens", "v3-server-secret-headers", "v4-authorization",
        "v5-upstream-credentials", "v6-mcp-sessions", "v6-pinned-exposed-names", "v6-whole-tool-definitions",
        "v7-credential-hints-and-verification", "v8-prompts-resources"]
    assert (status["servers"], status["endpoints"], status["users"], status["active_sessions"]) == (0, 0, 0, 0)


def test_server_add_list_show_update_tools_remove(daemon):
    added = daemon.ctl("server", "add", "clock", "--description", "Clock", "--env", "TZ=UTC", "--call-timeout", "30",
                       "--", "/usr/bin/env", "python3", "-m", "mcp_server_time")
    assert added["name"] == "clock" and added["transport"] == "stdio"
    assert added["command"] == ["/usr/bin/env", "python3", "-m", "mcp_server_time"]
    assert added["environment"] == {"TZ": "UTC"} and added["call_timeout"] == 30
    remote = daemon.ctl("server", "add", "docs", "--url", "https://mcp.example.org/mcp")
    assert remote["transport"] == "http" and remote["url"] == "https://mcp.example.org/mcp"

    assert [s["name"] for s in daemon.ctl("server", "list")] == ["clock", "docs"]
    assert daemon.ctl("server", "show", "docs")["url"] == "https://mcp.example.org/mcp"

    updated = daemon.ctl("server", "update", "clock", "--description", "New", "--connect-timeout", "5", "--clear-env")
    assert updated["description"] == "New" and updated["connect_timeout"] == 5 and updated["environment"] == {}
    assert daemon.ctl("server", "tools", "clock") == []

    daemon.ctl("server", "remove", "docs")
    assert [s["name"] for s in daemon.ctl("server", "list")] == ["clock"]


def test_server_remove_refuses_while_attached_unless_forced(daemon):
    daemon.ctl("server", "add", "a", "--", "/bin/true")
    daemon.ctl("endpoint", "create", "eng", "--server", "a")
    refused = daemon.ctl("server", "remove", "a", check=False, json_output=False)
    assert refused.returncode == 1
    assert refused.stderr.strip() == "sentinelctl: server 'a' is attached to endpoint(s) eng; detach it or use --force"
    assert daemon.ctl("server", "remove", "a", "--force") == {"detached_from": ["eng"]}
    assert daemon.ctl("endpoint", "show", "eng")["servers"] == []


def test_endpoint_lifecycle_and_tool_selection(daemon):
    daemon.ctl("server", "add", "alpha", "--", "/bin/true")
    daemon.ctl("server", "add", "beta", "--", "/bin/true")
    seed_catalog(daemon, "alpha", ["search", "fetch"])
    seed_catalog(daemon, "beta", ["search"])

    created = daemon.ctl("endpoint", "create", "eng", "--description", "Engineering", "--server", "alpha")
    assert created["url"] == f"{daemon.url}/mcp/eng"
    assert created["auth"] == "oauth" and created["enabled_tools"] == 0 and created["available_tools"] == 2
    attached = daemon.ctl("endpoint", "attach", "eng", "beta")
    assert attached["servers"] == ["alpha", "beta"]

    tools = daemon.ctl("endpoint", "tools", "eng")
    assert [(t["server"], t["tool"], t["exposed_name"], t["enabled"]) for t in tools] == [
        ("alpha", "search", "alpha__search", False),
        ("alpha", "fetch", "alpha__fetch", False),
        ("beta", "search", "beta__search", False),
    ]

    changed = daemon.ctl("endpoint", "enable", "eng", "alpha/search", "beta__search")
    assert sorted(c["exposed_name"] for c in changed) == ["alpha__search", "beta__search"]
    assert daemon.ctl("endpoint", "enable", "eng", "alpha/search") == []
    assert daemon.ctl("endpoint", "show", "eng")["enabled_tools"] == 2

    unknown = daemon.ctl("endpoint", "enable", "eng", "alpha/fetch", "alpha/nope", check=False, json_output=False)
    assert unknown.returncode == 1 and "has no tool 'alpha/nope'" in unknown.stderr
    assert daemon.ctl("endpoint", "show", "eng")["enabled_tools"] == 2, "a failed enable must change nothing"

    daemon.ctl("endpoint", "enable", "eng", "--all", "alpha")
    assert daemon.ctl("endpoint", "show", "eng")["enabled_tools"] == 3
    daemon.ctl("endpoint", "disable", "eng", "alpha/search")
    enabled = {t["exposed_name"] for t in daemon.ctl("endpoint", "tools", "eng") if t["enabled"]}
    assert enabled == {"alpha__fetch", "beta__search"}

    daemon.ctl("endpoint", "detach", "eng", "beta")
    assert {t["server"] for t in daemon.ctl("endpoint", "tools", "eng")} == {"alpha"}

    updated = daemon.ctl("endpoint", "update", "eng", "--description", "Eng", "--capture-payloads", "true")
    assert updated["description"] == "Eng" and updated["capture_payloads"] is True
    assert [e["name"] for e in daemon.ctl("endpoint", "list")] == ["eng"]
    daemon.ctl("endpoint", "delete", "eng")
    assert daemon.ctl("endpoint", "list") == []


def test_endpoint_show_says_plainly_when_unauthenticated(daemon):
    daemon.ctl("endpoint", "create", "open", "--no-auth")
    text = daemon.ctl("endpoint", "show", "open", json_output=False)
    assert "NO AUTHENTICATION" in text


def test_users_add_list_passwd_remove_with_secret_on_stdin(daemon):
    daemon.ctl("user", "add", "alice", "--display-name", "Alice Example", input="correct horse\n")
    daemon.ctl("user", "add", "bob", "--no-password")
    users = {u["name"]: u for u in daemon.ctl("user", "list")}
    assert users["alice"]["has_password"] is True and users["alice"]["display_name"] == "Alice Example"
    assert users["bob"]["has_password"] is False

    daemon.ctl("user", "passwd", "bob", input="another secret\n")
    assert {u["name"]: u for u in daemon.ctl("user", "list")}["bob"]["has_password"] is True
    short = daemon.ctl("user", "passwd", "bob", input="short\n", check=False, json_output=False)
    assert short.returncode == 1 and short.stderr.strip() == "sentinelctl: password: must be at least 8 characters"

    db = __import__("sqlite3").connect(daemon.database())
    hashes = [row[0] for row in db.execute("SELECT password_hash FROM users")]
    db.close()
    assert all(h.startswith("$scrypt$") for h in hashes)
    assert not any("correct horse" in h for h in hashes)

    daemon.ctl("user", "remove", "alice")
    assert [u["name"] for u in daemon.ctl("user", "list")] == ["bob"]


def test_sessions_list_and_revoke(daemon):
    daemon.ctl("user", "add", "carol", "--no-password")
    daemon.ctl("endpoint", "create", "eng")
    db = __import__("sqlite3").connect(daemon.database(), timeout=5)
    with db:
        db.execute("INSERT INTO oauth_clients (id, name, kind, created_at) VALUES ('c1', 'Claude', 'dynamic', '2026-01-01 00:00:00.000')")
        user_id = db.execute("SELECT id FROM users WHERE name='carol'").fetchone()[0]
        endpoint_id = db.execute("SELECT id FROM endpoints WHERE name='eng'").fetchone()[0]
        for grant in ("g1", "g2"):
            db.execute("INSERT INTO grants (id, user_id, client_id, endpoint_id, created_at, expires_at) "
                       "VALUES (?, ?, 'c1', ?, '2026-01-01 00:00:00.000', '2999-01-01 00:00:00.000')",
                       (grant, user_id, endpoint_id))
        db.execute("INSERT INTO tokens (hash, grant_id, kind, expires_at) VALUES ('h1', 'g1', 'access', '2999-01-01')")
    db.close()

    sessions = daemon.ctl("session", "list", "--user", "carol")
    assert sorted(s["id"] for s in sessions) == ["g1", "g2"]
    assert {s["client_name"] for s in sessions} == {"Claude"}
    assert daemon.ctl("session", "revoke", "g1")[0]["id"] == "g1"
    assert [s["id"] for s in daemon.ctl("session", "list")] == ["g2"]
    assert sorted(s["id"] for s in daemon.ctl("session", "list", "--all")) == ["g1", "g2"]
    assert [s["id"] for s in daemon.ctl("session", "revoke", "--endpoint", "eng")] == ["g2"]
    assert daemon.ctl("status")["active_sessions"] == 0
    db = __import__("sqlite3").connect(daemon.database())
    assert db.execute("SELECT COUNT(*) FROM tokens").fetchone()[0] == 0, "revocation deletes the grant's tokens"
    db.close()
    missing = daemon.ctl("session", "revoke", "nope", check=False, json_output=False)
    assert missing.returncode == 1 and missing.stderr.strip() == "sentinelctl: no session with id 'nope'"


def test_watch_streams_changes(daemon):
    watcher = subprocess.Popen([str(SENTINELCTL), "watch", "--json", "--address", daemon.address],
                               stdout=subprocess.PIPE, text=True)
    try:
        time.sleep(0.5)
        daemon.ctl("server", "add", "w", "--", "/bin/true")
        line = watcher.stdout.readline()
        change = __import__("json").loads(line)
        assert (change["action"], change["object"], change["name"]) == ("server-add", "server", "w")
    finally:
        watcher.terminate()
        watcher.wait(5)


def test_global_options_work_before_the_subcommand(daemon):
    result = subprocess.run([str(SENTINELCTL), "--json", "--address", daemon.address, "server", "list"],
                            capture_output=True, text=True)
    assert result.returncode == 0 and __import__("json").loads(result.stdout) == []


def test_bad_arguments_give_one_line_and_nonzero_exit(daemon):
    cases = [
        (["bogus"], "sentinelctl: Unexpected argument 'bogus'"),
        (["server", "add"], "sentinelctl: Missing expected argument '<name>'"),
        (["server", "add", "x"], "sentinelctl: give a command after -- or --url"),
        (["endpoint", "enable", "eng"], "sentinelctl: name at least one SERVER/TOOL, --all SERVER, --prompt SERVER/PROMPT, "
                                         "--all-prompts SERVER or --resources RULE"),
        (["server", "add", "x", "--env", "novalue", "--", "/bin/true"], "sentinelctl: --env expects KEY=VALUE, got 'novalue'"),
        (["server", "add", "Bad_Name", "--", "/bin/true"], "sentinelctl: name: must start with a lower-case letter"),
        (["server", "show", "ghost"], "sentinelctl: no server named 'ghost'"),
        (["endpoint", "show", "ghost"], "sentinelctl: no endpoint named 'ghost'"),
        (["user", "remove", "ghost"], "sentinelctl: no user named 'ghost'"),
    ]
    for args, message in cases:
        result = daemon.ctl(*args, check=False, json_output=False)
        assert result.returncode != 0, args
        assert result.stderr.strip() == message, (args, result.stderr)
        assert result.stderr.count("\n") == 1, (args, result.stderr)


def test_unreachable_daemon_is_reported_in_one_line(workdir):
    result = subprocess.run([str(SENTINELCTL), "status", "--address", f"unix:{workdir}/nothing.sock"],
                            capture_output=True, text=True)
    assert result.returncode == 69
    assert result.stderr.startswith("sentinelctl: cannot connect to")
    assert result.stderr.count("\n") == 1


def test_http_server_headers_are_stored_encrypted_and_never_shown(daemon):
    added = daemon.ctl("server", "add", "remote", "--url", "http://127.0.0.1:9/mcp", "--headers-stdin",
                       input="Authorization: Bearer s3cr3t-token\nX-Team: blue\n")
    assert added["header_names"] == ["Authorization", "X-Team"]
    assert "s3cr3t-token" not in json.dumps(added)
    db = sqlite3.connect(daemon.database())
    raw = b"".join(bytes(str(row), "utf8") for row in db.execute("SELECT * FROM servers"))
    sealed = db.execute("SELECT sealed_headers FROM servers WHERE name='remote'").fetchone()[0]
    db.close()
    assert b"s3cr3t-token" not in raw and b"s3cr3t-token" not in sealed
    assert len(sealed) > len("Authorization: Bearer s3cr3t-token")
    key = daemon.state / "secret.key"
    assert key.stat().st_mode & 0o777 == 0o600 and key.stat().st_size == 32
    cleared = daemon.ctl("server", "update", "remote", "--clear-headers")
    assert cleared["header_names"] == []
    refused = daemon.ctl("server", "add", "local", "--headers-stdin", "--", "/bin/true", input="A: b\n",
                         check=False, json_output=False)
    assert refused.returncode == 1 and refused.stderr.strip() == "sentinelctl: headers: only http servers take headers"
