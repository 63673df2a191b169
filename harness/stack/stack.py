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
from typing import Self

import httpx

from harness.errors import BuildStartError, HarnessError, ProcessExitedError, ReadinessTimeoutError
from harness.observe.adapter import Observer
from harness.runtime.cleanup import register_cleanup, unregister_cleanup
from harness.runtime.polling import wait_for
from harness.runtime.probes import CallableProbe, HttpProbe, LogLineProbe
from harness.runtime.process import ManagedProcess
from harness.runtime.services import ServiceProvider, free_port, unique_database_name
from harness.runtime.services.select import select_provider
from harness.stack.access import FAKE_API_PATH
from harness.stack.config import StackConfig, acquire_redis_db, release_redis_db
from harness.stack.control import ProcessControl
from harness.stack.profile import load_profile
from harness.stack.sampling import MemorySampler
from harness.stack.spawn import ProcessFactory, template_values
from harness.stack.tape import Tape, record_action
from harness.stack.topology import ProcessPlan, Topology, plan_for
from harness.stack.warp import (
    WarpClock,
    WarpMode,
    clock_settings,
    fake_time_scale,
    scale_durations,
    sweep_shared_memory,
)

__all__ = ["FAKE_API_PATH", "Stack", "StackConfig"]

_REPO_ROOT = Path(__file__).resolve().parents[2]
_READY_PATTERNS = {"worker": r"\S+@\S+ ready\.", "beat": r"beat: Starting"}


