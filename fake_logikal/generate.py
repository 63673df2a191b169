"""Seeded generation of the directory/project/phase/elevation tree (cheap: no parts-list or PNG bytes)."""

from __future__ import annotations

import random
import uuid

from .model import Directory, Elevation, Phase, Project, Surface
from .names import COLORS, DIRECTORY_WORDS, MODELS, PERSONS, PHASE_NAMES, SYSTEMS, ZERO_GUID

__all__ = ["DEMO_DIRECTORIES", "DOS22309_ID", "Tree", "generate_tree", "make_elevation", "new_guid"]

DOS22309_ID = "5ddb1393-56eb-4280-9f7e-3c3aec51483c"
DEMO_DIRECTORIES = ["Demo Odoo"] + [
    "Demo Odoo/" + "/".join(f"Sublevel {i} Testing" for i in range(1, depth + 1)) for depth in range(1, 5)
]
# observed listing order of the real server: not alphabetical
_DEFAULT_PHASE_ORDER = [7, 6, 5, 4, 3, 2, 1, 10, 9, 8, 13, 12, 11]
_FASE1_ORDER = [17, 16, 15, 14]
_DATE_LOW, _DATE_HIGH = 1_600_000_000, 1_756_000_000

_TRAP_INDEX = 2  # the first generated project: elevations P1…Pn, P1/P10/P11/P12 in one phase
_TRAP_ELEVATIONS = 13

Tree = tuple[list[Directory], list[Project], list[Phase], list[Elevation]]


def _give(counts: list[int], index: int, least: int) -> None:
    """Move elevations from the largest other counts to `counts[index]` until it holds `least`."""
    while counts[index] < least:
        donor = max((i for i in range(len(counts)) if i != index), key=lambda i: counts[i])
        if counts[donor] == 0:
            return
        counts[donor] -= 1
        counts[index] += 1


def _number(elevation: Elevation) -> tuple[int, str]:
    digits = "".join(c for c in elevation.name if c.isdigit())
    return (int(digits) if digits else 0, elevation.name)


def new_guid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


