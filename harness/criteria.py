"""The checklist's success criteria C01..C21: id, short title and the checklist line each one proves."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CRITERIA", "Criterion", "criterion"]


@dataclass(frozen=True)
class Criterion:
    id: str
    title: str
    checklist: str


CRITERIA: dict[str, Criterion] = {
    c.id: c
    for c in (
        Criterion("C01", "Application deployed", "✅ Application deployed successfully"),
        Criterion("C02", "No deployment errors", "✅ No deployment errors"),
        Criterion("C03", "Redis connection stable", "✅ Redis connection stable"),
        Criterion("C04", "Worker and beat running", "✅ Celery worker and beat processes running"),
        Criterion("C05", "First scheduled sync", "✅ First scheduled sync executes successfully"),
        Criterion("C06", "Memory under 80 %", "✅ Memory usage under 80%"),
        Criterion("C07", "No critical errors in logs", "✅ No critical errors in logs"),
        Criterion("C08", "Scheduled syncs consistent", "✅ Scheduled syncs running consistently"),
        Criterion("C09", "Data freshness in Odoo", "✅ Data freshness improved in Odoo"),
        Criterion("C10", "No memory leaks", "✅ No memory leaks"),
        Criterion("C11", "Stable and performant", "✅ System stable and performant"),
        Criterion("C12", "Intervals take effect", "- [ ] Adjust intervals via Admin UI"),
        Criterion("C13", "Disabled type never syncs", "- [ ] Enable/disable sync for specific object types"),
        Criterion("C14", "Last Sync updates in /ui", "- [ ] Admin UI shows updated sync times"),
        Criterion("C15", "No conflicts with manual sync", "- [ ] Verify no conflicts with manual force sync"),
        Criterion("C16", "Logikal faults handled", "- [ ] Sync task failures → Review logs"),
        Criterion("C17", "Enabled-mode log lines", "**Expected logs to see**"),
        Criterion("C18", "Rollback works", '6. [ ] Verify logs show "Background sync is disabled"'),
        Criterion("C19", "Option 2 (multi-container)", "🚀 Option 2: Multi-Container"),
        Criterion("C20", "Durations and rates reported", "- [ ] Review sync durations per object type"),
        Criterion("C21", "Health shows degradation", "- [ ] Clear monitoring and alerting in place"),
    )
}


def criterion(criterion_id: str) -> Criterion:
    """The criterion ``criterion_id`` (e.g. "C05"); unknown ids get a placeholder title."""
    return CRITERIA.get(criterion_id.upper(), Criterion(criterion_id.upper(), criterion_id.upper(), ""))
