"""Helpers for tests that run middleware commands as real processes: ports, environments and JSON logs."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

__all__ = ["REPO", "LoggedProcess", "free_port", "middleware_environment"]

REPO = Path(__file__).resolve().parents[4]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def middleware_environment(
    *, database_url: str, redis_url: str, fake_url: str, port: int, enabled: bool, interval: float
) -> dict[str, str]:
    """Only the checklist's variables (design.md), plus PATH; a short SYNC_INTERVAL_SECONDS."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "BACKGROUND_SYNC_ENABLED": "true" if enabled else "false",
        "SYNC_INTERVAL_SECONDS": str(interval),
        "LOGIKAL_API_BASE_URL": f"{fake_url}/MbioeService.svc/api/v3/",
        "LOGIKAL_AUTH_USERNAME": "admin",
        "LOGIKAL_AUTH_PASSWORD": "admin",
        "SECRET_KEY": "k3y-for-the-process-tests-0123456789",
        "JWT_SECRET_KEY": "jwt-k3y-for-the-process-tests-0123456789",
        "ADMIN_USERNAME": "admin",
        "ADMIN_PASSWORD": "process-test-admin-pw",
        "ENVIRONMENT": "production",
        "DEBUG": "false",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WORKERS": "1",
    }


class LoggedProcess:
    """A process whose stdout+stderr go to a file; JSON lines are the middleware's log events."""

    def __init__(self, argv: list[str], env: dict[str, str], log_path: Path, cwd: Path = REPO) -> None:
        self.log_path = log_path
        with log_path.open("wb") as log:
            self.process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)

    @classmethod
    def middleware(cls, command: str, env: dict[str, str], log_path: Path) -> LoggedProcess:
        return cls([sys.executable, "-m", "middleware", command], env, log_path)

    @property
    def pid(self) -> int:
        return self.process.pid

    def text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def events(self) -> list[dict[str, Any]]:
        events = []
        for line in self.text().splitlines():
            if line.startswith("{"):
                try:
                    events.append(json.loads(line))
                except json.JSONDecodeError:
                    continue  # a line still being written
        return events

    def texts(self) -> list[str]:
        return [str(e.get("event", "")) for e in self.events()]

    def stop(self, timeout: float = 60) -> int:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode
