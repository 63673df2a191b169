"""Locust user classes: the Odoo ERP client, an admin, a force-sync operator. Imported by locust only."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from typing import Any

from locust import HttpUser, between

from load.run_config import RunConfig

__all__ = ["AdminUser", "ForceSyncOperator", "OdooUser", "configure_users"]

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_CONFIG: list[RunConfig] = []


def _config() -> RunConfig:
    return _CONFIG[0]


def _tasks(owner: type, names: dict[str, int]) -> dict[Callable[..., Any], int]:
    found = {name: getattr(owner, f"t_{name}") for name in names if names[name] > 0}
    return {function: names[name] for name, function in found.items()}


def _every_task(owner: type) -> dict[str, int]:
    return {name[2:]: 1 for name in dir(owner) if name.startswith("t_")}


class OdooUser(HttpUser):
    """The Odoo module: client JWT, then lists, complete projects, phases, elevations, thumbnails, search."""

    abstract = True
    token = ""

    def on_start(self) -> None:
        self._login()

    def _login(self) -> None:
        config = _config()
        body = {"client_id": config.odoo_client_id, "client_secret": config.odoo_client_secret}
        with self.client.post(
            "/api/v1/client-auth/login", json=body, name="odoo login", catch_response=True
        ) as r:
            if r.status_code == 200:
                self.token = r.json()["access_token"]
            else:
                r.failure(f"login {r.status_code}")

    def _get(self, path: str, name: str) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        with self.client.get(path, headers=headers, name=name, catch_response=True) as response:
            if response.status_code == 401:
                response.failure("401: client token refused")
                self._login()
            elif response.status_code >= 400:
                response.failure(f"HTTP {response.status_code}")

    def _project(self) -> dict[str, Any]:
        return random.choice(_config().targets["projects"])

    def _phase(self) -> tuple[dict[str, Any], dict[str, Any]]:
        project = random.choice([p for p in _config().targets["projects"] if p["phases"]])
        return project, random.choice(project["phases"])

    def t_project_list(self) -> None:
        self._get("/api/v1/odoo/projects", "odoo projects")

    def t_project_complete(self) -> None:
        self._get(f"/api/v1/odoo/projects/{self._project()['id']}/complete", "odoo project complete")

    def t_project_detail(self) -> None:
        self._get(f"/api/v1/odoo/projects/{self._project()['id']}", "odoo project")

    def t_phases(self) -> None:
        self._get(f"/api/v1/odoo/projects/{self._project()['id']}/phases", "odoo phases")

    def t_elevations(self) -> None:
        project, phase = self._phase()
        self._get(f"/api/v1/odoo/projects/{project['id']}/phases/{phase['id']}/elevations", "odoo elevations")

    def t_thumbnail(self) -> None:
        thumbnails = _config().targets["thumbnails"]
        if thumbnails:
            self._get(f"/api/v1/elevations/{random.choice(thumbnails)}/thumbnail", "odoo thumbnail")

    def t_search(self) -> None:
        self._get(f"/api/v1/odoo/search?q={random.choice(_config().targets['search_terms'])}", "odoo search")

    def t_stats(self) -> None:
        self._get("/api/v1/odoo/stats", "odoo stats")


class AdminUser(HttpUser):
    """An admin: API login, the /ui pages behind the session cookie, interval changes, the sync-run list."""

    abstract = True
    token = ""

    def on_start(self) -> None:
        self.t_login()
        self._ui_login()

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def t_login(self) -> None:
        config = _config()
        body = {"username": config.admin_username, "password": config.admin_password}
        with self.client.post("/api/v1/admin/login", json=body, name="admin login", catch_response=True) as r:
            if r.status_code == 200:
                self.token = r.json()["access_token"]
            else:
                r.failure(f"HTTP {r.status_code}")

    def _ui_login(self) -> None:
        page = self.client.get("/ui/login", name="ui login page")
        found = _CSRF.search(page.text)
        config = _config()
        form = {"csrf_token": found[1] if found else "", "username": config.admin_username}
        form["password"] = config.admin_password
        with self.client.post(
            "/ui/login", data=form, name="ui login", allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 303:
                response.failure(f"HTTP {response.status_code}")

    def _ui(self, path: str, name: str) -> None:
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code == 303:
                response.success()  # session lapsed: log in again, the page view itself was served
                self._ui_login()
            elif response.status_code >= 400:
                response.failure(f"HTTP {response.status_code}")

    def t_ui_home(self) -> None:
        self._ui("/ui", "ui dashboard")

    def t_ui_sync_intervals(self) -> None:
        self._ui("/ui/sync-intervals", "ui sync-intervals")

    def t_interval_change(self) -> None:
        # Writes the profile's own value back, so the admin's edits never change what the run measures.
        object_type, minutes = random.choice(sorted(_config().intervals_minutes.items()))
        self.client.put(
            f"/api/v1/admin/sync-intervals/{object_type}",
            json={"sync_interval_minutes": minutes},
            headers=self._headers(),
            name="admin interval change",
        )

    def t_sync_runs(self) -> None:
        self.client.get("/api/v1/sync/runs", headers=self._headers(), name="admin sync runs")


class ForceSyncOperator(HttpUser):
    """Bursts of force syncs on one project and on several; a 409 (project locked) is the expected answer
    to a burst, counted as success, and the operator backs off instead of hammering."""

    abstract = True
    token = ""
    backoff_until = 0.0

    def on_start(self) -> None:
        config = _config()
        body = {"username": config.admin_username, "password": config.admin_password}
        response = self.client.post("/api/v1/admin/login", json=body, name="admin login")
        if response.status_code == 200:
            self.token = response.json()["access_token"]

    def _force(self, project: dict[str, Any]) -> bool:
        """One force sync; False on 409 so a burst stops there."""
        path = f"/api/v1/sync/force/project/{project['name']}"
        with self.client.post(
            path,
            params={"directory_id": project["directory"]},
            headers={"Authorization": f"Bearer {self.token}"},
            name="force sync",
            catch_response=True,
        ) as response:
            if response.status_code == 409:
                response.success()
                return False
            if response.status_code != 202:
                response.failure(f"HTTP {response.status_code}")
        return True

    def t_burst_one(self) -> None:
        project = random.choice(_config().targets["force_projects"])
        for _ in range(3):
            if not self._force(project):
                break

    def t_burst_several(self) -> None:
        projects = _config().targets["force_projects"]
        for project in random.sample(projects, k=min(3, len(projects))):
            self._force(project)


def configure_users(config: RunConfig) -> list[type[HttpUser]]:
    """Concrete user classes with the run's weights, task weights and think times."""
    _CONFIG[:] = [config]
    made: list[type[HttpUser]] = []
    for key, base in (("odoo", OdooUser), ("admin", AdminUser), ("force_sync", ForceSyncOperator)):
        weight = config.user_weights.get(key, 0)
        if weight <= 0:
            continue
        low, high = config.think_time.get(key, (1.0, 3.0))
        attributes = {
            "abstract": False,
            "weight": weight,
            "wait_time": between(low, high),
            "tasks": _tasks(base, config.task_weights.get(key, {})) or _tasks(base, _every_task(base)),
        }
        made.append(type(f"{base.__name__}Run", (base,), attributes))
    return made
