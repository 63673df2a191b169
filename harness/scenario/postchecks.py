"""Checks held after every scenario, on every Stack it used: last_sync truth, parts-list content truth, and a
scan of everything the processes wrote for the secrets the harness handed out.

They observe through the SUT profile's declarations like any scenario; what a profile does not declare is
skipped (reported as a note), never failed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from harness.checks.content import compare_content
from harness.checks.last_sync import last_sync_violations
from harness.checks.secrets import SecretScan, scan_paths
from harness.errors import HarnessError, InconclusiveError
from harness.observe.spec import SYNC_TYPES, Capability
from harness.stack import Stack

__all__ = ["PostCheck", "handed_out_secrets", "postcheck", "scan_for_secrets"]


@dataclass
class PostCheck:
    """What the checks after a scenario found: problems fail the scenario's criterion; notes inform."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    figures: dict[str, str] = field(default_factory=dict)


def handed_out_secrets(stack: Stack) -> dict[str, str]:
    """Every secret the harness gave this Stack's build, by name (values never leave this process)."""
    secrets = {
        "LOGIKAL_AUTH_PASSWORD": stack.config.logikal_password,
        "ADMIN_PASSWORD": stack.admin_password,
        **stack.secret_settings(),
        **stack.client_secrets,
    }
    password = urlsplit(stack.database_url).password if stack.database_url else None
    if password:
        secrets["DATABASE_PASSWORD"] = password
    try:
        for session in stack.fake_request("GET", "/_fake/sessions").get("sessions", []):
            if session.get("token"):
                secrets[f"Logikal token {str(session['token'])[:4]}…"] = str(session["token"])
    except HarnessError:
        pass  # the fake is down (a scenario killed it): its tokens cannot be listed
    return secrets


def scan_for_secrets(stack: Stack) -> SecretScan:
    """What the Stack's processes wrote (the logs under its run directory) against the handed-out secrets."""
    return scan_paths(handed_out_secrets(stack), [stack.run_dir])


def _stable_snapshot(stack: Stack) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(configs, runs) read so that no run completed between them: configs before and after runs agree."""
    for _ in range(5):
        before = stack.observer.sync_configs()
        runs = stack.observer.sync_runs()
        after = stack.observer.sync_configs()
        if before == after:
            configs = [{"type": t, "last_sync": c["last_sync"]} for t, c in after.items() if t in SYNC_TYPES]
            rows = [
                {"type": w.sync_type, "status": w.status, "started": w.start, "finished": w.end,
                 "run_id": w.run_id, "trigger": w.trigger}
                for w in runs
            ]  # fmt: skip
            return configs, rows
    raise InconclusiveError("sync configs kept moving while the run history was read")


def _check_last_sync(stack: Stack, result: PostCheck) -> None:
    configs, runs = _stable_snapshot(stack)
    # last_sync and the run's finish are two clock reads in the build: allow 250 ms of real time between them.
    tolerance = max(2.0, 0.25 * stack.clock.speed)
    # A run that finished in the last real second may not have stamped its last_sync yet.
    observed_at = stack.clock.now() - max(5.0, stack.clock.speed)
    configs = [{**config, "observed_at": observed_at} for config in configs]
    violations = last_sync_violations(configs, runs, tolerance_s=tolerance, triggers={"scheduled"})
    result.figures["last_sync values checked"] = f"{sum(c['last_sync'] is not None for c in configs)}"
    result.problems += [f"last_sync: {v}" for v in violations]


def _check_content(stack: Stack, result: PostCheck) -> None:
    observed = stack.observer.query("content")
    truth = stack.fake_request("GET", "/_fake/content", params={"parts": "cached"})
    # Only parts lists the fake served in their current revision can be in the database: an elevation edited
    # since its last download has no built file (no checksum) yet, and its stored content is merely stale.
    served = [item for item in truth.get("elevations", []) if item.get("partsListSha256")]
    report = compare_content(observed, served)
    result.figures["parts-list content checked"] = f"{report.checked} elevations, {len(report.stale)} stale"
    result.problems += [f"content: {m}" for m in report.mismatches[:10]]


def postcheck(stack: Stack, checks: Mapping[str, bool] | None = None) -> PostCheck:
    """Run the after-scenario checks on a running Stack (``checks`` can switch one off by name)."""
    wanted = {"last_sync": True, "content": True, **(checks or {})}
    result = PostCheck()
    observer = stack.observer
    plan = [
        ("last_sync", observer.has(Capability.SYNC_CONFIGS) and observer.has(Capability.SYNC_RUNS),
         _check_last_sync),
        ("content", "content" in observer.spec.sql, _check_content),
    ]  # fmt: skip
    for name, declared, check in plan:
        if not wanted[name]:
            continue
        if not declared:
            result.notes.append(f"{name} check skipped: the SUT profile does not declare what it needs")
            continue
        try:
            check(stack, result)
        except HarnessError as exc:
            result.notes.append(f"{name} check could not observe: {exc}")
    return result
