"""instruments: freeze quantity and the broker master that set the sizes (instruments import)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("instruments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("freeze_quantity", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("master_broker", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("instruments", schema=None) as batch_op:
        batch_op.drop_column("master_broker")
        batch_op.drop_column("freeze_quantity")
