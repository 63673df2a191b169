"""The DB session dependency commits before the response leaves (a redirected browser saw stale rows)."""

from __future__ import annotations

from typing import get_args

from fastapi.params import Depends

from middleware.api.deps import SessionDep


def test_session_dependency_ends_before_the_response_is_sent() -> None:
    marker = get_args(SessionDep)[1]
    assert isinstance(marker, Depends)
    assert marker.scope == "function"
