#!/usr/bin/env bash
# System test: install the agent-sentinel .deb on a real systemd (PID 1 in a
# systemd-nspawn container) and use it the way a sysadmin would.
#
#   Tests/System/run.sh [DEB_DIR]        # default build/deb; run as root (make system-test)
#
# A bookworm minbase rootfs is debootstrapped once and kept as a tarball in
# $SENTINEL_SYSTEST_CACHE (default /var/cache/sentinel-system-test); each run boots
# a fresh copy with --private-network inside `unshare -m` with a private /run.
# The MCP client is the host's .venv python, run in the container's network
# namespace only (nsenter -n). Every process and mount made here is stopped or
# removed by PID in the EXIT trap, also on failure.

set -euo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
DEB_DIR=$(cd "${1:-$REPO/build/deb}" && pwd)
CACHE=${SENTINEL_SYSTEST_CACHE:-/var/cache/sentinel-system-test}
SUITE=bookworm
INCLUDE=systemd,systemd-sysv,dbus,python3,procps,libsqlite3-0,libssl3,libsystemd0,libcurl4,libxml2,zlib1g
TARBALL=$CACHE/$SUITE.tar
VENV_PYTHON=${VENV_PYTHON:-$REPO/.venv/bin/python}
ENDPOINT=systest
URL=http://127.0.0.1:8080/mcp/$ENDPOINT

[ "$(id -u)" -eq 0 ] || { echo "system test: needs root" >&2; exit 1; }
DEB=$(ls "$DEB_DIR"/agent-sentinel_*.deb 2>/dev/null | grep -v systest | head -n 1 || true)
[ -n "$DEB" ] || { echo "system test: no agent-sentinel_*.deb in $DEB_DIR (make deb)" >&2; exit 1; }
[ -x "$VENV_PYTHON" ] || { echo "system test: $VENV_PYTHON missing (make venv)" >&2; exit 1; }

WORK=""
NSPAWN_PID=""
CONTAINER=""
STEP_NAME=""
STEP_START=0
TEST_START=$(date +%s.%N)

log() { printf '    %s\n' "$*"; }
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }'; }

step() {
    end_step
    STEP_NAME=$1
    STEP_START=$(date +%s.%N)
    printf '==> %s\n' "$STEP_NAME"
}

end_step() {
    if [ -n "$STEP_NAME" ]; then
        printf '    ok (%s s)\n' "$(elapsed "$STEP_START")"
        STEP_NAME=""
    fi
}

fail() {
    printf 'FAIL [%s]: %s\n' "${STEP_NAME:-setup}" "$*" >&2
    exit 1
}

# Runs a command inside the container (all its namespaces).
in_c() { nsenter -t "$CONTAINER" -a -- "$@"; }

