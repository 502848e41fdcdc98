"""Column types that keep money exact and times timezone-aware on both SQLite and PostgreSQL."""

from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

from sqlalchemy import DateTime, Dialect, Numeric, String
from sqlalchemy.types import TypeDecorator, TypeEngine

_MONEY_IMPLS: dict[type[Dialect], TypeEngine[object]] = {}


class Money(TypeDecorator[Decimal]):
    """Decimal in Python; NUMERIC on PostgreSQL, TEXT on SQLite (whose NUMERIC is a float underneath)."""

    impl = Numeric(20, 6)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[object]:
        # SQLAlchemy asks again for every statement that binds money (asyncpg's input sizes); adapting the type
        # each time was a measurable share of an order's cost, so each dialect's answer is kept.
        impl = _MONEY_IMPLS.get(type(dialect))
        if impl is None:
            impl = dialect.type_descriptor(String(40) if dialect.name == "sqlite" else Numeric(20, 6, asdecimal=True))
            _MONEY_IMPLS[type(dialect)] = impl
        return impl

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> object:
        if value is None:
            return None
        if not isinstance(value, Decimal):
            raise TypeError(f"Money columns take Decimal, got {type(value).__name__}")
        return str(value) if dialect.name == "sqlite" else value

    def process_result_value(self, value: object, dialect: Dialect) -> Decimal | None:
        return None if value is None else canonical_money(Decimal(str(value)))


CENTS = Decimal("0.01")


def canonical_money(value: Decimal) -> Decimal:
    """Two decimal places, or as many as the value really has: the same text whichever database stored it."""
    cents = value.quantize(CENTS)
    return cents if cents == value else value.normalize()


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes; SQLite drops the zone, so it is put back on read."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


E = TypeVar("E", bound=StrEnum)


class EnumText(TypeDecorator[E]):
    """A StrEnum stored as plain text (no database enum type to migrate), read back as the enum member."""

    impl = String(24)
    cache_ok = True

    def __init__(self, enum_type: type[E]) -> None:
        super().__init__()
        self.enum_type = enum_type

    def process_bind_param(self, value: E | str | None, dialect: Dialect) -> str | None:
        return None if value is None else self.enum_type(value).value

    def process_result_value(self, value: str | None, dialect: Dialect) -> E | None:
        return None if value is None else self.enum_type(value)
