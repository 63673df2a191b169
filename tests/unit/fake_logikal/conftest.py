"""Fixtures: an in-process fake driven synchronously over httpx.ASGITransport."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from fake_logikal import API_BASE_PATH, DOS22309_ID, ZERO_GUID, FakeApp, FakeConfig, create_app

THUMB_QUERY = {
    "width": "300",
    "height": "300",
    "format": "PNG",
    "view": "Interior",
    "withdimensions": "true",
    "withdescription": "false",
}


class Fake:
    """A FakeApp plus a small synchronous HTTP driver (one event loop per call, like separate requests)."""

    def __init__(self, app: FakeApp, client_host: str = "127.0.0.1"):
        self.app = app
        self.client_host = client_host

    def request(
        self, method: str, path: str, *, token: str | None = None, raw_path: bool = False, **kwargs: Any
    ) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}) or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        url = path if raw_path or path.startswith("/_fake") else API_BASE_PATH + path

        async def send() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app, client=(self.client_host, 5555))
            async with httpx.AsyncClient(transport=transport, base_url="http://fake") as client:
                response = await client.request(method, url, headers=headers, **kwargs)
                await response.aread()
                return response

        return asyncio.run(send())

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, **kwargs)

    def login(self) -> str:
        response = self.post("/auth", json={"username": "admin", "password": "admin", "erp": True})
        assert response.status_code == 200, response.text
        token: str = response.json()["data"]["token"]
        return token

    def select(self, token: str, kind: str, identifier: str) -> httpx.Response:
        return self.post(f"/{kind}/select", token=token, json={"identifier": identifier})

    def token_at(self, level: str) -> str:
        """A token at `level` inside Demo Odoo / DOS22309 / the default phase / its first elevation."""
        token = self.login()
        steps = [("directories", "Demo Odoo"), ("projects", DOS22309_ID), ("phases", ZERO_GUID)]
        order = ["root", "directory", "project", "phase", "elevation"]
        for kind, identifier in steps[: order.index(level)]:
            assert self.select(token, kind, identifier).status_code == 200
        if level == "elevation":
            first = self.get("/elevations", token=token).json()["data"][0]["id"]
            assert self.select(token, "elevations", first).status_code == 200
        return token


@pytest.fixture
def fake() -> Fake:
    return Fake(create_app(FakeConfig(seed=7, size="small", parts_list_kb=(16, 32))))


def make_fake(**config: Any) -> Fake:
    options: dict[str, Any] = {"seed": 7, "size": "small", "parts_list_kb": (16, 32), **config}
    return Fake(create_app(FakeConfig(**options)))
