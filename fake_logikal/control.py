"""The control plane under `/_fake/`: reset, truth, content, mutations, faults, journal, sessions, clock."""

from __future__ import annotations

import json
import random
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, Router

from .mutations import apply_mutation
from .truth import PartsDigestMode, content_of, elevation_content

if TYPE_CHECKING:
    from .app import FakeApp

__all__ = ["build_control_router"]

Endpoint = Callable[[Request], Awaitable[Response]]


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    data = json.loads(raw)
    if not isinstance(data, dict):
        raise ValueError("the body must be a JSON object")
    return data


_DIGEST_MODES: dict[str, PartsDigestMode] = {"all": "all", "cached": "cached", "none": "none"}


def _digest_mode(value: str) -> PartsDigestMode:
    if value not in _DIGEST_MODES:
        raise ValueError("parts must be all, cached or none")
    return _DIGEST_MODES[value]


def _guarded(endpoint: Endpoint) -> Endpoint:
    async def wrapper(request: Request) -> Response:
        try:
            return await endpoint(request)
        except (ValueError, KeyError, TypeError) as error:  # MutationError is a ValueError
            return JSONResponse({"detail": str(error) or type(error).__name__}, 400)

    return wrapper


def build_control_router(app: FakeApp) -> Router:
    mutation_counter = [0]

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def config(request: Request) -> Response:
        return JSONResponse(app.config.to_json())

    async def reset(request: Request) -> Response:
        body = await _body(request)
        parts_size = body.get("parts_size", body.get("parts_list_kb"))
        app.backend.reset(
            body.get("seed"),
            body.get("size"),
            parts_size=parts_size,
            missing_row_trap=body.get("missing_row_trap"),
        )
        app.faults.clear()
        app.journal.clear()
        mutation_counter[0] = 0
        state = app.backend.dataset.to_state("none")
        config = app.backend.config
        return JSONResponse(
            {
                "seed": state["seed"],
                "size": state["size"],
                "counts": state["counts"],
                "parts_list_kb": list(config.parts_list_kb),
                "parts_size": config.parts_size,
                "missing_row_trap": config.missing_row_trap,
            }
        )

    async def state(request: Request) -> Response:
        dataset = app.backend.dataset
        mode = _digest_mode(
            request.query_params.get("parts") or ("all" if len(dataset.elevations) <= 2000 else "cached")
        )
        if mode == "all":
            ids = list(dataset.elevations)

            def digest_all() -> None:
                for elevation_id in ids:
                    if elevation_id in dataset.elevations:
                        dataset.parts_list_digest(elevation_id)

            await anyio.to_thread.run_sync(digest_all)
        truth = dataset.to_state("none" if mode == "none" else "cached")
        return JSONResponse(truth)

    async def content(request: Request) -> Response:
        dataset = app.backend.dataset
        mode = _digest_mode(request.query_params.get("parts") or "none")
        raw_ids = request.query_params.get("ids")
        ids = [i.strip() for i in raw_ids.split(",") if i.strip()] if raw_ids else None
        unknown = [i for i in ids or [] if i not in dataset.elevations]
        if unknown:
            return JSONResponse({"detail": f"no elevation {', '.join(unknown)}"}, 404)
        truth = await anyio.to_thread.run_sync(lambda: content_of(dataset, ids, mode))
        return JSONResponse(truth)

    async def one_content(request: Request) -> Response:
        dataset = app.backend.dataset
        elevation_id = request.path_params["elevation_id"]
        if elevation_id not in dataset.elevations:
            return JSONResponse({"detail": f"no elevation {elevation_id}"}, 404)
        mode = _digest_mode(request.query_params.get("parts") or "none")
        truth = await anyio.to_thread.run_sync(lambda: elevation_content(dataset, elevation_id, mode))
        return JSONResponse(truth)

    async def mutate(request: Request) -> Response:
        body = await _body(request)
        operations = body.get("operations", [body])
        results: list[dict[str, Any]] = []
        for spec in operations:
            mutation_counter[0] += 1
            rng = random.Random(f"{app.config.seed}:mutate:{app.backend.generation}:{mutation_counter[0]}")
            results.extend(apply_mutation(app.backend.dataset, spec, app.clock.now(), rng))
        return JSONResponse({"results": results, "version": app.backend.dataset.version})

    async def faults(request: Request) -> Response:
        if request.method == "GET":
            return JSONResponse({"faults": [r.to_json() for r in app.faults.rules]})
        if request.method == "DELETE":
            removed = len(app.faults.rules)
            app.faults.clear()
            return JSONResponse({"removed": removed})
        body = await _body(request)
        specs = body.get("faults", [body])
        created = [app.faults.add(spec, app.clock.now()) for spec in specs]
        return JSONResponse({"faults": [r.to_json() for r in created]})

    async def fault(request: Request) -> Response:
        if app.faults.remove(request.path_params["rule_id"]):
            return JSONResponse({"removed": 1})
        return JSONResponse({"detail": "no such fault rule"}, 404)

    async def calls(request: Request) -> Response:
        if request.method == "DELETE":
            app.journal.clear()
            return JSONResponse({"cleared": True})
        q = request.query_params
        found = app.journal.query(
            since=int(q.get("since", 0)),
            method=q.get("method"),
            path=q.get("path"),
            token=q.get("token"),
            limit=int(q["limit"]) if "limit" in q else None,
        )
        return JSONResponse({"total": app.journal.total, "calls": [r.to_json() for r in found]})

    async def calls_summary(request: Request) -> Response:
        return JSONResponse(app.journal.summary())

    async def sessions(request: Request) -> Response:
        table, now = app.backend.sessions, app.clock.now()
        if request.method == "DELETE":
            return JSONResponse({"closed": table.close_all(now, "killed")})
        if request.method == "POST":
            body = await _body(request)
            if "max_sessions" in body:
                table.max_sessions = app.config.max_sessions = body["max_sessions"]
            if "idle_timeout_s" in body:
                table.idle_timeout_s = app.config.session_idle_timeout_s = body["idle_timeout_s"]
        return JSONResponse(table.report(now))

    async def clock(request: Request) -> Response:
        if request.method == "POST":
            body = await _body(request)
            app.clock.set(
                now=body.get("now"),
                offset=body.get("offset"),
                speed=body.get("speed"),
                advance=body.get("advance"),
            )
        return JSONResponse(app.clock.snapshot())

    routes = [
        Route("/_fake/health", _guarded(health), methods=["GET"]),
        Route("/_fake/config", _guarded(config), methods=["GET"]),
        Route("/_fake/reset", _guarded(reset), methods=["POST"]),
        Route("/_fake/state", _guarded(state), methods=["GET"]),
        Route("/_fake/content", _guarded(content), methods=["GET"]),
        Route("/_fake/content/{elevation_id}", _guarded(one_content), methods=["GET"]),
        Route("/_fake/mutate", _guarded(mutate), methods=["POST"]),
        Route("/_fake/faults", _guarded(faults), methods=["GET", "POST", "DELETE"]),
        Route("/_fake/faults/{rule_id}", _guarded(fault), methods=["DELETE"]),
        Route("/_fake/calls", _guarded(calls), methods=["GET", "DELETE"]),
        Route("/_fake/calls/summary", _guarded(calls_summary), methods=["GET"]),
        Route("/_fake/sessions", _guarded(sessions), methods=["GET", "POST", "DELETE"]),
        Route("/_fake/clock", _guarded(clock), methods=["GET", "POST"]),
    ]
    return Router(routes=routes)
