"""ddmin on synthetic oracles, and splitting list bodies into single entries before shrinking."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from harness.commands.shrink import ddmin, split_compound
from harness.stack.tape import Tape, TapeEntry


def needs(*wanted: int) -> Callable[[list[int]], bool]:
    """An oracle that fails when every one of ``wanted`` is in the candidate."""
    return lambda candidate: set(wanted) <= set(candidate)


@pytest.mark.parametrize(
    ("size", "wanted"),
    [(1, (0,)), (8, (3,)), (9, (0, 8)), (16, (2, 3, 11)), (31, (30,)), (12, tuple(range(12)))],
)
def test_ddmin_finds_exactly_the_needed_items(size: int, wanted: tuple[int, ...]) -> None:
    assert ddmin(list(range(size)), needs(*wanted)) == sorted(wanted)


def test_ddmin_keeps_the_order_of_the_items() -> None:
    items = [5, 1, 4, 2, 3]
    assert ddmin(items, needs(4, 3)) == [4, 3]


def test_ddmin_never_asks_the_oracle_twice_and_stays_near_logarithmic_for_one_cause() -> None:
    asked: list[tuple[int, ...]] = []

    def oracle(candidate: list[int]) -> bool:
        asked.append(tuple(candidate))
        return 13 in candidate

    assert ddmin(list(range(32)), oracle) == [13]
    assert len(asked) == len(set(asked))
    assert len(asked) <= 2 * 5 + 2


def test_ddmin_result_is_one_minimal_for_an_order_dependent_cause() -> None:
    # Fails when 2 comes before 7 or when 4 is present alone with 9: every item left is needed.
    def oracle(candidate: list[int]) -> bool:
        return (2 in candidate and 7 in candidate) or {4, 9} <= set(candidate)

    result = ddmin(list(range(10)), oracle)
    assert oracle(result)
    assert all(not oracle([x for x in result if x != drop]) for drop in result)


def test_split_compound_makes_one_entry_per_fault_rule_and_mutation() -> None:
    faults = {"faults": [{"id": "a", "effect": "status"}, {"id": "b", "effect": "hang"}]}
    mutations = {"operations": [{"action": "edit"}, {"action": "delete"}, {"action": "add"}]}
    tape = Tape(
        [
            TapeEntry(1.0, "fake", {"method": "POST", "path": "/_fake/faults", "json": faults}),
            TapeEntry(2.0, "fake", {"method": "POST", "path": "/_fake/mutate", "json": mutations}),
            TapeEntry(3.0, "fake", {"method": "DELETE", "path": "/_fake/faults", "json": None}),
            TapeEntry(4.0, "kill", {"target": "worker"}),
        ],
        speed=60.0,
    )
    split = split_compound(tape)
    assert [(e.at, e.describe()[:30]) for e in split] == [
        (1.0, 'POST /_fake/faults {"faults": '),
        (1.0, 'POST /_fake/faults {"faults": '),
        (2.0, 'POST /_fake/mutate {"operation'),
        (2.0, 'POST /_fake/mutate {"operation'),
        (2.0, 'POST /_fake/mutate {"operation'),
        (3.0, "DELETE /_fake/faults"),
        (4.0, "kill target=worker"),
    ]
    assert [e.fields["json"]["faults"][0]["id"] for e in split.entries[:2]] == ["a", "b"]
    assert split.speed == 60.0
