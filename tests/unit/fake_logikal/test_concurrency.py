"""Many clients at once over a real socket: every answer right, every parts list the truth's bytes."""

from __future__ import annotations

import base64
import hashlib
from concurrent.futures import ThreadPoolExecutor

import httpx

from fake_logikal import API_BASE_PATH, DOS22309_ID, ZERO_GUID, FakeConfig, FakeLogikalClient, run_in_thread


def _download(url: str, elevation_id: str) -> str:
    with httpx.Client(base_url=f"{url}{API_BASE_PATH}", timeout=30) as api:
        token = api.post("/auth", json={"username": "admin", "password": "admin", "erp": True}).json()["data"]
        headers = {"Authorization": f"Bearer {token['token']}"}
        for kind, identifier in (
            ("directories", "Demo Odoo"),
            ("projects", DOS22309_ID),
            ("phases", ZERO_GUID),
        ):
            assert (
                api.post(f"/{kind}/select", json={"identifier": identifier}, headers=headers).status_code
                == 200
            )
        assert (
            api.post("/elevations/select", json={"identifier": elevation_id}, headers=headers).status_code
            == 200
        )
        data = base64.b64decode(api.get("/elevations/selected/parts-list", headers=headers).json()["data"])
        assert api.delete("/auth", headers=headers).status_code == 200
        return hashlib.sha256(data).hexdigest()


def test_parallel_sessions_get_the_truths_parts_lists() -> None:
    with (
        run_in_thread(FakeConfig(seed=12, parts_list_kb=(64, 128))) as url,
        FakeLogikalClient(url) as control,
    ):
        truth = {
            e["id"]: e["partsListSha256"]
            for e in control.state()["elevations"]
            if e["projectId"] == DOS22309_ID and e["phaseId"] == ZERO_GUID
        }
        ids = list(truth) * 2
        with ThreadPoolExecutor(max_workers=8) as pool:
            digests = list(pool.map(lambda i: _download(url, i), ids))
        assert digests == [truth[i] for i in ids]
        sessions = control.sessions()
        assert sessions["opened"] == sessions["closed"] == len(ids)
        assert sessions["open"] == 0
        assert 1 <= sessions["max_concurrent"] <= 8
