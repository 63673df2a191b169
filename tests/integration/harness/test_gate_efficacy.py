"""The gate catches every planted upstream defect (issue 11): each variant in tests/sut_variants/ fails the
criterion, or the after-scenario check, that names its defect — and for the reason it plants.

`verify` runs start at once, a few side by side (each on its own local Redis and PostgreSQL, so their queues
never mix), and each test waits for its own; the after-scenario checks are judged on a private Stack here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from harness.errors import HarnessError, MissingBinariesError
from harness.runtime.polling import wait_for
from harness.runtime.services import ServiceProvider
from harness.runtime.services.host import LocalBinaries
from harness.scenario.postchecks import postcheck
from harness.stack import Stack, StackConfig
from harness.stack.profile import load_profile

VARIANTS = Path(__file__).resolve().parents[2] / "sut_variants"
REPO = VARIANTS.parents[1]
VERIFY_TIMEOUT = 330  # real seconds per verify run, the slowest criterion here (C16) included

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(480)]


@dataclass(frozen=True)
class Case:
    variant: str
    criterion: str
    reason: str  # a fragment of the failure ("|" separates alternatives): it failed for the planted defect


# The cheapest criterion that must catch each planted defect (docs/criteria.md, "The gate fails when it
# should").
CRITERION_CASES = [
    # the first elevation sync never completes: its projects vanish under it (phases' foreign key)
    Case("unscoped_delete", "C05", 'is not present in table \\"projects\\"|missing'),  # §7.1
    # the phases stolen back and forth (cascading their elevations): the comparison finds phases and
    # elevations missing (12 / 21 phases, 39 / 100 elevations measured), or the first elevation sync is late
    Case(
        "zero_guid_phases",
        "C05",
        "phase 00000000-0000-0000-0000-000000000000@|missing (e.g.|first elevation sync done",
    ),
    Case("force_sync_shortcut", "C24", "reported success without"),  # §7.3
    Case("odoo_reads_mark_fresh", "C09", "the new amount"),  # §7.13
    Case("sessions_never_closed", "C16", "Logikal sessions left open"),  # §7.17
    Case("deletions_ignored", "C23", "not converged"),  # §7.18
    Case("fixed_interval", "C12", "interval change"),  # intervals ignored
    # the killed child's run stays "started" for the 30-minute claim window (issue 10)
    Case("worker_loss_unfixed", "C25", "runs left open|closed_after="),
    # a run PostgreSQL dropped is failed, not redelivered: its chain stops and its rows claim the types
    Case("database_loss_unfixed", "C30", "never converged|runs left open"),
    # the upstream's start-up debug dump (§4.1): the scan of everything the processes wrote finds the values
    Case("secret_at_startup", "C22", "LOGIKAL_AUTH_PASSWORD (plain)"),
    # every downloaded parts list kept: the warped day's PSS slope (production-sized parts lists)
    Case("parts_list_leak", "C10", "MB/h (bound"),  # §7.15
]
# Defects no criterion names but the checks after every scenario do (harness/scenario/postchecks.py).
POSTCHECK_CASES = [
    Case("prefix_parser", "content", "other_row"),  # §7.8
    Case("last_sync_at_start", "last_sync", "stamped_at_start"),  # §7.12
]


def _lanes() -> tuple[int, list[str]]:
    """Side by side only on services of their own: two runs on one Redis would share database numbers."""
    try:
        LocalBinaries.find()
    except MissingBinariesError:
        return 1, []
    return 3, ["--services", "local"]


def _verify(
    case: Case, report_dir: Path, services: list[str]
) -> tuple[subprocess.CompletedProcess[str], Any]:
    profile = str(VARIANTS / f"{case.variant}.toml")
    command = [
        sys.executable, "-m", "harness.commands.cli", "verify", "--sut", profile, "--only", case.criterion,
        "--report-dir", str(report_dir), *services,
    ]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    done = subprocess.run(
        command, cwd=REPO, capture_output=True, text=True, timeout=VERIFY_TIMEOUT, check=False, env=env
    )
    evidence_file = report_dir / "evidence.json"
    evidence = json.loads(evidence_file.read_text(encoding="utf-8")) if evidence_file.exists() else None
    return done, evidence


@pytest.fixture(scope="module")
def gate_runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Future[Any]]]:
    """Every criterion case's verify run, started at once (bounded lanes); variant → its future."""
    lanes, services = _lanes()
    root = tmp_path_factory.mktemp("efficacy")
    with ThreadPoolExecutor(max_workers=lanes, thread_name_prefix="verify") as pool:
        # slowest first, so the lanes finish together
        order = sorted(CRITERION_CASES, key=lambda c: c.criterion not in ("C16", "C23", "C09", "C30"))
        yield {c.variant: pool.submit(_verify, c, root / c.variant, services) for c in order}


@pytest.mark.parametrize("case", POSTCHECK_CASES, ids=lambda c: f"{c.variant}-{c.criterion}")
def test_a_planted_defect_fails_the_after_scenario_check(
    case: Case, service_provider: ServiceProvider, gate_runs: dict[str, Future[Any]], tmp_path: Path
) -> None:
    # gate_runs: the verify runs go on in the background meanwhile
    profile = load_profile(str(VARIANTS / f"{case.variant}.toml"))
    config = StackConfig(profile=profile, clock_speed=120.0, sync_interval_seconds=300.0, run_dir=tmp_path)
    seen: list[list[str]] = []

    def caught() -> bool:
        try:
            found = postcheck(stack, {"last_sync": case.criterion == "last_sync",
                                             "content": case.criterion == "content"})  # fmt: skip
        except HarnessError as exc:
            seen.append([f"could not observe: {exc}"])
            return False
        seen.append(found.problems or found.notes)
        return any(p.startswith(f"{case.criterion}:") and case.reason in p for p in found.problems)

    with Stack(config, provider=service_provider) as stack:
        beat = config.sync_interval_seconds
        # the first tick's chain ends with the parse of every parts list: a few beats of virtual time
        timeout = stack.clock.real_seconds(4 * beat) + 90
        try:
            wait_for(caught, timeout=timeout, interval=1.0, description=f"a {case.criterion} problem")
        except HarnessError:
            pytest.fail(f"the {case.criterion} check never caught {case.variant}; last: {seen[-1:]}")


@pytest.mark.parametrize("case", CRITERION_CASES, ids=lambda c: f"{c.variant}-{c.criterion}")
def test_a_planted_defect_fails_its_criterion(case: Case, gate_runs: dict[str, Future[Any]]) -> None:
    # a run may wait in the queue behind one run per lane before its own starts
    done, evidence = gate_runs[case.variant].result(timeout=VERIFY_TIMEOUT * len(CRITERION_CASES))
    output = done.stdout[-2000:] + done.stderr[-2000:]
    assert evidence is not None, output
    verdicts = {c["criterion"]: c["verdict"] for c in evidence["criteria"]}
    tests = [t for c in evidence["criteria"] for t in c["tests"]]
    # the reason is in the failure or in a figure (a report summary a wait ended on)
    failures = "\n".join([t["failure"] for t in tests] + [json.dumps(t["figures"]) for t in tests])
    assert done.returncode == 1, f"{verdicts}\n{output}"
    assert verdicts.get(case.criterion) == "failed", f"{verdicts}\n{failures[-2000:]}"
    reasons = case.reason.lower().split("|")
    assert any(r in failures.lower() for r in reasons), f"failed for another reason:\n{failures[-3000:]}"
    assert evidence["run"]["profile"] == case.variant.replace("_", "-")
