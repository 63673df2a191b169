"""Three verdicts: only a check that ran can fail the build; what the harness cannot see is inconclusive."""

from __future__ import annotations

import pytest

from harness.commands.preflight import Preflight
from harness.commands.report import exit_code, gate_word
from harness.errors import BuildStartError, HarnessError, InconclusiveError, WaitTimeoutError
from harness.observe.evidence import Evidence, Verdict, build_results, judge_exception


@pytest.mark.parametrize(
    ("exc", "verdict"),
    [
        (AssertionError("C05 sync late"), Verdict.FAILED),
        (WaitTimeoutError("never synced"), Verdict.FAILED),
        (BuildStartError("worker exited with 3"), Verdict.FAILED),
        (InconclusiveError("observe.sql.sync_runs failed: relation does not exist"), Verdict.INCONCLUSIVE),
        (HarnessError("the fake refused"), Verdict.INCONCLUSIVE),
        (KeyError("last_status"), Verdict.INCONCLUSIVE),
    ],
)
def test_exceptions_map_to_verdicts(exc: BaseException, verdict: str) -> None:
    outcome, reason = judge_exception(exc)
    assert outcome == verdict
    if verdict == Verdict.INCONCLUSIVE:
        assert reason.startswith("inconclusive:")


def _results(*outcomes: str) -> list[object]:
    return build_results(
        [Evidence(f"C0{i}", topology="single", outcome=o) for i, o in enumerate(outcomes, 1)]
    )


def test_exit_code_is_0_all_passed_1_any_failed_2_otherwise() -> None:
    assert exit_code(_results(Verdict.PASSED, Verdict.PASSED)) == 0  # type: ignore[arg-type]
    assert exit_code(_results(Verdict.PASSED, Verdict.FAILED, Verdict.INCONCLUSIVE)) == 1  # type: ignore[arg-type]
    assert exit_code(_results(Verdict.PASSED, Verdict.INCONCLUSIVE)) == 2  # type: ignore[arg-type]
    assert exit_code([]) == 2
    assert gate_word(_results(Verdict.PASSED, Verdict.INCONCLUSIVE)) == "INCONCLUSIVE"  # type: ignore[arg-type]


def test_one_failed_test_of_a_criterion_fails_it_even_beside_inconclusive_ones() -> None:
    records = [
        Evidence("C19", test="a", topology="multi", outcome=Verdict.INCONCLUSIVE),
        Evidence("C19", test="b", topology="multi", outcome=Verdict.FAILED),
    ]
    assert build_results(records)[0].verdict == Verdict.FAILED


def test_preflight_blocks_only_criteria_whose_needs_do_not_work() -> None:
    preflight = Preflight(capabilities={"sync_runs": "observe.sql.sync_runs failed: no table", "logs": ""})
    assert preflight.blocked("C05") == ["sync_runs: observe.sql.sync_runs failed: no table"]
    assert preflight.blocked("C17") == []
    assert preflight.blocked("C01") == []
    record = preflight.inconclusive("C05", "single")
    assert record.outcome == Verdict.INCONCLUSIVE
    assert "no table" in record.failure
    # A build that did not start is judged by every criterion on its own evidence (they fail).
    assert Preflight(build_error="exited").blocked("C05") == []
