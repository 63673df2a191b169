"""A sidecar that SIGKILLs our process groups and removes our scratch dirs if the harness itself dies hard."""

from __future__ import annotations

import atexit
import contextlib
import subprocess
import sys
import threading
from pathlib import Path

__all__ = ["forget_group", "forget_path", "watch_group", "watch_path"]

# Runs in a bare interpreter (-I -S: no site, no user paths) and acts only when its stdin reaches EOF, i.e.
# when the harness process is gone. A clean shutdown forgets everything first, so that EOF does nothing;
# whatever is still watched then (a SIGKILLed harness, a process nobody stopped) is killed and removed.
_SIDECAR = r"""
import os, shutil, signal, sys, time
signal.signal(signal.SIGINT, signal.SIG_IGN)
groups, paths = set(), set()
for line in sys.stdin:
    verb, _, arg = line.rstrip("\n").partition(" ")
    if verb == "watch":
        groups.add(int(arg))
    elif verb == "forget":
        groups.discard(int(arg))
    elif verb == "path":
        paths.add(arg)
    elif verb == "unpath":
        paths.discard(arg)
for group in groups:
    try:
        os.killpg(group, signal.SIGKILL)
    except OSError:
        pass
deadline = time.monotonic() + 5
while groups and time.monotonic() < deadline:
    time.sleep(0.05)
    for group in list(groups):
        try:
            os.killpg(group, 0)
        except OSError:
            groups.discard(group)
for path in paths:
    shutil.rmtree(path, ignore_errors=True)
"""

_lock = threading.Lock()
_sidecar: subprocess.Popen[str] | None = None


def _close_sidecar() -> None:
    """At a normal exit: EOF lets the sidecar act on what is still watched, then it is reaped (no zombie,
    no ResourceWarning from an orphaned Popen)."""
    global _sidecar
    with _lock:
        sidecar, _sidecar = _sidecar, None
    if sidecar is None:
        return
    if sidecar.stdin is not None:
        with contextlib.suppress(OSError):
            sidecar.stdin.close()
    try:
        sidecar.wait(timeout=10)
    except subprocess.TimeoutExpired:
        sidecar.kill()
        sidecar.wait()


atexit.register(_close_sidecar)


def _send(line: str) -> None:
    global _sidecar
    with _lock:
        if _sidecar is None or _sidecar.poll() is not None:
            _sidecar = subprocess.Popen(
                [sys.executable, "-I", "-S", "-c", _SIDECAR],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                text=True,
                # Its own session: a Ctrl-C at the terminal must not take it down before it is needed.
                start_new_session=True,
            )
        stdin = _sidecar.stdin
        if stdin is None:
            return
        try:
            stdin.write(line + "\n")
            stdin.flush()
        except (BrokenPipeError, ValueError):
            _sidecar = None  # it died; the next call starts a new one


def watch_group(pgid: int) -> None:
    """SIGKILL process group ``pgid`` if the harness dies before calling ``forget_group``."""
    _send(f"watch {pgid}")


def forget_group(pgid: int) -> None:
    _send(f"forget {pgid}")


def watch_path(path: Path) -> None:
    """Remove ``path`` (after the watched groups are gone) if the harness dies before ``forget_path``."""
    _send(f"path {path}")


def forget_path(path: Path) -> None:
    _send(f"unpath {path}")
