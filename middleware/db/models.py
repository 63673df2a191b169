"""SQLAlchemy 2 models: the Logikal mirror, parts lists, thumbnails, sync configs, logs, clients, admins."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = [
    "AdminUser",
    "Base",
    "Client",
    "Directory",
    "Elevation",
    "ElevationGlass",
    "ElevationPartsList",
    "ElevationThumbnail",
    "LogikalSessionRecord",
    "ObjectSyncConfig",
    "ObjectType",
    "ParseStatus",
    "Phase",
    "Project",
    "SyncLog",
    "SyncStatus",
    "SyncTrigger",
]

ZERO_GUID = "00000000-0000-0000-0000-000000000000"


class ObjectType(StrEnum):
    """Object types with a sync config row, in dependency order."""

    DIRECTORY = "directory"
    PROJECT = "project"
    PHASE = "phase"
    ELEVATION = "elevation"
    PARTS_LIST = "parts_list"
    SQLITE_PARSER = "sqlite_parser"


class SyncStatus(StrEnum):
    QUEUED = "queued"
    STARTED = "started"
    COMPLETED = "completed"
    PARTIAL = "partial"
    FAILED = "failed"
    ABANDONED = "abandoned"  # its process died mid-run; the message says why and which run redid it


class SyncTrigger(StrEnum):
    SCHEDULED = "scheduled"
    FORCE = "force"
    MANUAL = "manual"


class ParseStatus(StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    SUCCESS = "success"
    FAILED = "failed"
    PARTIAL = "partial"
    VALIDATION_FAILED = "validation_failed"


def _ts(nullable: bool = True) -> Mapped[Any]:
    return mapped_column(DateTime(timezone=True), nullable=nullable)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: DateTime(timezone=True), dict[str, Any]: JSON}


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())


class Directory(TimestampMixin, Base):
    """A Logikal directory; its identity is its path."""

    __tablename__ = "directories"

    id: Mapped[int] = mapped_column(primary_key=True)
    logikal_id: Mapped[str] = mapped_column(String(1024), unique=True)
    name: Mapped[str] = mapped_column(String(512))
    full_path: Mapped[str] = mapped_column(String(1024))
    level: Mapped[int] = mapped_column(Integer, default=0)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("directories.id", ondelete="CASCADE"), index=True
    )
    exclude_from_sync: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    sync_status: Mapped[str] = mapped_column(String(32), default="pending", server_default="pending")
    synced_at: Mapped[datetime | None] = _ts()

    projects: Mapped[list[Project]] = relationship(back_populates="directory", passive_deletes=True)


class Project(TimestampMixin, Base):
    """A Logikal project, by GUID."""

    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    logikal_id: Mapped[str] = mapped_column(String(36), unique=True)
    name: Mapped[str] = mapped_column(String(512), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    directory_id: Mapped[int | None] = mapped_column(
        ForeignKey("directories.id", ondelete="CASCADE"), index=True
    )
    job_number: Mapped[str | None] = mapped_column(String(255))
    offer_number: Mapped[str | None] = mapped_column(String(255))
    person_in_charge: Mapped[str | None] = mapped_column(String(255))
    estimated: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    is_deleted: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    status: Mapped[str] = mapped_column(String(32), default="active", server_default="active")
    logikal_created_at: Mapped[datetime | None] = _ts()
    last_update_date: Mapped[datetime | None] = _ts()  # Logikal changedDate
    last_sync_date: Mapped[datetime | None] = _ts()  # when a sync last wrote this row

    directory: Mapped[Directory | None] = relationship(back_populates="projects")
    phases: Mapped[list[Phase]] = relationship(back_populates="project", passive_deletes=True)


class Phase(TimestampMixin, Base):
    """A phase; unique per (GUID, project) because Logikal reuses the zero GUID for default phases."""

    __tablename__ = "phases"
    __table_args__ = (UniqueConstraint("logikal_id", "project_id", name="uq_phase_logikal_project"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    logikal_id: Mapped[str] = mapped_column(String(36))
    name: Mapped[str] = mapped_column(String(512))
    description: Mapped[str | None] = mapped_column(Text)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(32), default="active", server_default="active")
    sync_status: Mapped[str] = mapped_column(String(32), default="pending", server_default="pending")
    synced_at: Mapped[datetime | None] = _ts()
    last_sync_date: Mapped[datetime | None] = _ts()

    project: Mapped[Project] = relationship(back_populates="phases")
    elevations: Mapped[list[Elevation]] = relationship(back_populates="phase", passive_deletes=True)


class Elevation(TimestampMixin, Base):
    """An elevation, by GUID; parts-list bytes and thumbnails live in their own tables."""

    __tablename__ = "elevations"

    id: Mapped[int] = mapped_column(primary_key=True)
    logikal_id: Mapped[str] = mapped_column(String(36), unique=True)
    version_id: Mapped[str | None] = mapped_column(String(36))
    name: Mapped[str] = mapped_column(String(512), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    phase_id: Mapped[int] = mapped_column(ForeignKey("phases.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    amount: Mapped[float | None] = mapped_column(Float)
    width: Mapped[float | None] = mapped_column(Float)
    height: Mapped[float | None] = mapped_column(Float)
    is_in_recycle_bin: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    system_description: Mapped[str | None] = mapped_column(Text)
    model_description: Mapped[str | None] = mapped_column(Text)
    user_description: Mapped[str | None] = mapped_column(Text)
    created_by_user: Mapped[str | None] = mapped_column(String(255))
    type: Mapped[str | None] = mapped_column(String(128))
    state: Mapped[str | None] = mapped_column(String(128))
    logikal_created_at: Mapped[datetime | None] = _ts()
    last_update_date: Mapped[datetime | None] = _ts()  # Logikal changedDate
    last_sync_date: Mapped[datetime | None] = _ts()
    sync_status: Mapped[str] = mapped_column(String(32), default="pending", server_default="pending")
    # enrichment from the parts list (upstream column names)
    auto_description: Mapped[str | None] = mapped_column(Text)
    auto_description_short: Mapped[str | None] = mapped_column(Text)
    width_out: Mapped[float | None] = mapped_column(Float)
    width_unit: Mapped[str | None] = mapped_column(String(32))
    height_out: Mapped[float | None] = mapped_column(Float)
    height_unit: Mapped[str | None] = mapped_column(String(32))
    weight_out: Mapped[float | None] = mapped_column(Float)
    weight_unit: Mapped[str | None] = mapped_column(String(32))
    area_output: Mapped[float | None] = mapped_column(Float)
    area_unit: Mapped[str | None] = mapped_column(String(32))
    system_code: Mapped[str | None] = mapped_column(String(255))
    system_name: Mapped[str | None] = mapped_column(String(255))
    system_long_name: Mapped[str | None] = mapped_column(String(512))
    color_base_long: Mapped[str | None] = mapped_column(String(512))
    has_parts_data: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    parts_count: Mapped[int | None] = mapped_column(Integer)
    parts_synced_at: Mapped[datetime | None] = _ts()
    parts_file_hash: Mapped[str | None] = mapped_column(String(64))
    parse_status: Mapped[str] = mapped_column(String(32), default="pending", server_default="pending")
    parse_error: Mapped[str | None] = mapped_column(Text)
    data_parsed_at: Mapped[datetime | None] = _ts()

    phase: Mapped[Phase] = relationship(back_populates="elevations")
    glass: Mapped[list[ElevationGlass]] = relationship(passive_deletes=True)


class ElevationPartsList(Base):
    """The raw SQLite parts list of an elevation (bytes in PostgreSQL: web and worker share no filesystem)."""

    __tablename__ = "elevation_parts_lists"

    elevation_id: Mapped[int] = mapped_column(
        ForeignKey("elevations.id", ondelete="CASCADE"), primary_key=True
    )
    data: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    fetched_at: Mapped[datetime] = mapped_column(server_default=func.now())


class ElevationThumbnail(Base):
    """The PNG thumbnail of an elevation."""

    __tablename__ = "elevation_thumbnails"

    elevation_id: Mapped[int] = mapped_column(
        ForeignKey("elevations.id", ondelete="CASCADE"), primary_key=True
    )
    data: Mapped[bytes] = mapped_column(LargeBinary)
    content_type: Mapped[str] = mapped_column(String(64), default="image/png")
    sha256: Mapped[str] = mapped_column(String(64))
    fetched_at: Mapped[datetime] = mapped_column(server_default=func.now())


class ElevationGlass(Base):
    """A Glass row parsed from an elevation's parts list."""

    __tablename__ = "elevation_glass"

    id: Mapped[int] = mapped_column(primary_key=True)
    elevation_id: Mapped[int] = mapped_column(ForeignKey("elevations.id", ondelete="CASCADE"), index=True)
    glass_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str | None] = mapped_column(String(512))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class ObjectSyncConfig(TimestampMixin, Base):
    """Per object type: interval, enabled flag and the timestamps the scheduler keeps."""

    __tablename__ = "object_sync_configs"

    id: Mapped[int] = mapped_column(primary_key=True)
    object_type: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128))
    description: Mapped[str | None] = mapped_column(Text)
    sync_interval_minutes: Mapped[int] = mapped_column(Integer, default=60)
    is_sync_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    staleness_threshold_minutes: Mapped[int] = mapped_column(Integer, default=120)
    priority: Mapped[int] = mapped_column(Integer, default=1)
    depends_on: Mapped[str | None] = mapped_column(String(255))  # comma-separated, upstream format
    cascade_sync: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    batch_size: Mapped[int] = mapped_column(Integer, default=100)
    max_retry_attempts: Mapped[int] = mapped_column(Integer, default=3)
    retry_delay_minutes: Mapped[int] = mapped_column(Integer, default=5)
    last_sync: Mapped[datetime | None] = _ts()  # moves only when a sync of this type completed
    last_attempt: Mapped[datetime | None] = _ts()  # when the scheduler last started this type
    last_status: Mapped[str | None] = mapped_column(String(32))
    last_run_id: Mapped[str | None] = mapped_column(String(36))