class Stack(ProcessControl):
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
        self.warp = self.config.warp or self.profile.warp
        speed = self.profile.trusted_speed(self.config.clock_speed, self.warp)
        self.clock = WarpClock(speed=speed, anchor=time.time())
        self.tape = Tape(speed=self.clock.speed)  # every control-plane action once ready (harness.stack.tape)
        self._factory = ProcessFactory(self.profile, self.clock, self.warp, self.log_dir, _REPO_ROOT)
        self._observer: Observer | None = None
        self.sampler = MemorySampler(self._memory_sources, self.clock, self.config.memory_interval)
        self.database_name = ""
        self.database_url = ""
        self.redis_url = ""
        self._redis_db: int | None = None  # the shared Redis's database this Stack holds
        self.web_port = 0
        self.fake_port = 0
        self.started_at = 0.0
        self.ready_at = 0.0
        self._secrets = {"SECRET_KEY": secrets.token_hex(32), "JWT_SECRET_KEY": secrets.token_hex(32)}
        self.admin_password = self.profile.admin_password or secrets.token_urlsafe(16)
        self.client_secrets: dict[str, str] = {}  # Odoo client secrets handed out during the run
        self._cleanup_handle: int | None = None
        self._closed = False

    # --------------------------------------------------------------------------------------------- lifecycle
    def start(self) -> Self:
        """Start services, the fake and the middleware; return once every process is ready."""
        self.profile.check_paths()
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
        if self._redis_db is not None:
            release_redis_db(self._redis_db)
        if self._cleanup_handle is not None:
            unregister_cleanup(self._cleanup_handle)
        if self._own_run_dir:
            shutil.rmtree(self.run_dir, ignore_errors=True)
        if self.warp is WarpMode.EXTERNAL:
            sweep_shared_memory()

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
        if self.profile.redis_honours_db:
            base, _, _ = self._provider.redis_url.rpartition("/")
            self._redis_db = acquire_redis_db()
            self.redis_url = f"{base}/{self._redis_db}"
        else:
            self.redis_url = self._start_private_redis()
        import redis

        with redis.Redis.from_url(self.redis_url) as client:
            client.flushdb()

    def _start_private_redis(self) -> str:
        """A Redis server of this Stack alone, for builds that ignore the database number in their URL."""
        process, url = self._factory.private_redis(free_port())
        self.processes[process.name] = process
        process.start()
        process.wait_ready(LogLineProbe(r"Ready to accept connections"), timeout=self.config.ready_timeout)
        return url

    def _start_fake(self) -> None:
        self.fake_port = free_port()
        config = self.config
        command = [
            sys.executable, "-m", "fake_logikal", "--host", "127.0.0.1", "--port", str(self.fake_port),
            "--seed", str(config.fake_seed), "--size", config.fake_size, "--latency", config.fake_latency,
            f"--username={config.logikal_username}", f"--password={config.logikal_password}",
            *fake_time_scale(self.warp, self.clock, config.fake_time_scale), *config.fake_args,
        ]  # fmt: skip
        fake = self._factory.fake("fake", command)
        self.processes["fake"] = fake
        fake.start()
        fake.wait_ready(HttpProbe(f"{self.fake_url}/_fake/health"), timeout=self.config.ready_timeout)
        self.sync_fake_clock()

    def sync_fake_clock(self) -> None:
        """Give the fake the Stack's virtual time and speed when the build warps itself (CLOCK_* settings);
        under the external warp libfaketime already puts the fake on the Stack's timeline."""
        if self.warp is WarpMode.EXTERNAL:
            return
        self.fake_request("POST", "/_fake/clock", json={"now": self.clock.now(), "speed": self.clock.speed})

    def _start_middleware(self) -> None:
        self.web_port = free_port()
        if self.topology is Topology.MULTI and self.profile.has_role("migrate"):
            self._run_to_completion("migrate")
        for plan in plan_for(self.topology):
            self.plans[plan.name] = plan
            command = self.profile.command(plan.role, host="127.0.0.1", port=self.web_port)
            self._add_process(plan.name, plan.role, command, env=self.middleware_env(plan)).start()
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
        try:
            self.processes[name].wait_ready(probe, timeout=timeout)
        except (ProcessExitedError, ReadinessTimeoutError) as exc:
            raise BuildStartError(str(exc)) from None

    def _run_to_completion(self, role: str) -> None:
        process = self._add_process(role, role, self.profile.command(role), env=self.middleware_env(None))
        process.start()
        wait_for(
            lambda: not process.is_running,
            timeout=self.config.ready_timeout,
            interval=0.1,
            description=f"{role} to finish",
        )
        if process.returncode != 0:
            raise BuildStartError(f"{role} exited with {process.returncode}:\n{process.log_tail()}")

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
            **clock_settings(
                self.warp, self.clock, self.profile.scaled_settings, self.profile.warped_settings
            ),
            **self._secrets,
            **scale_durations(self.warp, self.clock, self.config.settings, self.profile.scaled_settings),
        }
        values = template_values(
            redis_url=self.redis_url, database_url=self.database_url, fake_url=self.fake_api_url,
            run_dir=self.run_dir,
        )  # fmt: skip
        return {**self.profile.render_env(settings, values), **self.config.extra_env}

    def _add_process(
        self, name: str, role: str, command: list[str], env: Mapping[str, str]
    ) -> ManagedProcess:
        process = self._factory.middleware(name, role, command, env)
        self.processes[name] = process
        return process

    def add_process(self, name: str, role: str) -> ManagedProcess:
        """Start one more process of ``role`` beside the topology's (a second beat); stopped with the rest."""
        plan = ProcessPlan(name, role)
        self.plans[name] = plan
        command = self.profile.command(role, host="127.0.0.1", port=self.web_port)
        process = self._add_process(name, role, command, env=self.middleware_env(plan))
        process.start()
        self.wait_process_ready(name)
        return process

    def secret_settings(self) -> dict[str, str]:
        """SECRET_KEY and JWT_SECRET_KEY as given to the build."""
        return dict(self._secrets)

    @property
    def observer(self) -> Observer:
        """The profile's declared observations of this running build."""
        if self._observer is None:
            self._observer = Observer(
                self.profile.observe,
                database_url=self.database_url,
                base_url=self.base_url,
                admin_username=self.profile.admin_username,
                admin_password=self.admin_password,
                on_action=lambda action, fields: record_action(self, action, fields),
            )
        return self._observer
