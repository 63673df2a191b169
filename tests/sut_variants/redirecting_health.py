"""Variant: GET /api/v1/health answers 307 to /api/v1/health/ (the upstream's redirect): C01 must fail."""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from middleware import cli
from middleware.api import app as app_module

_original_create_app = app_module.create_app


def create_app_with_redirect(*args: Any, **kwargs: Any) -> Any:
    app = _original_create_app(*args, **kwargs)

    @app.middleware("http")
    async def redirect_health(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if request.url.path == "/api/v1/health":
            return RedirectResponse("/api/v1/health/", status_code=307)
        return await call_next(request)

    return app


# uvicorn loads "middleware.api.app:create_app" from sys.modules, so it gets this factory.
app_module.create_app = create_app_with_redirect

if __name__ == "__main__":
    sys.exit(cli.main(sys.argv[1:]))
