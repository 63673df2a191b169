"""Initial schema and the recommended sync configs

Revision ID: 0001
Revises:
Create Date: 2026-11-28 21:40:13.802248
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "admin_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=128), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )
    op.create_table(
        "clients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=128), nullable=False),
        sa.Column("client_secret_hash", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("permissions", sa.JSON(), nullable=False),
        sa.Column("rate_limit_per_hour", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("client_id"),
    )
    op.create_table(
        "directories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("logikal_id", sa.String(length=1024), nullable=False),
        sa.Column("name", sa.String(length=512), nullable=False),
        sa.Column("full_path", sa.String(length=1024), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("exclude_from_sync", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("sync_status", sa.String(length=32), server_default="pending", nullable=False),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["directories.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("logikal_id"),
    )
    op.create_index(op.f("ix_directories_parent_id"), "directories", ["parent_id"], unique=False)
    op.create_table(
        "object_sync_configs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("object_type", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=128), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("sync_interval_minutes", sa.Integer(), nullable=False),
        sa.Column("is_sync_enabled", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("staleness_threshold_minutes", sa.Integer(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("depends_on", sa.String(length=255), nullable=True),
        sa.Column("cascade_sync", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("batch_size", sa.Integer(), nullable=False),
        sa.Column("max_retry_attempts", sa.Integer(), nullable=False),
        sa.Column("retry_delay_minutes", sa.Integer(), nullable=False),
        sa.Column("last_sync", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_attempt", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_status", sa.String(length=32), nullable=True),
        sa.Column("last_run_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("object_type"),
    )
    op.create_table(
        "sync_logs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("sync_type", sa.String(length=64), nullable=False),
        sa.Column("trigger", sa.String(length=32), nullable=False),
        sa.Column("target", sa.String(length=1024), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("items_processed", sa.Integer(), nullable=False),
        sa.Column("items_successful", sa.Integer(), nullable=False),
        sa.Column("items_failed", sa.Integer(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=True),
        sa.Column("error_details", sa.Text(), nullable=True),
        sa.Column("duration_seconds", sa.Float(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("run_id"),
    )
    op.create_index(op.f("ix_sync_logs_started_at"), "sync_logs", ["started_at"], unique=False)
    op.create_index(op.f("ix_sync_logs_status"), "sync_logs", ["status"], unique=False)
    op.create_index(op.f("ix_sync_logs_sync_type"), "sync_logs", ["sync_type"], unique=False)
    op.create_table(
        "projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("logikal_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=512), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("directory_id", sa.Integer(), nullable=True),
        sa.Column("job_number", sa.String(length=255), nullable=True),
        sa.Column("offer_number", sa.String(length=255), nullable=True),
        sa.Column("person_in_charge", sa.String(length=255), nullable=True),
        sa.Column("estimated", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("is_deleted", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("status", sa.String(length=32), server_default="active", nullable=False),
        sa.Column("logikal_created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_update_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_sync_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["directory_id"], ["directories.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("logikal_id"),
    )
    op.create_index(op.f("ix_projects_directory_id"), "projects", ["directory_id"], unique=False)
    op.create_index(op.f("ix_projects_name"), "projects", ["name"], unique=False)
    op.create_table(
        "phases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("logikal_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=512), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=32), server_default="active", nullable=False),
        sa.Column("sync_status", sa.String(length=32), server_default="pending", nullable=False),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_sync_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("logikal_id", "project_id", name="uq_phase_logikal_project"),
    )
    op.create_index(op.f("ix_phases_project_id"), "phases", ["project_id"], unique=False)
    op.create_table(
        "elevations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("logikal_id", sa.String(length=36), nullable=False),
        sa.Column("version_id", sa.String(length=36), nullable=True),
        sa.Column("name", sa.String(length=512), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("phase_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Float(), nullable=True),
        sa.Column("width", sa.Float(), nullable=True),
        sa.Column("height", sa.Float(), nullable=True),
        sa.Column("is_in_recycle_bin", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("system_description", sa.Text(), nullable=True),
        sa.Column("model_description", sa.Text(), nullable=True),
        sa.Column("user_description", sa.Text(), nullable=True),
        sa.Column("created_by_user", sa.String(length=255), nullable=True),
        sa.Column("type", sa.String(length=128), nullable=True),
        sa.Column("state", sa.String(length=128), nullable=True),
        sa.Column("logikal_created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_update_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_sync_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sync_status", sa.String(length=32), server_default="pending", nullable=False),
        sa.Column("auto_description", sa.Text(), nullable=True),
        sa.Column("auto_description_short", sa.Text(), nullable=True),
        sa.Column("width_out", sa.Float(), nullable=True),
        sa.Column("width_unit", sa.String(length=32), nullable=True),
        sa.Column("height_out", sa.Float(), nullable=True),
        sa.Column("height_unit", sa.String(length=32), nullable=True),
        sa.Column("weight_out", sa.Float(), nullable=True),
        sa.Column("weight_unit", sa.String(length=32), nullable=True),
        sa.Column("area_output", sa.Float(), nullable=True),
        sa.Column("area_unit", sa.String(length=32), nullable=True),
        sa.Column("system_code", sa.String(length=255), nullable=True),
        sa.Column("system_name", sa.String(length=255), nullable=True),
        sa.Column("system_long_name", sa.String(length=512), nullable=True),
        sa.Column("color_base_long", sa.String(length=512), nullable=True),
        sa.Column("has_parts_data", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("parts_count", sa.Integer(), nullable=True),
        sa.Column("parts_synced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("parts_file_hash", sa.String(length=64), nullable=True),
        sa.Column("parse_status", sa.String(length=32), server_default="pending", nullable=False),
        sa.Column("parse_error", sa.Text(), nullable=True),
        sa.Column("data_parsed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["phase_id"], ["phases.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("logikal_id"),
    )
    op.create_index(op.f("ix_elevations_name"), "elevations", ["name"], unique=False)
    op.create_index(op.f("ix_elevations_phase_id"), "elevations", ["phase_id"], unique=False)
    op.create_index(op.f("ix_elevations_project_id"), "elevations", ["project_id"], unique=False)
    op.create_table(
        "elevation_glass",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("elevation_id", sa.Integer(), nullable=False),
        sa.Column("glass_id", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=512), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["elevation_id"], ["elevations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_elevation_glass_elevation_id"), "elevation_glass", ["elevation_id"], unique=False
    )
    op.create_table(
        "elevation_parts_lists",
        sa.Column("elevation_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["elevation_id"], ["elevations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("elevation_id"),
    )
    op.create_table(
        "elevation_thumbnails",
        sa.Column("elevation_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["elevation_id"], ["elevations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("elevation_id"),
    )

    # The checklist's recommended starting intervals (Phase 8), all enabled, present from the first migration.
    configs = sa.table(
        "object_sync_configs",
        sa.column("object_type", sa.String),
        sa.column("display_name", sa.String),
        sa.column("description", sa.Text),
        sa.column("sync_interval_minutes", sa.Integer),
        sa.column("is_sync_enabled", sa.Boolean),
        sa.column("staleness_threshold_minutes", sa.Integer),
        sa.column("priority", sa.Integer),
        sa.column("depends_on", sa.String),
        sa.column("cascade_sync", sa.Boolean),
        sa.column("batch_size", sa.Integer),
        sa.column("max_retry_attempts", sa.Integer),
        sa.column("retry_delay_minutes", sa.Integer),
    )
    rows = [
        ("directory", "Directories", "Directory tree discovery", 240, 1, None),
        ("project", "Projects", "Project lists per directory", 120, 2, "directory"),
        ("phase", "Phases", "Phases per project", 60, 3, "project"),
        ("elevation", "Elevations", "Elevations and thumbnails per phase", 30, 4, "phase"),
        ("parts_list", "Parts Lists", "SQLite parts lists of changed elevations", 30, 5, "elevation"),
        ("sqlite_parser", "SQLite Parser Queue", "Parse downloaded parts lists", 10, 6, "parts_list"),
    ]
    op.bulk_insert(
        configs,
        [
            {
                "object_type": object_type,
                "display_name": display,
                "description": description,
                "sync_interval_minutes": minutes,
                "is_sync_enabled": True,
                "staleness_threshold_minutes": minutes * 2,
                "priority": priority,
                "depends_on": depends_on,
                "cascade_sync": True,
                "batch_size": 100,
                "max_retry_attempts": 3,
                "retry_delay_minutes": 5,
            }
            for object_type, display, description, minutes, priority, depends_on in rows
        ],
    )


def downgrade() -> None:
    op.drop_table("elevation_thumbnails")
    op.drop_table("elevation_parts_lists")
    op.drop_index(op.f("ix_elevation_glass_elevation_id"), table_name="elevation_glass")
    op.drop_table("elevation_glass")
    op.drop_index(op.f("ix_elevations_project_id"), table_name="elevations")
    op.drop_index(op.f("ix_elevations_phase_id"), table_name="elevations")
    op.drop_index(op.f("ix_elevations_name"), table_name="elevations")
    op.drop_table("elevations")
    op.drop_index(op.f("ix_phases_project_id"), table_name="phases")
    op.drop_table("phases")
    op.drop_index(op.f("ix_projects_name"), table_name="projects")
    op.drop_index(op.f("ix_projects_directory_id"), table_name="projects")
    op.drop_table("projects")
    op.drop_index(op.f("ix_sync_logs_sync_type"), table_name="sync_logs")
    op.drop_index(op.f("ix_sync_logs_status"), table_name="sync_logs")
    op.drop_index(op.f("ix_sync_logs_started_at"), table_name="sync_logs")
    op.drop_table("sync_logs")
    op.drop_table("object_sync_configs")
    op.drop_index(op.f("ix_directories_parent_id"), table_name="directories")
    op.drop_table("directories")
    op.drop_table("clients")
    op.drop_table("admin_users")
