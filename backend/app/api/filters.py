"""Date-range query parameters shared by the list endpoints: a calendar day means that day in Asia/Kolkata."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends, Query

from app.errors import InvalidRequest

IST = ZoneInfo("Asia/Kolkata")

_HELP = (
    "A day (YYYY-MM-DD, an Asia/Kolkata calendar day) or a time (ISO 8601; without an offset it is Asia/Kolkata time)."
)


@dataclass(frozen=True, slots=True)
class DateRange:
    """[start, end) in UTC; either side may be open."""

    start: datetime | None
    end: datetime | None


def _bound(name: str, value: str | None, *, end: bool) -> datetime | None:
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            # A date_to day is included whole: the range ends at the next midnight.
            return datetime.combine(day + timedelta(days=1 if end else 0), time(), IST).astimezone(UTC)
        moment = datetime.fromisoformat(text)
        return (moment if moment.tzinfo else moment.replace(tzinfo=IST)).astimezone(UTC)
    except ValueError as exc:
        raise InvalidRequest(f"{name}: {value!r} is not a date or an ISO 8601 time.", code="INVALID_DATE") from exc
    except OverflowError as exc:
        # 9999-12-31 included whole ends in the year 10000; 0001-01-01 in Kolkata starts in the year 0, in UTC.
        raise InvalidRequest(
            f"{name}: {value!r} is outside the dates that can be searched.", code="INVALID_DATE"
        ) from exc


def date_range(
    date_from: Annotated[str | None, Query(max_length=40, description=f"From, inclusive. {_HELP}")] = None,
    date_to: Annotated[
        str | None, Query(max_length=40, description=f"To: a day is included whole, a time is exclusive. {_HELP}")
    ] = None,
) -> DateRange:
    return DateRange(_bound("date_from", date_from, end=False), _bound("date_to", date_to, end=True))


DateRangeDep = Annotated[DateRange, Depends(date_range)]
