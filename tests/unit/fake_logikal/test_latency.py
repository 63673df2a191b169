"""Latency profiles and the operation kinds they key on."""

from __future__ import annotations

import pytest

from fake_logikal.latency import PRODUCTION, LatencyProfile, operation_kind


@pytest.mark.parametrize(
    ("method", "path", "kind"),
    [
        ("POST", "/auth", "auth"),
        ("DELETE", "/auth", "other"),
        ("POST", "/projects/select", "select"),
        ("GET", "/elevations", "list"),
        ("GET", "/elevations/abc/thumbnail", "thumbnail"),
        ("GET", "/elevations/selected/parts-list", "parts_list"),
        ("GET", "/version", "other"),
    ],
)
def test_operation_kind(method: str, path: str, kind: str) -> None:
    assert operation_kind(method, path) == kind


def test_none_profile_never_waits() -> None:
    assert LatencyProfile("none", 1).delay("auth") == 0.0


@pytest.mark.parametrize("kind", list(PRODUCTION))
def test_production_profile_is_scaled_and_seeded(kind: str) -> None:
    low, high = PRODUCTION[kind]
    profile = LatencyProfile("production", 3, time_scale=0.01)
    draws = [profile.delay(kind) for _ in range(20)]
    assert all(low * 0.01 <= d <= high * 0.01 for d in draws)
    again = LatencyProfile("production", 3, time_scale=0.01)
    assert draws == [again.delay(kind) for _ in range(20)]


def test_production_auth_matches_the_measured_range() -> None:
    assert PRODUCTION["auth"] == (4.5, 9.0)
    assert PRODUCTION["parts_list"] == (1.0, 3.0)


def test_unknown_profile_is_refused() -> None:
    with pytest.raises(ValueError, match="latency"):
        LatencyProfile("slow", 1)


def test_app_applies_the_profile() -> None:
    import time

    from .conftest import make_fake

    fake = make_fake(latency="production", time_scale=0.01)
    started = time.perf_counter()
    fake.login()
    assert time.perf_counter() - started >= 0.045  # 4.5 s * 0.01
