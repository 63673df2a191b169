"""Schemathesis against the served OpenAPI schema, as admin and as an Odoo client, over real PostgreSQL and
Redis: no server error, every status documented. Examples per operation are bounded (a CI test)."""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error, status_code_conformance

from middleware.logs import get_logger

from .conftest import api_client, create_odoo_client, make_settings
from .demo_rows import insert_demo_rows

pytestmark = [pytest.mark.integration, pytest.mark.slow]
EXAMPLES_PER_OPERATION = 16
CLIENT_PREFIXES = ("/api/v1/odoo", "/api/v1/elevations")
_log = get_logger(__name__)


def _headers_for(path: str, admin: dict[str, str], odoo: dict[str, str]) -> dict[str, str]:
    return odoo if path.startswith(CLIENT_PREFIXES) else admin


def _fuzz(
    operation: Any,
    mode: GenerationMode,
    base_url: str,
    headers: dict[str, str],
    cases: Counter[str],
    statuses: Counter[int],
) -> None:
    """Up to EXAMPLES_PER_OPERATION requests for one operation in one generation mode, each checked."""

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: schemathesis.Case) -> None:
        response = case.call_and_validate(
            base_url=base_url,
            headers=headers,
            checks=[not_a_server_error, status_code_conformance],
            timeout=30,
        )
        cases[operation.label] += 1
        statuses[response.status_code] += 1

    with contextlib.suppress(Unsatisfiable):  # nothing invalid can be generated (no parameters)
        run()


def test_fuzzed_requests_never_get_a_server_error_or_an_undocumented_status(
    api_database_url: str, clean_redis_url: str, db: Any
) -> None:
    insert_demo_rows(db)
    settings_ = make_settings(
        api_database_url,
        DEBUG=True,  # serves /openapi.json
        REDIS_URL=clean_redis_url,
        LOGIKAL_MAX_RETRIES=0,  # force syncs against the closed Logikal port fail at once
        SYNC_TASK_TIME_LIMIT=5,  # a ?wait=true force sync answers within seconds
        SYNC_TASK_SOFT_TIME_LIMIT=4,
    )
    cases: Counter[str] = Counter()
    statuses: Counter[int] = Counter()
    started = time.monotonic()
    with api_client(settings_) as http:
        base_url = str(http.base_url).rstrip("/")
        login = http.post(
            "/api/v1/admin/login", json={"username": "admin", "password": "api-tests-admin-password"}
        )
        admin = {"Authorization": f"Bearer {login.json()['access_token']}"}
        body = {"client_id": "fuzzer", "name": "Fuzzer", "rate_limit_per_hour": 1_000_000}
        created = http.post("/api/v1/admin/clients", json=body, headers=admin)
        secret = created.json()["client_secret"]
        token = http.post("/api/v1/client-auth/login", json={"client_id": "fuzzer", "client_secret": secret})
        odoo = {"Authorization": f"Bearer {token.json()['access_token']}"}
        create_odoo_client(http, admin, "fuzz-projects-only", ["projects:read"])
        schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 25, [op.label for op in operations]
        for operation in operations:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                _fuzz(operation, mode, base_url, _headers_for(operation.path, admin, odoo), cases, statuses)
        after = httpx.get(f"{base_url}/api/v1/health")
    seconds = time.monotonic() - started
    _log.info("fuzz.finished", cases=sum(cases.values()), seconds=round(seconds, 1), statuses=dict(statuses))
    print(f"schemathesis: {sum(cases.values())} cases over {len(cases)} operations in {seconds:.1f} s")  # noqa: T201
    assert after.status_code == 200
    assert sum(cases.values()) >= 200
    assert not any(code >= 500 for code in statuses), statuses
