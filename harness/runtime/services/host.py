"""What this machine offers the local provider: server binaries, free ports, a fast scratch directory."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

from harness.errors import MissingBinariesError

__all__ = ["LocalBinaries", "free_port", "memory_scratch_root"]

_PG_GLOB = "/usr/lib/postgresql/*/bin"
_SHM = Path("/dev/shm")  # noqa: S108 - only a parent for mkdtemp, which makes a private 0700 directory
_SHM_MIN_FREE = 2 * 1024**3


def memory_scratch_root(path: Path = _SHM, min_free: int = _SHM_MIN_FREE) -> Path | None:
    """The shared-memory tmpfs when it is roomy: initdb and CREATE DATABASE run ~3-20x faster than on disk."""
    try:
        if path.is_dir() and os.access(path, os.W_OK) and shutil.disk_usage(path).free >= min_free:
            return path
    except OSError:
        pass
    return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (start-up retries cover the race)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class LocalBinaries:
    """Where ``redis-server`` and the PostgreSQL server binaries (``initdb``, ``postgres``) live."""

    redis_server: Path
    pg_bindir: Path

    @classmethod
    def find(cls, path: str | None = None) -> LocalBinaries:
        """Look on ``path`` (default: PATH), then in Debian's PostgreSQL directories; raise when missing."""
        missing: list[str] = []
        redis_server = shutil.which("redis-server", path=path)
        if redis_server is None:
            missing.append("redis-server")
        pg_bindir = _find_pg_bindir(path)
        if pg_bindir is None:
            missing.append("PostgreSQL (initdb, postgres)")
        if redis_server is None or pg_bindir is None:
            raise MissingBinariesError(
                f"local services need {' and '.join(missing)}: install redis-server and postgresql "
                "(`./run bootstrap` as root does it)",
                missing=tuple(missing),
            )
        return cls(redis_server=Path(redis_server), pg_bindir=pg_bindir)


def _find_pg_bindir(path: str | None) -> Path | None:
    initdb = shutil.which("initdb", path=path)
    if initdb is not None and shutil.which("postgres", path=path) is not None:
        return Path(initdb).parent
    pg_config = shutil.which("pg_config", path=path)
    candidates: list[Path] = []
    if pg_config is not None:
        result = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        candidates.append(Path(result.stdout.strip()))
    versions = sorted(Path("/").glob(_PG_GLOB.lstrip("/")), key=lambda p: _version_key(p.parent.name))
    candidates.extend(reversed(versions))
    for bindir in candidates:
        if (bindir / "initdb").is_file() and (bindir / "postgres").is_file():
            return bindir
    return None


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in name.split(".") if part.isdigit())
