"""The time warp's arithmetic: one formula for every process, durations stretched, the fake's latency."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import HarnessError
from harness.stack.profile import load_profile
from harness.stack.warp import (
    WarpClock,
    WarpMode,
    clock_settings,
    fake_time_scale,
    faketime_library,
    scale_durations,
    sweep_shared_memory,
)

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "sut-profiles"


def test_virtual_time_runs_speed_times_faster_from_the_anchor() -> None:
    clock = WarpClock(speed=120.0, anchor=1000.0)
    assert clock.now(1000.0) == 1000.0
    assert clock.now(1010.0) == 1000.0 + 1200.0
    assert clock.real_seconds(600) == 5.0
    assert clock.real_time(clock.now(1234.5)) == pytest.approx(1234.5)


def test_a_build_that_warps_itself_gets_clock_speed_and_nothing_is_stretched() -> None:
    clock = WarpClock(speed=60.0, anchor=5.0)
    scaled = {"LOGIKAL_API_TIMEOUT": 30.0}
    assert clock_settings(WarpMode.CLOCK_SPEED, clock, scaled) == {
        "CLOCK_SPEED": "60",
        "CLOCK_ANCHOR": "5.000000",
    }
    assert scale_durations(WarpMode.CLOCK_SPEED, clock, {"LOGIKAL_API_TIMEOUT": "2"}, scaled) == {
        "LOGIKAL_API_TIMEOUT": "2"
    }
    assert fake_time_scale(WarpMode.CLOCK_SPEED, clock, 0.01) == ["--time-scale", "0.01"]


def test_under_the_external_warp_durations_keep_their_real_length() -> None:
    clock = WarpClock(speed=60.0, anchor=5.0)
    scaled = {"LOGIKAL_API_TIMEOUT": 30.0, "SYNC_TASK_TIME_LIMIT": 1800.0}
    told = clock_settings(WarpMode.EXTERNAL, clock, scaled)
    assert "CLOCK_SPEED" not in told
    assert told == {"LOGIKAL_API_TIMEOUT": "1800", "SYNC_TASK_TIME_LIMIT": "108000"}
    settings = scale_durations(WarpMode.EXTERNAL, clock, {"LOGIKAL_API_TIMEOUT": "2", "OTHER": "2"}, scaled)
    assert settings == {"LOGIKAL_API_TIMEOUT": "120", "OTHER": "2"}
    assert fake_time_scale(WarpMode.EXTERNAL, clock, 0.01) == ["--time-scale", "0.6"]
    assert fake_time_scale(WarpMode.EXTERNAL, clock, None) == []


@pytest.mark.parametrize("mode", [WarpMode.CLOCK_SPEED, WarpMode.EXTERNAL])
def test_count_based_settings_are_given_under_either_warp_and_never_at_real_speed(mode: WarpMode) -> None:
    warped = {"CELERY_MAX_TASKS_PER_CHILD": "100000"}
    assert clock_settings(mode, WarpClock(speed=480.0, anchor=0.0), {}, warped)[
        "CELERY_MAX_TASKS_PER_CHILD"
    ] == ("100000")
    assert "CELERY_MAX_TASKS_PER_CHILD" not in clock_settings(
        mode, WarpClock(speed=1.0, anchor=0.0), {}, warped
    )


def test_the_builtin_profile_lifts_the_pool_child_recycling_when_warped() -> None:
    assert load_profile(None).warped_settings == {"CELERY_MAX_TASKS_PER_CHILD": "100000"}
    assert (
        load_profile(str(EXAMPLES / "ours-external-warp.toml")).warped_settings
        == load_profile(None).warped_settings
    )


def test_a_missing_libfaketime_names_the_package(tmp_path: Path) -> None:
    with pytest.raises(HarnessError, match="apt-get install faketime libfaketime"):
        faketime_library((tmp_path / "none.so",))


def test_segments_of_dead_processes_are_swept_and_live_ones_kept(tmp_path: Path) -> None:
    import os

    dead = 2**22 + 12345  # above the default pid_max: never a live process
    for name in (f"faketime_shm_{dead}", f"sem.faketime_sem_{dead}", f"faketime_shm_{os.getpid()}", "other"):
        (tmp_path / name).write_bytes(b"x")
    assert sweep_shared_memory(tmp_path) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"faketime_shm_{os.getpid()}", "other"]


def test_a_foreign_build_hears_nothing_of_the_clock_and_gets_libfaketime_at_spawn() -> None:
    from harness.stack import Stack, StackConfig
    from harness.stack.profile import load_profile

    examples = Path(__file__).parents[3] / "examples" / "sut-profiles"
    profile = load_profile(examples / "ours-external-warp.toml")
    stack = Stack(StackConfig(profile=profile, clock_speed=1440.0))
    try:
        assert stack.warp is WarpMode.EXTERNAL
        assert stack.clock.speed == 100.0  # capped at the profile's max_speed
        env = stack.middleware_env(None)
        assert not {"CLOCK_SPEED", "CLOCK_ANCHOR"} & set(env)
        assert env["LOGIKAL_API_TIMEOUT"] == "3000"  # 30 real seconds at 100x
        process = stack._factory.middleware("app", "start", ["true"], env)
        assert process.spawn_env is not None
        assert process.spawn_env()["FAKETIME"].endswith("x100")
        assert not process.inherit_env
    finally:
        stack.close()
