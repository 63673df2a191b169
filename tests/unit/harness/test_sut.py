"""SUT profiles: the built-in default, files, inheritance, command templating and environment names."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from harness.sut import PROCESS_ROLES, SutProfileError, load_profile, merge_tables


def test_default_profile_has_a_command_per_role() -> None:
    profile = load_profile()
    assert profile.name == "default"
    assert set(PROCESS_ROLES) <= set(profile.commands)
    assert profile.command("start") == [sys.executable, "-m", "middleware", "start"]


def test_default_profile_maps_every_setting_to_the_upstream_name() -> None:
    profile = load_profile("default")
    env = profile.render_env({"REDIS_URL": "redis://x/1", "BACKGROUND_SYNC_ENABLED": "true"})
    assert env["REDIS_URL"] == "redis://x/1"
    assert env["BACKGROUND_SYNC_ENABLED"] == "true"
    assert env["ENVIRONMENT"] == "production"
    assert profile.health_path == "/api/v1/health"


def test_profile_file_extends_default_and_overrides_one_command(tmp_path: Path) -> None:
    path = tmp_path / "variant.toml"
    path.write_text(
        'extends = "default"\nname = "variant"\n'
        '[commands]\nworker = ["{python}", "-m", "variant", "{port}"]\n'
        '[environment]\nREDIS_URL = "REDIS_HOST_URL"\n',
        encoding="utf-8",
    )
    profile = load_profile(path)
    assert profile.name == "variant"
    assert profile.command("worker", port=8123) == [sys.executable, "-m", "variant", "8123"]
    assert profile.command("web")[-1] == "web"
    assert profile.render_env({"REDIS_URL": "redis://y"}) == {
        "ENVIRONMENT": "production",
        "DEBUG": "false",
        "WORKERS": "1",
        "REDIS_HOST_URL": "redis://y",
    }


def test_profile_without_all_commands_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('name = "bad"\n[commands]\nstart = ["x"]\n', encoding="utf-8")
    with pytest.raises(SutProfileError, match="lacks commands for: migrate, web, worker, beat"):
        load_profile(path)


def test_missing_and_invalid_profiles_give_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SutProfileError, match="not found"):
        load_profile(tmp_path / "nope.toml")
    with pytest.raises(SutProfileError, match="no built-in SUT profile 'nope'"):
        load_profile("nope")
    broken = tmp_path / "broken.toml"
    broken.write_text("name = [", encoding="utf-8")
    with pytest.raises(SutProfileError, match="not valid TOML"):
        load_profile(broken)


def test_unknown_role_is_an_error() -> None:
    with pytest.raises(SutProfileError, match="no command for 'flower'"):
        load_profile().command("flower")


def test_merge_tables_merges_nested_tables_and_replaces_lists() -> None:
    merged = merge_tables({"a": {"x": 1, "y": [1]}, "b": 2}, {"a": {"y": [2]}, "c": 3})
    assert merged == {"a": {"x": 1, "y": [2]}, "b": 2, "c": 3}
