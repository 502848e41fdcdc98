"""The trading day on our side: market status, the closed-market gate with after-market orders, calendar overrides.

An order while its market is closed is refused here, before anything is written or sent (409 MARKET_CLOSED with
the next open), unless the advisor asked for an AMO: then each row whose broker is closed is written with
amo=True and sent as an after-market order. While the market is open `amo` is ignored (the order is placed as
usual). The simulator with MULTIDESK_SIM_ALWAYS_OPEN (demo mode) counts as always open.

Admin overrides live in `calendar_overrides`; each process applies the stored set to its calendar at start, after
an edit it made, and every OVERRIDES_REFRESH_S (another process's edit reaches it within that).
"""

import asyncio
import logging
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.context import AppContext, sim_always_open
from app.enums import BrokerName
from app.errors import Conflict, InvalidRequest, NotFound
from app.market.calendar.indian import UnknownExchange
from app.market.calendar.port import MarketStatus, Override, Phase
from app.market.clock import IST
from app.models import CalendarOverride, Client, User
from app.schemas.calendar import CalendarOverrideIn, CalendarOverrideOut, MarketStatusOut
from app.services import audit

log = logging.getLogger(__name__)

OVERRIDES_REFRESH_S = 60.0
PHASE_WORDS = {
    Phase.PRE_OPEN: "in its pre-open session",
    Phase.CLOSED: "closed",
    Phase.HOLIDAY: "closed for a holiday",
    Phase.WEEKEND: "closed for the weekend",
}


def status(ctx: AppContext, exchange: str) -> MarketStatus:
    try:
        return ctx.calendar.status(exchange, ctx.clock.now())
    except UnknownExchange as exc:
        raise InvalidRequest(str(exc), code="UNKNOWN_EXCHANGE") from None


def status_out(ctx: AppContext, exchange: str) -> MarketStatusOut:
    now = status(ctx, exchange)
    return MarketStatusOut(
        exchange=now.exchange,
        now=now.now,
        phase=now.phase.value,
        holiday_name=now.holiday_name,
        next_open=now.next_open,
        next_close=now.next_close,
        simulator_always_open=sim_always_open(ctx.settings),
    )


def broker_open(ctx: AppContext, broker: BrokerName, exchange: str) -> bool:
    if broker == BrokerName.SIMULATOR and sim_always_open(ctx.settings):
        return True
    return ctx.calendar.is_open(exchange, ctx.clock.now())


def amo_rows(ctx: AppContext, clients: Iterable[Client], exchange: str, *, amo: bool) -> dict[int, bool]:
    """Each client's order is an AMO (True) or a regular order; MARKET_CLOSED if a client's market is closed and
    the advisor did not ask for an AMO."""
    rows: dict[int, bool] = {}
    for client in clients:
        assert client.id is not None
        rows[client.id] = not broker_open(ctx, client.broker, exchange)
    if any(rows.values()) and not amo:
        raise market_closed(status(ctx, exchange))
    return rows


def market_closed(now: MarketStatus) -> Conflict:
    opens = now.next_open.astimezone(IST)
    words = PHASE_WORDS.get(now.phase, "closed")
    holiday = f" ({now.holiday_name})" if now.holiday_name else ""
    return Conflict(
        f"{now.exchange} is {words}{holiday}; it opens {opens:%a %d %b %Y %H:%M} IST. "
        "Send it as an after-market order (AMO) to have it placed at the open.",
        code="MARKET_CLOSED",
        details={"exchange": now.exchange, "phase": now.phase.value, "next_open": now.next_open.isoformat()},
    )


# Admin overrides.


def override_out(row: CalendarOverride) -> CalendarOverrideOut:
    assert row.id is not None
    return CalendarOverrideOut(
        id=row.id,
        exchange=row.exchange,
        day=row.day,
        name=row.name,
        kind="session" if row.opens is not None else "holiday",
        opens=row.opens,
        closes=row.closes,
        created_by=row.created_by,
        created_at=row.created_at,
    )


async def list_overrides(session: AsyncSession) -> list[CalendarOverrideOut]:
    rows = await session.scalars(select(CalendarOverride).order_by(CalendarOverride.day, CalendarOverride.exchange))
    return [override_out(row) for row in rows]


async def add_override(ctx: AppContext, admin: User, body: CalendarOverrideIn) -> CalendarOverrideOut:
    async with ctx.sessions() as session:
        row = CalendarOverride(**body.model_dump(), created_by=admin.id)
        session.add(row)
        try:
            await session.flush()
        except IntegrityError:
            raise Conflict(
                f"{body.exchange} already has an override on {body.day:%d/%m/%Y}; remove it first.",
                code="CALENDAR_OVERRIDE_EXISTS",
            ) from None
        await audit.record(
            session,
            "calendar.override_add",
            actor_id=admin.id,
            entity_type="calendar_override",
            entity_id=row.id,
            payload=body.model_dump(mode="json"),
        )
        out = override_out(row)
        await session.commit()
    await load_overrides(ctx)
    return out


async def remove_override(ctx: AppContext, admin: User, override_id: int) -> None:
    async with ctx.sessions() as session:
        row = await session.get(CalendarOverride, override_id)
        if row is None:
            raise NotFound(f"No calendar override with id {override_id}.", code="CALENDAR_OVERRIDE_NOT_FOUND")
        payload = override_out(row).model_dump(mode="json")
        await session.delete(row)
        await audit.record(
            session,
            "calendar.override_remove",
            actor_id=admin.id,
            entity_type="calendar_override",
            entity_id=override_id,
            payload=payload,
        )
        await session.commit()
    await load_overrides(ctx)


async def load_overrides(ctx: AppContext) -> None:
    async with ctx.sessions() as session:
        rows = list(await session.scalars(select(CalendarOverride)))
    ctx.calendar.set_overrides(
        Override(exchange=r.exchange, day=r.day, name=r.name, opens=r.opens, closes=r.closes) for r in rows
    )


async def refresh_overrides_forever(ctx: AppContext) -> None:
    while True:
        await asyncio.sleep(OVERRIDES_REFRESH_S)
        try:
            await load_overrides(ctx)
        except Exception:
            log.exception("reloading the calendar overrides failed; the last set stays in force")
