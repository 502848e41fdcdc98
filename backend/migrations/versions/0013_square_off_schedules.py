"""square_off_schedules: each advisor's daily "square off all intraday" time and its last run

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 04:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.models.types import UTCDateTime

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "square_off_schedules",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), primary_key=True, autoincrement=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("at_time", sa.String(length=5), nullable=False),
        sa.Column("last_run_on", sa.Date(), nullable=True),
        sa.Column("last_batch_ids", sa.JSON(), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("square_off_schedules")
