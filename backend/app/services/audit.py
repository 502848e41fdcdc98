"""The audit trail: appends events to a sha256 hash chain inside the caller's transaction, and verifies it."""

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

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
    for event in (await session.scalars(select(AuditEvent).order_by(AuditEvent.id))).all():
        if event.prev_hash != prev_hash:
            return ChainReport(False, checked, event.id, "prev_hash does not match the previous event's hash")
        if event_hash(prev_hash, event) != event.hash:
            return ChainReport(False, checked, event.id, "hash does not match the event's content")
        prev_hash = event.hash
        checked += 1
    return ChainReport(True, checked, None, None)
