"""client_groups and client_group_members: named sets of an owner's clients, each member with a multiplier

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "client_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", app.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("owner_id", "name", name="uq_client_groups_owner_name"),
    )
    op.create_index("ix_client_groups_owner_id", "client_groups", ["owner_id"], unique=False)
    op.create_table(
        "client_group_members",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("multiplier", app.models.types.Money(precision=20, scale=6), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"]),
        sa.ForeignKeyConstraint(["group_id"], ["client_groups.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("group_id", "client_id"),
    )
    op.create_index("ix_client_group_members_client_id", "client_group_members", ["client_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_client_group_members_client_id", table_name="client_group_members")
    op.drop_table("client_group_members")
    op.drop_index("ix_client_groups_owner_id", table_name="client_groups")
    op.drop_table("client_groups")