expect_eq() {  # expect_eq WHAT EXPECTED ACTUAL
    [ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
}

stop_container() {
    [ -n "$NSPAWN_PID" ] || return 0
    if kill -0 "$NSPAWN_PID" 2>/dev/null; then
        if [ -n "$CONTAINER" ] && kill -0 "$CONTAINER" 2>/dev/null; then
            nsenter -t "$CONTAINER" -a -- systemctl poweroff >/dev/null 2>&1 || true
        fi
        for _ in $(seq 300); do kill -0 "$NSPAWN_PID" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$NSPAWN_PID" 2>/dev/null; then
            log "container did not power off; terminating systemd-nspawn $NSPAWN_PID"
            kill -TERM "$NSPAWN_PID" 2>/dev/null || true
            for _ in $(seq 50); do kill -0 "$NSPAWN_PID" 2>/dev/null || break; sleep 0.1; done
            kill -KILL "$NSPAWN_PID" 2>/dev/null || true
        fi
    fi
    wait "$NSPAWN_PID" 2>/dev/null || true
    NSPAWN_PID=""
    CONTAINER=""
}

# systemd-nspawn --keep-unit leaves empty payload/supervisor cgroups below our own cgroup.
remove_cgroups() {
    local line path hierarchy
    while IFS= read -r line; do
        path=${line#*:*:}
        case "$line" in
            0::*) hierarchy=/sys/fs/cgroup/unified; [ -d "$hierarchy" ] || hierarchy=/sys/fs/cgroup ;;
            *:name=systemd:*) hierarchy=/sys/fs/cgroup/systemd ;;
            *) continue ;;
        esac
        for leftover in "$hierarchy${path%/}/payload" "$hierarchy${path%/}/supervisor"; do
            [ -d "$leftover" ] && find "$leftover" -depth -type d -exec rmdir {} + 2>/dev/null || true
        done
    done < /proc/$$/cgroup
}

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [ "$status" -ne 0 ] && [ -n "$CONTAINER" ] && kill -0 "$CONTAINER" 2>/dev/null; then
        echo "--- systemctl status, journal (last 40 lines) ---" >&2
        nsenter -t "$CONTAINER" -a -- systemctl status --no-pager sentineld.service >&2 2>&1 || true
        nsenter -t "$CONTAINER" -a -- journalctl --no-pager -n 40 -o short-monotonic >&2 2>&1 || true
    fi
    if [ "$status" -ne 0 ] && [ -n "${SENTINEL_SYSTEST_PAUSE:-}" ] && [ -n "$CONTAINER" ]; then
        echo "paused: nsenter -t $CONTAINER -a bash; rm $WORK/paused to clean up" >&2
        touch "$WORK/paused"
        while [ -e "$WORK/paused" ]; do sleep 1; done
    fi
    stop_container
    remove_cgroups
    if [ -n "$WORK" ] && [ -d "$WORK" ]; then
        if [ "$status" -ne 0 ] && [ -s "$WORK/console.log" ]; then
            echo "--- container console (last 20 lines) ---" >&2
            tail -n 20 "$WORK/console.log" >&2 || true
        fi
        rm -rf "$WORK"
    fi
    if [ "$status" -eq 0 ]; then
        printf 'system test passed (%s s)\n' "$(elapsed "$TEST_START")"
    else
        printf 'system test FAILED (%s s)\n' "$(elapsed "$TEST_START")" >&2
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mirror() {
    local uri=""
    [ -f /etc/apt/sources.list.d/debian.sources ] &&
        uri=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources)
    [ -n "$uri" ] || uri=$(awk '$1 == "deb" {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
    [ -n "$uri" ] || fail "no Debian mirror in the apt sources"
    echo "$uri"
}

# ---------------------------------------------------------------------------
step "rootfs: cached $SUITE minbase in $TARBALL"
mkdir -p "$CACHE"
if [ ! -s "$TARBALL" ] || [ "$(cat "$TARBALL.include" 2>/dev/null)" != "$INCLUDE" ]; then
    log "debootstrap $SUITE (once; about 2 minutes)"
    rm -rf "$CACHE/rootfs.tmp"
    debootstrap --variant=minbase --include="$INCLUDE" "$SUITE" "$CACHE/rootfs.tmp" "$(mirror)" >"$CACHE/debootstrap.log" 2>&1 ||
        { tail -n 20 "$CACHE/debootstrap.log" >&2; fail "debootstrap failed (log: $CACHE/debootstrap.log)"; }
    tar -C "$CACHE/rootfs.tmp" -cf "$TARBALL.tmp" .
    mv "$TARBALL.tmp" "$TARBALL"
    echo "$INCLUDE" > "$TARBALL.include"
    rm -rf "$CACHE/rootfs.tmp"
fi
WORK=$(mktemp -d /tmp/sentinel-systest.XXXXXX)
mkdir -p "$WORK/rootfs" "$WORK/debs"
tar -C "$WORK/rootfs" -xf "$TARBALL"
echo sentinel-systest > "$WORK/rootfs/etc/hostname"
install -D -m 0644 "$REPO/Tests/System/fixtures/sandbox_probe_server.py" \
    "$WORK/rootfs/usr/local/lib/sentinel-systest/sandbox_probe_server.py"

