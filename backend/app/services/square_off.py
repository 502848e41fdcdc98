"""The advisor's scheduled "square off all intraday": each trading day at the advisor's time, every INTRADAY
position across the advisor's active clients is closed with exit orders the advisor can watch.

A run is exit-by-token restricted to INTRADAY (app/services/exits.py), one batch per instrument held (a batch is
per instrument), each with the idempotency key `square-off:<day>:<token>`. The day is marked done only after every
batch is written, so a process that dies mid-run runs again after its restart (or in the next runner) and gets
back the batches already made instead of sending a second set of orders; a day marked done never runs again.
It runs inside the normal session only: a schedule whose time passed while no runner was up runs as soon as one
is, if the market is still open; after the close the day is missed (the broker squares off at its own time).
The pass runs in the one runner (app/services/runner.py), so replicas never run it twice at once.
"""

import asyncio
import logging
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.context import AppContext
from app.enums import TradeType
from app.models import Client, SquareOffSchedule, User
from app.models.types import utcnow
from app.schemas.orders import ExitByTokenRequest
from app.schemas.square_off import SquareOffScheduleIn, SquareOffScheduleOut
from app.services import audit
from app.services.accounts import broker_account
from app.services.clients import visible_clients
from app.services.exits import exit_by_token

log = logging.getLogger(__name__)
IST = ZoneInfo("Asia/Kolkata")
EXCHANGE = "NSE"


def _due_at(day: date, at_time: str) -> datetime:
    hours, minutes = (int(part) for part in at_time.split(":"))
    return datetime.combine(day, time(hours, minutes), IST)


def _next_run(ctx: AppContext, row: SquareOffSchedule) -> datetime | None:
    if not row.enabled:
        return None
    now = ctx.clock.now()
    day = ctx.calendar.session_date(EXCHANGE, now)
    for _ in range(15):
        due = _due_at(day, row.at_time)
        if row.last_run_on != day:
            if due >= now and ctx.calendar.is_open(EXCHANGE, due):
                return due
            if due < now and ctx.calendar.is_open(EXCHANGE, now):
                return now  # overdue while the market is open: the next pass runs it
        day = _next_trading_day(ctx, day)
    return None


def _next_trading_day(ctx: AppContext, day: date) -> date:
    nxt = ctx.calendar.status(EXCHANGE, _due_at(day, "23:59")).next_open
    return nxt.astimezone(IST).date()


def schedule_out(ctx: AppContext, row: SquareOffSchedule) -> SquareOffScheduleOut:
    return SquareOffScheduleOut(
        enabled=row.enabled,
        time=row.at_time,
        last_run_on=row.last_run_on,
        last_batch_ids=[int(i) for i in row.last_batch_ids],
        next_run_at=_next_run(ctx, row),
    )


async def get_schedule(ctx: AppContext, session: AsyncSession, user: User) -> SquareOffScheduleOut:
    row = await session.get(SquareOffSchedule, user.id) or SquareOffSchedule(user_id=user.id)  # type: ignore[arg-type]
    return schedule_out(ctx, row)


async def set_schedule(
    ctx: AppContext, session: AsyncSession, user: User, body: SquareOffScheduleIn
) -> SquareOffScheduleOut:
    row = await session.get(SquareOffSchedule, user.id, with_for_update=True)
    if row is None:
        row = SquareOffSchedule(user_id=user.id)  # type: ignore[arg-type]
    row.enabled, row.at_time, row.updated_at = body.enabled, body.time, utcnow()
    session.add(row)
    await audit.record(
        session, "square_off.schedule", actor_id=user.id, entity_type="user", entity_id=user.id,
        payload={"enabled": body.enabled, "time": body.time},
    )  # fmt: skip
    await session.commit()
    return schedule_out(ctx, row)


async def run_due(ctx: AppContext) -> list[int]:
    """One pass: run every enabled schedule whose time has come today and that has not run today; the users run."""
    now = ctx.clock.now()
    if not ctx.calendar.is_open(EXCHANGE, now):
        return []
    today = ctx.calendar.session_date(EXCHANGE, now)
    async with ctx.sessions() as session:
        rows = (await session.scalars(select(SquareOffSchedule).where(SquareOffSchedule.enabled.is_(True)))).all()
    ran = []
    for row in rows:
        if (row.last_run_on is not None and row.last_run_on >= today) or now < _due_at(today, row.at_time):
            continue
        try:
            await run_for(ctx, row.user_id, today)
        except Exception:
            # One advisor's failure never stops another's; this one is tried again on the next pass.
            log.exception("scheduled square-off for user %s failed; retrying next pass", row.user_id)
            continue
        ran.append(row.user_id)
    return ran


async def run_for(ctx: AppContext, user_id: int, today: date) -> list[int]:
    """Square off the user's intraday positions for `today` (idempotent per day and instrument); the batch ids."""
    async with ctx.sessions() as session:
        user = await session.get(User, user_id)
        if user is None or not user.is_active:
            return []
        clients = list(await session.scalars(visible_clients(user).where(Client.is_active.is_(True))))
    tokens = await _intraday_tokens(ctx, clients)
    body = ExitByTokenRequest(trade_types=[TradeType.INTRADAY])
    batch_ids = []
    for token_id in sorted(tokens):
        batch = await exit_by_token(ctx, user, token_id, body, key=f"square-off:{today.isoformat()}:{token_id}")
        batch_ids.append(batch.batch_id)
    async with ctx.sessions() as session:
        row = await session.get(SquareOffSchedule, user_id, with_for_update=True)
        assert row is not None
        row.last_run_on, row.last_batch_ids = today, batch_ids
        session.add(row)
        await audit.record(
            session, "square_off.run", actor_id=user_id, entity_type="user", entity_id=user_id,
            payload={"day": today.isoformat(), "batch_ids": batch_ids},
        )  # fmt: skip
        await session.commit()
    return batch_ids


async def _intraday_tokens(ctx: AppContext, clients: list[Client]) -> set[int]:
    async def read(client: Client) -> set[int]:
        account = broker_account(ctx.vault, client)
        positions = await ctx.brokers.call(client.broker, lambda adapter: adapter.positions(account), read=True)
        return {p.token_id for p in positions if p.trade_type is TradeType.INTRADAY and p.net_quantity != 0}

    found = await asyncio.gather(*(read(c) for c in clients), return_exceptions=True)
    tokens: set[int] = set()
    for client, result in zip(clients, found, strict=True):
        if isinstance(result, BaseException):
            # Its positions are unknown: the exit batches for the others' instruments still report it per row.
            log.warning("square-off: positions of client %s unreadable: %s", client.id, result)
            continue
        tokens |= result
    return tokens
