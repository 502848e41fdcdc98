"""Controlling a replay (pause, resume, seek) for admins, each recorded in the audit chain; and the market clock.

The replay itself is app/market/replay.py; this is what an admin may do with it and what the audit log says of
it. Asked of a market that is not a replay, every control is a 409 REPLAY_NOT_ACTIVE.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Conflict, InvalidRequest
from app.market.replay import ReplayMarketData
from app.services import audit


@dataclass(frozen=True, slots=True)
class MarketClock:
    now: datetime
    source: str
    running: bool


def market_clock(feed: object, source: str) -> MarketClock:
    """The time the desk shows: the replayed time while replaying, the wall clock otherwise (always running)."""
    if isinstance(feed, ReplayMarketData):
        return MarketClock(now=feed.now(), source=feed.name, running=feed.running)
    return MarketClock(now=datetime.now(UTC), source=source, running=True)


def active_replay(feed: object) -> ReplayMarketData:
    if not isinstance(feed, ReplayMarketData):
        raise Conflict(
            "The market data is not a replay (start the app with MULTIDESK_MARKET_DATA=replay).",
            code="REPLAY_NOT_ACTIVE",
        )
    return feed


async def pause(session: AsyncSession, feed: object, actor_id: int) -> ReplayMarketData:
    replay = active_replay(feed)
    replay.pause()
    await _record(session, "market.replay.pause", actor_id, replay)
    return replay


async def resume(session: AsyncSession, feed: object, actor_id: int) -> ReplayMarketData:
    replay = active_replay(feed)
    replay.resume()
    await _record(session, "market.replay.resume", actor_id, replay)
    return replay


async def seek(session: AsyncSession, feed: object, actor_id: int, to: datetime) -> ReplayMarketData:
    replay = active_replay(feed)
    before = replay.now()
    try:
        replay.seek(to.astimezone(UTC))
    except ValueError as exc:
        first, last = replay.span()
        raise InvalidRequest(
            str(exc), code="SEEK_OUT_OF_RANGE", details={"start": first.isoformat(), "end": last.isoformat()}
        ) from None
    await _record(session, "market.replay.seek", actor_id, replay, {"from": before.isoformat()})
    return replay


async def _record(
    session: AsyncSession, action: str, actor_id: int, replay: ReplayMarketData, extra: dict[str, str] | None = None
) -> None:
    payload = {"at": replay.now().isoformat(), "running": replay.running, "file": replay.settings.file.name}
    await audit.record(
        session,
        action,
        actor_id=actor_id,
        entity_type="market",
        entity_id="replay",
        payload={**payload, **(extra or {})},
    )
    await session.commit()
