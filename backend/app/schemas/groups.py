"""Client group bodies: a name and members, each a client id with a multiplier (a Decimal string in JSON)."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field, field_validator

from app.schemas.common import Id, PlainDecimal, StrictBody
from app.schemas.text import DisplayName

# Allocation multiplies quantities by this: a ceiling keeps a slip ("10000" for "1.0000") from sizing an order
# ten thousand times over, and four places are finer than any lot rounding can use.
MULTIPLIER_MAX = Decimal("1000")
MAX_MEMBERS = 1000

Multiplier = Annotated[PlainDecimal, Field(gt=0, le=MULTIPLIER_MAX, max_digits=8, decimal_places=4)]


class GroupMemberIn(StrictBody):
    client_id: Id
    multiplier: Multiplier = Decimal("1")


def _distinct_clients(members: list[GroupMemberIn] | None) -> list[GroupMemberIn] | None:
    if members is not None:
        seen: set[int] = set()
        for member in members:
            if member.client_id in seen:
                raise ValueError(f"client {member.client_id} is listed twice; a client is in a group once")
            seen.add(member.client_id)
    return members


class GroupCreate(StrictBody):
    name: DisplayName
    members: list[GroupMemberIn] = Field(default_factory=list, max_length=MAX_MEMBERS)
    owner_id: Id | None = Field(
        default=None, description="Admins may make a group for an advisor; advisors own the groups they make."
    )

    _distinct = field_validator("members")(_distinct_clients)


class GroupUpdate(StrictBody):
    name: DisplayName | None = None
    members: list[GroupMemberIn] | None = Field(
        default=None, max_length=MAX_MEMBERS, description="Replaces every member when given."
    )

    _distinct = field_validator("members")(_distinct_clients)


class GroupMemberOut(BaseModel):
    client_id: int
    display_name: str
    broker_client_id: str
    multiplier: Decimal
    is_active: bool = Field(description="A deactivated client stays a member and is shown as inactive.")


class GroupOut(BaseModel):
    id: int
    owner_id: int
    name: str
    members: list[GroupMemberOut]
    created_at: datetime
    updated_at: datetime
