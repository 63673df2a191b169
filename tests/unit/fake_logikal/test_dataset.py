"""The seeded dataset: determinism, shape, sizes and the bytes it serves."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fake_logikal import DOS22309_ID, ZERO_GUID, Dataset
from fake_logikal.config import elevation_count_for
from fake_logikal.generate import DEMO_DIRECTORIES
from fake_logikal.partslist import TABLES
from fake_logikal.thumbnail import fit_box

REQUEST = (300, 300, "interior", True, False)


def _state(dataset: Dataset) -> str:
    return json.dumps(dataset.to_state("all"), sort_keys=True)


def test_same_seed_gives_identical_state_and_bytes() -> None:
    first, second = Dataset(11, "small", (16, 64)), Dataset(11, "small", (16, 64))
    assert _state(first) == _state(second)
    for elevation_id in list(first.elevations)[:10]:
        assert first.parts_list(elevation_id) == second.parts_list(elevation_id)
        assert first.thumbnail(elevation_id, REQUEST) == second.thumbnail(elevation_id, REQUEST)


_FINGERPRINT = """
import hashlib, json, sys
from fake_logikal import Dataset
d = Dataset(5, "small", (16, 32))
ids = list(d.elevations)[:5]
h = hashlib.sha256(json.dumps(d.to_state("all"), sort_keys=True).encode())
for i in ids:
    h.update(d.parts_list(i))
    h.update(d.thumbnail(i, (300, 300, "interior", True, False)))
