"""Single-container supervisor: start children, restart crashed ones with backoff, stop them on SIGTERM."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import FrameType

from middleware.logs import get_logger
from middleware.waits import wait_or_stop

__all__ = ["ChildSpec", "Supervisor"]

_log = get_logger(__name__)


@dataclass(frozen=True)
class ChildSpec:
    """A supervised command; ``name`` reads well in "Started <name> process (PID: N)"."""

    name: str
    argv: Sequence[str]
    announce: str | None = None  # a line logged once, right before the first start


@dataclass
class _Child:
    spec: ChildSpec
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    failures: int = 0
    restart_at: float | None = None
    history: list[int] = field(default_factory=list)  # every PID this child has had


class Supervisor:
    """Runs children in their own process groups, inheriting stdout/stderr so all logs form one stream.

    A child that exits while the supervisor is running is restarted after ``backoff_initial`` x 2^(n-1)
    seconds (at most ``backoff_max``); the count resets once a child stayed up ``stable_after`` seconds.
    Durations use ``time.monotonic``: they are real time even when the middleware's Clock is warped.
    """

    def __init__(
        self,
        specs: Sequence[ChildSpec],
        *,
        env: Mapping[str, str] | None = None,
        backoff_initial: float = 1.0,
        backoff_max: float = 60.0,
        stable_after: float = 60.0,
        stop_timeout: float = 25.0,
        poll_interval: float = 0.2,
    ) -> None:
        self._children = [_Child(spec) for spec in specs]
        self._env = dict(env) if env is not None else None
        self._backoff_initial = backoff_initial
        self._backoff_max = backoff_max
        self._stable_after = stable_after
        self._stop_timeout = stop_timeout
        self._poll_interval = poll_interval
        self._stopping = threading.Event()
        self.received_signal: int | None = None

    def pids(self) -> dict[str, int | None]:
        return {c.spec.name: (c.process.pid if c.process else None) for c in self._children}

    def install_signal_handlers(self) -> None:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._on_signal)

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        self.received_signal = signum
        self._stopping.set()

    def request_stop(self) -> None:
        self._stopping.set()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def wait_for_stop(self, timeout: float) -> bool:
        """Sleep up to ``timeout`` seconds; True as soon as a stop was requested."""
        return wait_or_stop(self._stopping, timeout)

    def start_all(self) -> None:
        for child in self._children:
            self._spawn(child)

    def run(self) -> int:
        """Supervise until asked to stop, then stop every child; returns the exit code (0)."""
        try:
            while not wait_or_stop(self._stopping, self._poll_interval):
                now = time.monotonic()
                for child in self._children:
                    self._check(child, now)
        finally:
            self.stop_all()
        return 0

    def _spawn(self, child: _Child) -> None:
        if child.spec.announce and not child.history:
            _log.info(child.spec.announce)
        _log.info(f"Starting {child.spec.name} process...", child=child.spec.name)
        child.process = subprocess.Popen(list(child.spec.argv), env=self._env, start_new_session=True)
        child.started_at = time.monotonic()
        child.restart_at = None
        child.history.append(child.process.pid)
        _log.info(
            f"Started {child.spec.name} process (PID: {child.process.pid})",
            child=child.spec.name,
            pid=child.process.pid,
        )

    def _check(self, child: _Child, now: float) -> None:
        if child.restart_at is not None:
            if now >= child.restart_at:
                self._spawn(child)
            return
        process = child.process
        if process is None or process.poll() is None:
            if process is not None and now - child.started_at >= self._stable_after:
                child.failures = 0
            return
        self._kill_group(process.pid, signal.SIGKILL)  # leftovers of the dead child (e.g. pool processes)
        child.failures = 0 if now - child.started_at >= self._stable_after else child.failures
        child.failures += 1
        delay = min(self._backoff_initial * 2 ** (child.failures - 1), self._backoff_max)
        child.restart_at = now + delay
        _log.warning(
            f"{child.spec.name} process (PID: {process.pid}) exited with code {process.returncode}; "
            f"restarting in {delay:.1f} s",
            event_name="supervisor.child_restarting",
            child=child.spec.name,
            pid=process.pid,
            exit_code=process.returncode,
            restart_in_seconds=delay,
            attempt=child.failures,
        )

    def stop_all(self) -> None:
        """SIGTERM every child (group leader only: Celery shuts its pool down itself), wait, then SIGKILL."""
        running = [c.process for c in self._children if c.process is not None and c.process.poll() is None]
        for process in running:
            _log.info("supervisor.stopping_child", pid=process.pid)
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self._stop_timeout
        for process in running:
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                _log.warning("supervisor.child_killed", pid=process.pid, after_seconds=self._stop_timeout)
        for child in self._children:
            if child.process is not None:
                self._kill_group(child.process.pid, signal.SIGKILL)
                child.process.wait()
        _log.info("supervisor.stopped", children=[c.spec.name for c in self._children])

    @staticmethod
    def _kill_group(pgid: int, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signum)
