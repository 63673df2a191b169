"""The checklist's success criteria: id, title, checklist line, what each needs to observe, where it runs.

The one list of criteria: verify, the reports, the preflight and C19 all read it from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.observe.spec import Capability as Cap

__all__ = [
    "CRITERIA",
    "DEFAULT_LANE_COST",
    "LANE_COSTS",
    "MULTI_CRITERIA",
    "SHARES_FIXTURE",
    "Criterion",
    "criterion",
]


@dataclass(frozen=True)
class Criterion:
    id: str
    title: str
    checklist: str
    needs: tuple[Cap, ...] = ()
    on_multi: bool = False  # checklist Option 2 must pass it too (C19)


_RUNS = (Cap.SYNC_CONFIGS, Cap.SYNC_RUNS)
CRITERIA: dict[str, Criterion] = {
    c.id: c
    for c in (
        Criterion("C01", "Application deployed", "✅ Application deployed successfully", on_multi=True),
        Criterion("C02", "No deployment errors", "✅ No deployment errors", (Cap.LOGS,)),
        Criterion("C03", "Redis connection stable", "✅ Redis connection stable", (*_RUNS, Cap.TREE)),
        Criterion("C04", "Worker and beat running", "✅ Celery worker and beat processes running",
                  (Cap.WORKER_QUEUES,), on_multi=True),
        Criterion("C05", "First scheduled sync", "✅ First scheduled sync executes successfully",
                  (*_RUNS, Cap.TREE), on_multi=True),
        Criterion("C06", "Memory under 80 %", "✅ Memory usage under 80%", (Cap.SYNC_CONFIGS,)),
        Criterion("C07", "No critical errors in logs", "✅ No critical errors in logs", (Cap.LOGS, *_RUNS)),
        Criterion("C08", "Scheduled syncs consistent", "✅ Scheduled syncs running consistently", _RUNS),
        Criterion("C09", "Data freshness in Odoo", "✅ Data freshness improved in Odoo",
                  (*_RUNS, Cap.ODOO_CLIENT, Cap.ADMIN_LOGIN)),
        Criterion("C10", "No memory leaks", "✅ No memory leaks", _RUNS),
        Criterion("C11", "Stable and performant", "✅ System stable and performant",
                  (*_RUNS, Cap.ODOO_CLIENT, Cap.ADMIN_LOGIN, Cap.SET_ENABLED)),
        Criterion("C12", "Intervals take effect", "- [ ] Adjust intervals via Admin UI",
                  (*_RUNS, Cap.SET_INTERVAL, Cap.SET_ENABLED, Cap.ADMIN_UI, Cap.ADMIN_LOGIN)),
        Criterion("C13", "Disabled type never syncs", "- [ ] Enable/disable sync for specific object types",
                  (*_RUNS, Cap.SET_INTERVAL, Cap.SET_ENABLED, Cap.ADMIN_LOGIN)),
        Criterion("C14", "Last Sync updates in /ui", "- [ ] Admin UI shows updated sync times",
                  (*_RUNS, Cap.ADMIN_UI)),
        Criterion("C15", "No conflicts with manual sync", "- [ ] Verify no conflicts with manual force sync",
                  (*_RUNS, Cap.TREE, Cap.FORCE_SYNC, Cap.SET_ENABLED, Cap.ADMIN_LOGIN)),
        Criterion("C16", "Logikal faults handled", "- [ ] Sync task failures → Review logs",
                  (*_RUNS, Cap.TREE, Cap.RUN_ERRORS, Cap.SET_ENABLED, Cap.ADMIN_LOGIN)),
        Criterion("C17", "Enabled-mode log lines", "**Expected logs to see**", (Cap.LOGS,)),
        Criterion("C18", "Rollback works", '6. [ ] Verify logs show "Background sync is disabled"',
                  (Cap.LOGS, Cap.SYNC_RUNS, Cap.FORCE_SYNC, Cap.ADMIN_LOGIN)),
        Criterion("C19", "Option 2 (multi-container)", "🚀 Option 2: Multi-Container",
                  (Cap.WORKER_QUEUES, *_RUNS, Cap.TREE)),
        Criterion("C20", "Durations and rates reported", "- [ ] Review sync durations per object type",
                  (*_RUNS, Cap.ADMIN_UI)),
        Criterion("C21", "Health shows degradation", "- [ ] Clear monitoring and alerting in place",
                  (Cap.DETAILED_HEALTH,)),
        Criterion("C22", "No secrets in output", "Security: secrets never appear in logs (issue 11)",
                  (Cap.SYNC_CONFIGS, Cap.ADMIN_LOGIN, Cap.ODOO_CLIENT)),
        Criterion("C25", "Worker child killed mid-sync", "Chaos: accepted work survives a crash (issue 10)",
                  (*_RUNS, Cap.TREE, Cap.SET_ENABLED, Cap.ADMIN_LOGIN)),
        Criterion("C26", "Redis frozen, then resumed", "Chaos: a paused broker (SIGSTOP) past its timeouts",
                  (*_RUNS, Cap.TREE, Cap.SET_ENABLED, Cap.ADMIN_LOGIN)),
        Criterion("C27", "Two beats, no run twice", "Chaos: two beat processes at once",
                  (*_RUNS, Cap.SET_ENABLED, Cap.ADMIN_LOGIN)),
        Criterion("C28", "Bad parts list never wins", "Chaos: a parts list invalid, then valid again",
                  (*_RUNS, Cap.ADMIN_LOGIN)),
        Criterion("C29", "Worker killed and restarted", "Chaos: the whole worker killed mid-sync, restarted",
                  (*_RUNS, Cap.TREE, Cap.SET_ENABLED, Cap.ADMIN_LOGIN)),
        Criterion("C30", "PostgreSQL crashed mid-sync", "Chaos: PostgreSQL SIGKILLed mid-sync, then back",
                  (*_RUNS, Cap.TREE, Cap.SET_ENABLED, Cap.ADMIN_LOGIN)),
        Criterion("C31", "Flaky Logikal for hours", "Chaos: Logikal at 10 % 5xx with latency jitter",
                  (*_RUNS, Cap.TREE, Cap.SET_ENABLED, Cap.ADMIN_LOGIN)),
        Criterion("C23", "Deletions and moves converge", "Deletions and moves converge (issue 11)",
                  (*_RUNS, Cap.TREE, Cap.FORCE_SYNC, Cap.SET_ENABLED, Cap.ADMIN_LOGIN, Cap.ODOO_CLIENT)),
        Criterion("C24", "Force sync sees fresh edits", "Force sync sees fresh edits (issue 11)",
                  (*_RUNS, Cap.TREE, Cap.FORCE_SYNC, Cap.SET_INTERVAL, Cap.SET_ENABLED, Cap.ADMIN_LOGIN)),
    )
}  # fmt: skip
MULTI_CRITERIA = tuple(c.id for c in CRITERIA.values() if c.on_multi)

# `verify` runs the criteria in parallel lanes (harness.commands.lanes). LANE_COSTS: real seconds each took on
# our build (junit times of a two-lane run, 2026-12-03; a shared fixture's start counts to its first user),
# to balance the lanes; unlisted ones cost DEFAULT_LANE_COST. SHARES_FIXTURE: criteria sharing one session
# fixture run in one lane, so it is built once.
DEFAULT_LANE_COST = 15.0
LANE_COSTS = {
    "C01": 5, "C02": 5, "C03": 19, "C04": 1, "C05": 5, "C06": 3, "C07": 1, "C08": 67, "C09": 11, "C10": 1,
    "C11": 16, "C12": 11, "C13": 13, "C14": 10, "C15": 21, "C16": 33, "C17": 1, "C18": 5, "C19": 8, "C20": 1,
    "C21": 11, "C22": 1, "C23": 33, "C24": 9, "C25": 15, "C26": 26, "C27": 34, "C28": 20, "C29": 19,
    "C30": 21, "C31": 116,
}  # fmt: skip
SHARES_FIXTURE = {"C08": "warped_run", "C10": "warped_run"}


def criterion(criterion_id: str) -> Criterion:
    """The criterion ``criterion_id`` (e.g. "C05"); unknown ids get a placeholder title."""
    return CRITERIA.get(criterion_id.upper(), Criterion(criterion_id.upper(), criterion_id.upper(), ""))
