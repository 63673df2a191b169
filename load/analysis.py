"""The answer from the curves: the knee, the breakpoint and a Universal Scalability Law fit."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["UslFit", "breakpoint_index", "fit_usl", "knee_users"]


def knee_users(
    users: Sequence[float], p95: Sequence[float], *, factor: float = 1.5, floor_ms: float = 5.0
) -> float | None:
    """The first user count where p95 leaves its low-load trend for good.

    The trend is a straight line through the first quarter of the steps (at least two); a step has left it
    when p95 exceeds ``factor`` x the trend and the trend plus ``floor_ms``, and every later step has too.
    """
    n = len(users)
    if n < 4 or len(p95) != n:
        return None
    base = max(2, math.ceil(n / 4))
    slope, intercept = np.polyfit(np.asarray(users[:base], float), np.asarray(p95[:base], float), 1)
    slope = max(float(slope), 0.0)  # a falling start is noise, not a trend to extrapolate
    intercept = float(np.mean(np.asarray(p95[:base], float) - slope * np.asarray(users[:base], float)))
    above = [
        p > max(factor * (intercept + slope * u), intercept + slope * u + floor_ms)
        for u, p in zip(users, p95, strict=True)
    ]
    for index in range(base, n):
        if all(above[index:]):
            return float(users[index])
    return None


def breakpoint_index(broken: Sequence[bool]) -> int | None:
    """The first step that broke (a threshold, errors or an OOM kill), or None."""
    for index, is_broken in enumerate(broken):
        if is_broken:
            return index
    return None


@dataclass(frozen=True)
class UslFit:
    """X(N) = lambdaN / (1 + sigma(N-1) + kappaN(N-1)); the peak is at N* = √((1-sigma)/kappa)."""

    lam: float
    sigma: float
    kappa: float
    r2: float

    def throughput(self, users: float) -> float:
        return self.lam * users / (1 + self.sigma * (users - 1) + self.kappa * users * (users - 1))

    @property
    def peak_users(self) -> float | None:
        if self.kappa <= 0 or self.sigma >= 1:
            return None
        return math.sqrt((1 - self.sigma) / self.kappa)

    @property
    def peak_throughput(self) -> float | None:
        peak = self.peak_users
        return None if peak is None else self.throughput(peak)

    def as_dict(self) -> dict[str, float | None]:
        return {
            "lambda": self.lam,
            "sigma": self.sigma,
            "kappa": self.kappa,
            "r2": self.r2,
            "peak_users": self.peak_users,
            "peak_throughput": self.peak_throughput,
        }


def _least_squares(columns: list[np.ndarray], y: np.ndarray) -> np.ndarray:
    solution, *_ = np.linalg.lstsq(np.column_stack(columns), y, rcond=None)
    return np.asarray(solution, float)


def _clean(value: float) -> float:
    """Rounding noise of an exact linear fit is not a coherency cost."""
    return value if value > 1e-9 else 0.0


def fit_usl(users: Sequence[float], throughput: Sequence[float]) -> UslFit | None:
    """Fit the USL through N/X = (1 + sigma(N-1) + kappaN(N-1)) / lambda, a linear model in 1, N-1, N(N-1).

    Negative sigma or kappa (no contention / no coherency cost seen) are pinned to 0 and the rest refitted, so
    the    coefficients stay physical. Needs three points with positive throughput.
    """
    pairs = [(float(n), float(x)) for n, x in zip(users, throughput, strict=True) if n > 0 and x > 0]
    if len(pairs) < 3:
        return None
    n = np.array([p[0] for p in pairs])
    x = np.array([p[1] for p in pairs])
    y = n / x
    terms = {"sigma": n - 1, "kappa": n * (n - 1)}
    active = ["sigma", "kappa"]
    while True:
        coefficients = _least_squares([np.ones_like(n), *(terms[name] for name in active)], y)
        a, rest = coefficients[0], dict(zip(active, coefficients[1:], strict=True))
        negative = [name for name, value in rest.items() if value < 0]
        if not negative or a <= 0:
            break
        active.remove(min(negative, key=lambda name: rest[name]))
    if a <= 0:
        return None
    sigma, kappa = (float(rest.get(name, 0.0) / a) for name in ("sigma", "kappa"))
    fit = UslFit(lam=float(1 / a), sigma=_clean(sigma), kappa=_clean(kappa), r2=0.0)
    predicted = np.array([fit.throughput(value) for value in n])
    total = float(np.sum((x - x.mean()) ** 2))
    r2 = 1 - float(np.sum((x - predicted) ** 2)) / total if total > 0 else 1.0
    return UslFit(fit.lam, fit.sigma, fit.kappa, r2)
