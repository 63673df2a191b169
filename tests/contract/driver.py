"""A synchronous driver of the in-process fake over httpx.ASGITransport, for the contract tests."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from fake_logikal import API_BASE_PATH, DOS22309_ID, ZERO_GUID, FakeApp, FakeConfig, create_app

THUMB_QUERY = {
    "width": "300",
    "height": "300",
    "format": "PNG",
    "view": "Interior",
    "withdimensions": "true",
    "withdescription": "false",
}


class Driver:
    def __init__(self, app: FakeApp | None = None):
        self.app = app or create_app(FakeConfig(seed=21, parts_list_kb=(16, 32)))

    def request(self, method: str, path: str, *, token: str | None = None, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        url = path if path.startswith("/_fake") else API_BASE_PATH + path

        async def send() -> httpx.Response:
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=self.app), base_url="http://f"
            ) as client:
                response = await client.request(method, url, headers=headers, **kwargs)
                await response.aread()
                return response

        return asyncio.run(send())

    def login(self) -> str:
        token: str = self.request("POST", "/auth", json={"username": "admin", "password": "admin"}).json()[
            "data"
        ]["token"]
        return token

    def select(self, token: str, kind: str, identifier: str) -> httpx.Response:
        return self.request("POST", f"/{kind}/select", token=token, json={"identifier": identifier})

    def token_at(self, level: str) -> str:
        token = self.login()
        steps = [("directories", "Demo Odoo"), ("projects", DOS22309_ID), ("phases", ZERO_GUID)]
        order = ["root", "directory", "project", "phase", "elevation"]
        for kind, identifier in steps[: order.index(level)]:
            self.select(token, kind, identifier)
        if level == "elevation":
            self.select(token, "elevations", self.first_elevation(token))
        return token

    def first_elevation(self, token: str) -> str:
        elevation_id: str = self.request("GET", "/elevations", token=token).json()["data"][0]["id"]
        return elevation_id

    def fault(self, **rule: Any) -> None:
        assert self.request("POST", "/_fake/faults", json=rule).status_code == 200
