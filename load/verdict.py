"""From per-step figures to the answer: thresholds, knee, breakpoint, USL, summary and a verdict in words."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from load.analysis import breakpoint_index, fit_usl, knee_users
from load.plans import InstancePlan
from load.thresholds import Outcome, Threshold, ThresholdResult, evaluate

__all__ = ["analyse", "machine_caveats"]

_MB = 1024 * 1024
_SERVING_FAIL_PCT = 5.0


def _step_pairs(steps: Sequence[dict[str, Any]]) -> list[tuple[int, dict[str, float | None]]]:
    return [(int(step["users"]), step) for step in steps]


def _broken_reasons(step: dict[str, Any], thresholds: Sequence[Threshold], plan: InstancePlan) -> list[str]:
    reasons = [
        f"{r.expression} (measured {_show(r.value, r.unit)})"
        for r in evaluate(thresholds, _step_pairs([step]), plan)
        if r.outcome is Outcome.FAILED
    ]
    if step.get("oom_kills"):
        reasons.append(f"{step['oom_kills']} OOM kill(s)")
    if not any(t.metric == "fail_rate" for t in thresholds) and (step.get("fail_rate") or 0) > 1.0:
        reasons.append(f"errors: {step['fail_rate']:.1f} % failed")
    return reasons


def _show(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    if unit == "bytes":
        return f"{value / _MB:.0f} MB"
    return f"{value:g} {unit}".replace(" count", "")


def machine_caveats(loadavg: dict[str, float] | None) -> list[str]:
    """A shared machine busier than 1.5 x its CPUs makes latencies say more about the neighbours."""
    if not loadavg:
        return []
    busiest = max(loadavg["start"], loadavg["end"])
    if busiest <= 1.5 * loadavg["cpus"]:
        return []
    return [f"machine busy: load average {busiest:.1f} on {loadavg['cpus']:.0f} CPUs, latencies inflated"]


def analyse(
    steps: Sequence[dict[str, Any]],
    thresholds: Sequence[Threshold],
    plan: InstancePlan,
    *,
    at_users: int,
    emulation_status: str,
    intervals_minutes: dict[str, int],
    caveats: Sequence[str] = (),
) -> dict[str, Any]:
    checked = [s for s in steps if not at_users or s["users"] <= at_users] or list(steps)
    results: list[ThresholdResult] = evaluate(thresholds, _step_pairs(checked), plan)
    reasons = [_broken_reasons(step, thresholds, plan) for step in steps]
    broken = breakpoint_index([bool(r) for r in reasons])
    # Curves only over steps that served: fast refusals from a dead server are no throughput.
    measured = [
        s for s in steps if s.get("p95") is not None and (s.get("fail_rate") or 0) < _SERVING_FAIL_PCT
    ]
    users = [float(s["users"]) for s in measured]
    knee = knee_users(users, [float(s["p95"]) for s in measured])
    usl = fit_usl(users, [float(s["rps"] or 0) for s in measured])
    held = steps[broken - 1]["users"] if broken else (steps[-1]["users"] if steps else 0)
    if broken == 0:
        held = 0
    pss = [s["peak_pss"] for s in steps if s.get("peak_pss") is not None]
    cpu = [s["cpu"] for s in checked if s.get("cpu") is not None]
    worst_p95 = max((s["p95"] for s in checked if s.get("p95") is not None), default=None)
    summary = {
        "max_users_within_thresholds": held,
        "breakpoint_users": steps[broken]["users"] if broken is not None else None,
        "breakpoint_reasons": reasons[broken] if broken is not None else [],
        "knee_users": knee,
        "usl": usl.as_dict() if usl else None,
        "peak_rps": max((s["rps"] or 0 for s in steps), default=None),
        "p95_at_checked_load_ms": worst_p95,
        "peak_pss_bytes": max(pss) if pss else None,
        "mean_cpu_percent": round(sum(cpu) / len(cpu), 1) if cpu else None,
        "oom_kills": sum(s.get("oom_kills") or 0 for s in steps),
        "backlog_runs": sum(s.get("backlog_runs") or 0 for s in steps),
        "checked_up_to_users": checked[-1]["users"] if checked else None,
        "first_oom_users": next((s["users"] for s in steps if s.get("oom_kills")), None),
        "down_from_users": next((s["users"] for s in steps if (s.get("fail_rate") or 0) >= 99.0), None),
        "sync_lag_p95_s": max((s["sync_lag_p95"] for s in steps if s.get("sync_lag_p95")), default=None),
    }
    outcomes = {r.outcome for r in results}
    status = (
        "failed"
        if Outcome.FAILED in outcomes
        else ("inconclusive" if Outcome.UNMEASURED in outcomes else "passed")
    )
    return {
        "thresholds": [r.as_dict() for r in results],
        "status": status,
        "summary": summary,
        "verdict": "".join(f"[{c}] " for c in caveats)
        + _verdict(summary, steps, plan, emulation_status, intervals_minutes),
    }


def _verdict(
    summary: dict[str, Any],
    steps: Sequence[dict[str, Any]],
    plan: InstancePlan,
    emulation_status: str,
    intervals_minutes: dict[str, int],
) -> str:
    name = plan.name if plan.is_limited else "this machine (no instance emulated)"
    held, top = summary["max_users_within_thresholds"], steps[-1]["users"] if steps else 0
    held_step = next((s for s in steps if s["users"] == held), None)
    elevation = intervals_minutes.get("elevation")
    sync = f" while elevations sync every {elevation} min" if elevation else ""
    parts = []
    if held_step is not None and held_step.get("p95") is not None:
        parts.append(f"{name} holds {held} users at p95 {held_step['p95']:.0f} ms{sync}")
    elif held == 0 and steps:
        parts.append(f"{name} does not hold even {steps[0]['users']} users{sync}")
    if summary["breakpoint_users"] is not None:
        why = "; ".join(summary["breakpoint_reasons"])
        if any("OOM" in reason for reason in summary["breakpoint_reasons"]):
            parts.append(f"it is OOM-killed at {summary['breakpoint_users']} users ({why})")
        else:
            parts.append(f"it breaks at {summary['breakpoint_users']} users ({why})")
    elif steps:
        parts.append(f"no step up to {top} users broke a threshold, so the limit lies above")
    oom = summary.get("first_oom_users")
    if oom is not None and oom != summary["breakpoint_users"]:
        parts.append(f"it is OOM-killed at {oom} users")
    if summary.get("down_from_users") is not None:
        parts.append(
            f"every request failed from {summary['down_from_users']} users on (the middleware was down)"
        )
    if summary["knee_users"] is not None:
        parts.append(f"p95 leaves its low-load trend at {summary['knee_users']:g} users (knee)")
    usl = summary["usl"]
    if usl and usl["peak_users"] is not None and usl["r2"] > 0.8:
        parts.append(
            f"USL predicts peak throughput {usl['peak_throughput']:.0f} req/s"
            f" at {usl['peak_users']:.0f} users"
        )
    pss = summary["peak_pss_bytes"]
    if pss is not None and plan.is_limited:
        share = 100.0 * pss / plan.memory_bytes
        parts.append(f"peak PSS {pss / _MB:.0f} MB = {share:.0f} % of {plan.memory_mb:.0f} MB")
    hot = [s["users"] for s in steps if plan.is_limited and (s.get("cpu") or 0) > 80.0 * plan.vcpu]
    if hot:
        parts.append(f"CPU above 80 % of the plan from {hot[0]} users: consider multi-container (Option 2)")
    text = "; ".join(parts) + "."
    if not emulation_status.startswith("emulated"):
        text = f"[{emulation_status}] {text}"
    return text
