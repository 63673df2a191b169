"""Parts lists: real SQLite files shaped like Logikal's parts-list export, deterministic per elevation."""

from __future__ import annotations

import random
import sqlite3

from .content import ELEVATION_COLUMNS, db_guid, parts_list_content
from .model import Elevation, Phase, Project
from .names import COLORS, SUPPLIERS

__all__ = ["TABLES", "build_parts_list", "corrupt_parts_list"]

_SCHEMA = """
CREATE TABLE Projects (ProjectID TEXT PRIMARY KEY, Name TEXT, JobNumber TEXT, OfferNumber TEXT,
  PersonInCharge TEXT);
CREATE TABLE Phases (PhaseID TEXT, ProjectID TEXT, Name TEXT, Description TEXT);
CREATE TABLE Elevations (ElevationID TEXT, PhaseID TEXT, Name TEXT, Amount REAL, AutoDescription TEXT,
  AutoDescriptionShort TEXT, Width_Output REAL, Width_Unit TEXT, Height_Output REAL, Height_Unit TEXT,
  Weight_Output REAL, Weight_Unit TEXT, Area_Output REAL, Area_Unit TEXT, SystemCode TEXT, SystemName TEXT,
  SystemLongName TEXT, ColorBase_Long TEXT, Price REAL);
CREATE TABLE Glass (GlassID TEXT, ElevationID TEXT, Name TEXT, Width REAL, Height REAL, Area REAL,
  UValue REAL);
CREATE TABLE Articles (ArticleID INTEGER PRIMARY KEY, ArticleCode TEXT, Description TEXT, Amount REAL,
  Unit TEXT, Price REAL, SupplierID INTEGER);
CREATE TABLE Profiles (ProfileID INTEGER PRIMARY KEY, ArticleCode TEXT, Description TEXT, Length REAL,
  Amount INTEGER, Color TEXT, Weight REAL);
CREATE TABLE Insertions (InsertionID TEXT, Name TEXT, Type TEXT, Width REAL, Height REAL);
CREATE TABLE LabourTimes (LabourTimeID INTEGER PRIMARY KEY, Name TEXT, Minutes REAL, Category TEXT);
CREATE TABLE LabourCosts (LabourCostID INTEGER PRIMARY KEY, Name TEXT, Rate REAL, Total REAL);
CREATE TABLE CalcItemNames (CalcItemNameID INTEGER PRIMARY KEY, Name TEXT);
CREATE TABLE CalcDetailItems (CalcDetailItemID INTEGER PRIMARY KEY, CalcItemNameID INTEGER, ArticleCode TEXT,
  Description TEXT, Quantity REAL, UnitPrice REAL, Total REAL, Remark TEXT);
CREATE TABLE MountingLines (MountingLineID INTEGER PRIMARY KEY, Side TEXT, Length REAL);
CREATE TABLE UValue (UValueID INTEGER PRIMARY KEY, Component TEXT, Area REAL, UValue REAL);
CREATE TABLE Colors (ColorID INTEGER PRIMARY KEY, Code TEXT, Name TEXT, Surface TEXT);
CREATE TABLE ElevationCE (ElevationCEID INTEGER PRIMARY KEY, Property TEXT, Value TEXT);
CREATE TABLE Suppliers (SupplierID INTEGER PRIMARY KEY, Name TEXT, Country TEXT);
CREATE TABLE Manufacturers (ManufacturerID INTEGER PRIMARY KEY, Name TEXT);
"""
TABLES = [line.split()[2] for line in _SCHEMA.splitlines() if line.startswith("CREATE TABLE")]
_CALC_NAMES = ["Profielen", "Beslag", "Glas", "Afdichting", "Arbeid", "Montage", "Transport", "Coating"]