class _Builder:
    def __init__(self, seed: int, elevation_count: int, *, missing_row_trap: bool = False):
        self.rng = random.Random(seed)
        self.target = elevation_count
        self.missing_row_trap = missing_row_trap
        self.trap_project: Project | None = None
        self.directories: list[Directory] = []
        self.projects: list[Project] = []
        self.phases: list[Phase] = []
        self.elevations: list[Elevation] = []

    def build(self) -> Tree:
        rng = self.rng
        for path in DEMO_DIRECTORIES:
            parent, _, name = path.rpartition("/")
            self.directories.append(Directory(name, path, parent or None))
        project_count = max(10, round(self.target / 10))
        self._extra_directories(max(7, round(project_count / 5)) - len(DEMO_DIRECTORIES))
        self._dos22309()
        real = [
            ("DOS22410", "15782e4d-a69c-4ce5-9c17-d3060a039b2d"),
            ("DOS22269", "f584ee63-90d9-4903-9e5f-96f8fc2837fe"),
        ]
        plain = [self._project(name, "Demo Odoo", pid, deletable=False) for name, pid in real]
        others = [d.path for d in self.directories if not d.path.startswith("Demo Odoo")]
        used = {"DOS22309", "DOS22410", "DOS22269"}
        while len(plain) < project_count - 1:
            name = f"DOS{rng.randrange(20000, 29999)}"
            if name not in used:
                used.add(name)
                plain.append(self._project(name, rng.choice(others), new_guid(rng), deletable=True))
        remaining = max(self.target - 17, 0)
        weights = [rng.uniform(0.2, 1.8) for _ in plain]
        total = sum(weights)
        counts = [int(remaining * w / total) for w in weights]
        for i in range(remaining - sum(counts)):
            counts[i % len(counts)] += 1
        _give(counts, _TRAP_INDEX, min(_TRAP_ELEVATIONS, remaining))
        plain[_TRAP_INDEX].is_deleted = False  # its elevations must be synced to spring the traps
        for index, (project, count) in enumerate(zip(plain, counts, strict=True)):
            self._fill_project(
                project, count, "P{}" if index == _TRAP_INDEX else None, trap=index == _TRAP_INDEX
            )
        self._ensure_flags()
        if self.missing_row_trap:
            self._plant_missing_row()
        return self.directories, self.projects, self.phases, self.elevations

    def _ensure_flags(self) -> None:
        """Every dataset holds a deleted project and a recycled elevation (outside the demo projects)."""
        generated = self.projects[3:]
        if generated and not any(p.is_deleted for p in generated):
            generated[-1].is_deleted = True
        others = [e for e in self.elevations if e.project_id not in {p.id for p in self.projects[:3]}]
        if others and not any(e.is_in_recycle_bin for e in others):
            others[-1].is_in_recycle_bin = True

    def _extra_directories(self, count: int) -> None:
        rng = self.rng
        taken = {d.path for d in self.directories}
        roots = ["Projecten 2025"]
        while count > 0:
            candidates = [d for d in self.directories[len(DEMO_DIRECTORIES) :] if d.path.count("/") < 4]
            parent = None if roots or not candidates or rng.random() < 0.25 else rng.choice(candidates)
            name = roots.pop() if roots else rng.choice(DIRECTORY_WORDS)
            path = f"{parent.path}/{name}" if parent else name
            if path in taken:
                name = f"{name} {rng.randrange(2, 99)}"
                path = f"{parent.path}/{name}" if parent else name
            if path not in taken:
                taken.add(path)
                self.directories.append(Directory(name, path, parent.path if parent else None))
                count -= 1

    def _dos22309(self) -> None:
        project = Project(
            DOS22309_ID,
            "DOS22309",
            "Demo Odoo",
            1711463060,
            1756302572,
            False,
            "0000003948",
            "OFF44465 NG",
            "Nick ",
            False,
        )
        self.projects.append(project)
        self.phases.append(Phase(ZERO_GUID, project.id, "Posities zonder levering", ""))
        fase1 = Phase(new_guid(self.rng), project.id, "Fase 1 (DEMO)", "Demo levering")
        self.phases.append(fase1)
        for phase, order in ((ZERO_GUID, _DEFAULT_PHASE_ORDER), (fase1.id, _FASE1_ORDER)):
            for number in order:
                self.elevations.append(self._elevation(project, phase, f"P{number:02d}", recyclable=False))

    def _project(self, name: str, directory: str, pid: str, *, deletable: bool) -> Project:
        rng = self.rng
        created = rng.randrange(_DATE_LOW, _DATE_HIGH - 20_000_000)
        project = Project(
            pid,
            name,
            directory,
            created,
            created + rng.randrange(3_600, 20_000_000),
            deletable and rng.random() < 0.1,
            f"{rng.randrange(1, 9999):010d}",
            f"OFF{rng.randrange(10000, 99999)}{rng.choice(['', ' NG', ' R1'])}",
            rng.choice(PERSONS),
            rng.random() < 0.3,
        )
        self.projects.append(project)
        return project

    def _fill_project(self, project: Project, count: int, style: str | None, *, trap: bool = False) -> None:
        """Phases and elevations of a project; the trap project puts P1, P10, P11… into one phase."""
        rng = self.rng
        phases = [Phase(ZERO_GUID, project.id, "Posities zonder levering", "")]
        for name in rng.sample(PHASE_NAMES, rng.randrange(0, 4)):
            phases.append(
                Phase(new_guid(rng), project.id, name, rng.choice(["", f"Levering {name.lower()}"]))
            )
        self.phases.extend(phases)
        style = style or rng.choice(["P{:02d}", "R{:03d}", "D{:03d}", "P{}"])
        names = [style.format(i + 1) for i in range(count)]
        names = [n + "_A" if not trap and rng.random() < 0.05 else n for n in names]
        rng.shuffle(names)
        prefix_phase: Phase | None = None
        for i, name in enumerate(names):
            phase = phases[0] if i % 3 == 0 else rng.choice(phases)
            if trap and name.startswith("P1"):
                prefix_phase = prefix_phase or phase
                phase = prefix_phase
            self.elevations.append(self._elevation(project, phase.id, name, recyclable=not trap))
        if style == "P{}":
            self._link_prefix_rows(project.id)
        if trap:
            self.trap_project = project

    def _plant_missing_row(self) -> None:
        """The trap project's P2 gets a parts list without its own row (two siblings' rows instead)."""
        if self.trap_project is None:
            return
        mine = [e for e in self.elevations if e.project_id == self.trap_project.id]
        target = next((e for e in mine if e.name == "P2"), None)
        if target is None:
            return
        siblings = sorted((e for e in mine if e.phase_id == target.phase_id and e is not target), key=_number)
        decoys = siblings or sorted((e for e in mine if e is not target), key=_number)
        target.extra_rows = tuple(e.name for e in decoys[:2]) or (f"{target.name} (kopie)",)
        target.omits_own_row = True

    def _link_prefix_rows(self, project_id: str) -> None:
        """Parts lists of P1-style elevations also hold rows of P10, P11… (the upstream LIKE-match trap)."""
        mine = [e for e in self.elevations if e.project_id == project_id]
        for elevation in mine:
            others = sorted(
                e.name for e in mine if e.name != elevation.name and e.name.startswith(elevation.name)
            )
            elevation.extra_rows = tuple(others[:3])

    def _elevation(self, project: Project, phase_id: str, name: str, *, recyclable: bool) -> Elevation:
        return make_elevation(self.rng, project, phase_id, name, recyclable=recyclable)


def make_elevation(
    rng: random.Random, project: Project, phase_id: str, name: str, *, recyclable: bool
) -> Elevation:
    """One elevation with realistic dimensions, system, colours and dates after the project's creation."""
    width, height = round(rng.uniform(500, 4000), 1), round(rng.uniform(400, 3000), 1)
    system = rng.randrange(len(SYSTEMS))
    base, insert = rng.choice(COLORS), rng.choice(COLORS)
    created = rng.randrange(project.created_date, project.created_date + 10_000_000)
    return Elevation(
        id=new_guid(rng),
        version_id=new_guid(rng),
        project_id=project.id,
        phase_id=phase_id,
        name=name,
        amount=float(rng.choice([1, 1, 1, 2, 3, 4])),
        is_in_recycle_bin=recyclable and rng.random() < 0.05,
        automatic_description=f"{SYSTEMS[system][1]} {width:.0f} x {height:.0f} mm",
        system_index=system,
        model_description=rng.choice(MODELS),
        user_description=rng.choice(["", "", "Zie tekening", "Let op: maatvoering controleren"]),
        surface_of_base_element=Surface(f"{base[0]} {base[1]}", base[0], base[0]),
        surface_of_insertions=Surface(f"{insert[0]} {insert[1]}", insert[0], insert[0]),
        created_by_user=rng.choice(PERSONS).strip(),
        created_date=created,
        changed_date=created + rng.randrange(60, 5_000_000),
        width=width,
        height=height,
    )


def generate_tree(seed: int, elevation_count: int, *, missing_row_trap: bool = False) -> Tree:
    """Directories, projects, phases and elevations for a seed; same seed → same objects in the same order.

    `missing_row_trap` only marks one elevation's parts list as lacking its row; everything else is the same.
    """
    return _Builder(seed, elevation_count, missing_row_trap=missing_row_trap).build()
