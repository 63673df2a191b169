"""A tiny cursor-keeping Logikal stand-in for respx routes, for narrow client tests."""

from __future__ import annotations

import base64
import itertools
import json
import threading
from dataclasses import dataclass, field
from typing import Any

import httpx
import respx

BASE = "http://logikal.test/MbioeService.svc/api/v3/"
PROJECT = "5ddb1393-56eb-4280-9f7e-3c3aec51483c"
PHASE = "00000000-0000-0000-0000-000000000000"
ELEVATIONS = [f"aaaaaaaa-0000-4000-8000-{i:012d}" for i in range(1, 7)]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def ok(data: Any = None) -> httpx.Response:
    return httpx.Response(200, json={"data": data, "hints": [], "warnings": []})


def error(status: int, message: str) -> httpx.Response:
    body = {"message": message, "code": status, "hints": [], "warnings": [], "errors": [message]}
    return httpx.Response(status, json=body)


@dataclass
class MiniLogikal:
    """Sessions with a cursor; ``sideways`` lets a select at the same level replace the current item."""

    sideways: bool = False
    broken_thumbnails: set[str] = field(default_factory=set)
    open: dict[str, list[str]] = field(default_factory=dict)
    opened: int = 0
    closed: int = 0
    max_open: int = 0
    logins: list[dict[str, Any]] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=itertools.count)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def install(self, router: respx.Router) -> None:
        router.post(f"{BASE}auth").mock(side_effect=self.login)
        router.delete(f"{BASE}auth").mock(side_effect=self.logout)
        for level, name in enumerate(("directories", "projects", "phases", "elevations"), start=1):
            router.post(f"{BASE}{name}/select").mock(side_effect=self.selector(level))
        router.get(f"{BASE}directories").mock(side_effect=self.lister(0, [{"name": "Demo", "path": "Demo"}]))
        router.get(f"{BASE}projects").mock(side_effect=self.lister(1, [project()]))
        router.get(f"{BASE}phases").mock(side_effect=self.lister(2, [{"id": PHASE, "name": "Default"}]))
        router.get(f"{BASE}elevations").mock(side_effect=self.lister(3, [elevation(i) for i in ELEVATIONS]))
        router.get(url__regex=rf"{BASE}elevations/[^/]+/thumbnail").mock(side_effect=self.thumbnail)
        router.get(f"{BASE}elevations/selected/parts-list").mock(side_effect=self.parts_list)

    def _cursor(self, request: httpx.Request) -> list[str] | None:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        return self.open.get(token)

    def login(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.logins.append(json.loads(request.content))
            token = f"token-{next(self._ids)}"
            self.open[token] = []
            self.opened += 1
            self.max_open = max(self.max_open, len(self.open))
        return ok({"username": "admin", "token": token})

    def logout(self, request: httpx.Request) -> httpx.Response:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        with self._lock:
            if self.open.pop(token, None) is None:
                return error(401, "Invalid session")
            self.closed += 1
        return ok()

    def selector(self, level: int) -> Any:
        def select(request: httpx.Request) -> httpx.Response:
            cursor = self._cursor(request)
            if cursor is None:
                return error(401, "Invalid session")
            identifier = json.loads(request.content)["identifier"]
            if level == 1 and len(cursor) <= 1:
                cursor[:] = [identifier]
            elif level == 1:
                return error(409, f"The requested resource '{identifier}' cannot be set, because it isn't "
                             "valid in the current mapping.")  # fmt: skip
            elif len(cursor) == level - 1 or (self.sideways and len(cursor) == level):
                cursor[level - 1 :] = [identifier]
            else:
                return error(405, "This operation expects the session to be at another level.")
            return ok()

        return select

    def lister(self, level: int, items: list[Any]) -> Any:
        def listing(request: httpx.Request) -> httpx.Response:
            cursor = self._cursor(request)
            if cursor is None:
                return error(401, "Invalid session")
            if len(cursor) != level:
                return error(405, "This operation expects the session to be at another level.")
            return ok(items)

        return listing

    def thumbnail(self, request: httpx.Request) -> httpx.Response:
        cursor = self._cursor(request)
        if cursor is None or len(cursor) != 3:
            return error(405, "This operation expects the session to be in a phase.")
        if request.url.path.split("/")[-2] in self.broken_thumbnails:
            return httpx.Response(200, text="<html>")
        return httpx.Response(200, content=PNG)

    def parts_list(self, request: httpx.Request) -> httpx.Response:
        cursor = self._cursor(request)
        if cursor is None or len(cursor) != 4:
            return error(405, "This operation expects the session to be in an elevation.")
        return ok(base64.b64encode(f"SQLite format 3\x00{cursor[3]}".encode()).decode())


def project(**changes: Any) -> dict[str, Any]:
    data = {
        "id": PROJECT, "name": "DOS22309", "createdDate": 1711463060, "changedDate": 1756302572,
        "isDeleted": False, "jobNumber": "0000003948", "offerNumber": "OFF44465 NG",
        "personInCharge": "Nick ", "estimated": False,
    }  # fmt: skip
    data.update(changes)
    return data


def elevation(guid: str, **changes: Any) -> dict[str, Any]:
    surface = {"name": "RAL 9016", "colorInside": "9016", "colorOutside": "9016"}
    data = {
        "id": guid, "versionId": guid, "name": "P01", "amount": 1.0, "isInRecycleBin": False,
        "automaticDescription": "a", "systemDescription": "s", "modelDescription": "m", "userDescription": "",
        "surfaceOfBaseElement": surface, "surfaceOfInsertions": surface, "createdByUser": "Nick",
        "createdDate": 1711463060, "changedDate": 1756302572, "width": 1200.0, "height": 2100.0,
        "isElementPricelistElevation": False, "elementPricelistId": PHASE, "type": "Elevation",
        "state": "Calculated",
    }  # fmt: skip
    data.update(changes)
    return data
