"""Instruments: the start-up upsert from data/tokens.csv, lookup and ranked search."""

import logging
from pathlib import Path

from sqlalchemy import case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import NotFound
from app.market.instruments import InstrumentRow, parse_tokens_csv
from app.models import Instrument
from app.models.types import utcnow

log = logging.getLogger(__name__)

_FIELDS = ("symbol", "name", "exchange", "instrument_type", "lot_size", "tick_size", "ref_price")


async def load_tokens_file(session: AsyncSession, path: Path) -> int:
    rows, errors = parse_tokens_csv(path)
    changed = await upsert_instruments(session, rows)
    log.info("instruments: %d rows read from %s, %d changed, %d skipped", len(rows), path.name, changed, len(errors))
    return changed


async def upsert_instruments(session: AsyncSession, rows: list[InstrumentRow]) -> int:
    """Insert new tokens and update changed ones; running it twice changes nothing the second time."""
    existing = {i.token_id: i for i in await session.scalars(select(Instrument))}
    changed = 0
    for row in rows:
        values = {field: getattr(row, field) for field in _FIELDS}
        current = existing.get(row.token_id)
        if current is None:
            session.add(Instrument(token_id=row.token_id, **values))
            changed += 1
        elif any(getattr(current, field) != value for field, value in values.items()):
            for field, value in values.items():
                setattr(current, field, value)
            current.updated_at = utcnow()
            changed += 1
    await session.commit()
    return changed


async def get_instrument(session: AsyncSession, token_id: int) -> Instrument:
    instrument = await session.get(Instrument, token_id)
    if instrument is None:
        raise NotFound(f"No instrument with token {token_id}.", code="TOKEN_NOT_FOUND")
    return instrument


async def search_instruments(session: AsyncSession, query: str, limit: int) -> list[Instrument]:
    """Exact symbol first, then symbol prefix, then symbol substring, then name substring."""
    needle = query.strip().upper()
    symbol = func.upper(Instrument.symbol)
    name = func.upper(func.coalesce(Instrument.name, ""))
    pattern = f"%{_escape_like(needle)}%"
    rank = case(
        (symbol == needle, 0),
        (symbol.like(f"{_escape_like(needle)}%", escape="\\"), 1),
        (symbol.like(pattern, escape="\\"), 2),
        else_=3,
    )
    statement = (
        select(Instrument)
        .where(or_(symbol.like(pattern, escape="\\"), name.like(pattern, escape="\\")))
        .order_by(rank, Instrument.symbol, Instrument.token_id)
        .limit(limit)
    )
    return list(await session.scalars(statement))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
