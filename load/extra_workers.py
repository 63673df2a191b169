"""More Celery worker processes for checklist Option 2 (``--topology multi --celery-workers N``)."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path

from harness.stack import Stack
from load.errors import LoadError
from load.waiting import wait_until

__all__ = ["ExtraWorkers"]

_READY = re.compile(r"\S+@\S+ ready\.")
_REPO_ROOT = Path(__file__).resolve().parents[1]


def _log_reader(path: Path) -> Callable[[], str]:
    return lambda: path.read_text(encoding="utf-8", errors="replace")


class ExtraWorkers:
    """Worker processes 2..N next to the Stack's own worker, same command and environment, own logs."""

    def __init__(self, stack: Stack, count: int) -> None:
        self._stack = stack
        self._count = count
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, timeout: float = 90.0) -> None:
        stack = self._stack
        if self._count < 1:
            return
        command = stack.profile.command("worker")
        env = {**os.environ, **stack.middleware_env(stack.plans["worker"])}
        cwd = stack.profile.cwd or _REPO_ROOT
        for number in range(2, self._count + 2):
            name = f"worker-{number}"
            log_path = stack.log_dir / f"{name}.log"
            with log_path.open("ab") as log:
                self.processes[name] = subprocess.Popen(
                    command,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env=env,
                    cwd=cwd,
                    start_new_session=True,
                )
        for name in self.processes:
            log_path = stack.log_dir / f"{name}.log"
            wait_until(
                _log_reader(log_path),
                lambda text: bool(_READY.search(text)),
                timeout=timeout,
                interval=0.2,
                description=f"{name} to be ready",
            )
            if self.processes[name].poll() is not None:
                raise LoadError(f"{name} exited with {self.processes[name].returncode}")

    def pids(self) -> dict[str, int]:
        return {name: process.pid for name, process in self.processes.items() if process.poll() is None}

    def stop(self) -> None:
        for process in self.processes.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
