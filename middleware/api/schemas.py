"""Pydantic request and response models of the HTTP API (field names are the upstream's)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

__all__ = [
    "DEFAULT_CLIENT_PERMISSIONS",
    "AdminLoginIn",
    "AdminVerifyOut",
    "ClientCreateIn",
    "ClientCreatedOut",
    "ClientInfo",
    "ClientLoginIn",
    "ClientOut",
    "ClientTokenOut",
    "ForceSyncAccepted",
    "ForceSyncResult",
    "SyncConfigOut",
    "SyncConfigUpdate",
    "SyncRunOut",
    "ToggleOut",
    "TokenOut",
]

DEFAULT_CLIENT_PERMISSIONS = ["projects:read", "elevations:read"]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
ClientId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.\-]{3,128}$")]


def _bounded(low: int, high: int) -> Any:
    # strict: a JSON string or a fraction is refused with "Input should be a valid integer"
    return Field(default=None, strict=True, ge=low, le=high)


class AdminLoginIn(BaseModel):
    username: str = Field(max_length=128)
    password: str = Field(max_length=1024)


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_in: int


class AdminVerifyOut(BaseModel):
    authenticated: bool
    username: str


class ClientCreateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    client_id: ClientId
    name: Name
    description: str | None = Field(default=None, max_length=2000)
    permissions: list[Annotated[str, StringConstraints(pattern=r"^[a-z_]+:[a-z_]+$")]] = Field(
        default_factory=lambda: list(DEFAULT_CLIENT_PERMISSIONS)
    )
    rate_limit_per_hour: int = Field(default=1000, ge=1, le=1_000_000)


class ClientOut(BaseModel):
    client_id: str
    name: str
    description: str | None
    permissions: list[str]
    rate_limit_per_hour: int
    is_active: bool
    created_at: datetime | None
    last_used_at: datetime | None


class ClientCreatedOut(BaseModel):
    client_id: str
    client_secret: str
    name: str
    description: str | None
    permissions: list[str]
    rate_limit_per_hour: int
    message: str


class ClientLoginIn(BaseModel):
    client_id: str = Field(max_length=128)
    client_secret: str = Field(max_length=1024)


class ClientInfo(BaseModel):
    client_id: str
    name: str
    permissions: list[str]
    rate_limit_per_hour: int


class ClientTokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_in: int
    client_info: ClientInfo


class SyncConfigUpdate(BaseModel):
    """A partial update of one object type's sync config; omitted fields stay as they are."""

    model_config = ConfigDict(extra="forbid")

    sync_interval_minutes: int | None = _bounded(1, 10080)
    is_sync_enabled: bool | None = Field(default=None, strict=True)
    staleness_threshold_minutes: int | None = _bounded(1, 10080)
    priority: int | None = _bounded(1, 10)
    batch_size: int | None = _bounded(1, 1000)
    max_retry_attempts: int | None = _bounded(1, 10)
    retry_delay_minutes: int | None = _bounded(1, 60)
    cascade_sync: bool | None = Field(default=None, strict=True)


class SyncConfigOut(BaseModel):
    id: int
    object_type: str
    display_name: str
    description: str | None
    sync_interval_minutes: int
    is_sync_enabled: bool
    staleness_threshold_minutes: int
    priority: int
    depends_on: list[str]
    cascade_sync: bool
    batch_size: int
    max_retry_attempts: int
    retry_delay_minutes: int
    created_at: datetime | None
    updated_at: datetime | None
    last_sync: datetime | None
    last_attempt: datetime | None
    last_status: str | None
    last_run_id: str | None
    next_sync_time: datetime
    is_stale: bool


class ToggleOut(BaseModel):
    success: bool
    message: str
    is_sync_enabled: bool


class SyncRunOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    run_id: str
    sync_type: str
    trigger: str
    target: str | None
    status: str
    message: str | None
    items_processed: int
    items_successful: int
    items_failed: int
    counts: dict[str, Any] | None
    error_details: str | None
    duration_seconds: float | None
    started_at: datetime | None
    completed_at: datetime | None
    created_at: datetime | None


class ForceSyncAccepted(BaseModel):
    run_id: str
    status: str = "queued"
    status_url: str
    mode: str


class ForceSyncResult(BaseModel):
    success: bool
    message: str
    project_id: str
    directory_id: str | None
    run_id: str
    phases_synced: int
    elevations_synced: int
    parts_lists_synced: int
    parts_lists_failed: int
    failures: int = 0
    duration_seconds: float
