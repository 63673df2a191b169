"""Variant: an Odoo read of a whole project marks the data fresh without fetching anything (upstream-facts
§7.13, the `/odoo/projects/{id}/complete` auto_sync): every such read stamps last_sync of the project, phase
and elevation types, so while Odoo keeps reading the scheduler never finds them due. C09 must fail (and the
last_sync post-check)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import update
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from middleware.api import app as app_module
from middleware.db.models import ObjectSyncConfig
from middleware.db.session import session_scope
from tests.sut_variants.entry import run_variant

COMPLETE = re.compile(r"^/api/v1/odoo/projects/[^/]+/complete$")
_create_app = app_module.create_app


def _mark_fresh(runtime: Any) -> None:
    with session_scope(runtime.session_factory) as session:
        session.execute(
            update(ObjectSyncConfig)
            .where(ObjectSyncConfig.object_type.in_(("project", "phase", "elevation")))
            .values(last_sync=runtime.clock.now())
        )


def create_app_marking_reads_fresh(*args: Any, **kwargs: Any) -> Any:
    app = _create_app(*args, **kwargs)
    runtime = app.state.runtime

    @app.middleware("http")
    async def mark_fresh(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        if request.method == "GET" and COMPLETE.match(request.url.path) and response.status_code == 200:
            await run_in_threadpool(_mark_fresh, runtime)
        return response

    return app


# uvicorn loads "middleware.api.app:create_app" from sys.modules, so it gets this factory.
app_module.create_app = create_app_marking_reads_fresh

if __name__ == "__main__":
    run_variant("tests.sut_variants.odoo_reads_mark_fresh")
