"""Trends in noisy series: a least-squares slope and how far it can be trusted.

Memory moves in steps (a sync allocates, the allocator keeps or returns arenas), so consecutive samples are
not independent: the uncertainty comes from block means, whose scatter about their own line is the noise a
trend must stand out from. A level can persist for hours, so neighbouring blocks are alike too and one block
size understates the noise; the half-width is the widest over doubling block sizes (the blocking method), from
``block`` up while at least ``MIN_BLOCKS`` means remain."""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["Trend", "least_squares_slope", "t_quantile_975", "trend"]

MIN_BLOCKS = 4  # fewer block means leave too few degrees of freedom to say anything about the noise


@dataclass(frozen=True)
class Trend:
    """A slope per x unit and the half-width of its ~95 % interval (``inf`` when it cannot be estimated)."""

    slope: float
    half_width: float
    blocks: int

    @property
    def low(self) -> float:
        return self.slope - self.half_width

    @property
    def high(self) -> float:
        return self.slope + self.half_width

    def resolves(self, bound: float) -> bool:
        """True when the whole interval lies on one side of ``bound``."""
        return self.high < bound or self.low >= bound


def least_squares_slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (x, y); 0 with fewer than two points or no spread in x."""
    if len(points) < 2:
        return 0.0
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    var = sum((x - mean_x) ** 2 for x, _ in points)
    if var == 0:
        return 0.0
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / var


# Student's t 97.5 % quantiles for 1..30 degrees of freedom (the standard table).
_T975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145,
         2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048,
         2.045, 2.042)  # fmt: skip


def t_quantile_975(dof: int) -> float:
    """Student's t 97.5 % quantile: the table to 30 dof, a Cornish-Fisher expansion beyond (within 0.1 %)."""
    if dof <= 0:
        return math.inf
    if dof <= len(_T975):
        return _T975[dof - 1]
    z = 1.959964
    return z + (z**3 + z) / (4 * dof) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * dof**2)


def _block_means(points: list[tuple[float, float]], block: float) -> list[tuple[float, float]]:
    buckets: dict[int, list[tuple[float, float]]] = {}
    origin = points[0][0]
    for x, y in points:
        buckets.setdefault(int((x - origin) // block), []).append((x, y))
    return [
        (sum(x for x, _ in group) / len(group), sum(y for _, y in group) / len(group))
        for _, group in sorted(buckets.items())
    ]


def _half_width(means: list[tuple[float, float]]) -> float:
    """~95 % half-width of the slope fitted to block means, treated as independent."""
    fitted = least_squares_slope(means)
    n = len(means)
    mean_x = sum(x for x, _ in means) / n
    mean_y = sum(y for _, y in means) / n
    spread = sum((x - mean_x) ** 2 for x, _ in means)
    residual = sum((y - mean_y - fitted * (x - mean_x)) ** 2 for x, y in means) / (n - 2)
    error = math.sqrt(residual / spread) if spread > 0 else math.inf
    return t_quantile_975(n - 2) * error


def trend(points: list[tuple[float, float]], block: float) -> Trend:
    """The least-squares slope of ``points`` with a ~95 % half-width from their block means: the widest over
    blocks of ``block``, 2x, 4x ... x units while ``MIN_BLOCKS`` means remain (``blocks``: the count at the
    widest; ``inf`` when even ``block`` leaves too few)."""
    slope = least_squares_slope(points)
    means = _block_means(points, block) if points else []
    if len(means) < MIN_BLOCKS:
        return Trend(slope, math.inf, len(means))
    widest = Trend(slope, _half_width(means), len(means))
    size = block * 2
    while len(means := _block_means(points, size)) >= MIN_BLOCKS:
        if (width := _half_width(means)) > widest.half_width:
            widest = Trend(slope, width, len(means))
        size *= 2
    return widest
