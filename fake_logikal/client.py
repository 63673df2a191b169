"""`FakeLogikalClient` / `AsyncFakeLogikalClient`: typed clients of the control plane (`/_fake/*`)."""

from __future__ import annotations

from typing import Any, cast

import httpx

from .truth_types import ContentTruth, ElevationContentTruth

__all__ = ["AsyncFakeLogikalClient", "FakeControlError", "FakeLogikalClient"]

Json = dict[str, Any]


def _reset_body(
    seed: int | None,
    size: str | int | None,
    parts_size: str | tuple[int, int] | None,
    missing_row_trap: bool | None,
) -> Json:
    body = {"seed": seed, "size": size, "parts_size": parts_size, "missing_row_trap": missing_row_trap}
    return {k: list(v) if isinstance(v, tuple) else v for k, v in body.items() if v is not None}


def _content_params(ids: list[str] | None, parts: str | None) -> Json:
    params: Json = {}
    if ids is not None:
        params["ids"] = ",".join(ids)
    if parts:
        params["parts"] = parts
    return params


class FakeControlError(RuntimeError):
    """The control plane refused a request (status and detail in the message)."""


def _check(response: httpx.Response) -> Json:
    if response.status_code >= 400:
        raise FakeControlError(
            f"{response.request.method} {response.request.url.path}: {response.status_code} {response.text}"
        )
    data: Json = response.json()
    return data


def _fault_spec(effect: str, path: str, method: str, **options: Any) -> Json:
    return {
        "effect": effect,
        "path": path,
        "method": method,
        **{k: v for k, v in options.items() if v is not None},
    }


class FakeLogikalClient:
    """Synchronous control-plane client: `FakeLogikalClient("http://127.0.0.1:PORT")` or over a client."""

    def __init__(
        self, base_url: str | None = None, *, client: httpx.Client | None = None, timeout: float = 30.0
    ):
        if client is None and base_url is None:
            raise ValueError("give base_url or client")
        self._client = client or httpx.Client(base_url=base_url or "", timeout=timeout)
        self._owns = client is None

    def close(self) -> None:
        if self._owns:
            self._client.close()

    def __enter__(self) -> FakeLogikalClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(self, method: str, path: str, json: Any = None, params: Json | None = None) -> Json:
        return _check(self._client.request(method, f"/_fake/{path}", json=json, params=params))

    def health(self) -> Json:
        return self._call("GET", "health")

    def reset(
        self,
        seed: int | None = None,
        size: str | int | None = None,
        *,
        parts_size: str | tuple[int, int] | None = None,
        missing_row_trap: bool | None = None,
    ) -> Json:
        """New dataset; `parts_size` "default" | "production" | (low, high) KiB; None keeps the current."""
        return self._call("POST", "reset", _reset_body(seed, size, parts_size, missing_row_trap))

    def state(self, parts: str | None = None) -> Json:
        return self._call("GET", "state", params={"parts": parts} if parts else None)

    def content(self, ids: list[str] | None = None, parts: str | None = None) -> ContentTruth:
        """Content truth of every elevation (or of `ids`); `parts="all"` adds each file's sha256."""
        return cast(ContentTruth, self._call("GET", "content", params=_content_params(ids, parts)))

    def elevation_content(self, elevation_id: str, parts: str | None = None) -> ElevationContentTruth:
        params = {"parts": parts} if parts else None
        return cast(ElevationContentTruth, self._call("GET", f"content/{elevation_id}", params=params))

    def mutate(self, *operations: Json) -> Json:
        """Apply mutations, e.g. `mutate({"action": "edit", "kind": "elevation", "count": 3})`."""
        return self._call("POST", "mutate", {"operations": list(operations)})

    def add_fault(self, effect: str, path: str = "*", method: str = "*", **options: Any) -> Json:
        """Add a rule, e.g. `add_fault("status", "/projects", "GET", status=503, times=2)`; returns it."""
        created: Json = self._call("POST", "faults", _fault_spec(effect, path, method, **options))["faults"][
            0
        ]
        return created

    def list_faults(self) -> list[Json]:
        faults: list[Json] = self._call("GET", "faults")["faults"]
        return faults

    def remove_fault(self, rule_id: str) -> None:
        self._call("DELETE", f"faults/{rule_id}")

    def clear_faults(self) -> int:
        return int(self._call("DELETE", "faults")["removed"])

    def calls(
        self,
        since: int = 0,
        method: str | None = None,
        path: str | None = None,
        token: str | None = None,
        limit: int | None = None,
    ) -> list[Json]:
        params = {
            k: v
            for k, v in {
                "since": since,
                "method": method,
                "path": path,
                "token": token,
                "limit": limit,
            }.items()
            if v is not None
        }
        found: list[Json] = self._call("GET", "calls", params=params)["calls"]
        return found

    def call_summary(self) -> Json:
        """{"total", "kept", "operations": {"POST /auth": {"count": n, "statuses": {"200": n}}}}."""
        return self._call("GET", "calls/summary")

    def clear_calls(self) -> None:
        self._call("DELETE", "calls")

    def sessions(self) -> Json:
        return self._call("GET", "sessions")

    def configure_sessions(self, **limits: float | None) -> Json:
        """`configure_sessions(max_sessions=5, idle_timeout_s=600)`; None removes a limit."""
        return self._call("POST", "sessions", limits)

    def close_sessions(self) -> int:
        return int(self._call("DELETE", "sessions")["closed"])

    def clock(self) -> Json:
        return self._call("GET", "clock")

    def set_clock(
        self,
        *,
        now: float | None = None,
        offset: float | None = None,
        speed: float | None = None,
        advance: float | None = None,
    ) -> Json:
        body = {
            k: v
            for k, v in {"now": now, "offset": offset, "speed": speed, "advance": advance}.items()
            if v is not None
        }
        return self._call("POST", "clock", body)


