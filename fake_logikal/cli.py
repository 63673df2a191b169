"""Command line: `python -m fake_logikal --host 127.0.0.1 --port PORT [--seed N] [--size ...] ...`."""

from __future__ import annotations

import argparse
import ipaddress
import sys
import time
from collections.abc import Sequence

import uvicorn

from .api import API_BASE_PATH
from .app import create_app, quiet_fault_noise
from .config import PARTS_SIZES, FakeConfig, elevation_count_for

__all__ = ["main", "parse_args"]


def _kb_range(text: str) -> tuple[int, int]:
    low, _, high = text.partition("-")
    return int(low), int(high or low)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m fake_logikal", description="Fake Logikal MBIOE API v3 server."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--port", type=int, default=8765, help="0 picks a free port (printed in the ready line)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--size", default="small", help="small|medium|large or an elevation count")
    parser.add_argument("--username", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--latency", choices=["none", "production"], default="none")
    parser.add_argument(
        "--time-scale", type=float, default=1.0, help="latency multiplier (0.01 = 100x faster)"
    )
    sizes = parser.add_mutually_exclusive_group()
    sizes.add_argument(
        "--parts-list-kb", type=_kb_range, default=None, help="parts-list size range in KiB, e.g. 700-1700"
    )
    sizes.add_argument(
        "--parts-size",
        choices=sorted(PARTS_SIZES),
        default=None,
        help="parts-list size preset: default 100-400 KiB, production 1024-2355 KiB (1-2.3 MB)",
    )
    parser.add_argument(
        "--parts-list-wal", action="store_true", help="WAL-mode SQLite files, as in production"
    )
    parser.add_argument(
        "--max-sessions", type=int, default=None, help="cap on concurrent sessions (401 beyond)"
    )
    parser.add_argument(
        "--session-idle-timeout", type=float, default=None, help="idle expiry, fake-clock seconds"
    )
    parser.add_argument("--journal-size", type=int, default=10_000)
    parser.add_argument("--directories-at-deeper-level", choices=["405", "reset"], default="405")
    parser.add_argument(
        "--stepwise-directory-select", action="store_true", help="forbid deep paths in one hop"
    )
    parser.add_argument(
        "--lenient-levels", action="store_true", help="operations also work below their level"
    )
    parser.add_argument(
        "--missing-row-trap",
        action="store_true",
        help="one elevation's parts list lacks its own Elevations row (a correct parser fails it)",
    )
    parser.add_argument("--log-level", default="warning")
    return parser.parse_args(argv)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def build_config(args: argparse.Namespace) -> FakeConfig:
    return FakeConfig(
        seed=args.seed,
        size=int(args.size) if str(args.size).isdigit() else args.size,
        username=args.username,
        password=args.password,
        latency=args.latency,
        time_scale=args.time_scale,
        parts_list_kb=args.parts_list_kb or PARTS_SIZES[args.parts_size or "default"],
        parts_list_wal=args.parts_list_wal,
        max_sessions=args.max_sessions,
        session_idle_timeout_s=args.session_idle_timeout,
        journal_size=args.journal_size,
        restrict_control_to_loopback=not _is_loopback(args.host),
        directories_at_deeper_level=args.directories_at_deeper_level,
        deep_directory_select=not args.stepwise_directory_select,
        strict_levels=not args.lenient_levels,
        missing_row_trap=args.missing_row_trap,
    )


class _Server(uvicorn.Server):
    """Prints one ready line once the socket listens (the harness waits for it, or polls /_fake/health)."""

    banner = ""

    async def startup(self, sockets: list[object] | None = None) -> None:  # type: ignore[override]
        await super().startup(sockets)  # type: ignore[arg-type]
        if self.started:
            port = self.servers[0].sockets[0].getsockname()[1] if self.servers else self.config.port
            print(self.banner.format(port=port), flush=True)  # noqa: T201 - the ready line is the CLI's output


def main(argv: Sequence[str] | None = None) -> int:
    started = time.perf_counter()
    try:
        args = parse_args(argv)
        config = build_config(args)
    except ValueError as error:
        print(f"fake_logikal: {error}", file=sys.stderr)  # noqa: T201
        return 2
    app = create_app(config)
    server = _Server(
        uvicorn.Config(
            app,
            host=args.host,
            port=args.port,
            loop="auto",
            http="auto",
            lifespan="on",
            log_level=args.log_level,
            access_log=False,
            timeout_keep_alive=30,
        )
    )
    counts = app.backend.dataset.to_state("none")["counts"]
    _Server.banner = (
        f"fake_logikal ready on http://{args.host}:{{port}}{API_BASE_PATH}/ "
        f"seed={config.seed} size={config.size} elevations={counts['elevations']} "
        f"projects={counts['projects']} directories={counts['directories']} "
        f"latency={config.latency} parts_kb={config.parts_list_kb[0]}-{config.parts_list_kb[1]} "
        f"build_s={time.perf_counter() - started:.3f}"
    )
    assert counts["elevations"] >= elevation_count_for(config.size) - 1
    quiet_fault_noise()
    server.run()
    return 0
