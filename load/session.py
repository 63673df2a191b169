"""A LoadSession: the Stack of one profile, instance emulation around the SUT, an Odoo client and targets."""

from __future__ import annotations

import contextlib
import secrets
from dataclasses import dataclass
from typing import Any

import httpx
import psutil

from harness.stack import Stack, StackConfig
from harness.stack.topology import Topology
from load.cgroups import Emulation
from load.errors import LoadError
from load.extra_workers import ExtraWorkers
from load.plans import InstancePlan
from load.profiles import Profile
from load.waiting import wait_until

__all__ = ["FIRST_SYNC_TYPES", "LoadSession", "SessionOptions"]

FIRST_SYNC_TYPES = ("directory", "project", "phase", "elevation", "parts_list")


@dataclass
class SessionOptions:
    profile: Profile
    instance: InstancePlan
    topology: Topology = Topology.SINGLE
    celery_workers: int = 1
    sut_profile: Any = None  # a harness SutProfile, resolved by the harness CLI
    provider: Any = None  # a started service provider to share between sessions
    first_sync_timeout: float | None = None  # default: the profile's
    max_sessions: int | None = None
    latency: str = "production"


def _tree_pss(pid: int) -> int:
    leader = psutil.Process(pid)
    total = 0
    for proc in [leader, *leader.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            total += int(proc.memory_full_info().pss)
    return total


class LoadSession:
    """Start with ``start()`` (or ``with``); ``close()`` stops the Stack and removes the cgroups."""

    def __init__(self, options: SessionOptions) -> None:
        self.options = options
        self.stack: Stack | None = None
        self.emulation: Emulation | None = None
        self.odoo_client_id = ""
        self.odoo_client_secret = ""
        self.targets: dict[str, Any] = {}
        self.unattached: list[int] = []
        self.extra_workers: ExtraWorkers | None = None

    def __enter__(self) -> LoadSession:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.close()

    @property
    def running(self) -> Stack:
        if self.stack is None:
            raise LoadError("the load session has not started")
        return self.stack

    def stack_config(self) -> StackConfig:
        profile, options = self.options.profile, self.options
        settings = {"LOGIKAL_MAX_SESSIONS": str(options.max_sessions or profile.max_sessions)}
        if options.celery_workers > 1 and Topology(options.topology) is Topology.SINGLE:
            # Option 1 has one container: more workers means more prefork children of its one worker.
            settings["CELERY_WORKER_CONCURRENCY"] = str(options.celery_workers)
        return StackConfig(
            topology=options.topology,
            profile=options.sut_profile,
            background_sync=True,
            sync_interval_seconds=profile.beat_seconds,
            fake_size=profile.dataset_size,
            fake_latency=options.latency,
            fake_args=("--time-scale", f"{profile.time_scale:g}"),
            settings=settings,
        )

    def start(self) -> LoadSession:
        self.stack = Stack(self.stack_config(), provider=self.options.provider)
        try:
            self.stack.start()
            if Topology(self.options.topology) is Topology.MULTI and self.options.celery_workers > 1:
                # Option 2: every further worker is a container of its own, so a process with its own cgroup.
                self.extra_workers = ExtraWorkers(self.stack, self.options.celery_workers - 1)
                self.extra_workers.start()
            names = [*self.stack.plans, *(self.extra_workers.processes if self.extra_workers else [])]
            self.emulation = Emulation.create(self.options.instance, names)
            self._attach()
            self.set_intervals(self.options.profile.intervals_minutes)
        except BaseException:
            self.close()
            raise
        return self

    def prepare_reads(self) -> None:
        """Wait for the first full sync, register the Odoo client and collect what users will read."""
        self.wait_for_first_sync()
        self.odoo_client_id, self.odoo_client_secret = self.register_odoo_client()
        self.targets = self.collect_targets()

    def close(self) -> None:
        if self.extra_workers is not None:
            self.extra_workers.stop()
        if self.stack is not None:
            with contextlib.suppress(Exception):
                self.stack.close()
        if self.emulation is not None:
            self.emulation.close()

    def leaders(self) -> list[int]:
        stack = self.running
        pids = [stack.processes[name].pid for name in stack.plans]
        extra = list(self.extra_workers.pids().values()) if self.extra_workers else []
        return [pid for pid in pids if pid is not None] + extra

    def _attach(self) -> None:
        """Every middleware process tree (children that exist already included) into its plan's cgroup."""
        stack, emulation = self.running, self.emulation
        if emulation is None or not emulation.is_emulated:
            return
        leaders = {name: stack.processes[name].pid for name in stack.plans}
        leaders.update(self.extra_workers.pids() if self.extra_workers else {})
        for name, pid in leaders.items():
            if pid is None:
                continue
            for _ in range(2):  # a second pass catches children forked while the first one moved them
                with contextlib.suppress(psutil.NoSuchProcess):
                    leader = psutil.Process(pid)
                    tree = [leader.pid, *(child.pid for child in leader.children(recursive=True))]
                    self.unattached = emulation.attach(name, tree)
            with contextlib.suppress(psutil.NoSuchProcess):
                emulation.compensate(name, _tree_pss(pid))

    def set_intervals(self, minutes: dict[str, int]) -> None:
        stack = self.running
        with stack.http() as http:
            for object_type, value in minutes.items():
                response = http.put(
                    f"/api/v1/admin/sync-intervals/{object_type}",
                    json={"sync_interval_minutes": value},
                    headers=stack.admin_headers(),
                )
                if response.status_code != 200:
                    raise LoadError(
                        f"setting the {object_type} interval: {response.status_code} {response.text}"
                    )

    def completed_types(self) -> set[str]:
        runs = self.running.observer.sync_runs()
        return {run.sync_type for run in runs if run.status in ("completed", "partial")}

    def wait_for_first_sync(self) -> None:
        wait_until(
            self.completed_types,
            lambda done: set(FIRST_SYNC_TYPES) <= done,
            timeout=self.options.first_sync_timeout or self.options.profile.first_sync_timeout,
            interval=1.0,
            description=f"a first completed sync of {', '.join(FIRST_SYNC_TYPES)}",
        )

    def register_odoo_client(self) -> tuple[str, str]:
        """An Odoo client through the admin API; the locust users log in with its id and secret."""
        stack = self.running
        client_id = f"load-{secrets.token_hex(4)}"
        with stack.http() as http:
            created = http.post(
                "/api/v1/admin/clients",
                json={
                    "client_id": client_id,
                    "name": "load run",
                    "rate_limit_per_hour": self.options.profile.odoo_rate_limit_per_hour,
                },
                headers=stack.admin_headers(),
            )
        if created.status_code not in (200, 201):
            raise LoadError(f"creating an Odoo client: {created.status_code} {created.text[:200]}")
        return client_id, str(created.json()["client_secret"])

    def odoo_http(self) -> httpx.Client:
        stack = self.running
        with stack.http() as http:
            login = http.post(
                "/api/v1/client-auth/login",
                json={"client_id": self.odoo_client_id, "client_secret": self.odoo_client_secret},
            )
        if login.status_code != 200:
            raise LoadError(f"Odoo client login: {login.status_code} {login.text[:200]}")
        token = login.json()["access_token"]
        return httpx.Client(base_url=stack.base_url, timeout=15, headers={"Authorization": f"Bearer {token}"})

    def collect_targets(self, limit: int = 40) -> dict[str, Any]:
        """Projects with phases and elevations as the Odoo API shows them, thumbnails, force-sync targets."""
        projects: list[dict[str, Any]] = []
        thumbnails: list[str] = []
        with self.odoo_http() as odoo:
            listed = odoo.get("/api/v1/odoo/projects").json()["projects"]
            for item in listed[:limit]:
                complete = odoo.get(f"/api/v1/odoo/projects/{item['id']}/complete").json()
                phases = []
                for entry in complete["phases_with_elevations"]:
                    elevations = [{"id": e["id"], "amount": e["amount"]} for e in entry["elevations"]]
                    phases.append({"id": entry["phase"]["id"], "elevations": elevations})
                    thumbnails += [e["id"] for e in entry["elevations"] if e.get("thumbnail_url")]
                projects.append({"id": item["id"], "name": item["name"], "phases": phases})
        if not projects:
            raise LoadError("the Odoo API lists no projects after the first sync")
        state = self.running.fake_request("GET", "/_fake/state", params={"parts": "none"})
        live = [p for p in state["projects"] if not p.get("isDeleted")]
        force = [{"name": p["name"], "directory": p["directory"]} for p in live[:limit]]
        terms = sorted({p["name"][:3] for p in projects} | {"DOS", "Demo"})
        return {
            "projects": projects,
            "thumbnails": thumbnails[:500],
            "force_projects": force,
            "search_terms": terms,
        }
