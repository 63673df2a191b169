"""LogikalClient edge cases over respx: retries, re-auth, typed errors, cursor reuse, logout, session cap."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import respx

from middleware.logikal.client import LogikalClient
from middleware.logikal.errors import (
    LogikalAuthError,
    LogikalConnectionError,
    LogikalNotFoundError,
    LogikalPayloadError,
    LogikalRateLimitedError,
    LogikalServerError,
    LogikalTimeoutError,
    LogikalWrongLevelError,
)
from middleware.logikal.transport import RetryPolicy
from tests.unit.middleware.logikal.server import BASE, ELEVATIONS, PHASE, PROJECT, MiniLogikal, error, ok

DIRECTORY = "Demo"


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def server() -> MiniLogikal:
    return MiniLogikal()


@pytest.fixture
def router(server: MiniLogikal) -> Iterator[respx.Router]:
    with respx.mock(assert_all_called=False) as router:
        server.install(router)
        yield router


def make_client(sleeps: Sleeps, *, max_sessions: int = 4, retries: int = 3) -> LogikalClient:
    policy = RetryPolicy(max_retries=retries, base_delay=1.0, sleep=sleeps, random=lambda: 1.0)
    return LogikalClient(BASE, "admin", "secret", max_sessions=max_sessions, retry=policy)


def test_logs_in_with_erp_flag_and_closes_every_session(
    router: respx.Router, server: MiniLogikal, sleeps: Sleeps
) -> None:
    with make_client(sleeps) as client:
        projects = client.list_projects(DIRECTORY)

    assert [p.name for p in projects] == ["DOS22309"]
    assert server.logins == [{"username": "admin", "password": "secret", "erp": True}]
    assert (server.opened, server.closed, server.open) == (1, 1, {})


def test_reuses_one_session_going_down_the_tree(
    router: respx.Router, server: MiniLogikal, sleeps: Sleeps
) -> None:
    with make_client(sleeps) as client:
        client.list_projects(DIRECTORY)
        client.list_phases(DIRECTORY, PROJECT)
        client.list_elevations(DIRECTORY, PROJECT, PHASE)
        thumbnails = [client.thumbnail(DIRECTORY, PROJECT, PHASE, e) for e in ELEVATIONS]

    assert server.opened == 1
    assert all(t.startswith(b"\x89PNG") for t in thumbnails)


def test_strict_server_refuses_sideways_select_and_client_uses_fresh_sessions(
    router: respx.Router, server: MiniLogikal, sleeps: Sleeps
) -> None:
    with make_client(sleeps, max_sessions=1) as client:
        parts = [client.parts_list(DIRECTORY, PROJECT, PHASE, e) for e in ELEVATIONS[:3]]

    assert [p.endswith(e.encode()) for p, e in zip(parts, ELEVATIONS, strict=False)] == [True] * 3
    assert server.opened == 3  # one sideways attempt refused, then never tried again
    assert server.closed == 3


def test_lenient_server_allows_sideways_select_and_saves_logins(
    router: respx.Router, server: MiniLogikal, sleeps: Sleeps
) -> None:
    server.sideways = True
    with make_client(sleeps, max_sessions=1) as client:
        for guid in ELEVATIONS:
            client.parts_list(DIRECTORY, PROJECT, PHASE, guid)

    assert server.opened == 1


def test_backward_directory_select_gets_a_new_session(
    router: respx.Router, server: MiniLogikal, sleeps: Sleeps
) -> None:
    with make_client(sleeps, max_sessions=1) as client:
        client.list_phases(DIRECTORY, PROJECT)
        client.list_projects(DIRECTORY)  # a project-level cursor cannot go back up

    assert server.opened == 2
    assert server.open == {}


def test_never_opens_more_sessions_than_the_cap(
    router: respx.Router, server: MiniLogikal, sleeps: Sleeps
) -> None:
    with make_client(sleeps, max_sessions=2) as client, ThreadPoolExecutor(6) as pool:
        list(pool.map(lambda e: client.parts_list(DIRECTORY, PROJECT, PHASE, e), ELEVATIONS * 2))

    assert server.max_open <= 2
    assert server.open == {}


def test_retries_503_then_succeeds_with_exponential_backoff(router: respx.Router, sleeps: Sleeps) -> None:
    router.get(f"{BASE}projects").mock(
        side_effect=[error(503, "busy"), error(502, "gateway"), ok([]), ok([])]
    )
    with make_client(sleeps) as client:
        assert client.list_projects(DIRECTORY) == []

    assert sleeps == [1.0, 2.0]


def test_retry_delay_has_jitter_within_half_to_full_backoff() -> None:
    policy = RetryPolicy(base_delay=1.0, random=lambda: 0.0)
    assert [policy.delay(n, None) for n in range(3)] == [0.5, 1.0, 2.0]
    assert RetryPolicy(base_delay=1.0, max_delay=3.0, random=lambda: 1.0).delay(5, None) == 3.0


def test_429_honours_retry_after(router: respx.Router, sleeps: Sleeps) -> None:
    limited = httpx.Response(429, headers={"Retry-After": "7"}, json={"message": "slow down"})
    router.get(f"{BASE}projects").mock(side_effect=[limited, ok([])])
    with make_client(sleeps) as client:
        client.list_projects(DIRECTORY)

    assert sleeps == [7.0]


def test_gives_up_after_max_retries_with_a_typed_error(router: respx.Router, sleeps: Sleeps) -> None:
    router.get(f"{BASE}projects").mock(return_value=error(500, "boom"))
    with make_client(sleeps, retries=2) as client, pytest.raises(LogikalServerError, match="HTTP 500"):
        client.list_projects(DIRECTORY)

    assert len(sleeps) == 2


def test_persistent_429_raises_rate_limited(router: respx.Router, sleeps: Sleeps) -> None:
    router.get(f"{BASE}projects").mock(return_value=httpx.Response(429, json={"message": "limit"}))
    with make_client(sleeps, retries=1) as client, pytest.raises(LogikalRateLimitedError):
        client.list_projects(DIRECTORY)


def test_timeouts_are_retried_then_raised(router: respx.Router, server: MiniLogikal, sleeps: Sleeps) -> None:
    route = router.get(f"{BASE}projects").mock(side_effect=httpx.ReadTimeout("slow"))
    with make_client(sleeps, retries=2) as client, pytest.raises(LogikalTimeoutError):
        client.list_projects(DIRECTORY)

    assert route.call_count == 3
    assert server.open == {}  # the session in an unknown state was closed anyway


def test_connection_errors_are_retried(router: respx.Router, sleeps: Sleeps) -> None:
    router.get(f"{BASE}projects").mock(side_effect=[httpx.ConnectError("refused"), ok([])])
    with make_client(sleeps) as client:
        assert client.list_projects(DIRECTORY) == []
    assert len(sleeps) == 1


def test_connection_errors_exhaust_into_a_typed_error(router: respx.Router, sleeps: Sleeps) -> None:
    router.post(f"{BASE}auth").mock(side_effect=httpx.ConnectError("refused"))
    with make_client(sleeps, retries=1) as client, pytest.raises(LogikalConnectionError):
        client.list_projects(DIRECTORY)


@pytest.mark.parametrize(
    ("status", "kind"), [(404, LogikalNotFoundError), (405, LogikalWrongLevelError), (403, LogikalAuthError)]
)
def test_client_errors_are_typed_and_not_retried(
    router: respx.Router, sleeps: Sleeps, status: int, kind: type[Exception]
) -> None:
    route = router.get(f"{BASE}projects").mock(return_value=error(status, "nope"))
    with make_client(sleeps) as client, pytest.raises(kind, match="nope"):
        client.list_projects(DIRECTORY)
    assert route.call_count == 1
    assert sleeps == []


def test_reauthenticates_once_on_401_and_renavigates(
    router: respx.Router, server: MiniLogikal, sleeps: Sleeps
) -> None:
    router.get(f"{BASE}phases").mock(
        side_effect=[error(401, "Invalid session"), ok([{"id": PHASE, "name": "Default"}])]
    )
    with make_client(sleeps) as client:
        assert [p.name for p in client.list_phases(DIRECTORY, PROJECT)] == ["Default"]

    assert len(server.logins) == 2


def test_second_401_raises_auth_error(router: respx.Router, server: MiniLogikal, sleeps: Sleeps) -> None:
    router.get(f"{BASE}phases").mock(return_value=error(401, "Invalid session"))
    with make_client(sleeps) as client, pytest.raises(LogikalAuthError):
        client.list_phases(DIRECTORY, PROJECT)
    assert len(server.logins) == 2


def test_bad_credentials_raise_auth_error_without_retry(router: respx.Router, sleeps: Sleeps) -> None:
    route = router.post(f"{BASE}auth").mock(return_value=error(401, "Authentication failed"))
    with make_client(sleeps) as client, pytest.raises(LogikalAuthError, match="Authentication failed"):
        client.list_projects(DIRECTORY)
    assert route.call_count == 1


def test_sessions_are_closed_after_errors(router: respx.Router, server: MiniLogikal, sleeps: Sleeps) -> None:
    router.get(f"{BASE}elevations").mock(return_value=error(500, "boom"))
    client = make_client(sleeps, retries=0)
    with pytest.raises(LogikalServerError):
        client.list_elevations(DIRECTORY, PROJECT, PHASE)
    with pytest.raises(LogikalServerError), client:
        client.list_elevations(DIRECTORY, PROJECT, PHASE)

    assert server.opened == server.closed == 2


def test_session_cap_refusal_at_login_is_an_auth_error(router: respx.Router, sleeps: Sleeps) -> None:
    refused = error(401, "Authentication failed. The maximum number of concurrent sessions has been reached.")
    router.post(f"{BASE}auth").mock(return_value=refused)
    with make_client(sleeps) as client, pytest.raises(LogikalAuthError, match="maximum number"):
        client.list_projects(DIRECTORY)


@pytest.mark.parametrize(
    ("response", "message"),
    [
        (httpx.Response(200, content=b"{not json"), "not JSON"),
        (httpx.Response(200, json={"hints": []}), "without 'data'"),
        (ok({"id": PROJECT}), "list"),
    ],
)
def test_malformed_project_payloads_raise_payload_error(
    router: respx.Router, sleeps: Sleeps, response: httpx.Response, message: str
) -> None:
    router.get(f"{BASE}projects").mock(return_value=response)
    with make_client(sleeps) as client, pytest.raises(LogikalPayloadError, match=message):
        client.list_projects(DIRECTORY)


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"id": PROJECT, "name": "X", "createdDate": "yesterday", "changedDate": 1}, "createdDate"),
        ({"id": "not-a-guid", "name": "X", "createdDate": 1, "changedDate": 1}, "id"),
        ({"name": "X", "createdDate": 1, "changedDate": 1}, "id"),
        ({"id": PROJECT, "name": "X" * 100_000, "createdDate": 1, "changedDate": 1}, "name"),
    ],
)
def test_a_malformed_project_record_is_skipped_and_named(
    router: respx.Router, sleeps: Sleeps, record: dict[str, object], message: str
) -> None:
    good = {"id": "11111111-2222-4333-8444-555555555555", "name": "Y", "createdDate": 1, "changedDate": 1}
    router.get(f"{BASE}projects").mock(return_value=ok([record, good]))
    with make_client(sleeps) as client:
        listing = client.list_projects(DIRECTORY)
    assert [p.name for p in listing] == ["Y"]
    (rejected,) = listing.rejected
    assert message in rejected.reason


def test_parts_list_that_is_not_base64_is_a_payload_error(router: respx.Router, sleeps: Sleeps) -> None:
    router.get(f"{BASE}elevations/selected/parts-list").mock(return_value=ok("@@@ not base64 @@@"))
    with make_client(sleeps) as client, pytest.raises(LogikalPayloadError, match="base64"):
        client.parts_list(DIRECTORY, PROJECT, PHASE, ELEVATIONS[0])


def test_thumbnail_that_is_not_png_is_a_payload_error(router: respx.Router, sleeps: Sleeps) -> None:
    router.get(url__regex=rf"{BASE}elevations/[^/]+/thumbnail").mock(
        return_value=httpx.Response(200, text="<html>")
    )
    with make_client(sleeps) as client, pytest.raises(LogikalPayloadError, match="PNG"):
        client.thumbnail(DIRECTORY, PROJECT, PHASE, ELEVATIONS[0])


def test_prewarmed_sessions_are_used_and_closed(
    router: respx.Router, server: MiniLogikal, sleeps: Sleeps
) -> None:
    with make_client(sleeps, max_sessions=3) as client:
        client.prewarm(5)  # capped at 3
        with ThreadPoolExecutor(3) as pool:
            list(pool.map(lambda e: client.parts_list(DIRECTORY, PROJECT, PHASE, e), ELEVATIONS[:3]))

    assert server.opened == 3
    assert server.max_open <= 3
    assert server.open == {}


def test_thumbnail_batch_uses_one_session_and_reports_failures_per_elevation(
    router: respx.Router, server: MiniLogikal, sleeps: Sleeps
) -> None:
    bad = ELEVATIONS[1]
    server.broken_thumbnails.add(bad)
    with make_client(sleeps) as client:
        found = client.thumbnails(DIRECTORY, PROJECT, PHASE, ELEVATIONS[:3])

    assert isinstance(found[bad], LogikalPayloadError)
    assert all(isinstance(found[e], bytes) for e in (ELEVATIONS[0], ELEVATIONS[2]))
    assert server.opened == 1


def test_login_is_not_repeated_after_a_read_timeout(router: respx.Router, sleeps: Sleeps) -> None:
    # the server may have opened that session: a blind retry would leave one nobody closes
    route = router.post(f"{BASE}auth").mock(side_effect=httpx.ReadTimeout("slow login"))
    with make_client(sleeps) as client, pytest.raises(LogikalTimeoutError):
        client.list_projects(DIRECTORY)
    assert route.call_count == 1


def test_login_is_retried_when_the_connection_was_never_made(
    router: respx.Router, server: MiniLogikal, sleeps: Sleeps
) -> None:
    attempts: list[httpx.Request] = []

    def connect_then_login(request: httpx.Request) -> httpx.Response:
        attempts.append(request)
        if len(attempts) == 1:
            raise httpx.ConnectTimeout("no route")
        return server.login(request)

    router.post(f"{BASE}auth").mock(side_effect=connect_then_login)
    with make_client(sleeps) as client:
        client.list_projects(DIRECTORY)
    assert len(sleeps) == 1


def test_a_logout_answered_5xx_is_retried_so_no_session_stays_open(
    router: respx.Router, server: MiniLogikal, sleeps: Sleeps
) -> None:
    # Logout is idempotent: a 503 (a flaky Logikal) must not leave the session open until it times out.
    answers = iter([error(503, "Service Unavailable"), error(502, "Bad Gateway")])
    router.delete(f"{BASE}auth").mock(side_effect=lambda req: next(answers, None) or server.logout(req))
    with make_client(sleeps) as client:
        client.list_projects(DIRECTORY)

    assert (server.opened, server.closed, server.open) == (1, 1, {})
    assert len(sleeps) == 2  # backed off before each retry


def test_a_logout_that_fails_through_its_retries_is_tried_again_at_close(
    router: respx.Router, server: MiniLogikal, sleeps: Sleeps
) -> None:
    # 3 retries = 4 answers per logout; 6 failures outlast the first logout and one more round.
    answers = iter([error(503, "Service Unavailable")] * 6)
    router.delete(f"{BASE}auth").mock(side_effect=lambda req: next(answers, None) or server.logout(req))
    with make_client(sleeps) as client:
        client.list_projects(DIRECTORY)

    assert (server.opened, server.closed, server.open) == (1, 1, {})
