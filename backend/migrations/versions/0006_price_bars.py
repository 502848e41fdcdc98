"""price_bars: 1-minute candles per instrument (token_id, start), pruned after the retention period

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "price_bars",
        sa.Column("token_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("start", app.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("open", app.models.types.Money(precision=20, scale=6), nullable=False),
        sa.Column("high", app.models.types.Money(precision=20, scale=6), nullable=False),
        sa.Column("low", app.models.types.Money(precision=20, scale=6), nullable=False),
        sa.Column("close", app.models.types.Money(precision=20, scale=6), nullable=False),
        sa.Column("volume", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("token_id", "start"),
    )
    op.create_index("ix_price_bars_start", "price_bars", ["start"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_price_bars_start", table_name="price_bars")
    op.drop_table("price_bars")
