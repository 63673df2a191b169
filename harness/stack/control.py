"""Process control of a running Stack: kill, stop and restart a process or a service, recorded on its tape."""

from __future__ import annotations

import contextlib
import os
import signal

import psutil

from harness.errors import HarnessError
from harness.runtime.probes import HttpProbe
from harness.runtime.process import ManagedProcess
from harness.runtime.services import ServiceKind, ServiceProvider
from harness.stack.access import StackAccess
from harness.stack.config import StackConfig
from harness.stack.tape import taped

__all__ = ["ProcessControl"]


class ProcessControl(StackAccess):
    """kill -9 / stop / restart by name: a middleware process, the fake, a private Redis, or a service."""

    config: StackConfig

    @property
    def provider(self) -> ServiceProvider:
        raise NotImplementedError

    def wait_process_ready(self, name: str, timeout: float | None = None) -> None:
        raise NotImplementedError

    def sync_fake_clock(self) -> None:
        raise NotImplementedError

    def _target(self, name: str) -> ManagedProcess | ServiceKind:
        if name == ServiceKind.REDIS.value and "redis-private" in self.processes:
            return self.processes["redis-private"]
        if name in self.processes:
            return self.processes[name]
        try:
            return ServiceKind(name)
        except ValueError:
            raise HarnessError(f"unknown process {name!r}; known: {', '.join(self.names)}") from None

    @property
    def names(self) -> list[str]:
        return [*self.processes, *(kind.value for kind in ServiceKind)]

    @taped("kill", lambda name: {"target": name})
    def kill(self, name: str) -> None:
        """kill -9 a process of the Stack, or Redis / PostgreSQL."""
        target = self._target(name)
        if isinstance(target, ServiceKind):
            self.provider.kill(target)
        else:
            target.kill()

    def _pids(self, name: str) -> list[int]:
        """Every pid of a process tree of the Stack, or the server pid of a service."""
        target = self._target(name)
        if isinstance(target, ServiceKind):
            process = getattr(self.provider, "process", None)
            if process is None:
                raise HarnessError(f"the {self.provider.mode} provider cannot pause {name}")
            pid = process(target).pid
            return [pid] if pid else []
        if target.pid is None:
            return []
        try:
            leader = psutil.Process(target.pid)
            return [leader.pid, *(child.pid for child in leader.children(recursive=True))]
        except psutil.NoSuchProcess:
            return []

    def _signal(self, name: str, sig: signal.Signals) -> None:
        for pid in self._pids(name):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)

    @taped("pause", lambda name: {"target": name})
    def pause(self, name: str) -> None:
        """SIGSTOP a process tree or service (a GC pause, a frozen VM): sockets stay open, nothing answers."""
        self._signal(name, signal.SIGSTOP)

    @taped("resume", lambda name: {"target": name})
    def resume(self, name: str) -> None:
        self._signal(name, signal.SIGCONT)

    @taped("kill_child", lambda name: {"target": name})
    def kill_child(self, name: str) -> int:
        """kill -9 one pool child in the tree of ``name`` (a prefork child has its parent's command line);
        returns its pid. The parent (e.g. the Celery worker) survives and forks a new child."""
        for pid in self._pids(name):
            with contextlib.suppress(psutil.NoSuchProcess):
                proc = psutil.Process(pid)
                parent = proc.parent()
                if (
                    parent is not None
                    and parent.pid in self._pids(name)
                    and parent.cmdline() == proc.cmdline()
                ):
                    proc.kill()
                    return pid
        raise HarnessError(f"no pool child (a process with its parent's command line) under {name}")

    @taped("stop", lambda name: {"target": name})
    def stop(self, name: str) -> None:
        target = self._target(name)
        if isinstance(target, ServiceKind):
            self.provider.stop(target)
        else:
            target.stop()

    @taped("restart", lambda name, *, wait=True: {"target": name, "wait": wait})
    def restart(self, name: str, *, wait: bool = True) -> None:
        """Start a process (or service) again on the same port; wait until ready unless ``wait`` is false."""
        target = self._target(name)
        if isinstance(target, ServiceKind):
            self.provider.restart(target)
            return
        target.stop()
        target.start()
        if wait and name in self.plans:
            self.wait_process_ready(name)
        elif wait and name == "fake":
            target.wait_ready(HttpProbe(f"{self.fake_url}/_fake/health"), timeout=self.config.ready_timeout)
            self.sync_fake_clock()
