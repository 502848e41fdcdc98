"""Shapes shared by every router: the error body, paginated lists, and the strict types of bodies that move money.

A body that moves money (an order, a modify, an exit, risk limits, a halt) is a `StrictBody`: a field it does not
know is refused with UNKNOWN_FIELD rather than dropped (a misspelt or not-yet-supported field would otherwise be
sent without it), integers are JSON integers (never true, "1" or 1.0), and decimals are JSON numbers or strings
of ASCII digits (never "١٤٠٠", " 1400" or "14e2").
"""

import re
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictInt

# Ids and quantities are INTEGER columns, instrument tokens BIGINT: nothing larger can be stored, so nothing larger
# is accepted.
INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1
_PLAIN_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?", re.ASCII)


class ErrorBody(BaseModel):
    code: str
    message: str
    details: dict[str, Any]


class ErrorResponse(BaseModel):
    error: ErrorBody


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse} for status in (401, 403, 404, 409, 422)
}


class StrictBody(BaseModel):
    """A request body that moves money: unknown fields are refused, never silently dropped."""

    model_config = ConfigDict(extra="forbid")


def _plain_decimal(value: object) -> object:
    if isinstance(value, bool):
        raise ValueError("a decimal is a number or a string of digits, not true or false")
    if isinstance(value, str) and not _PLAIN_DECIMAL.fullmatch(value):
        raise ValueError("a decimal string is ASCII digits with an optional point, like 1420.50")
    return value


# A JSON number or a plain ASCII decimal string; the bounds (digits, places, sign) are set where it is used.
PlainDecimal = Annotated[Decimal, BeforeValidator(_plain_decimal)]
# Ids in a body: JSON integers that fit their columns (an unknown id is a 404 where it is looked up).
Id = Annotated[StrictInt, Field(le=INT32_MAX)]
TokenId = Annotated[StrictInt, Field(le=INT64_MAX)]
# A quantity in a body: a positive JSON integer that fits its column; the configured maximum is checked after.
Quantity = Annotated[StrictInt, Field(gt=0, le=INT32_MAX)]
