"""The gate's subcommands for `logikal-harness`: verify, up and soak (arguments and handlers)."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from harness.stack import Stack
    from harness.stack.tape import Tape, TapeEntry

__all__ = [
    "add_reproduce_arguments",
    "add_soak_arguments",
    "add_up_arguments",
    "add_verify_arguments",
    "run_reproduce_command",
    "run_soak_command",
    "run_up_command",
    "run_verify_command",
]


def add_verify_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--topology", choices=("single", "multi", "both"), default="single")
    parser.add_argument(
        "--report-dir", default=None, help="where the reports go (default: reports/<timestamp>)"
    )
    parser.add_argument(
        "--sut", default=None, help="SUT profile: a built-in name or a TOML file (default: ours)"
    )
    parser.add_argument(
        "--only", action="append", default=None, metavar="C05,...", help="run only these criteria"
    )
    parser.add_argument("--memory-budget-mb", type=float, default=1024.0, help="C06 budget (80 %% must hold)")
    parser.add_argument(
        "--lanes", type=_lanes, default=None, metavar="N",
        help="parallel pytest sessions per topology, 1-4 (default: 2 on two cores or more)",
    )  # fmt: skip


def _lanes(value: str) -> int:
    from harness.commands.lanes import MAX_LANES

    if not value.isdigit() or not 1 <= int(value) <= MAX_LANES:
        raise argparse.ArgumentTypeError(f"--lanes takes a whole number from 1 to {MAX_LANES}, not {value!r}")
    return int(value)


def run_verify_command(args: argparse.Namespace) -> int:
    from harness.commands.verify import VerifyOptions, parse_only, run_verify

    options = VerifyOptions(
        topology=args.topology,
        report_dir=Path(args.report_dir) if args.report_dir else None,
        sut=args.sut,
        only=parse_only(args.only),
        services=args.services,
        memory_budget_mb=args.memory_budget_mb,
    )
    if args.lanes:
        options.lanes = args.lanes
    return run_verify(options)


def add_up_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--topology", choices=("single", "multi"), default="single")
    parser.add_argument("--sut", default=None, help="SUT profile: a built-in name or a TOML file")
    parser.add_argument("--sync-interval-seconds", type=float, default=300.0, help="beat period (virtual)")
    parser.add_argument(
        "--clock-speed", type=float, default=1.0, help="time warp shared by fake and middleware"
    )
    parser.add_argument("--size", default="small", help="fake dataset: small|medium|large|COUNT")
    parser.add_argument("--latency", choices=("none", "production"), default="none")
    parser.add_argument("--no-background-sync", action="store_true", help="BACKGROUND_SYNC_ENABLED=false")
    parser.add_argument("--run-dir", default=None, help="keep logs here (default: a temporary directory)")
    parser.add_argument("--tape", default=None, metavar="FILE", help="replay this tape (JSON/TOML) when up")


def run_up_command(args: argparse.Namespace) -> int:
    from harness.stack import Stack, StackConfig
    from harness.stack.profile import load_profile
    from harness.stack.topology import Topology

    config = StackConfig(
        topology=Topology(args.topology),
        profile=load_profile(args.sut),
        services=args.services,
        background_sync=not args.no_background_sync,
        sync_interval_seconds=args.sync_interval_seconds,
        clock_speed=args.clock_speed,
        fake_size=args.size,
        fake_latency=args.latency,
        run_dir=Path(args.run_dir) if args.run_dir else None,
    )
    tape = _load_tape(args.tape)
    with Stack(config) as stack:
        for key, value in stack.describe().items():
            print(f"{key:>13}: {value}")  # noqa: T201 - the command's output is this listing
        print("Ctrl-C stops everything.", flush=True)  # noqa: T201
        try:
            if tape is not None:
                _replay_tape(stack, tape)
            _wait_for_interrupt()
        except KeyboardInterrupt:
            print("stopping", file=sys.stderr)  # noqa: T201
    return 0


def _load_tape(path: str | None) -> Tape | None:
    from harness.stack.tape import Tape

    return Tape.load(Path(path)) if path else None


def _replay_tape(stack: Stack, tape: Tape) -> None:
    from harness.stack.replay import replay

    def say(index: int, entry: TapeEntry) -> None:
        print(f"tape {index + 1}/{len(tape)} at {entry.at:g} s: {entry.describe()}", flush=True)  # noqa: T201

    report = replay(stack, tape, on_entry=say)
    for error in report.errors:
        print(f"tape: {error}", file=sys.stderr)  # noqa: T201
    print(f"tape replayed: {len(report.applied)} actions, {len(report.errors)} failed", flush=True)  # noqa: T201


def add_reproduce_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", metavar="REPORT_DIR|evidence.json", help="a verify report")
    parser.add_argument("--criterion", default=None, help="which one (default: the first failed)")
    parser.add_argument("--topology", choices=("single", "multi"), default=None)
    parser.add_argument("--keep", action="store_true", help="leave the Stack running; Ctrl-C stops it")
    parser.add_argument("--speed", type=float, default=None, help="another clock speed than recorded")
    parser.add_argument("--shrink", action="store_true", help="delta-debug the tape to a minimal one")
    parser.add_argument("--tape", default=None, help="--shrink: start from this tape, not the recorded")
    parser.add_argument(
        "--settle", type=float, default=None,
        help="--shrink: virtual seconds the invariants may take after the tape (default: interval + beat)",
    )  # fmt: skip
    parser.add_argument("--output", default=None, help="--shrink: minimal tape file (default: in the report)")
    parser.add_argument(
        "--invariants", default="", metavar="sessions,tree,runs_started",
        help="--shrink: the failure is these invariants breaking (default: all the recorded tape breaks)",
    )  # fmt: skip


def run_reproduce_command(args: argparse.Namespace) -> int:
    from harness.commands.reproduce import ReproduceOptions, run_reproduce

    options = ReproduceOptions(
        source=Path(args.source),
        criterion=args.criterion,
        topology=args.topology,
        keep=args.keep,
        speed=args.speed,
        shrink=args.shrink,
        tape=Path(args.tape) if args.tape else None,
        settle=args.settle,
        output=Path(args.output) if args.output else None,
        invariants=[name.strip() for name in args.invariants.split(",") if name.strip()],
        services=args.services,
    )
    return run_reproduce(options)


def add_soak_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--simulated-hours", type=float, default=48.0)
    parser.add_argument(
        "--real-minutes", type=float, default=None, help="wall budget (default: 8 min for 48 h)"
    )
    parser.add_argument("--topology", choices=("single", "multi"), default="single")
    parser.add_argument("--sut", default=None, help="SUT profile: a built-in name or a TOML file")
    parser.add_argument(
        "--report-dir", default=None, help="where the soak report goes (default: reports/soak-<ts>)"
    )
    parser.add_argument("--pss-slope-bound-mb-per-hour", type=float, default=2.0)


def run_soak_command(args: argparse.Namespace) -> int:
    from harness.commands.soak import SoakOptions, run_soak

    options = SoakOptions(
        simulated_hours=args.simulated_hours,
        real_minutes=args.real_minutes,
        topology=args.topology,
        sut=args.sut,
        services=args.services,
        report_dir=Path(args.report_dir) if args.report_dir else None,
        pss_slope_bound_mb_per_hour=args.pss_slope_bound_mb_per_hour,
    )
    return run_soak(options)


def _wait_for_interrupt() -> None:
    if hasattr(signal, "pause"):
        while True:
            signal.pause()
    threading.Event().wait()
