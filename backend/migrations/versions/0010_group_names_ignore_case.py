"""client_groups: a name is unique per owner ignoring case (an index on owner_id, lower(name))

Names that already differ only in case on one desk are renamed first ("growth" becomes "growth (12)", the later
group by id keeps its text with its id appended), so the index can be built; the earliest keeps its name.

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-05 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, owner_id, name FROM client_groups ORDER BY id")).all()
    seen: set[tuple[int, str]] = set()
    for group_id, owner_id, name in rows:
        key = (owner_id, name.lower())
        if key in seen:
            connection.execute(
                sa.text("UPDATE client_groups SET name = :name WHERE id = :id"),
                {"name": f"{name[:180]} ({group_id})", "id": group_id},
            )
        seen.add(key)
    with op.batch_alter_table("client_groups") as batch_op:
        batch_op.drop_constraint("uq_client_groups_owner_name", type_="unique")
    op.create_index(
        "uq_client_groups_owner_lower_name", "client_groups", ["owner_id", sa.text("lower(name)")], unique=True
    )


def downgrade() -> None:
    op.drop_index("uq_client_groups_owner_lower_name", table_name="client_groups")
    with op.batch_alter_table("client_groups") as batch_op:
        batch_op.create_unique_constraint("uq_client_groups_owner_name", ["owner_id", "name"])
