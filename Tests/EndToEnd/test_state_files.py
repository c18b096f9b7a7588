"""The daemon's state files are its own (issue 11, item 8), through the real sentineld."""

import os
import stat

from conftest import Daemon


def test_the_database_and_its_wal_files_are_readable_by_the_owner_only(workdir):
    previous = os.umask(0o022)
    try:
        daemon = Daemon(workdir).start()
    finally:
        os.umask(previous)
    try:
        daemon.ctl("endpoint", "create", "eng", "--no-auth")
        database = daemon.database()
        for path in (database, database.with_name(database.name + "-wal"), database.with_name(database.name + "-shm")):
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, f"{path.name}: {oct(path.stat().st_mode)}"
        assert stat.S_IMODE((daemon.state / "secret.key").stat().st_mode) == 0o600
    finally:
        daemon.stop()
