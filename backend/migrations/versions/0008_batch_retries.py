"""batches.retry_of and orders.retry_of_order_id: a retry batch and the rows it sends again, each at most once

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("batches") as batch_op:
        batch_op.add_column(sa.Column("retry_of", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_batches_retry_of_batches", "batches", ["retry_of"], ["id"])
        batch_op.create_index("ix_batches_retry_of", ["retry_of"], unique=False)
    with op.batch_alter_table("orders") as batch_op:
        batch_op.add_column(sa.Column("retry_of_order_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_orders_retry_of_order_id_orders", "orders", ["retry_of_order_id"], ["id"])
        batch_op.create_unique_constraint("uq_orders_retry_of_order_id", ["retry_of_order_id"])


def downgrade() -> None:
    with op.batch_alter_table("orders") as batch_op:
        batch_op.drop_constraint("uq_orders_retry_of_order_id", type_="unique")
        batch_op.drop_constraint("fk_orders_retry_of_order_id_orders", type_="foreignkey")
        batch_op.drop_column("retry_of_order_id")
    with op.batch_alter_table("batches") as batch_op:
        batch_op.drop_index("ix_batches_retry_of")
        batch_op.drop_constraint("fk_batches_retry_of_batches", type_="foreignkey")
        batch_op.drop_column("retry_of")
