"""Load shapes: stages of step, spike and soak; overrides; the stage at a point in time."""

from __future__ import annotations

import pytest

from load.errors import ProfileError
from load.profiles import available_profiles, load_profile
from load.shapes import build_stages, stage_at, total_seconds


def test_step_ramp_ends_exactly_at_the_peak() -> None:
    stages = build_stages(
        {"kind": "step", "start_users": 5, "step_users": 10, "max_users": 30, "step_seconds": 20}
    )
    assert [s.users for s in stages] == [5, 15, 25, 30]
    assert total_seconds(stages) == 80


def test_users_and_duration_override_the_file() -> None:
    spec = {
        "kind": "spike",
        "base_users": 2,
        "spike_users": 20,
        "base_seconds": 10,
        "spike_seconds": 10,
        "recover_seconds": 20,
    }
    stages = build_stages(spec, users=50, duration=20)
    assert [s.users for s in stages] == [2, 50, 2]
    assert [s.seconds for s in stages] == [5, 5, 10]


def test_stage_at_walks_the_stages_and_ends() -> None:
    stages = build_stages({"kind": "soak", "users": 7, "hold_seconds": 30})
    assert stage_at(stages, 29.9) == (0, stages[0])
    assert stage_at(stages, 30.0) is None


def test_unknown_shape_is_refused() -> None:
    with pytest.raises(ProfileError):
        build_stages({"kind": "sawtooth"})


def test_every_shipped_profile_loads() -> None:
    names = available_profiles()
    assert {"smoke", "step-ramp", "spike", "soak", "sync-capacity"} <= set(names)
    for name in names:
        profile = load_profile(name)
        assert profile.name == name
        assert profile.version >= 1