print(h.hexdigest())
"""


def test_two_processes_with_one_seed_build_identical_bytes() -> None:
    def fingerprint(hash_seed: str) -> str:
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        result = subprocess.run(
            [sys.executable, "-c", _FINGERPRINT],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=True,
        )
        return result.stdout.strip()

    assert fingerprint("1") == fingerprint("2")


def test_another_seed_gives_other_data_but_the_fixed_demo_objects() -> None:
    first, second = Dataset(1, "small", (16, 16)), Dataset(2, "small", (16, 16))
    assert set(first.elevations) != set(second.elevations)
    assert DOS22309_ID in first.projects
    assert DOS22309_ID in second.projects


@pytest.mark.parametrize(("size", "count"), [("small", 100), ("medium", 1000), (250, 250), ("40", 40)])
def test_sizes(size: str | int, count: int) -> None:
    dataset = Dataset(1, size, (16, 16))
    assert len(dataset.elevations) == count == elevation_count_for(size)
    assert len(dataset.projects) >= 10


def test_unknown_size_is_refused() -> None:
    with pytest.raises(ValueError, match="size"):
        elevation_count_for("huge")


def test_large_builds_fast_without_bytes() -> None:
    started = time.perf_counter()
    dataset = Dataset(1, "large")
    assert len(dataset.elevations) == 10_000
    assert time.perf_counter() - started < 3.0
    assert dataset.to_state("cached")["elevations"][0]["partsListSha256"] is None


@pytest.mark.parametrize("seed", range(1, 6))
def test_every_dataset_has_deleted_and_recycled_objects(seed: int) -> None:
    dataset = Dataset(seed, "small", (16, 16))
    assert any(p.is_deleted for p in dataset.projects.values())
    assert any(e.is_in_recycle_bin for e in dataset.elevations.values())


def test_demo_tree_and_flags() -> None:
    dataset = Dataset(1, "medium", (16, 16))
    assert all(path in dataset.directories for path in DEMO_DIRECTORIES)
    assert max(path.count("/") for path in dataset.directories) == 4  # depth 5
    assert [p.name for p in dataset.projects_in("Demo Odoo")] == ["DOS22309", "DOS22410", "DOS22269"]
    assert any(p.is_deleted for p in dataset.projects.values())
    assert any(e.is_in_recycle_bin for e in dataset.elevations.values())
    assert all(any(ph.id == ZERO_GUID for ph in dataset.phases_of(p)) for p in dataset.projects)
    dates = [(p.created_date, p.changed_date) for p in dataset.projects.values()]
    assert all(1_500_000_000 < c <= ch < 1_800_000_000 for c, ch in dates)


def test_parts_list_size_follows_the_configured_range() -> None:
    dataset = Dataset(1, "small", (100, 200))
    sizes = [len(dataset.parts_list(e)) for e in list(dataset.elevations)[:8]]
    assert all(90 * 1024 <= size <= 240 * 1024 for size in sizes), sizes


def test_parts_list_schema_and_upper_case_braced_guids() -> None:
    dataset = Dataset(1, "small", (16, 16))
    elevation = next(iter(dataset.elevations.values()))
    conn = sqlite3.connect(":memory:")
    conn.deserialize(dataset.parts_list(elevation.id))
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == set(TABLES)
    assert len(tables) >= 10
    columns = {r[1] for r in conn.execute("PRAGMA table_info(Elevations)")}
    required = {
        "Name",
        "AutoDescription",
        "AutoDescriptionShort",
        "Width_Output",
        "Width_Unit",
        "Height_Output",
        "Height_Unit",
        "Weight_Output",
        "Weight_Unit",
        "Area_Output",
        "Area_Unit",
        "SystemCode",
        "SystemName",
        "SystemLongName",
        "ColorBase_Long",
    }
    assert required <= columns
    assert {r[1] for r in conn.execute("PRAGMA table_info(Glass)")} >= {"GlassID", "Name"}
    (project_guid,) = conn.execute("SELECT ProjectID FROM Projects").fetchone()
    assert project_guid == "{" + elevation.project_id.upper() + "}"
    conn.close()


def test_some_parts_lists_hold_several_elevation_rows_with_the_own_row_last() -> None:
    dataset = Dataset(1, "small", (16, 16))
    p1 = next(e for e in dataset.elevations.values() if e.name == "P1" and e.extra_rows)
    conn = sqlite3.connect(":memory:")
    conn.deserialize(dataset.parts_list(p1.id))
    names = [r[0] for r in conn.execute("SELECT Name FROM Elevations ORDER BY rowid")]
    assert names[-1] == "P1"
    assert "P10" in names
    assert len(names) > 1
    # the upstream's `Name = ? OR Name LIKE ?` ... LIMIT 1 picks another elevation's row
    (picked,) = conn.execute(
        "SELECT Name FROM Elevations WHERE Name = ? OR Name LIKE ? LIMIT 1", ("P1", "%P1%")
    ).fetchone()
    assert picked != "P1"
    conn.close()


def test_wal_mode_parts_lists_open_from_a_file(tmp_path: Path) -> None:
    dataset = Dataset(1, "small", (16, 16), parts_list_wal=True)
    data = dataset.parts_list(next(iter(dataset.elevations)))
    assert data[18:20] == b"\x02\x02"
    path = tmp_path / "parts.db"
    path.write_bytes(data)
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert conn.execute("SELECT COUNT(*) FROM Elevations").fetchone()[0] >= 1
    conn.close()


def test_digest_matches_the_bytes_and_is_lazy() -> None:
    dataset = Dataset(1, "small", (16, 16))
    elevation_id = next(iter(dataset.elevations))
    assert dataset.parts_list_digest(elevation_id, compute=False) is None
    import hashlib

    data = dataset.parts_list(elevation_id)
    assert dataset.parts_list_digest(elevation_id) == (hashlib.sha256(data).hexdigest(), len(data))


@pytest.mark.parametrize(
    ("box", "size", "expected"),
    [
        ((300, 300), (2000, 1000), (300, 150)),
        ((300, 300), (1490, 3000), (149, 300)),
        ((300, 300), (1, 1), (300, 300)),
    ],
)
def test_fit_box_keeps_the_aspect_ratio(
    box: tuple[int, int], size: tuple[float, float], expected: tuple[int, int]
) -> None:
    assert fit_box(*box, *size) == expected


def test_thumbnail_differs_by_view_and_is_small() -> None:
    dataset = Dataset(1, "small", (16, 16))
    elevation_id = next(iter(dataset.elevations))
    interior = dataset.thumbnail(elevation_id, REQUEST)
    exterior = dataset.thumbnail(elevation_id, (300, 300, "exterior", True, False))
    assert interior != exterior
    assert len(interior) < 20_000