class AsyncFakeLogikalClient:
    """The same control-plane calls over an `httpx.AsyncClient` (e.g. with `httpx.ASGITransport(app)`)."""

    def __init__(self, client: httpx.AsyncClient):
        self._client = client

    async def _call(self, method: str, path: str, json: Any = None, params: Json | None = None) -> Json:
        return _check(await self._client.request(method, f"/_fake/{path}", json=json, params=params))

    async def reset(
        self,
        seed: int | None = None,
        size: str | int | None = None,
        *,
        parts_size: str | tuple[int, int] | None = None,
        missing_row_trap: bool | None = None,
    ) -> Json:
        return await self._call("POST", "reset", _reset_body(seed, size, parts_size, missing_row_trap))

    async def state(self, parts: str | None = None) -> Json:
        return await self._call("GET", "state", params={"parts": parts} if parts else None)

    async def content(self, ids: list[str] | None = None, parts: str | None = None) -> ContentTruth:
        return cast(ContentTruth, await self._call("GET", "content", params=_content_params(ids, parts)))

    async def mutate(self, *operations: Json) -> Json:
        return await self._call("POST", "mutate", {"operations": list(operations)})

    async def add_fault(self, effect: str, path: str = "*", method: str = "*", **options: Any) -> Json:
        created: Json = (await self._call("POST", "faults", _fault_spec(effect, path, method, **options)))[
            "faults"
        ][0]
        return created

    async def clear_faults(self) -> int:
        return int((await self._call("DELETE", "faults"))["removed"])

    async def calls(self, since: int = 0, path: str | None = None) -> list[Json]:
        params: Json = {"since": since, **({"path": path} if path else {})}
        found: list[Json] = (await self._call("GET", "calls", params=params))["calls"]
        return found

    async def sessions(self) -> Json:
        return await self._call("GET", "sessions")

    async def set_clock(self, **values: float) -> Json:
        return await self._call("POST", "clock", values)