class SyncLog(Base):
    """One row per sync run: what, why, counts, duration, outcome."""

    __tablename__ = "sync_logs"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[str] = mapped_column(String(36), unique=True)
    sync_type: Mapped[str] = mapped_column(String(64), index=True)  # an ObjectType value or "project"
    trigger: Mapped[str] = mapped_column(String(32), default="manual")
    target: Mapped[str | None] = mapped_column(String(1024))  # e.g. "Demo Odoo/DOS22309"
    status: Mapped[str] = mapped_column(String(32), default="started", index=True)
    message: Mapped[str | None] = mapped_column(Text)
    items_processed: Mapped[int] = mapped_column(Integer, default=0)
    items_successful: Mapped[int] = mapped_column(Integer, default=0)
    items_failed: Mapped[int] = mapped_column(Integer, default=0)
    counts: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error_details: Mapped[str | None] = mapped_column(Text)
    duration_seconds: Mapped[float | None] = mapped_column(Float)
    started_at: Mapped[datetime] = mapped_column(server_default=func.now(), index=True)
    completed_at: Mapped[datetime | None] = _ts()
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    owner: Mapped[str | None] = mapped_column(String(255), index=True)  # process running it (host/pid/start)
    batch_id: Mapped[str | None] = mapped_column(String(64), index=True)  # scheduler tick or first run


class LogikalSessionRecord(Base):
    """An open Logikal session and the process that opened it, so a reaper can close a dead one's."""

    __tablename__ = "logikal_sessions"

    token: Mapped[str] = mapped_column(String(512), primary_key=True)
    owner: Mapped[str] = mapped_column(String(255), index=True)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Client(TimestampMixin, Base):
    """An Odoo API client; the secret is stored as an argon2 hash."""

    __tablename__ = "clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(128), unique=True)
    client_secret_hash: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    permissions: Mapped[list[str]] = mapped_column(JSON, default=list)
    rate_limit_per_hour: Mapped[int] = mapped_column(Integer, default=1000)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    last_used_at: Mapped[datetime | None] = _ts()


class AdminUser(TimestampMixin, Base):
    """An administrator of the UI and admin APIs (seeded from ADMIN_USERNAME / ADMIN_PASSWORD)."""

    __tablename__ = "admin_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(128), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    last_login_at: Mapped[datetime | None] = _ts()
