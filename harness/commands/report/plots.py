"""PNG plots for the reports (matplotlib, Agg backend): memory over time and the sync timeline."""

from __future__ import annotations

import io
from typing import Any

import matplotlib

matplotlib.use("Agg")
from matplotlib import pyplot as plt

__all__ = ["memory_plot", "timeline_plot"]

_MB = 1.0


def memory_plot(series: dict[str, list[list[float]]], budgets_mb: dict[str, float]) -> bytes:
    """Lines of PSS (MB) over time for every ``memory_*`` series, with horizontal budget lines."""
    fig, ax = plt.subplots(figsize=(7, 3.2), dpi=100)
    try:
        for name, points in sorted(series.items()):
            if not name.startswith("memory") or not points:
                continue
            xs, ys = zip(*points, strict=True)
            ax.plot(xs, ys, label=name.removeprefix("memory_").replace("_", " "), linewidth=1.4)
        for label, value in budgets_mb.items():
            ax.axhline(value, linestyle="--", linewidth=1, color="tab:red" if "80" in label else "tab:gray")
            ax.annotate(label, (0, value), textcoords="offset points", xytext=(4, 3), fontsize=7)
        ax.set_xlabel("simulated hours" if any("hours" in n for n in series) else "seconds since start")
        ax.set_ylabel("PSS (MB)")
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="upper left")
        return _png(fig)
    finally:
        plt.close(fig)


_COLORS = {"completed": "tab:green", "failed": "tab:red", "partial": "tab:orange"}


def timeline_plot(windows: list[dict[str, Any]]) -> bytes:
    """One row per label (object type or target); a bar per sync window, coloured by status."""
    labels = sorted({str(w.get("label", "?")) for w in windows})
    edges = [float(w.get("start", 0.0)) for w in windows] + [
        float(w["end"]) for w in windows if w.get("end") is not None
    ]
    # a run of a few simulated seconds must still show: at least ~2 px of a 7-inch, 100-dpi figure
    min_width = max((max(edges) - min(edges)) * 0.003, 1e-9) if edges else 1e-9
    fig, ax = plt.subplots(figsize=(7, 0.5 + 0.45 * max(len(labels), 1)), dpi=100)
    try:
        for row, label in enumerate(labels):
            bars, colors = [], []
            for window in windows:
                if str(window.get("label")) != label:
                    continue
                start = float(window.get("start", 0.0))
                raw_end = window.get("end")
                end = start if raw_end is None else float(raw_end)
                bars.append((start, max(end - start, min_width)))
                colors.append(_COLORS.get(str(window.get("status")), "tab:blue"))
            ax.broken_barh(bars, (row - 0.35, 0.7), facecolors=colors)
        ax.set_yticks(range(len(labels)), labels, fontsize=8)
        ax.set_xlabel("simulated hours since start")
        ax.grid(axis="x", alpha=0.3)
        return _png(fig)
    finally:
        plt.close(fig)


def _png(fig: Any) -> bytes:
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()
