"""Run owners and the Logikal session registry (worker-loss recovery)

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sync_logs", sa.Column("owner", sa.String(length=255), nullable=True))
    op.add_column("sync_logs", sa.Column("batch_id", sa.String(length=64), nullable=True))
    op.create_index(op.f("ix_sync_logs_owner"), "sync_logs", ["owner"], unique=False)
    op.create_index(op.f("ix_sync_logs_batch_id"), "sync_logs", ["batch_id"], unique=False)
    op.create_table(
        "logikal_sessions",
        sa.Column("token", sa.String(length=512), nullable=False),
        sa.Column("owner", sa.String(length=255), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("token"),
    )
    op.create_index(op.f("ix_logikal_sessions_owner"), "logikal_sessions", ["owner"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_logikal_sessions_owner"), table_name="logikal_sessions")
    op.drop_table("logikal_sessions")
    op.drop_index(op.f("ix_sync_logs_batch_id"), table_name="sync_logs")
    op.drop_index(op.f("ix_sync_logs_owner"), table_name="sync_logs")
    op.drop_column("sync_logs", "batch_id")
    op.drop_column("sync_logs", "owner")
