"""The ``logikal-harness`` command: verify (the CI gate), up, soak, reproduce, and services."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from typing import TextIO

from harness.commands.gate import (
    add_reproduce_arguments,
    add_soak_arguments,
    add_up_arguments,
    add_verify_arguments,
    run_reproduce_command,
    run_soak_command,
    run_up_command,
    run_verify_command,
)
from harness.errors import HarnessError

__all__ = ["build_parser", "main"]


def _add_services_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--services",
        choices=("auto", "external", "docker", "local"),
        default=None,
        help="where Redis/PostgreSQL come from (default: $HARNESS_SERVICES, else auto)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="logikal-harness",
        description="Run and verify the Logikal sync middleware against a fake Logikal.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    verify = commands.add_parser("verify", help="the deployment gate: run every criterion scenario")
    add_verify_arguments(verify)
    _add_services_option(verify)
    verify.set_defaults(handler=run_verify_command)

    up = commands.add_parser("up", help="start services, the fake and the middleware; Ctrl-C stops them")
    add_up_arguments(up)
    _add_services_option(up)
    up.set_defaults(handler=run_up_command)

    soak = commands.add_parser("soak", help="time-warped long run: memory slope and sync-window history")
    add_soak_arguments(soak)
    _add_services_option(soak)
    soak.set_defaults(handler=run_soak_command)

    reproduce = commands.add_parser(
        "reproduce", help="re-run a failed criterion with its recorded inputs; --keep, --shrink"
    )
    add_reproduce_arguments(reproduce)
    _add_services_option(reproduce)
    reproduce.set_defaults(handler=run_reproduce_command)

    load = commands.add_parser(
        "load", help="locust load profiles and capacity planning (reports/load-<ts>/capacity.html)"
    )
    _add_load_arguments(load)  # load's own --services as well
    load.set_defaults(handler=_run_load)

    services = commands.add_parser("services", help="start Redis and PostgreSQL, print their URLs, wait")
    _add_services_option(services)
    services.set_defaults(handler=_run_services)
    return parser


def _add_load_arguments(parser: argparse.ArgumentParser) -> None:
    try:
        from load.cli import add_load_arguments
    except ImportError as exc:  # the gate must not depend on the load extra being importable
        parser.set_defaults(load_unavailable=str(exc))
        return
    add_load_arguments(parser)


def _run_load(args: argparse.Namespace) -> int:
    # Imported when used: load/ pulls numpy and matplotlib, and locust runs only in its own subprocesses.
    if getattr(args, "load_unavailable", ""):
        raise HarnessError(f"the load command cannot start: {args.load_unavailable}")
    from load.cli import run_load_command

    return run_load_command(args)


def _run_services(args: argparse.Namespace, wait: Callable[[], None] | None = None) -> int:
    from harness.runtime.services.select import start_provider

    with start_provider(args.services) as provider:
        _say(f"services: {provider.mode}")
        _say(f"REDIS_URL={provider.redis_url}")
        _say(f"DATABASE_URL={provider.database_url}")
        _say("Ctrl-C stops them.")
        try:
            (wait or _wait_for_interrupt)()
        except KeyboardInterrupt:
            _say("stopping", sys.stderr)
    return 0


def _say(text: str, stream: TextIO | None = None) -> None:
    out = stream or sys.stdout
    out.write(text + "\n")
    out.flush()


def _wait_for_interrupt() -> None:
    # Waiting on an event (not a sleep loop) keeps us idle; SIGINT still raises KeyboardInterrupt here.
    if hasattr(signal, "pause"):
        while True:
            signal.pause()
    threading.Event().wait()


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except HarnessError as exc:
        # One error line; a multi-line message (e.g. a server's last log lines) follows it indented.
        first, *details = str(exc).splitlines() or [type(exc).__name__]
        _say(f"logikal-harness: error: {first}", sys.stderr)
        for line in details:
            _say(f"    {line}", sys.stderr)
        # The gate could not judge the build (bad profile, no services): never "the build failed" (1).
        return 2 if args.command in ("verify", "reproduce") else 1


if __name__ == "__main__":
    sys.exit(main())
