"""Login, refresh and the signed-in user."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field, model_validator

from app.enums import Role
from app.schemas.text import DisplayName


class LoginRequest(BaseModel):
    email: EmailStr
    password: str = Field(min_length=1, max_length=256)


class RefreshRequest(BaseModel):
    refresh_token: str = Field(min_length=1)


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str | None = Field(
        default=None, description="Null for the web app (X-Requested-With), whose refresh token is in its cookie."
    )
    token_type: str = "bearer"  # noqa: S105


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    full_name: str
    role: Role
    is_active: bool
    created_at: datetime


class UserCreate(BaseModel):
    email: EmailStr
    full_name: DisplayName
    role: Role
    password: str = Field(min_length=8, max_length=256)


class UserUpdate(BaseModel):
    """Only the fields given change; a field given as null is refused (none of them can be emptied)."""

    model_config = ConfigDict(extra="forbid")

    full_name: DisplayName | None = None
    role: Role | None = None
    is_active: bool | None = None

    @model_validator(mode="after")
    def _no_nulls(self) -> "UserUpdate":
        emptied = sorted(name for name in self.model_fields_set if getattr(self, name) is None)
        if emptied:
            raise ValueError(f"{', '.join(emptied)} cannot be null: give a value or leave it out")
        return self
