"""``logikal-harness load`` (and ``python -m load``): arguments and the command that runs a capacity plan."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from harness.stack.topology import Topology
from load.errors import LoadError
from load.plans import PLANS, plan_named
from load.profiles import available_profiles, load_profile
from load.run import RunOptions, run_load
from load.session import LoadSession, SessionOptions

__all__ = [
    "EXIT_ERROR",
    "EXIT_FAILED",
    "EXIT_INCONCLUSIVE",
    "EXIT_PASSED",
    "add_load_arguments",
    "run_load_command",
]

EXIT_PASSED, EXIT_FAILED, EXIT_INCONCLUSIVE, EXIT_ERROR = 0, 1, 2, 3


def add_load_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``load``; the harness CLI may set ``args.sut_profile`` to a loaded SUT profile."""
    parser.add_argument(
        "--profile",
        default="step-ramp",
        help=f"a profile name ({', '.join(available_profiles())}) or a TOML path",
    )
    parser.add_argument("--users", type=int, help="peak users (overrides the profile's shape)")
    parser.add_argument("--duration", type=float, help="seconds; every stage of the shape is rescaled to fit")
    parser.add_argument("--instance", choices=sorted(PLANS), help="instance plan to emulate with cgroups")
    parser.add_argument(
        "--topology", choices=[t.value for t in Topology], help="single (Option 1) or multi (Option 2)"
    )
    parser.add_argument("--sut", help="SUT profile file (resolved by the harness CLI into args.sut_profile)")
    parser.add_argument("--workers", type=int, help="locust workers (distributed: one master + K workers)")
    parser.add_argument("--celery-workers", type=int, default=1, help="Celery worker processes (concurrency)")
    parser.add_argument("--baseline", type=Path, help="an earlier capacity.json to compare with")
    parser.add_argument(
        "--tolerance", type=float, default=10.0, help="baseline tolerance in percent (default 10)"
    )
    parser.add_argument(
        "--threshold",
        action="append",
        default=[],
        metavar="EXPR",
        help="an extra threshold, e.g. 'p95 < 300 ms' (repeatable)",
    )
    parser.add_argument("--report-dir", type=Path, help="default reports/load-<timestamp>/")
    parser.add_argument("--services", help="where Redis/PostgreSQL come from (auto|external|docker|local)")
    parser.add_argument(
        "--report-from", type=Path, metavar="DIR", help="rebuild DIR's report from its capacity.json (no run)"
    )
    parser.add_argument("--sizes", help="sync-capacity: elevations per dataset, e.g. 100,1000,5000")
    parser.add_argument("--sessions", help="sync-capacity: LOGIKAL_MAX_SESSIONS values, e.g. 1,4,8")


def _report_dir(args: argparse.Namespace) -> Path:
    if args.report_dir is not None:
        return Path(args.report_dir)
    return Path("reports") / time.strftime("load-%Y%m%d-%H%M%S")


def run_load_command(args: argparse.Namespace) -> int:
    """Run the profile; 0 every threshold passed, 1 one failed (or a baseline regression), 2 some could
    not be measured, 3 the run itself could not be carried out."""
    try:
        if args.report_from is not None:
            from load.rebuild import rebuild_report

            capacity = rebuild_report(args.report_from)
            print(f"{capacity['verdict']}\nreport: {args.report_from / 'capacity.html'}")  # noqa: T201
            return exit_code(capacity)
        profile = load_profile(args.profile).with_thresholds(list(args.threshold or []))
        if args.sut and getattr(args, "sut_profile", None) is None:
            raise LoadError("--sut needs the harness CLI (logikal-harness load), which loads the SUT profile")
        defaults = profile.defaults
        options = SessionOptions(
            profile=profile,
            instance=plan_named(args.instance or str(defaults.get("instance", "none"))),
            topology=Topology(args.topology or str(defaults.get("topology", "single"))),
            celery_workers=args.celery_workers,
            sut_profile=getattr(args, "sut_profile", None),
        )
        report_dir = _report_dir(args)
        if profile.kind == "sync-capacity":
            from load.sync_capacity import run_sync_capacity

            capacity = run_sync_capacity(
                options, report_dir, sizes=args.sizes, sessions=args.sessions, services=args.services
            )
        else:
            run = RunOptions(
                report_dir=report_dir,
                users=args.users,
                duration=args.duration,
                workers=args.workers if args.workers is not None else int(defaults.get("workers", 0)),
                baseline=args.baseline,
                tolerance=args.tolerance / 100.0,
            )
            capacity = _run_with_stack(options, run, args.services)
    except (LoadError, ValueError, OSError) as exc:
        print(f"load: {exc}", file=sys.stderr)  # noqa: T201
        return EXIT_ERROR
    print(f"{capacity['verdict']}\nreport: {report_dir / 'capacity.html'}")  # noqa: T201
    return exit_code(capacity)


def _run_with_stack(options: SessionOptions, run: RunOptions, services: str | None) -> dict[str, object]:
    if services:
        from harness.runtime.services.select import start_provider

        options.provider = start_provider(services)
    try:
        with LoadSession(options) as session:
            session.prepare_reads()
            return run_load(session, options.profile, run)
    finally:
        if options.provider is not None:
            options.provider.close()


def exit_code(capacity: dict[str, object]) -> int:
    baseline = capacity.get("baseline")
    if capacity["status"] == "failed" or (isinstance(baseline, dict) and baseline.get("regressed")):
        return EXIT_FAILED
    return EXIT_INCONCLUSIVE if capacity["status"] == "inconclusive" else EXIT_PASSED
