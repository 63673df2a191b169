"""The verdict from synthetic steps: thresholds on the checked load, breakpoint reasons, words."""

from __future__ import annotations

from typing import Any

from load.plans import plan_named
from load.thresholds import parse_threshold
from load.verdict import analyse

CHECKS = [parse_threshold(e) for e in ("p95 < 500 ms", "fail_rate < 1 %", "peak_pss < 80 % of plan")]
MB = 1024 * 1024


def _step(users: int, p95: float, *, oom: int = 0, pss_mb: float = 300, cpu: float = 40) -> dict[str, Any]:
    return {
        "users": users,
        "p95": p95,
        "p50": p95 / 2,
        "p99": p95 * 1.2,
        "rps": users * 2.0,
        "fail_rate": 0.0,
        "peak_pss": pss_mb * MB,
        "cpu": cpu,
        "oom_kills": oom,
        "sync_lag_p95": None,
        "backlog_runs": 0,
    }


def _analyse(steps: list[dict[str, Any]], at_users: int = 0, plan: str = "basic-xxs") -> dict[str, Any]:
    return analyse(
        steps,
        CHECKS,
        plan_named(plan),
        at_users=at_users,
        emulation_status="emulated (cgroup v1)",
        intervals_minutes={"elevation": 30},
    )


def test_an_oom_kill_is_the_breakpoint_and_named_in_the_verdict() -> None:
    result = _analyse([_step(5, 80), _step(10, 90), _step(15, 95, oom=1, pss_mb=510)])
    assert result["summary"]["breakpoint_users"] == 15
    assert result["summary"]["max_users_within_thresholds"] == 10
    assert result["verdict"].startswith(
        "basic-xxs holds 10 users at p95 90 ms while elevations sync every 30 min"
    )
    assert "OOM-killed at 15 users" in result["verdict"]
    assert result["status"] == "failed"  # peak PSS 510 MB > 80 % of 512 MB


def test_thresholds_are_checked_only_up_to_the_load_we_must_carry() -> None:
    result = _analyse([_step(5, 80), _step(10, 90), _step(15, 900)], at_users=10)
    assert result["status"] == "passed"
    assert result["summary"]["breakpoint_users"] == 15
    assert "it breaks at 15 users (p95 < 500 ms (measured 900 ms))" in result["verdict"]


def test_cpu_above_80_percent_of_the_plan_suggests_multi_container() -> None:
    result = _analyse([_step(5, 80, cpu=50), _step(10, 90, cpu=85)])
    assert (
        "CPU above 80 % of the plan from 10 users: consider multi-container (Option 2)" in result["verdict"]
    )
    assert "no step up to 10 users broke a threshold" in result["verdict"]


def test_not_emulated_is_in_the_headline() -> None:
    result = analyse(
        [_step(5, 80)],
        CHECKS,
        plan_named("basic-xs"),
        at_users=0,
        emulation_status="not emulated: cgroups not writable",
        intervals_minutes={},
    )
    assert result["verdict"].startswith("[not emulated: cgroups not writable] basic-xs holds 5 users")


def test_a_dead_server_is_named_and_left_out_of_the_curves() -> None:
    dead = {"fail_rate": 100.0, "p95": 3.0, "rps": 50.0, "peak_pss": 0, "cpu": 0.0}
    steps = [_step(5, 600), _step(10, 700, oom=1), {**_step(15, 3), **dead}, {**_step(20, 3), **dead}]
    result = _analyse(steps)
    assert result["summary"]["breakpoint_users"] == 5
    assert result["summary"]["first_oom_users"] == 10
    assert "it is OOM-killed at 10 users" in result["verdict"]
    assert "every request failed from 15 users on (the middleware was down)" in result["verdict"]
    assert result["summary"]["usl"] is None  # two serving steps are too few for a fit


def test_a_busy_shared_machine_is_a_caveat_in_the_headline() -> None:
    from load.verdict import machine_caveats

    assert machine_caveats({"start": 2.0, "end": 2.5, "cpus": 2.0}) == []
    (caveat,) = machine_caveats({"start": 18.7, "end": 6.4, "cpus": 2.0})
    result = analyse(
        [_step(5, 80)],
        CHECKS,
        plan_named("basic-xs"),
        at_users=0,
        emulation_status="emulated",
        intervals_minutes={},
        caveats=[caveat],
    )
    assert result["verdict"].startswith(
        "[machine busy: load average 18.7 on 2 CPUs, latencies inflated] basic-xs"
    )