def build_parts_list(
    seed: int, elevation: Elevation, project: Project, phase: Phase, target_bytes: int
) -> bytes:
    """A SQLite file (bytes) of about `target_bytes`, identical for the same seed, elevation and revision.

    Its Elevations and Glass rows are `parts_list_content(...)` (the content truth); the other tables are
    filler drawn from a separate random stream.
    """
    content = parts_list_content(seed, elevation, target_bytes)
    rng = random.Random(f"{seed}:filler:{elevation.id}:{elevation.revision}")
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute("PRAGMA page_size = 4096")
        conn.executescript(_SCHEMA)
        conn.execute(
            "INSERT INTO Projects VALUES (?, ?, ?, ?, ?)",
            (
                "{" + project.id.upper() + "}",
                project.name,
                project.job_number,
                project.offer_number,
                project.person_in_charge,
            ),
        )
        conn.execute(
            "INSERT INTO Phases VALUES (?, ?, ?, ?)",
            ("{" + phase.id.upper() + "}", "{" + project.id.upper() + "}", phase.name, phase.description),
        )
        conn.executemany(
            f"INSERT INTO Elevations VALUES ({', '.join('?' * len(ELEVATION_COLUMNS))})",  # noqa: S608 - placeholders only
            content.elevation_rows,
        )
        conn.executemany("INSERT INTO Glass VALUES (?, ?, ?, ?, ?, ?, ?)", content.glass_rows)
        supplier_ids = range(1, len(SUPPLIERS) + 1)
        conn.executemany(
            "INSERT INTO Suppliers VALUES (?, ?, ?)", [(i, *SUPPLIERS[i - 1]) for i in supplier_ids]
        )
        conn.executemany(
            "INSERT INTO Manufacturers VALUES (?, ?)", [(1, "Reynaers"), (2, "Schüco"), (3, "Aluprof")]
        )
        conn.executemany(
            "INSERT INTO Colors VALUES (?, ?, ?, ?)",
            [
                (i + 1, code, name, rng.choice(["Binnen", "Buiten"]))
                for i, (code, name) in enumerate(COLORS[:6])
            ],
        )
        conn.executemany(
            "INSERT INTO Articles VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    i,
                    f"{rng.randrange(10, 99)}.{rng.randrange(1000, 9999)}.{rng.randrange(0, 99):02d}",
                    rng.choice(
                        ["Scharnier", "Kruk", "Sluitnok", "Afdichting EPDM", "Hoekverbinder", "Glaslat"]
                    ),
                    rng.randrange(1, 40),
                    rng.choice(["st", "m"]),
                    round(rng.uniform(0.5, 80), 2),
                    rng.choice(supplier_ids),
                )
                for i in range(1, 33)
            ],
        )
        conn.executemany(
            "INSERT INTO Profiles VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    i,
                    f"{rng.randrange(100, 999)}.{rng.randrange(1000, 9999)}.XX",
                    rng.choice(["Kader", "Vleugel", "Tussenstijl", "Dorpel", "Koppelprofiel"]),
                    round(rng.uniform(300, 6500), 1),
                    rng.randrange(1, 6),
                    elevation.surface_of_base_element.color_outside,
                    round(rng.uniform(0.5, 9), 2),
                )
                for i in range(1, 22)
            ],
        )
        conn.executemany(
            "INSERT INTO Insertions VALUES (?, ?, ?, ?, ?)",
            [
                (
                    db_guid(rng),
                    f"Vak {i}",
                    rng.choice(["Draai-kiep", "Vast", "Deur"]),
                    round(rng.uniform(300, 1500), 1),
                    round(rng.uniform(300, 2400), 1),
                )
                for i in range(1, 5)
            ],
        )
        conn.executemany(
            "INSERT INTO LabourTimes VALUES (?, ?, ?, ?)",
            [
                (
                    i,
                    f"Bewerking {i}",
                    round(rng.uniform(1, 45), 1),
                    rng.choice(["Zagen", "Frezen", "Assemblage", "Beglazing"]),
                )
                for i in range(1, 28)
            ],
        )
        conn.executemany(
            "INSERT INTO LabourCosts VALUES (?, ?, ?, ?)",
            [(i, f"Uurloon {i}", 52.5, round(rng.uniform(5, 300), 2)) for i in range(1, 22)],
        )
        conn.executemany("INSERT INTO CalcItemNames VALUES (?, ?)", list(enumerate(_CALC_NAMES, start=1)))
        conn.executemany(
            "INSERT INTO MountingLines VALUES (?, ?, ?)",
            [
                (i, side, elevation.width if i % 2 else elevation.height)
                for i, side in enumerate(["Boven", "Rechts", "Onder", "Links"], start=1)
            ],
        )
        conn.executemany(
            "INSERT INTO UValue VALUES (?, ?, ?, ?)",
            [
                (i, f"Component {i}", round(rng.uniform(0.05, 2), 3), round(rng.uniform(0.6, 3.2), 2))
                for i in range(1, 23)
            ],
        )
        conn.executemany(
            "INSERT INTO ElevationCE VALUES (?, ?, ?)",
            [(i, f"Eigenschap {i}", rng.choice(["Klasse 4", "E750", "C5", "NPD"])) for i in range(1, 21)],
        )
        _pad(conn, content.table_rows["CalcDetailItems"], rng.getrandbits(31))
        conn.commit()
        return conn.serialize()
    finally:
        conn.close()


def _pad(conn: sqlite3.Connection, rows: int, salt: int) -> None:
    """Fill CalcDetailItems with `rows` rows in SQL (fast, deterministic), the bulk of the file's size."""
    conn.execute(
        """
        WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ?)
        INSERT INTO CalcDetailItems
        SELECT x, 1 + (x * 7 + ?) % 8,
               printf('%02d.%04d.%02d', (x * 13 + ?) % 90 + 10, (x * 7919) % 9000 + 1000, x % 100),
               printf('Kalkulatiepost %d: %s', x, substr('ProfielBeslagGlasAfdichtingArbeidMontageTransport',
               1 + (x * 31) % 40, 10)),
               ((x * 37 + ?) % 500) / 10.0, ((x * 53) % 10000) / 100.0, ((x * 37 * 53) % 100000) / 100.0,
               printf('Opmerking %08d voor calculatieregel met extra omschrijving',
                      (x * 104729 + ?) % 100000000)
        FROM n
        """,
        (rows, salt, salt, salt, salt),
    )


def corrupt_parts_list(good: bytes, mode: str) -> bytes:
    """`invalid`: bytes that are not a SQLite file; `truncated`: the first 40 % of a real file."""
    if mode == "truncated":
        return good[: max(100, len(good) * 2 // 5)]
    return b"This is not a SQLite database\x00" + bytes(
        random.Random(len(good)).getrandbits(8) for _ in range(4096)
    )
