"""The audit trail: appends events to a sha256 hash chain inside the caller's transaction, and verifies it."""

import csv
import hashlib
import io
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.models import AuditEvent, AuditHead
from app.models.types import utcnow

GENESIS_HASH = "0" * 64


def canonical_json(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)


def event_hash(prev_hash: str, event: AuditEvent) -> str:
    body = {
        "ts": event.ts.isoformat(),
        "actor_id": event.actor_id,
        "action": event.action,
        "entity_type": event.entity_type,
        "entity_id": event.entity_id,
        "payload": event.payload,
    }
    return hashlib.sha256((prev_hash + canonical_json(body)).encode()).hexdigest()


async def record(
    session: AsyncSession,
    action: str,
    *,
    actor_id: int | None,
    entity_type: str | None = None,
    entity_id: object = None,
    payload: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event; it commits or rolls back with the action it describes."""
    # The UPDATE takes the head's row lock (PostgreSQL) or the write lock (SQLite) until commit,
    # so two concurrent appends cannot both build on the same previous hash.
    result = await session.execute(
        update(AuditHead).where(AuditHead.id == 1).values(length=AuditHead.length + 1).returning(AuditHead.last_hash)
    )
    prev_hash = result.scalar_one()
    event = AuditEvent(
        ts=utcnow(),
        actor_id=actor_id,
        action=action,
        entity_type=entity_type,
        entity_id=None if entity_id is None else str(entity_id),
        payload=json.loads(canonical_json(payload or {})),
        prev_hash=prev_hash,
        hash="",
    )
    event.hash = event_hash(prev_hash, event)
    session.add(event)
    await session.execute(update(AuditHead).where(AuditHead.id == 1).values(last_hash=event.hash))
    return event


@dataclass(frozen=True, slots=True)
class ChainReport:
    ok: bool
    checked: int
    first_broken_id: int | None
    reason: str | None


async def verify_chain(session: AsyncSession) -> ChainReport:
    prev_hash = GENESIS_HASH
    checked = 0
    # Streamed in pages: a years-long trail is checked without holding it in memory.
    events = await session.stream_scalars(select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=1000))
    try:
        async for event in events:
            if event.prev_hash != prev_hash:
                return ChainReport(False, checked, event.id, "prev_hash does not match the previous event's hash")
            if event_hash(prev_hash, event) != event.hash:
                return ChainReport(False, checked, event.id, "hash does not match the event's content")
            prev_hash = event.hash
            checked += 1
    finally:
        await events.close()
    return ChainReport(True, checked, None, None)


@dataclass(frozen=True, slots=True)
class AuditFilter:
    action: str | None = None
    actor_id: int | None = None
    entity_type: str | None = None
    entity_id: str | None = None
    date_from: datetime | None = None
    date_to: datetime | None = None

    def apply(self, query: Select[tuple[AuditEvent]]) -> Select[tuple[AuditEvent]]:
        for column, value in (
            (AuditEvent.action, self.action),
            (AuditEvent.actor_id, self.actor_id),
            (AuditEvent.entity_type, self.entity_type),
            (AuditEvent.entity_id, self.entity_id),
        ):
            if value is not None:
                query = query.where(column == value)
        if self.date_from is not None:
            query = query.where(AuditEvent.ts >= self.date_from)
        if self.date_to is not None:
            query = query.where(AuditEvent.ts < self.date_to)
        return query


async def list_events(
    session: AsyncSession, where: AuditFilter, *, limit: int, offset: int
) -> tuple[list[AuditEvent], int]:
    query = where.apply(select(AuditEvent))
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(query.order_by(AuditEvent.id.desc()).limit(limit).offset(offset))
    return list(rows), total or 0


CSV_COLUMNS = ("id", "ts", "actor_id", "action", "entity_type", "entity_id", "payload", "prev_hash", "hash")


async def export_csv(sessions: async_sessionmaker[AsyncSession], where: AuditFilter) -> AsyncIterator[str]:
    """The filtered events oldest first (chain order), read in pages so a long trail never sits in memory."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    after = 0
    while True:
        async with sessions() as session:
            page = list(
                await session.scalars(
                    where.apply(select(AuditEvent)).where(AuditEvent.id > after).order_by(AuditEvent.id).limit(500)
                )
            )
        for event in page:
            writer.writerow(
                [
                    event.id,
                    event.ts.isoformat(),
                    "" if event.actor_id is None else event.actor_id,
                    event.action,
                    event.entity_type or "",
                    event.entity_id or "",
                    canonical_json(event.payload),
                    event.prev_hash,
                    event.hash,
                ]
            )
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        if len(page) < 500:
            return
        after = page[-1].id  # type: ignore[assignment]
