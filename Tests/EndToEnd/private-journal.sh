#!/usr/bin/env bash
# Runs a command with a private systemd-journald, inside a new mount namespace (see RECIPES.md).
# Usage: private-journal.sh DIR COMMAND [ARG...]   Journal files end up in DIR/log/journal/.
# Re-executes itself under `unshare -m`; everything it starts it stops, by PID.
set -euo pipefail
dir=$1; shift
if [ -z "${SENTINEL_IN_NAMESPACE:-}" ]; then
  exec env SENTINEL_IN_NAMESPACE=1 unshare -m --propagation private "$0" "$dir" "$@"
fi
mkdir -p "$dir/log/journal"
printf '[Journal]\nStorage=persistent\nReadKMsg=no\nRateLimitBurst=0\n' > "$dir/journald.conf"
mount -n -t tmpfs tmpfs /run
mount -n --bind "$dir/log" /var/log
mount -n --bind "$dir/journald.conf" /etc/systemd/journald.conf
/lib/systemd/systemd-journald >"$dir/journald.out" 2>&1 &
jpid=$!
trap 'kill $jpid 2>/dev/null; wait $jpid 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -S /run/systemd/journal/socket ] && break; sleep 0.05; done
[ -S /run/systemd/journal/socket ] || { echo "journald did not start" >&2; exit 1; }
status=0
"$@" || status=$?
journalctl --flush >/dev/null 2>&1 || true
journalctl --sync >/dev/null 2>&1 || true
exit $status
