"""Client groups: a named set of one owner's clients, each member with a multiplier that sizes its orders."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Column, ForeignKey, Index, Integer, String, text
from sqlmodel import Field, SQLModel

from app.models.types import Money, UTCDateTime, utcnow


class ClientGroup(SQLModel, table=True):
    __tablename__ = "client_groups"
    # Names are unique per owner, ignoring case (an advisor picks a group by name on the desk, where "Growth" and
    # "growth" would read as one); two desks may share a name. The index decides between concurrent writers.
    __table_args__ = (Index("uq_client_groups_owner_lower_name", "owner_id", text("lower(name)"), unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="users.id", index=True)
    name: str = Field(sa_type=String(200))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ClientGroupMember(SQLModel, table=True):
    """A client in a group once; clients are never deleted (only deactivated), so members outlive nothing."""

    __tablename__ = "client_group_members"

    group_id: int = Field(
        sa_column=Column(Integer, ForeignKey("client_groups.id", ondelete="CASCADE"), primary_key=True)
    )
    client_id: int = Field(foreign_key="clients.id", primary_key=True, index=True)
    multiplier: Decimal = Field(default=Decimal("1"), sa_type=Money)
