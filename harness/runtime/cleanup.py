"""Last-resort cleanup: run registered callbacks at interpreter exit; SIGTERM is handled like Ctrl-C."""

from __future__ import annotations

import atexit
import itertools
import signal
import threading
from collections.abc import Callable
from types import FrameType

__all__ = ["register_cleanup", "unregister_cleanup"]

_callbacks: dict[int, Callable[[], None]] = {}
_lock = threading.Lock()
_installed = False
_handles = itertools.count(1)


def register_cleanup(callback: Callable[[], None]) -> int:
    """Run ``callback`` at exit (also after SIGTERM/SIGINT) unless unregistered first; return a handle."""
    global _installed
    with _lock:
        handle = next(_handles)
        _callbacks[handle] = callback
        if not _installed:
            atexit.register(_run_all)
            _install_sigterm_handler()
            _installed = True
    return handle


def unregister_cleanup(handle: int) -> None:
    with _lock:
        _callbacks.pop(handle, None)


def _run_all() -> None:
    with _lock:
        callbacks = list(_callbacks.values())
        _callbacks.clear()
    for callback in reversed(callbacks):
        try:
            callback()
        except Exception:  # noqa: S112 - one failing cleanup must not keep the others from running
            continue


def _interrupt_on_sigterm(signum: int, frame: FrameType | None) -> None:
    # Like Ctrl-C: unwinds finally blocks and context managers, and pytest ends the session (SystemExit would
    # only fail the running test); atexit then runs whatever is left.
    raise KeyboardInterrupt(f"signal {signum}")


def _install_sigterm_handler() -> None:
    # Ctrl-C already raises KeyboardInterrupt; SIGTERM would kill us without running atexit.
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _interrupt_on_sigterm)
