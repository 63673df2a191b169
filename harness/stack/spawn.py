"""How the Stack spawns one process of the run: command, environment (templated, clean), warp, isolation."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from urllib.parse import urlsplit

from harness.runtime.isolation import isolated_command
from harness.runtime.process import ManagedProcess
from harness.stack.profile import SutProfile
from harness.stack.warp import WarpClock, WarpMode, faketime_env

__all__ = ["ProcessFactory", "template_values"]


def template_values(*, redis_url: str, database_url: str, fake_url: str, run_dir: Path) -> dict[str, str]:
    """The values a profile's ``env`` may name: ``{redis_host}``, ``{database_url}``, ..."""
    redis = urlsplit(redis_url)
    return {
        "redis_url": redis_url,
        "redis_host": redis.hostname or "127.0.0.1",
        "redis_port": str(redis.port or 6379),
        "redis_db": redis.path.strip("/") or "0",
        "database_url": database_url,
        "fake_url": fake_url,
        "run_dir": str(run_dir),
    }


class ProcessFactory:
    """Builds the ManagedProcesses of one Stack; every one of them lives on the Stack's clock."""

    def __init__(
        self, profile: SutProfile, clock: WarpClock, warp: WarpMode, log_dir: Path, repo: Path
    ) -> None:
        self.profile = profile
        self.clock = clock
        self.warp = warp
        self.log_dir = log_dir
        self.repo = repo

    @property
    def is_external(self) -> bool:
        return self.warp is WarpMode.EXTERNAL and self.clock.speed != 1.0

    def _spawn_env(self) -> Callable[[], Mapping[str, str]] | None:
        if not self.is_external:
            return None
        clock = self.clock
        return lambda: faketime_env(clock)

    def fake(self, name: str, command: list[str]) -> ManagedProcess:
        """The fake Logikal: our own code, so it inherits the harness's environment; warped like the build."""
        return ManagedProcess(
            command,
            name=name,
            log_path=self.log_dir / f"{name}.log",
            cwd=self.repo,
            spawn_env=self._spawn_env(),
        )

    def private_redis(self, port: int) -> tuple[ManagedProcess, str]:
        """A Redis server for one Stack (builds that ignore the database number): process and URL."""
        command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                   "--appendonly", "no"]  # fmt: skip
        process = ManagedProcess(command, name="redis-private", log_path=self.log_dir / "redis-private.log")
        return process, f"redis://127.0.0.1:{port}/0"

    def middleware(self, name: str, role: str, command: list[str], env: Mapping[str, str]) -> ManagedProcess:
        """One process of the build under test: the profile decides cwd, environment and isolation."""
        profile = self.profile
        if profile.isolate:
            command = isolated_command(command, profile.binds)
        environment = dict(env)
        if profile.clean_env:
            # `env -i` semantics: only what the profile and the harness give, plus a declared PATH.
            environment = {"PATH": profile.path, "LANG": "C.UTF-8", "HOME": str(self.log_dir), **environment}
        return ManagedProcess(
            command,
            name=name,
            log_path=self.log_dir / f"{name}.log",
            env=environment,
            inherit_env=not profile.clean_env,
            cwd=profile.role_cwd(role) or self.repo,
            spawn_env=self._spawn_env(),
        )
