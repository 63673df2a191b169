"""SUT profiles: the built-in default, files, inheritance, command templating and environment names."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from harness.stack.profile import PROCESS_ROLES, SutProfileError, load_profile, merge_tables


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


def test_profile_needs_a_start_command_and_refuses_unknown_roles(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('name = "bad"\n[commands]\nweb = ["x"]\n', encoding="utf-8")
    with pytest.raises(SutProfileError, match="lacks commands for: start"):
        load_profile(path)
    path.write_text('name = "bad"\n[commands]\nstart = ["x"]\nbake = ["y"]\n', encoding="utf-8")
    with pytest.raises(SutProfileError, match="unknown role 'bake'"):
        load_profile(path)


def test_a_single_container_build_may_lack_option_2_roles(tmp_path: Path) -> None:
    path = tmp_path / "single.toml"
    path.write_text('name = "single"\n[commands]\nstart = ["x"]\n', encoding="utf-8")
    profile = load_profile(path)
    assert not profile.has_role("migrate")
    with pytest.raises(SutProfileError, match="no command for 'web'"):
        profile.command("web")


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


def test_templated_env_feeds_several_names_and_an_empty_name_drops_a_setting(tmp_path: Path) -> None:
    path = tmp_path / "templated.toml"
    path.write_text(
        'name = "t"\n[commands]\nstart = ["x"]\n'
        '[environment]\nREDIS_URL = ""\nCLOCK_SPEED = ""\n'
        '[env]\nREDIS_HOST = "{redis_host}"\nREDIS_PORT = "{redis_port}"\nBROKER = "{redis_url}"\n',
        encoding="utf-8",
    )
    profile = load_profile(path)
    values = {"redis_host": "127.0.0.1", "redis_port": "6400", "redis_url": "redis://127.0.0.1:6400/3"}
    env = profile.render_env(
        {"REDIS_URL": "redis://127.0.0.1:6400/3", "CLOCK_SPEED": "60", "PORT": "8"}, values
    )
    assert env == {
        "REDIS_HOST": "127.0.0.1",
        "REDIS_PORT": "6400",
        "BROKER": "redis://127.0.0.1:6400/3",
        "PORT": "8",
    }


def test_an_unknown_template_is_named(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('name = "t"\n[commands]\nstart = ["x"]\n[env]\nA = "{redis_hots}"\n', encoding="utf-8")
    with pytest.raises(SutProfileError, match="unknown template 'redis_hots'"):
        load_profile(path).render_env({}, {"redis_host": "h"})


def test_a_missing_build_directory_names_the_setting_to_fix() -> None:
    profile = load_profile(Path(__file__).parents[3] / "examples" / "sut-profiles" / "upstream.toml")
    with pytest.raises(SutProfileError, match=r"does not exist; set `cwd` in .*upstream\.toml"):
        profile.check_paths()


def test_profiles_that_do_not_say_so_are_warped_from_outside() -> None:
    from harness.stack.warp import WarpMode

    assert load_profile().warp is WarpMode.CLOCK_SPEED
    foreign = load_profile(
        Path(__file__).parents[3] / "examples" / "sut-profiles" / "ours-external-warp.toml"
    )
    assert foreign.warp is WarpMode.EXTERNAL
    assert foreign.clean_env
    assert foreign.observe.sql == load_profile().observe.sql
