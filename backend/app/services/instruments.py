"""Instruments: the start-up upsert from data/tokens.csv, the import of a broker's instrument master, lookup and
ranked search.

data/tokens.csv is the offline default, loaded at every start. A broker's master (`python -m app.cli instruments
import`) adds the tokens it lists and sets lot size, tick size and freeze quantity of the ones we have; the row
remembers which broker set them (`master_broker`), and later start-up loads of data/tokens.csv leave those sizes
alone. Nothing is ever deleted: orders refer to instruments, and a token missing from one download is no proof
it is gone. A token that is already another exchange's instrument is not touched and is reported as a conflict
(instruments are keyed by token alone).
"""

import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.brokers.base import InstrumentMaster, InstrumentSpec
from app.errors import NotFound
from app.market.instruments import InstrumentRow, parse_tokens_csv
from app.models import Instrument
from app.models.types import utcnow

log = logging.getLogger(__name__)

_FIELDS = ("symbol", "name", "exchange", "instrument_type", "lot_size", "tick_size", "freeze_quantity", "ref_price")
_SIZES = ("lot_size", "tick_size", "freeze_quantity")
_CHUNK = 5000  # tokens per IN list: SQLite caps the bound parameters of one statement
# What a broker's master sets on a token we already have; its symbol, name and type stay ours.
_MASTER_FIELDS = ("lot_size", "tick_size", "freeze_quantity", "master_broker")


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
        current = existing.get(row.token_id)
        # Sizes a broker's master set are newer than this file's.
        fields = [f for f in _FIELDS if f not in _SIZES] if current is not None and current.master_broker else _FIELDS
        values = {field: getattr(row, field) for field in fields}
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


@dataclass(frozen=True, slots=True)
class ImportSummary:
    added: int
    updated: int
    unchanged: int
    # "token 45123: already NSE RELIANCE, not NFO ..." for tokens another exchange's instrument holds.
    conflicts: tuple[str, ...]


async def import_master(session: AsyncSession, master: InstrumentMaster, broker: str) -> ImportSummary:
    """Upsert a broker's master: new tokens are added, known ones get its sizes; idempotent, never deletes.

    Two imports at once may both add the same new token; the one that commits second starts over, once, and then
    finds the other's rows."""
    for attempt in (1, 2):
        try:
            return await _import_master(session, master, broker)
        except IntegrityError:
            await session.rollback()
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


async def _import_master(session: AsyncSession, master: InstrumentMaster, broker: str) -> ImportSummary:
    tokens = [spec.token_id for spec in master.instruments]
    existing: dict[int, Instrument] = {}
    for start in range(0, len(tokens), _CHUNK):
        rows = await session.scalars(select(Instrument).where(Instrument.token_id.in_(tokens[start : start + _CHUNK])))
        existing.update({i.token_id: i for i in rows})
    added = updated = unchanged = 0
    conflicts: list[str] = []
    for spec in master.instruments:
        current = existing.get(spec.token_id)
        if current is None:
            session.add(_new_instrument(spec, broker))
            added += 1
            continue
        if current.exchange != spec.exchange:
            conflicts.append(
                f"token {spec.token_id}: already {current.exchange} {current.symbol}, not {spec.exchange} {spec.symbol}"
            )
            continue
        values = {
            "lot_size": spec.lot_size,
            "tick_size": spec.tick_size,
            "freeze_quantity": spec.freeze_quantity,
            "master_broker": broker,
        }
        if all(getattr(current, field) == values[field] for field in _MASTER_FIELDS):
            unchanged += 1
            continue
        for field, value in values.items():
            setattr(current, field, value)
        current.updated_at = utcnow()
        updated += 1
    await session.commit()
    summary = ImportSummary(added, updated, unchanged, tuple(conflicts))
    log.info(
        "instruments: %s %s master imported: %d added, %d updated, %d unchanged, %d conflicts, %d rows skipped",
        broker,
        master.exchange,
        added,
        updated,
        unchanged,
        len(conflicts),
        len(master.skipped),
    )
    return summary


def _new_instrument(spec: InstrumentSpec, broker: str) -> Instrument:
    return Instrument(
        token_id=spec.token_id,
        symbol=spec.symbol,
        name=spec.name,
        exchange=spec.exchange,
        instrument_type=spec.instrument_type,
        lot_size=spec.lot_size,
        tick_size=spec.tick_size,
        freeze_quantity=spec.freeze_quantity,
        master_broker=broker,
    )


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
