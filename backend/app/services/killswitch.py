"""The kill switch: halt new orders firm-wide or for one advisor, optionally cancelling open orders, and resume.

Halts are rows in `trading_halts`, so they survive restarts and every process sees them. A halt refuses place and
execute-all (409 TRADING_HALTED, nothing written); exits are deliberately still allowed, since they only reduce
exposure. Modifying (only towards filling less) and cancelling open orders stay allowed too.

A halt also stops what is already running: every send asks the halt gate (app/services/halt_gate.py) once it has its
broker slot, so once a halt is committed no order in its scope leaves any process but those already holding a slot;
each stopped order (the rest of a running execute-all, say) is CANCELLED with reason HALTED by its own send.

Every committed halt or resume is announced to every signed-in socket (`risk_status`, the firm-wide state only), so
other desks refetch GET /risk/status at once instead of at their next poll. An advisor's halt and its reason are
shown to that advisor and to admins only.
"""

import asyncio

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.context import AppContext
from app.enums import OPEN_STATUSES, Role
from app.errors import AppError, Conflict, NotFound
from app.models import Client, Order, TradingHalt, User
from app.models.risk import FIRM_SCOPE
from app.models.types import utcnow
from app.realtime import events
from app.schemas.risk import CancelFailure, HaltOut, HaltRequest, ResumeRequest, RiskStatusChanged, RiskStatusOut
from app.services import audit, orders
from app.services.risk import active_halts


def halt_out(halt: TradingHalt) -> HaltOut:
    return HaltOut.model_validate(halt, from_attributes=True)


async def status(session: AsyncSession, user: User) -> RiskStatusOut:
    """The halts `user` may see: an admin every one; anyone else the firm halt and a halt on themselves, since
    another advisor's halt (and its reason) is between that advisor and the admins."""
    halts = await active_halts(session)
    visible = [h for h in halts if user.role == Role.ADMIN or h.scope == FIRM_SCOPE or h.advisor_id == user.id]
    return RiskStatusOut(
        firm_halted=any(h.scope == FIRM_SCOPE for h in halts),
        you_are_halted=any(h.scope == FIRM_SCOPE or h.advisor_id == user.id for h in halts),
        halts=[halt_out(h) for h in visible],
    )


async def _announce(ctx: AppContext, now: RiskStatusOut) -> None:
    """Tell every signed-in socket that the kill switch changed; called only once the change is committed.

    One payload goes to every desk, so it carries only what every desk may see; each refetches its own view.
    """
    payload = RiskStatusChanged(firm_halted=now.firm_halted).model_dump(mode="json")
    await ctx.events.publish(events.RISK_STATUS, events.ALL_USERS_ROOM, payload)


async def _check_advisor(session: AsyncSession, advisor_id: int | None) -> None:
    if advisor_id is None:
        return
    advisor = await session.get(User, advisor_id)
    if advisor is None or advisor.role != Role.ADVISOR:
        raise NotFound(f"No advisor with id {advisor_id}.", code="ADVISOR_NOT_FOUND")


def _matching(body: HaltRequest | ResumeRequest, halts: list[TradingHalt]) -> list[TradingHalt]:
    return [h for h in halts if h.scope == body.scope and (body.scope == FIRM_SCOPE or h.advisor_id == body.advisor_id)]


async def halt(ctx: AppContext, user: User, body: HaltRequest) -> RiskStatusOut:
    async with ctx.sessions() as session:
        await _check_advisor(session, body.advisor_id)
        existing = _matching(body, await active_halts(session))
        if not existing:
            row = TradingHalt(scope=body.scope, advisor_id=body.advisor_id, reason=body.reason, halted_by=user.id)  # type: ignore[arg-type]
            session.add(row)
            await session.flush()
            await audit.record(
                session,
                "risk.halt",
                actor_id=user.id,
                entity_type="trading_halt",
                entity_id=row.id,
                payload=body.model_dump(mode="json"),
            )
            # Committed first: no new order gets in while the open ones are being cancelled.
            await session.commit()
            # Announced before cancelling, which can take a while: other desks show the halt now, not after it.
            await _announce(ctx, await status(session, user))
    cancelled, failures = await cancel_open_orders(ctx, user, body.advisor_id) if body.cancel_open_orders else ([], [])
    async with ctx.sessions() as session:
        out = await status(session, user)
    out.cancelled_order_ids, out.cancel_failures = cancelled, failures
    return out


async def cancel_open_orders(
    ctx: AppContext, user: User, advisor_id: int | None
) -> tuple[list[int], list[CancelFailure]]:
    """Cancel every open order in scope at its broker, one by one; a failure is reported, never fatal."""
    async with ctx.sessions() as session:
        query = select(Order.id).where(Order.status.in_(OPEN_STATUSES))
        if advisor_id is not None:
            query = query.join(Client, Client.id == Order.client_id).where(Client.owner_id == advisor_id)
        order_ids = list(await session.scalars(query.order_by(Order.id)))

    async def cancel(order_id: int) -> CancelFailure | None:
        try:
            await orders.cancel_order(ctx, user, order_id)
        except AppError as exc:
            return CancelFailure(order_id=order_id, code=exc.code, message=exc.message)
        return None

    results = await asyncio.gather(*(cancel(order_id) for order_id in order_ids))
    failures = [r for r in results if r is not None]
    failed = {f.order_id for f in failures}
    return [o for o in order_ids if o not in failed], failures


async def resume(ctx: AppContext, user: User, body: ResumeRequest) -> RiskStatusOut:
    async with ctx.sessions() as session:
        matching = _matching(body, await active_halts(session))
        if not matching:
            raise Conflict("Nothing to resume: no such halt is active.", code="NOT_HALTED")
        for row in matching:
            row.resumed_at, row.resumed_by = utcnow(), user.id
            await audit.record(
                session,
                "risk.resume",
                actor_id=user.id,
                entity_type="trading_halt",
                entity_id=row.id,
                payload=body.model_dump(mode="json"),
            )
        await session.commit()
        out = await status(session, user)
    await _announce(ctx, out)
    return out
