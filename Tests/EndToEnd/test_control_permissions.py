"""SO_PEERCRED checks on the control socket: root and the control group may call, others are refused."""

import os
import stat
import subprocess

import pytest

from conftest import SENTINELCTL, Daemon, unix_group_with_member

GROUP = "snttestctl"
MEMBER = "snttestmember"


@pytest.fixture
def control_group():
    with unix_group_with_member(GROUP, MEMBER) as group:
        yield group


def test_bound_socket_is_group_only(daemon):
    mode = stat.S_IMODE(os.stat(daemon.socket).st_mode)
    assert mode == 0o660


def test_outsiders_are_refused_members_and_root_allowed(workdir, control_group):
    d = Daemon(workdir, extra_args=["--control-group", control_group]).start()
    try:
        # The socket's file mode is the first gate; open it so the peer check itself is what is tested.
        os.chmod(d.socket, 0o666)
        outsider = subprocess.run(
            ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
             str(SENTINELCTL), "--address", d.address, "server", "add", "x", "--", "/bin/true"],
            capture_output=True, text=True)
        assert outsider.returncode == 1
        assert outsider.stderr.strip() == \
            "sentinelctl: permission denied: the control socket needs root or membership in the control group"
        assert d.ctl("server", "list") == [], "a refused call changes nothing"

        member = subprocess.run(
            ["runuser", "-u", MEMBER, "--", str(SENTINELCTL), "--address", d.address, "--json", "server", "add", "m",
             "--", "/bin/true"], capture_output=True, text=True)
        assert member.returncode == 0, member.stderr
        assert [s["name"] for s in d.ctl("server", "list")] == ["m"]

        dropped = subprocess.run(
            ["setpriv", f"--reuid={MEMBER}", f"--regid={MEMBER}", "--clear-groups",
             str(SENTINELCTL), "--address", d.address, "status"], capture_output=True, text=True)
        assert dropped.returncode == 1, "a process that dropped the group is refused even if the user is a member"

        assert d.ctl("status")["servers"] == 1  # root
    finally:
        d.stop()
