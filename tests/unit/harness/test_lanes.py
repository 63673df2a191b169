"""verify's parallel lanes: a deterministic, balanced split that keeps shared fixtures together, and Redis
database numbers that never collide across lanes or with a Stack still running."""

from __future__ import annotations

import pytest

from harness.commands.lanes import plan_lanes
from harness.commands.verify import discover_scenarios
from harness.criteria import DEFAULT_LANE_COST, LANE_COSTS, SHARES_FIXTURE
from harness.errors import HarnessError
from harness.stack import config
from harness.stack.config import LANE_ENV, acquire_redis_db, lane_of_env, release_redis_db

ALL = list(discover_scenarios())


def _cost(ids: list[str]) -> float:
    return sum(LANE_COSTS.get(c, DEFAULT_LANE_COST) for c in ids)


@pytest.mark.parametrize("lanes", [1, 2, 3, 4])
def test_every_criterion_runs_in_exactly_one_lane_in_its_given_order(lanes: int) -> None:
    plan = plan_lanes(ALL, lanes)
    assert sorted(c for lane in plan for c in lane) == sorted(ALL)
    for lane in plan:
        assert lane == [c for c in ALL if c in lane]


def test_criteria_sharing_a_session_fixture_share_a_lane() -> None:
    for lanes in (2, 3, 4):
        for fixture in set(SHARES_FIXTURE.values()):
            sharing = {c for c, f in SHARES_FIXTURE.items() if f == fixture}
            assert sum(bool(sharing & set(lane)) for lane in plan_lanes(ALL, lanes)) == 1


def test_two_lanes_are_balanced_within_the_largest_unit() -> None:
    plan = plan_lanes(ALL, 2)
    largest = max(LANE_COSTS.values())
    assert abs(_cost(plan[0]) - _cost(plan[1])) <= largest


def test_no_empty_lanes_and_the_plan_is_the_same_every_time() -> None:
    assert plan_lanes(["C01"], 4) == [["C01"]]
    assert plan_lanes(ALL, 2) == plan_lanes(list(ALL), 2)
    with pytest.raises(ValueError, match="lanes must be"):
        plan_lanes(ALL, 0)


def test_lane_env_is_parsed_and_malformed_values_mean_one_lane() -> None:
    assert lane_of_env("1/2") == (1, 2)
    for bad in (None, "", "2/2", "x/2", "1", "-1/2"):
        assert lane_of_env(bad) == (0, 1)


@pytest.fixture
def fresh_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(config, "_redis_db_held", set())
    monkeypatch.setattr(config, "_redis_db_used", {})


@pytest.mark.usefixtures("fresh_pool")
def test_lanes_draw_disjoint_redis_databases(monkeypatch: pytest.MonkeyPatch) -> None:
    drawn: dict[int, set[int]] = {}
    for lane in (0, 1):
        monkeypatch.setattr(config, "_redis_db_held", set())
        monkeypatch.setenv(LANE_ENV, f"{lane}/2")
        drawn[lane] = {acquire_redis_db() for _ in range(7)}
    assert not drawn[0] & drawn[1]
    assert 0 not in drawn[0] | drawn[1]


@pytest.mark.usefixtures("fresh_pool")
def test_a_held_database_is_never_handed_out_again_until_released(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(LANE_ENV, "0/2")  # 8 numbers in this lane's share
    long_lived = acquire_redis_db()
    for _ in range(20):  # many short Stacks come and go while the long-lived one runs
        number = acquire_redis_db()
        assert number != long_lived
        release_redis_db(number)
    held = [acquire_redis_db() for _ in range(7)]
    with pytest.raises(HarnessError, match="share one Redis"):
        acquire_redis_db()
    release_redis_db(held[0])
    assert acquire_redis_db() == held[0]
