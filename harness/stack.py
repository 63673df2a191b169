"""The Stack: services, the fake Logikal and the middleware as real processes, with faults and time warp."""

from __future__ import annotations

import contextlib
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import httpx

from harness.cleanup import register_cleanup, unregister_cleanup
from harness.errors import HarnessError
from harness.polling import wait_for
from harness.probes import CallableProbe, HttpProbe, LogLineProbe
from harness.process import ManagedProcess, MemorySample
from harness.sampling import MemorySampler, WarpClock
from harness.services import ServiceKind, ServiceProvider, free_port, unique_database_name
from harness.services.select import select_provider
from harness.stack_access import FAKE_API_PATH, StackAccess
from harness.stack_config import StackConfig, next_redis_db
from harness.sut import load_profile
from harness.topology import ProcessPlan, Topology, plan_for

__all__ = ["FAKE_API_PATH", "Stack", "StackConfig"]

_REPO_ROOT = Path(__file__).resolve().parents[1]
_READY_PATTERNS = {"worker": r"\S+@\S+ ready\.", "beat": r"beat: Starting"}


class Stack(StackAccess):
    """Redis + PostgreSQL (a provider), the fake Logikal and the middleware of one SUT profile."""

    def __init__(self, config: StackConfig | None = None, *, provider: ServiceProvider | None = None) -> None:
        self.config = config or StackConfig()
        self.profile = self.config.profile or load_profile()
        self.topology = Topology(self.config.topology)
        self._provider = provider
        self._owns_provider = provider is None
        self._own_run_dir = self.config.run_dir is None
        self.run_dir = self.config.run_dir or Path(tempfile.mkdtemp(prefix="harness-stack-"))
        self.processes: dict[str, ManagedProcess] = {}
        self.plans: dict[str, ProcessPlan] = {}
        self.clock = WarpClock(speed=self.config.clock_speed, anchor=time.time())
        self.sampler = MemorySampler(self._memory_sources, self.clock, self.config.memory_interval)
        self.database_name = ""
        self.database_url = ""
        self.redis_url = ""
        self.web_port = 0
        self.fake_port = 0
        self.started_at = 0.0
        self.ready_at = 0.0
        self._secrets = {"SECRET_KEY": secrets.token_hex(32), "JWT_SECRET_KEY": secrets.token_hex(32)}
        self.admin_password = self.profile.admin_password or secrets.token_urlsafe(16)
        self._admin_token: str | None = None
        self._cleanup_handle: int | None = None
        self._closed = False

    # --------------------------------------------------------------------------------------------- lifecycle
    def start(self) -> Self:
        """Start services, the fake and the middleware; return once every process is ready."""
        self._cleanup_handle = register_cleanup(self.close)
        self.started_at = time.time()
        try:
            self._start_services()
            self._start_fake()
            self._start_middleware()
        except BaseException:
            self.close()
            raise
        self.ready_at = time.time()
        self.sampler.start()
        return self

    def close(self) -> None:
        """Stop every process (reverse order), drop the run's database, stop owned services."""
        if self._closed:
            return
        self._closed = True
        self.sampler.stop()
        for name in reversed(list(self.processes)):
            with contextlib.suppress(Exception):
                self.processes[name].stop(timeout=10)
        if self._provider is not None:
            if self.database_name:
                with contextlib.suppress(Exception):
                    self._provider.drop_database(self.database_name)
            if self._owns_provider:
                self._provider.close()
        if self._cleanup_handle is not None:
            unregister_cleanup(self._cleanup_handle)
        if self._own_run_dir:
            shutil.rmtree(self.run_dir, ignore_errors=True)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @property
    def provider(self) -> ServiceProvider:
        if self._provider is None:
            raise HarnessError("the Stack has not started its services")
        return self._provider

    def _start_services(self) -> None:
        if self._provider is None:
            self._provider = select_provider(self.config.services)
            self._provider.start()
        self.database_name = unique_database_name("stack")
        self.database_url = self._provider.create_database(self.database_name)
        base, _, _ = self._provider.redis_url.rpartition("/")
        self.redis_url = f"{base}/{next_redis_db()}"
        import redis

        with redis.Redis.from_url(self.redis_url) as client:
            client.flushdb()

    def _start_fake(self) -> None:
        self.fake_port = free_port()
        config = self.config
        command = [
            sys.executable, "-m", "fake_logikal", "--host", "127.0.0.1", "--port", str(self.fake_port),
            "--seed", str(config.fake_seed), "--size", config.fake_size, "--latency", config.fake_latency,
            f"--username={config.logikal_username}", f"--password={config.logikal_password}",
            *config.fake_args,
        ]  # fmt: skip
        fake = self._add_process("fake", command, env={})
        fake.start()
        fake.wait_ready(HttpProbe(f"{self.fake_url}/_fake/health"), timeout=self.config.ready_timeout)
        self.sync_fake_clock()

    def sync_fake_clock(self) -> None:
        """Give the fake the Stack's virtual time and speed (the middleware gets them as CLOCK_* settings)."""
        self.fake_request("POST", "/_fake/clock", json={"now": self.clock.now(), "speed": self.clock.speed})

    def _start_middleware(self) -> None:
        self.web_port = free_port()
        if self.topology is Topology.MULTI:
            self._run_to_completion("migrate")
        for plan in plan_for(self.topology):
            self.plans[plan.name] = plan
            command = self.profile.command(plan.role, host="127.0.0.1", port=self.web_port)
            self._add_process(plan.name, command, env=self.middleware_env(plan)).start()
        for plan in plan_for(self.topology):
            self.wait_process_ready(plan.name)

    def wait_process_ready(self, name: str, timeout: float | None = None) -> None:
        """Wait until ``name`` is ready: the health URL for the web server, a log line for worker and beat."""
        plan = self.plans[name]
        timeout = timeout or self.config.ready_timeout
        if plan.serves_http:
            # Ready = the server answers; whether it answers correctly (200, no redirect) is C01's call.
            probe: CallableProbe | LogLineProbe = CallableProbe(
                lambda: httpx.get(self.url(self.profile.health_path), timeout=1.0).status_code < 500,
                name=f"an answer from {self.url(self.profile.health_path)}",
            )
        else:
            probe = LogLineProbe(_READY_PATTERNS.get(plan.role, r"."))
        self.processes[name].wait_ready(probe, timeout=timeout)

    def _run_to_completion(self, role: str) -> None:
        process = self._add_process(role, self.profile.command(role), env=self.middleware_env(None))
        process.start()
        wait_for(
            lambda: not process.is_running,
            timeout=self.config.ready_timeout,
            interval=0.1,
            description=f"{role} to finish",
        )
        if process.returncode != 0:
            raise HarnessError(f"{role} exited with {process.returncode}:\n{process.log_tail()}")

    def middleware_env(self, plan: ProcessPlan | None) -> dict[str, str]:
        """The environment of one middleware process, with names as the SUT profile wants them."""
        background = self.config.background_sync
        if plan is not None and plan.background_sync is not None:
            background = plan.background_sync
        settings = {
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "BACKGROUND_SYNC_ENABLED": "true" if background else "false",
            "SYNC_INTERVAL_SECONDS": f"{self.config.sync_interval_seconds:g}",
            "LOGIKAL_API_BASE_URL": self.fake_api_url,
            "LOGIKAL_AUTH_USERNAME": self.config.logikal_username,
            "LOGIKAL_AUTH_PASSWORD": self.config.logikal_password,
            "ADMIN_USERNAME": self.profile.admin_username,
            "ADMIN_PASSWORD": self.admin_password,
            "HOST": "127.0.0.1",
            "PORT": str(self.web_port),
            "CLOCK_SPEED": f"{self.clock.speed:g}",
            "CLOCK_ANCHOR": f"{self.clock.anchor:.6f}",
            **self._secrets,
            **self.config.settings,
        }
        return {**self.profile.render_env(settings), **self.config.extra_env}

    def _add_process(self, name: str, command: list[str], env: Mapping[str, str]) -> ManagedProcess:
        process = ManagedProcess(
            command,
            name=name,
            log_path=self.log_dir / f"{name}.log",
            env=env,
            cwd=self.profile.cwd or _REPO_ROOT,
        )
        self.processes[name] = process
        return process

    # --------------------------------------------------------------------------------------------- faults
    def _target(self, name: str) -> ManagedProcess | ServiceKind:
        if name in self.processes:
            return self.processes[name]
        try:
            return ServiceKind(name)
        except ValueError:
            raise HarnessError(f"unknown process {name!r}; known: {', '.join(self.names)}") from None

    @property
    def names(self) -> list[str]:
        return [*self.processes, *(kind.value for kind in ServiceKind)]

    def kill(self, name: str) -> None:
        """kill -9 a process of the Stack, or Redis / PostgreSQL."""
        target = self._target(name)
        if isinstance(target, ServiceKind):
            self.provider.kill(target)
        else:
            target.kill()

    def stop(self, name: str) -> None:
        target = self._target(name)
        if isinstance(target, ServiceKind):
            self.provider.stop(target)
        else:
            target.stop()

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

    def _memory_sources(self) -> dict[str, Any]:
        sources: dict[str, Any] = {}
        for name in self.plans:
            process = self.processes[name]
            if process.is_running:
                sources[name] = process.memory
        return sources

    def memory(self) -> dict[str, MemorySample]:
        """Memory of each middleware process tree right now."""
        return {name: measure() for name, measure in self._memory_sources().items()}

    def describe(self) -> dict[str, Any]:
        """URLs and paths for people (`logikal-harness up`) and for the report."""
        return {
            "topology": self.topology.value,
            "profile": self.profile.name,
            "middleware": self.base_url,
            "fake": self.fake_api_url,
            "fake_control": self.fake_url + "/_fake/",
            "redis": self.redis_url,
            "database": self.database_url,
            "logs": str(self.log_dir),
            "clock_speed": self.clock.speed,
            "admin": f"{self.profile.admin_username} / {self.admin_password}",
        }
