"""How long a change in Logikal may take to reach the build: one rule for every freshness criterion."""

from __future__ import annotations

from harness.observe.invariants import SyncWindow

__all__ = ["convergence_bound"]


def convergence_bound(windows: list[SyncWindow], level: str, interval_and_beat: float, since: float) -> float:
    """Interval + beat from a change at ``since``, plus what the level's next scheduled run had to wait for
    and took: the rest of a run of it already going at the change, the other runs before it (the chain's
    other types, forced runs), and its own length. At hundreds of times real speed a loaded machine makes a
    run last simulated tens of minutes: a run's length against its interval is sized by the
    sync-capacity load profile (docs/capacity.md) and reported by C08, not judged by a freshness bound."""
    own = [w for w in windows if w.sync_type == level and w.trigger == "scheduled"]
    going = [w.end - since for w in own if w.start < since and w.end is not None and w.end > since]
    following = min((w for w in own if w.start >= since), key=lambda w: w.start, default=None)
    if following is None or following.end is None:
        return interval_and_beat + sum(going)
    others = sum(
        max(0.0, min(following.start, w.end or following.start) - max(since, w.start))
        for w in windows
        if w not in own
    )
    return interval_and_beat + sum(going) + others + (following.end - following.start)
