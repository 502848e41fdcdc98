"""order_legs: the broker orders an order above its instrument's freeze quantity is sent as

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.models.types import Money, UTCDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "order_legs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("order_id", sa.Integer(), sa.ForeignKey("orders.id"), nullable=False),
        sa.Column("leg_no", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("price", Money(precision=20, scale=6), nullable=True),
        sa.Column("trigger_price", Money(precision=20, scale=6), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("broker_note", sa.Text(), nullable=True),
        sa.Column("broker_order_id", sa.String(length=64), nullable=True),
        sa.Column("filled_quantity", sa.Integer(), nullable=False),
        sa.Column("average_price", Money(precision=20, scale=6), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", UTCDateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("order_id", "leg_no", name="uq_order_legs_order_leg"),
    )
    op.create_index("ix_order_legs_order_id", "order_legs", ["order_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_order_legs_order_id", table_name="order_legs")
    op.drop_table("order_legs")
