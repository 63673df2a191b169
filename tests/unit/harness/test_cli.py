"""The logikal-harness command line: the gate options parse; errors are one line, no traceback."""

from __future__ import annotations

import pytest

from harness.commands.cli import build_parser, main


@pytest.fixture(autouse=True)
def no_service_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HARNESS_REDIS_URL", "HARNESS_DATABASE_URL", "HARNESS_SERVICES"):
        monkeypatch.delenv(name, raising=False)


def test_verify_accepts_the_gate_options() -> None:
    args = build_parser().parse_args(
        ["verify", "--topology", "multi", "--report-dir", "r", "--services", "local"]
    )
    assert (args.topology, args.report_dir, args.services) == ("multi", "r", "local")


def test_lanes_take_1_to_4_and_anything_else_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert build_parser().parse_args(["verify", "--lanes", "3"]).lanes == 3
    assert build_parser().parse_args(["verify"]).lanes is None  # VerifyOptions picks by the cores
    for bad in ("0", "5", "two", "-1"):
        with pytest.raises(SystemExit) as caught:
            build_parser().parse_args(["verify", "--lanes", bad])
        assert caught.value.code == 2
        assert "--lanes takes a whole number from 1 to 4" in capsys.readouterr().err


def test_unknown_services_mode_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["services", "--services", "kubernetes"])
    assert caught.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_harness_error_is_one_line_and_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["services", "--services", "external"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        "logikal-harness: error: external services need both HARNESS_REDIS_URL and HARNESS_DATABASE_URL; "
        "missing: HARNESS_REDIS_URL, HARNESS_DATABASE_URL"
    ]
