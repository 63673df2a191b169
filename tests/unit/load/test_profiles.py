"""Load profiles (load/profiles/*.toml): every shipped one parses; the Odoo client rate limit is data."""

from __future__ import annotations

import pytest

from load.profiles import ODOO_RATE_LIMIT_DEFAULT, available_profiles, load_profile, profile_from_mapping


@pytest.mark.parametrize("name", available_profiles())
def test_every_shipped_profile_parses_and_names_itself(name: str) -> None:
    profile = load_profile(name)
    assert profile.name == name
    assert profile.version >= 1


@pytest.mark.parametrize("name", ["step-ramp", "spike", "soak", "smoke"])
def test_load_plans_measure_the_instance_not_the_default_client_rate_limit(name: str) -> None:
    # at the default 1000 requests per hour a step ramp of minutes turned into 429s at 60 users
    assert load_profile(name).odoo_rate_limit_per_hour > 100 * ODOO_RATE_LIMIT_DEFAULT


def test_a_profile_without_an_odoo_table_gets_the_middleware_default() -> None:
    profile = profile_from_mapping({"name": "bare", "version": 1, "shape": {"kind": "soak", "users": 1}})
    assert profile.odoo_rate_limit_per_hour == ODOO_RATE_LIMIT_DEFAULT
