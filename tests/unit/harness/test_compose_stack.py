"""docker-compose.test.yml runs the fake and the middleware (Option 2) with the upstream env names."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from harness.stack.profile import SETTINGS

COMPOSE_FILE = Path(__file__).resolve().parents[3] / "docker-compose.test.yml"
MIDDLEWARE = ("migrate", "web", "worker", "beat")


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    return dict(loaded["services"])


def test_fake_middleware_and_runner_services_exist(services: dict[str, Any]) -> None:
    assert {"fake", *MIDDLEWARE, "runner"} <= services.keys()


@pytest.mark.parametrize("name", MIDDLEWARE)
def test_middleware_services_use_the_upstream_environment_names(services: dict[str, Any], name: str) -> None:
    environment = services[name]["environment"]
    expected = set(SETTINGS) - {"CLOCK_SPEED", "CLOCK_ANCHOR"}
    assert expected <= environment.keys()
    assert environment["LOGIKAL_API_BASE_URL"] == "http://fake:8765/MbioeService.svc/api/v3/"


def test_option_2_web_keeps_background_sync_off_and_the_others_on(services: dict[str, Any]) -> None:
    assert services["web"]["environment"]["BACKGROUND_SYNC_ENABLED"] == "false"
    assert services["worker"]["environment"]["BACKGROUND_SYNC_ENABLED"] == "true"
    assert services["beat"]["environment"]["BACKGROUND_SYNC_ENABLED"] == "true"


def test_middleware_waits_for_migrations_and_the_runner_for_a_healthy_web(services: dict[str, Any]) -> None:
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["runner"]["depends_on"]["web"]["condition"] == "service_healthy"
