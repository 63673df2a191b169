"""ProjectLock on real PostgreSQL: exclusion, waiting, and release when the holder process is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine

from harness.runtime.polling import wait_for
from middleware.errors import ResourceLockedError
from middleware.locks import ProjectLock, lock_ids, project_lock_key

pytestmark = pytest.mark.integration

HOLDER = """
import sys, threading
from middleware.db.session import make_engine
from middleware.locks import ProjectLock
lock = ProjectLock(make_engine(sys.argv[1]))
with lock.hold(sys.argv[2]):
    print("held", flush=True)
    threading.Event().wait()
"""


def test_second_holder_is_refused_until_the_first_releases(db_engine: Engine) -> None:
    lock, key = ProjectLock(db_engine), project_lock_key("DOS22309", "Demo Odoo")
    with lock.hold(key):
        assert lock.is_locked(key)
        with pytest.raises(ResourceLockedError, match="DOS22309"), lock.hold(key):
            pass  # pragma: no cover
    assert not lock.is_locked(key)
    with lock.hold(key):
        pass


def test_different_keys_do_not_block_each_other(db_engine: Engine) -> None:
    lock = ProjectLock(db_engine)
    with lock.hold(project_lock_key("A")), lock.hold(project_lock_key("B")):
        assert lock.is_locked("project:A")
        assert lock.is_locked("project:B")


def test_hold_waits_for_a_release_within_wait_seconds(db_engine: Engine) -> None:
    lock, key = ProjectLock(db_engine), "type:project"
    held, release = threading.Event(), threading.Event()

    def holder() -> None:
        with lock.hold(key):
            held.set()
            release.wait(10)

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait(10)
    threading.Timer(0.2, release.set).start()
    started = time.monotonic()
    with lock.hold(key, wait_seconds=10):
        assert time.monotonic() - started < 10
    thread.join(10)


def test_lock_of_a_killed_holder_process_becomes_free(migrated_database_url: str, db_engine: Engine) -> None:
    key = project_lock_key("DOS22309")
    root = Path(__file__).resolve().parents[3]
    with subprocess.Popen(
        [sys.executable, "-c", HOLDER, migrated_database_url, key],
        stdout=subprocess.PIPE,
        text=True,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
    ) as holder:
        try:
            assert holder.stdout is not None
            assert holder.stdout.readline().strip() == "held"
            lock = ProjectLock(db_engine)
            assert lock.is_locked(key)

            holder.send_signal(signal.SIGKILL)
            holder.wait(10)

            wait_for(
                lambda: not lock.is_locked(key), timeout=30, description="lock released by the dead holder"
            )
            with lock.hold(key):
                pass
        finally:
            if holder.poll() is None:
                holder.kill()
                holder.wait(10)


def test_lock_ids_are_stable_signed_int32_pairs() -> None:
    first, second = lock_ids("project:DOS22309")
    assert (first, second) == lock_ids("project:DOS22309")
    assert lock_ids("project:DOS22410") != (first, second)
    assert all(-(2**31) <= part < 2**31 for part in (first, second))
