"""orders.amo (after-market orders) and calendar_overrides (admin holidays and special sessions)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 04:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.models.types import UTCDateTime

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("orders") as batch_op:
        batch_op.add_column(sa.Column("amo", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "calendar_overrides",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("exchange", sa.String(length=16), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("opens", sa.Time(), nullable=True),
        sa.Column("closes", sa.Time(), nullable=True),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("exchange", "day", name="uq_calendar_overrides_exchange_day"),
    )


def downgrade() -> None:
    op.drop_table("calendar_overrides")
    with op.batch_alter_table("orders") as batch_op:
        batch_op.drop_column("amo")
