"""Locust as subprocesses: one headless master and K workers on loopback (or one local runner)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from load.run_config import CONFIG_ENV

__all__ = ["LOCUSTFILE", "LocustRun", "last_aggregate"]

LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
_REPO_ROOT = LOCUSTFILE.parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LocustRun:
    """Start with ``start()``; ``wait()`` returns the master's exit code; logs go to ``out_dir``."""

    host: str
    config_path: Path
    out_dir: Path
    workers: int = 0
    master_port: int = 0
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def csv_prefix(self) -> Path:
        return self.out_dir / "locust"

    def _env(self) -> dict[str, str]:
        path = os.environ.get("PYTHONPATH", "")
        return {
            **os.environ,
            CONFIG_ENV: str(self.config_path),
            "PYTHONPATH": f"{_REPO_ROOT}{os.pathsep}{path}",
        }

    def master_command(self) -> list[str]:
        command = [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(LOCUSTFILE),
            "--headless",
            "--host",
            self.host,
            "--csv",
            str(self.csv_prefix),
            "--csv-full-history",
            "--only-summary",
            "--exit-code-on-error",
            "0",
        ]
        if self.workers > 0:
            self.master_port = self.master_port or _free_port()
            command += [
                "--master",
                "--master-bind-host",
                "127.0.0.1",
                "--master-bind-port",
                str(self.master_port),
                "--expect-workers",
                str(self.workers),
                "--expect-workers-max-wait",
                "60",
            ]
        return command

    def worker_command(self, master_host: str = "127.0.0.1") -> list[str]:
        return [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(LOCUSTFILE),
            "--worker",
            "--master-host",
            master_host,
            "--master-port",
            str(self.master_port),
        ]

    def _spawn(self, command: list[str], log_name: str) -> subprocess.Popen[bytes]:
        with (self.out_dir / log_name).open("ab") as log:
            process = subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self._env(),
                cwd=_REPO_ROOT,
                start_new_session=True,
            )
        self.processes.append(process)
        return process

    def start(self) -> None:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self._spawn(self.master_command(), "locust-master.log")
        for index in range(self.workers):
            self._spawn(self.worker_command(), f"locust-worker-{index + 1}.log")

    @property
    def master(self) -> subprocess.Popen[bytes]:
        return self.processes[0]

    def poll(self) -> int | None:
        return self.master.poll()

    def stop(self) -> None:
        """Interrupt whatever still runs (SIGINT lets locust write its final CSVs), then kill after 15 s."""
        for process in self.processes:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGINT)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)


def last_aggregate(history_csv: Path) -> dict[str, str] | None:
    """The newest "Aggregated" row of locust's stats history (read from the file's tail)."""
    try:
        with history_csv.open("rb") as handle:
            header = handle.readline().decode().strip().split(",")
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - 16384))
            tail = handle.read().decode(errors="replace").splitlines()
    except OSError:
        return None
    for line in reversed(tail):
        cells = line.split(",")
        if len(cells) == len(header) and ("Aggregated" in cells or '"Aggregated"' in cells):
            return {key.strip('"'): value.strip('"') for key, value in zip(header, cells, strict=False)}
    return None