step "packages: $(basename "$DEB") and an upgrade built from the same binaries"
cp "$DEB" "$WORK/debs/"
VERSION=$(dpkg-deb -f "$DEB" Version)
UPGRADE_VERSION="$VERSION+systest1"
dpkg-deb -R "$DEB" "$WORK/upgrade"
sed -i "s/^Version: .*/Version: $UPGRADE_VERSION/" "$WORK/upgrade/DEBIAN/control"
dpkg-deb -Znone -b "$WORK/upgrade" "$WORK/debs/agent-sentinel_${UPGRADE_VERSION}_amd64.deb" >/dev/null
rm -rf "$WORK/upgrade"
dpkg --compare-versions "$UPGRADE_VERSION" gt "$VERSION" || fail "upgrade version is not higher"
log "install $VERSION, upgrade to $UPGRADE_VERSION"

step "boot: systemd as PID 1 in systemd-nspawn (private network, private /run)"
unshare -m --propagation private sh -c "mount -n -t tmpfs tmpfs /run && exec systemd-nspawn -q --register=no \
    --keep-unit --private-network --console=read-only --bind-ro=$WORK/debs:/debs -D $WORK/rootfs -b" \
    >"$WORK/console.log" 2>&1 &
NSPAWN_PID=$!
for _ in $(seq 200); do
    for child in $(cat /proc/"$NSPAWN_PID"/task/*/children 2>/dev/null); do
        [ "$(cat /proc/"$child"/comm 2>/dev/null)" = systemd ] && CONTAINER=$child
    done
    [ -n "$CONTAINER" ] && break
    kill -0 "$NSPAWN_PID" 2>/dev/null || fail "systemd-nspawn exited: $(tail -n 5 "$WORK/console.log")"
    sleep 0.05
done
[ -n "$CONTAINER" ] || fail "no systemd in the container"
state=""
for _ in $(seq 100); do  # PID 1 needs a moment before its private bus answers
    state=$(in_c systemctl is-system-running --wait 2>"$WORK/boot.err" || true)
    [ -n "$state" ] && break
    sleep 0.1
done
case "$state" in
    running|degraded) log "system $state (container PID 1 = host PID $CONTAINER)" ;;
    *) fail "system state '$state': $(cat "$WORK/boot.err")" ;;
esac
[ "$state" = degraded ] && log "failed units: $(in_c systemctl --failed --no-legend --plain | awk '{print $1}' | tr '\n' ' ')"

# ---------------------------------------------------------------------------
step "1. dpkg -i: sockets enabled and listening, service inactive"
in_c dpkg -i "/debs/$(basename "$DEB")" >"$WORK/dpkg-install.log" 2>&1 || { cat "$WORK/dpkg-install.log" >&2; fail "dpkg -i failed"; }
for unit in sentineld.socket sentineld-varlink.socket; do
    expect_eq "$unit active" active "$(in_c systemctl is-active "$unit" || true)"
    expect_eq "$unit enabled" enabled "$(in_c systemctl is-enabled "$unit" || true)"
done
expect_eq "sentineld.service active" inactive "$(in_c systemctl is-active sentineld.service || true)"
# "indirect": not enabled itself; [Install] Also= names the sockets.
expect_eq "sentineld.service enabled" indirect "$(in_c systemctl is-enabled sentineld.service || true)"
in_c getent passwd sentinel >/dev/null || fail "no user sentinel"
expect_eq "control socket" "660 root sentinel" "$(in_c stat -c '%a %U %G' /run/sentinel/io.sentinel.Manager)"
in_c test -f /etc/sentinel/sentineld.conf || fail "no /etc/sentinel/sentineld.conf"
in_c grep -q '^#Listen=127.0.0.1:8080$' /etc/sentinel/sentineld.conf || fail "sentineld.conf lacks the commented default Listen="
in_c systemd-analyze verify --man=no sentineld.service sentineld.socket sentineld-varlink.socket >"$WORK/verify.txt" 2>&1 ||
    fail "systemd-analyze verify: $(cat "$WORK/verify.txt")"
[ -s "$WORK/verify.txt" ] && fail "systemd-analyze verify warns: $(cat "$WORK/verify.txt")"
log "sockets active+enabled, service inactive+not enabled, user sentinel, socket 0660 root:sentinel"

step "2. the first HTTP connection starts sentineld (READY, STATUS)"
code=$(nsenter -t "$CONTAINER" -n -- curl -sS -o /dev/null -w '%{http_code}' --max-time 20 http://127.0.0.1:8080/mcp/no-such-endpoint 2>"$WORK/curl.err" || true)
[ "$code" = 000 ] && fail "no HTTP answer: $(cat "$WORK/curl.err"); $(in_c systemctl status --no-pager sentineld.socket sentineld.service 2>&1 | tail -n 30)"
expect_eq "HTTP status of an unknown endpoint" 404 "$code"
expect_eq "sentineld.service active" active "$(in_c systemctl is-active sentineld.service || true)"
status_text=$(in_c systemctl show -P StatusText sentineld.service)
[ -n "$status_text" ] || fail "no STATUS= text"
in_c systemctl status --no-pager sentineld.service >"$WORK/status.txt" 2>&1 || true
grep -q "Status: \"$status_text\"" "$WORK/status.txt" || fail "systemctl status lacks the STATUS line: $(cat "$WORK/status.txt")"
expect_eq "service user" sentinel "$(in_c stat -c %U /proc/"$(in_c systemctl show -P MainPID sentineld.service)")"
log "active (running) as user sentinel; Status: \"$status_text\""

step "3. sentinelctl: root creates a server, an endpoint and enables a tool; others refused; group sentinel allowed"
in_c sentinelctl server add demo -- /usr/bin/sentinel-demo-server >/dev/null
in_c sentinelctl endpoint create "$ENDPOINT" --no-auth --server demo >/dev/null
in_c sentinelctl endpoint enable "$ENDPOINT" demo/echo >/dev/null
enabled=$(in_c sentinelctl endpoint tools --json "$ENDPOINT")
echo "$enabled" | python3 -c 'import json,sys; d=json.load(sys.stdin); s=json.dumps(d); assert "echo" in s, s' ||
    fail "endpoint tools do not list echo: $enabled"
in_c useradd --create-home --shell /bin/sh alice
in_c useradd --create-home --shell /bin/sh --groups sentinel bob
if out=$(in_c runuser -u alice -- sentinelctl server list 2>&1); then
    fail "an unprivileged user was allowed: $out"
fi
echo "$out" | grep -qi "permission" || fail "refusal does not say permission: $out"
log "alice refused: $out"
in_c runuser -u bob -- sentinelctl server list >"$WORK/bob.txt" 2>&1 || fail "group member refused: $(cat "$WORK/bob.txt")"
grep -q demo "$WORK/bob.txt" || fail "group member does not see the server"
log "bob (group sentinel) lists servers"

step "3b. with the socket opened to everyone, sentineld itself refuses and audits (control-denied)"
in_c sh -c 'mkdir -p /run/systemd/system/sentineld-varlink.socket.d &&
    printf "[Socket]\nSocketMode=0666\n" > /run/systemd/system/sentineld-varlink.socket.d/50-systest.conf &&
    systemctl daemon-reload && systemctl restart sentineld-varlink.socket'
if out=$(in_c runuser -u alice -- sentinelctl server list 2>&1); then
    fail "sentineld let an unprivileged user in: $out"
fi
echo "$out" | grep -qi "permission" || fail "refusal does not say permission: $out"
alice_uid=$(in_c id -u alice)
for _ in $(seq 50); do
    denied=$(in_c journalctl --no-pager SENTINEL_EVENT=control-denied SENTINEL_PEER_UID="$alice_uid" -o cat 2>/dev/null || true)
    [ -n "$denied" ] && break
    sleep 0.1
done
[ -n "$denied" ] || fail "no control-denied journal entry for uid $alice_uid"
in_c sh -c 'rm -r /run/systemd/system/sentineld-varlink.socket.d && systemctl daemon-reload &&
    systemctl restart sentineld-varlink.socket'
expect_eq "control socket mode restored" 660 "$(in_c stat -c %a /run/sentinel/io.sentinel.Manager)"
log "alice: $out"
log "journal: $denied"

step "4. an MCP client (Python SDK) lists and calls the tool"
answer=$(nsenter -t "$CONTAINER" -n -- "$VENV_PYTHON" "$REPO/Tests/System/mcp_call.py" "$URL" demo__echo '{"text": "hello from the system test"}') ||
    fail "MCP client failed"
echo "$answer" | python3 -c '
import json, sys
a = json.load(sys.stdin)
assert a["tools"] == ["demo__echo"], a
assert not a["is_error"] and a["content"] == ["hello from the system test"], a' || fail "unexpected MCP answer: $answer"
log "$answer"

step "4b. a python3 stdio upstream works inside the sandbox (and is confined by it)"
in_c sentinelctl server add probe -- python3 /usr/local/lib/sentinel-systest/sandbox_probe_server.py >/dev/null
in_c sentinelctl endpoint attach "$ENDPOINT" probe >/dev/null
in_c sentinelctl endpoint enable "$ENDPOINT" probe/probe >/dev/null
answer=$(nsenter -t "$CONTAINER" -n -- "$VENV_PYTHON" "$REPO/Tests/System/mcp_call.py" "$URL" probe__probe '{}') ||
    fail "MCP client failed"
echo "$answer" | python3 -c '
import json, sys
a = json.load(sys.stdin)
assert not a["is_error"], a
expected = {"user": "sentinel", "home": "/var/lib/sentinel", "home_writable": True, "tmp_writable": True,
            "etc_writable": False, "root_home_visible": False}
assert a["structured"] == expected, a["structured"]' || fail "unexpected sandbox report: $answer"
log "probe: $(echo "$answer" | python3 -c 'import json,sys; print(json.load(sys.stdin)["structured"])')"

step "4c. an OAuth endpoint: sign-in and consent, the SDK calls with the token, session revoke cuts it off"
in_c sentinelctl endpoint create secure --server demo >/dev/null
in_c sentinelctl endpoint enable secure demo/echo >/dev/null
echo 'system test password' | in_c sentinelctl user add carol >/dev/null
in_c sentinelctl endpoint allow secure --user carol >/dev/null
answer=$(nsenter -t "$CONTAINER" -n -- "$VENV_PYTHON" "$REPO/Tests/System/oauth_call.py" \
    http://127.0.0.1:8080 secure carol 'system test password' demo__echo) || fail "OAuth flow failed"
echo "$answer" | python3 -c '
import json, sys
a = json.load(sys.stdin)
assert a["unauthenticated"]["status"] == 401, a
assert "resource_metadata=\"http://127.0.0.1:8080/.well-known/oauth-protected-resource/mcp/secure\"" in a["unauthenticated"]["challenge"], a
assert a["tools"] == ["demo__echo"] and a["content"] == ["through oauth"], a' || fail "unexpected OAuth answer: $answer"
token=$(echo "$answer" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
client_id=$(echo "$answer" | python3 -c 'import json,sys; print(json.load(sys.stdin)["client_id"])')
session=$(in_c sentinelctl --json session list --endpoint secure | python3 -c '
import json, sys
sessions = [s for s in json.load(sys.stdin) if s["client_id"] == sys.argv[1]]
assert len(sessions) == 1 and sessions[0]["user"] == "carol", sessions
print(sessions[0]["id"])' "$client_id") || fail "session list does not show the grant"
in_c sentinelctl session revoke "$session" >/dev/null
revoked=$(nsenter -t "$CONTAINER" -n -- "$VENV_PYTHON" "$REPO/Tests/System/oauth_call.py" --revoked http://127.0.0.1:8080 secure "$token")
echo "$revoked" | python3 -c '
import json, sys
r = json.load(sys.stdin)
assert r["status"] == 401 and "error=\"invalid_token\"" in r["challenge"], r' || fail "revoked token still works: $revoked"
in_c journalctl --no-pager SENTINEL_EVENT=grant-revoked SENTINEL_GRANT="$session" -o cat | grep -q "$session" ||
    fail "no grant-revoked journal entry for $session"
log "carol's client $client_id called demo__echo; session $session revoked: $revoked"

step "5. journalctl SENTINEL_ENDPOINT=$ENDPOINT shows the call with its fields"
for _ in $(seq 50); do
    in_c journalctl --no-pager SENTINEL_ENDPOINT="$ENDPOINT" SENTINEL_EVENT=tool-call SENTINEL_TOOL=echo -o json >"$WORK/journal.json" 2>/dev/null || true
    [ -s "$WORK/journal.json" ] && break
    sleep 0.1
done
python3 - "$WORK/journal.json" "$ENDPOINT" <<'EOF' || fail "journal entry check failed"
import json, sys
entries = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
assert entries, "no tool-call entry"
e = entries[-1]
expected = {"SENTINEL_EVENT": "tool-call", "MESSAGE_ID": "ec82b518c7f642baa943f19270fb8ac0",
            "SENTINEL_ENDPOINT": sys.argv[2], "SENTINEL_SERVER": "demo", "SENTINEL_TOOL": "echo",
            "SENTINEL_EXPOSED_NAME": "demo__echo", "SENTINEL_OUTCOME": "ok",
            "SENTINEL_CLIENT": "sentinel-system-test", "_SYSTEMD_UNIT": "sentineld.service"}
wrong = {k: (v, e.get(k)) for k, v in expected.items() if e.get(k) != v}
assert not wrong, wrong
for key in ("SENTINEL_DURATION_US", "SENTINEL_REQUEST_BYTES", "SENTINEL_RESPONSE_BYTES"):
    assert int(e[key]) > 0, (key, e.get(key))
print("    " + " ".join(f"{k}={e[k]}" for k in sorted(e) if k.startswith("SENTINEL_")))
EOF

snapshot() {  # state that must survive restarts and upgrades
    in_c sentinelctl server list --json
    in_c sentinelctl endpoint tools --json "$ENDPOINT"
    in_c sha256sum /var/lib/sentinel/secret.key
}

step "6a. systemctl restart keeps all state"
before=$(snapshot)
pid_before=$(in_c systemctl show -P MainPID sentineld.service)
in_c systemctl restart sentineld.service
pid_after=$(in_c systemctl show -P MainPID sentineld.service)
[ "$pid_before" != "$pid_after" ] || fail "MainPID unchanged after restart"
expect_eq "state after restart" "$before" "$(snapshot)"
log "MainPID $pid_before -> $pid_after, servers, tools and secret.key unchanged"

step "6b. systemctl reload re-reads the configuration"
in_c sh -c 'printf "[Log]\nLevel=debug\n" > /etc/sentinel/sentineld.conf.d/50-systest.conf'
since=$(in_c date +%s)
in_c systemctl reload sentineld.service
for _ in $(seq 100); do
    reloaded=$(in_c journalctl --no-pager --since "@$since" SENTINEL_EVENT=daemon-reloaded -o cat --output-fields=SENTINEL_CONFIG_FILES 2>/dev/null || true)
    [ -n "$reloaded" ] && break
    sleep 0.1
done
echo "$reloaded" | grep -q 50-systest.conf || fail "no daemon-reloaded event naming the drop-in (got '$reloaded')"
expect_eq "MainPID after reload" "$pid_after" "$(in_c systemctl show -P MainPID sentineld.service)"
expect_eq "sentineld.service active" active "$(in_c systemctl is-active sentineld.service)"
log "daemon-reloaded: CONFIG_FILES=$reloaded; status: $(in_c systemctl show -P StatusText sentineld.service)"

step "6c. upgrade to $UPGRADE_VERSION keeps all state and local edits of the conffile"
in_c sh -c 'printf "\n# local edit by the system test\n" >> /etc/sentinel/sentineld.conf'
conf_before=$(in_c sha256sum /etc/sentinel/sentineld.conf)
before=$(snapshot)
pid_before=$(in_c systemctl show -P MainPID sentineld.service)
in_c dpkg -i "/debs/agent-sentinel_${UPGRADE_VERSION}_amd64.deb" >"$WORK/dpkg-upgrade.log" 2>&1 ||
    { cat "$WORK/dpkg-upgrade.log" >&2; fail "upgrade failed"; }
expect_eq "installed version" "$UPGRADE_VERSION" "$(in_c dpkg-query -W -f '${Version}' agent-sentinel)"
expect_eq "sentineld.socket after upgrade" active "$(in_c systemctl is-active sentineld.socket || true)"
expect_eq "conffile after upgrade" "$conf_before" "$(in_c sha256sum /etc/sentinel/sentineld.conf)"
expect_eq "state after upgrade" "$before" "$(snapshot)"
expect_eq "sentineld.service active" active "$(in_c systemctl is-active sentineld.service || true)"
[ "$(in_c systemctl show -P MainPID sentineld.service)" != "$pid_before" ] || fail "sentineld was not restarted by the upgrade"
answer=$(nsenter -t "$CONTAINER" -n -- "$VENV_PYTHON" "$REPO/Tests/System/mcp_call.py" "$URL" demo__echo '{"text": "after upgrade"}')
echo "$answer" | grep -q '"after upgrade"' || fail "MCP call after upgrade: $answer"
log "version $UPGRADE_VERSION; conffile edit kept; servers, tools, secret.key kept; MCP call works"

step "6d. the systemd credential sentinel.key is used when present; a key that cannot open the secrets is refused"
in_c test ! -e /run/credentials/sentineld.service/sentinel.key || fail "a credential without /etc/credstore/sentinel.key"
# A secret sealed with the generated key file: static headers of an http server (stored encrypted).
printf 'Authorization: Bearer systest-header-secret\n' | in_c sentinelctl server add sealed --url http://127.0.0.1:9/mcp --headers-stdin >/dev/null
in_c sh -c 'install -d -m 0700 /etc/credstore && python3 -c "import secrets; print(secrets.token_hex(32))" > /etc/credstore/sentinel.key && chmod 0600 /etc/credstore/sentinel.key'
in_c systemctl restart sentineld.service 2>/dev/null && fail "sentineld started with a key that cannot open its secrets"
in_c journalctl --no-pager -u sentineld.service -o cat | grep -q "does not open the secrets" ||
    fail "no journal line about the wrong key"
in_c systemctl stop sentineld.service
in_c systemctl reset-failed sentineld.service
# The same key as the generated file, given as a credential (64 hex digits): sentineld starts and opens the secrets.
in_c sh -c 'python3 -c "import sys; print(open(sys.argv[1], \"rb\").read().hex())" /var/lib/sentinel/secret.key > /etc/credstore/sentinel.key'
in_c systemctl restart sentineld.service
in_c test -s /run/credentials/sentineld.service/sentinel.key || fail "no credential in /run/credentials/sentineld.service"
expect_eq "sentineld.service active" active "$(in_c systemctl is-active sentineld.service || true)"
in_c sentinelctl --json server show sealed | python3 -c 'import json,sys; assert json.load(sys.stdin)["header_names"] == ["Authorization"]' ||
    fail "the sealed headers do not open with the credential"
in_c grep -rq systest-header-secret /var/lib/sentinel && fail "a header secret is stored in plain text"
in_c rm -f /etc/credstore/sentinel.key
in_c systemctl restart sentineld.service
expect_eq "sentineld.service active without the credential" active "$(in_c systemctl is-active sentineld.service || true)"
in_c sentinelctl server remove sealed >/dev/null
log "LoadCredential=sentinel.key: used when present (a wrong key is refused at start), optional when absent"

step "7. apt purge removes units, user, state and configuration"
in_c env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q agent-sentinel >"$WORK/purge.log" 2>&1 ||
    { cat "$WORK/purge.log" >&2; fail "apt purge failed"; }
expect_eq "package state" "" "$(in_c dpkg-query -W -f '${Status}' agent-sentinel 2>/dev/null || true)"
for path in /lib/systemd/system/sentineld.service /lib/systemd/system/sentineld.socket \
    /lib/systemd/system/sentineld-varlink.socket /etc/systemd/system/sockets.target.wants/sentineld.socket \
    /etc/systemd/system/sockets.target.wants/sentineld-varlink.socket /usr/lib/sysusers.d/sentinel.conf \
    /var/lib/sentinel /etc/sentinel /run/sentinel/io.sentinel.Manager /usr/bin/sentineld; do
    in_c test ! -e "$path" || fail "$path still exists after purge"
done
in_c getent passwd sentinel >/dev/null && fail "user sentinel still exists"
in_c getent group sentinel >/dev/null && fail "group sentinel still exists"
expect_eq "units known to systemd" "" "$(in_c systemctl list-units --all --no-legend --plain 'sentineld*' | awk '$2 != "not-found" || $3 != "inactive"' || true)"
in_c sh -c 'grep -lx sentineld /proc/[0-9]*/comm 2>/dev/null' && fail "a sentineld process survived the purge"
log "no units, user, group, state, configuration or process left"

end_step
