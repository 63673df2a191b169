"""ManagedProcess: start a command in its own process group, log to a file, probe, stop, kill, measure."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import psutil

from harness.errors import HarnessError, ProcessExitedError, ReadinessTimeoutError
from harness.runtime.probes import Probe, ProbeTarget
from harness.runtime.watchdog import forget_group, watch_group

__all__ = ["ManagedProcess", "MemorySample"]

_POLL_INTERVAL = 0.02
_TAIL_LINES = 20


@dataclass(frozen=True)
class MemorySample:
    """Memory of a whole process tree in bytes; ``pss_is_rss`` when PSS could not be read."""

    rss: int
    pss: int
    processes: int
    pss_is_rss: bool = False


class ManagedProcess:
    """One command run as the leader of its own process group, with its output in ``log_path``."""

    def __init__(
        self,
        command: Sequence[str],
        *,
        name: str,
        log_path: Path,
        env: Mapping[str, str] | None = None,
        inherit_env: bool = True,
        cwd: Path | None = None,
        user: str | None = None,
        group: str | None = None,
        stop_signal: signal.Signals = signal.SIGTERM,
        spawn_env: Callable[[], Mapping[str, str]] | None = None,
    ) -> None:
        self.command = list(command)
        self.name = name
        self.log_path = log_path
        self.env = dict(env or {})
        self.inherit_env = inherit_env
        self.cwd = cwd
        self.user = user
        self.group = group
        self.stop_signal = stop_signal
        # Evaluated at every (re)start: values that depend on the spawn moment, e.g. the time-warp offset.
        self.spawn_env = spawn_env
        self._popen: subprocess.Popen[bytes] | None = None
        self._log_offset = 0
        self._last_probe: Probe | None = None
        self._last_timeout = 30.0

    def __repr__(self) -> str:
        return f"ManagedProcess(name={self.name!r}, pid={self.pid}, running={self.is_running})"

    @property
    def pid(self) -> int | None:
        """Pid of the group leader of the current run, or None before the first start."""
        return self._popen.pid if self._popen is not None else None

    @property
    def is_running(self) -> bool:
        return self._popen is not None and self._popen.poll() is None

    @property
    def returncode(self) -> int | None:
        return self._popen.poll() if self._popen is not None else None

    def start(self) -> None:
        """Start the command; a no-op when it already runs."""
        if self.is_running:
            return
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, **self.env} if self.inherit_env else dict(self.env)
        if self.spawn_env is not None:
            env.update(self.spawn_env())
        with self.log_path.open("ab") as log:
            self._log_offset = log.tell()
            is_root = os.geteuid() == 0
            self._popen = subprocess.Popen(
                self.command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=self.cwd,
                start_new_session=True,
                user=self.user,
                group=self.group,
                # Dropping to another user must not keep root's supplementary groups.
                extra_groups=[] if self.user is not None and is_root else None,
            )
        watch_group(self._popen.pid)

    def wait_ready(self, probe: Probe, timeout: float = 30.0) -> None:
        """Poll ``probe`` until it passes; raise with the last log lines on exit or timeout."""
        self._last_probe, self._last_timeout = probe, timeout
        popen = self._require_started()
        target = ProbeTarget(pid=popen.pid, log_path=self.log_path, log_offset=self._log_offset)
        deadline = time.monotonic() + timeout
        while True:
            # Passing while our process is already gone means something else answered: not ready.
            if probe.check(target) and popen.poll() is None:
                return
            code = popen.poll()
            if code is not None:
                raise ProcessExitedError(
                    f"{self.name} exited with code {code} before {probe.description}; "
                    f"last log lines:\n{self.log_tail()}"
                )
            if time.monotonic() >= deadline:
                raise ReadinessTimeoutError(
                    f"{self.name} not ready after {timeout:g}s waiting for {probe.description}; "
                    f"last log lines:\n{self.log_tail()}"
                )
            time.sleep(_POLL_INTERVAL)

    def stop(self, timeout: float = 10.0) -> int | None:
        """Send the stop signal to the group, SIGKILL whatever is left after ``timeout``; return the code."""
        popen = self._popen
        if popen is None:
            return None
        deadline = time.monotonic() + timeout
        descendants = self._descendants()
        if popen.poll() is None:
            self._signal_group(self.stop_signal)
        try:
            popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self._signal_group(signal.SIGKILL)
        alive = _wait_gone(descendants, timeout=max(0.0, deadline - time.monotonic()))
        self._finish_group(alive)
        return self._reap()

    def kill(self) -> None:
        """SIGKILL the whole group at once, like ``kill -9``; the caller restarts it when it wants."""
        if self._popen is None:
            return
        descendants = self._descendants()
        self._signal_group(signal.SIGKILL)
        self._finish_group(descendants)
        self._reap()

    def restart(self, probe: Probe | None = None, timeout: float | None = None) -> None:
        """Stop (if running), start again and wait with ``probe`` (default: the last probe used)."""
        self.stop()
        self.start()
        probe = probe or self._last_probe
        if probe is not None:
            self.wait_ready(probe, timeout if timeout is not None else self._last_timeout)

    def memory(self) -> MemorySample:
        """Sum RSS and PSS over the leader and all its descendants."""
        rss = pss = count = 0
        pss_is_rss = False
        for proc in self._tree():
            try:
                try:
                    full = proc.memory_full_info()
                    rss, pss = rss + full.rss, pss + full.pss
                except psutil.AccessDenied:
                    plain = proc.memory_info()
                    rss, pss, pss_is_rss = rss + plain.rss, pss + plain.rss, True
            except psutil.NoSuchProcess:
                continue
            count += 1
        return MemorySample(rss=rss, pss=pss, processes=count, pss_is_rss=pss_is_rss)

    def log_text(self) -> str:
        """The whole log file (all runs)."""
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines: int = _TAIL_LINES) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def __enter__(self) -> ManagedProcess:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _require_started(self) -> subprocess.Popen[bytes]:
        if self._popen is None:
            raise HarnessError(f"{self.name} was never started")
        return self._popen

    def _tree(self) -> list[psutil.Process]:
        if self._popen is None or self._popen.poll() is not None:
            return []
        try:
            leader = psutil.Process(self._popen.pid)
            return [leader, *leader.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def _descendants(self) -> list[psutil.Process]:
        # The leader is left out on purpose: psutil would reap it and hide its exit code from Popen.
        return self._tree()[1:]

    def _finish_group(self, leftovers: list[psutil.Process]) -> None:
        """SIGKILL what is left of the group, and descendants that left the group, then wait for them."""
        self._signal_group(signal.SIGKILL)
        for proc in leftovers:
            _kill_quietly(proc)
        _wait_gone(leftovers, timeout=5)

    def _signal_group(self, sig: signal.Signals) -> None:
        if self._popen is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._popen.pid, sig)

    def _reap(self) -> int | None:
        if self._popen is None:
            return None
        try:
            code = self._popen.wait(timeout=5)
        except subprocess.TimeoutExpired as exc:
            raise HarnessError(f"{self.name} (pid {self._popen.pid}) survived SIGKILL") from exc
        forget_group(self._popen.pid)
        return code


def _is_gone(proc: psutil.Process) -> bool:
    # An orphan stays a zombie until init reaps it, which some container inits do slowly: count it as gone.
    try:
        return proc.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _wait_gone(procs: list[psutil.Process], timeout: float) -> list[psutil.Process]:
    """Wait until every process is gone or a zombie; return those still alive after ``timeout``."""
    deadline = time.monotonic() + timeout
    alive = [proc for proc in procs if not _is_gone(proc)]
    while alive and time.monotonic() < deadline:
        time.sleep(_POLL_INTERVAL)
        alive = [proc for proc in alive if not _is_gone(proc)]
    return alive


def _kill_quietly(proc: psutil.Process) -> None:
    with contextlib.suppress(psutil.NoSuchProcess):
        proc.kill()
