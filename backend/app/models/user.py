"""Users of the desk: admins, advisors and viewers."""

from datetime import datetime

from sqlalchemy import String
from sqlmodel import Field, SQLModel

from app.enums import Role
from app.models.types import EnumText, UTCDateTime, utcnow


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(sa_type=String(320), unique=True, index=True)
    full_name: str = Field(sa_type=String(200))
    role: Role = Field(sa_type=EnumText(Role))
    password_hash: str = Field(sa_type=String(255))
    is_active: bool = True
    # Carried in every token as `ver`; bumping it (logout, password change) ends every session of the user.
    token_version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
