"""docker-compose.test.yml parses and declares Redis 7 and PostgreSQL 15 with health checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

COMPOSE_FILE = Path(__file__).resolve().parents[3] / "docker-compose.test.yml"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


@pytest.mark.parametrize(("service", "image"), [("redis", "redis:7"), ("postgres", "postgres:15")])
def test_service_uses_the_expected_image(compose: dict[str, Any], service: str, image: str) -> None:
    assert compose["services"][service]["image"] == image


@pytest.mark.parametrize("service", ["redis", "postgres"])
def test_service_has_a_healthcheck(compose: dict[str, Any], service: str) -> None:
    healthcheck = compose["services"][service]["healthcheck"]
    assert healthcheck["test"][0] in {"CMD", "CMD-SHELL"}
    assert {"interval", "timeout", "retries"} <= healthcheck.keys()


def test_postgres_healthcheck_runs_a_query(compose: dict[str, Any]) -> None:
    assert "SELECT 1" in " ".join(compose["services"]["postgres"]["healthcheck"]["test"])


def test_postgres_creates_the_harness_database(compose: dict[str, Any]) -> None:
    environment = compose["services"]["postgres"]["environment"]
    assert environment["POSTGRES_DB"] == "harness"
    assert environment["POSTGRES_USER"] == "postgres"


@pytest.mark.parametrize("service", ["redis", "postgres"])
def test_ports_are_published_on_loopback_only(compose: dict[str, Any], service: str) -> None:
    assert all(str(port).startswith("127.0.0.1:") for port in compose["services"][service]["ports"])
