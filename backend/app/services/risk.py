"""Pre-trade risk controls and the kill switch's check, applied before any order is written or sent.

Limits live in `risk_limits`: a firm-wide default row and optional per-client rows. A client's NULL column falls
back to the firm default; a NULL there means no limit. The deny list is the union of both rows; a client's allow
list replaces the firm's. Each rejection has its own code (a 422 for one order, a DENIED row in a batch):
MAX_ORDER_QUANTITY, MAX_ORDER_VALUE, PRICE_BAND, GROSS_EXPOSURE, DAILY_LOSS, INSTRUMENT_NOT_ALLOWED.

Only new orders (BUY/SELL from place and execute-all) are checked. Exits are never checked: they only reduce
risk, and a halt or a breached limit must never trap a client in a position. Daily loss and gross exposure apply
only to an order that adds to what the client holds: a DELIVERY sell of demat holdings reduces it, like a sell of
a position does.
"""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.brokers.base import BrokerError, BrokerHolding, BrokerPosition
from app.context import AppContext
from app.db import release_connection
from app.enums import Side, TradeType
from app.errors import Conflict, InvalidRequest
from app.models import Client, Instrument, RiskLimit, TradingHalt, User
from app.models.instrument import instrument_ref
from app.models.risk import FIRM_SCOPE, client_scope
from app.models.types import utcnow
from app.schemas.risk import RiskLimitsIn, RiskLimitsOut
from app.services import audit
from app.services.accounts import broker_account
from app.services.holdings import lots
from app.services.market_data import last_prices, market_priced
from app.services.order_terms import PRICED, OrderTerms
from app.services.portfolio import unrealised

ZERO = Decimal("0")
HUNDRED = Decimal("100")
LIMIT_FIELDS = tuple(RiskLimitsIn.model_fields)


class RiskRejected(InvalidRequest):
    """An order a pre-trade limit refuses: a 422 for one order, a DENIED row in a batch."""


# ---------------------------------------------------------------------------------------------------- limits


@dataclass(frozen=True, slots=True)
class Limits:
    max_order_quantity: int | None = None
    max_order_value: Decimal | None = None
    price_band_pct: Decimal | None = None
    max_gross_exposure: Decimal | None = None
    max_daily_loss: Decimal | None = None
    allowed_token_ids: frozenset[int] | None = None
    denied_token_ids: frozenset[int] = frozenset()

    @property
    def needs_price(self) -> bool:
        return self.max_order_value is not None or self.price_band_pct is not None or self.needs_positions

    @property
    def needs_positions(self) -> bool:
        return self.max_gross_exposure is not None or self.max_daily_loss is not None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        for name in ("allowed_token_ids", "denied_token_ids"):
            out[name] = None if out[name] is None else sorted(out[name])
        return out


def merge(firm: RiskLimit | None, own: RiskLimit | None) -> Limits:
    def pick(name: str) -> Any:
        for row in (own, firm):
            if row is not None and getattr(row, name) is not None:
                return getattr(row, name)
        return None

    allowed = pick("allowed_token_ids")
    denied = set((firm.denied_token_ids or []) if firm else []) | set((own.denied_token_ids or []) if own else [])
    return Limits(
        max_order_quantity=pick("max_order_quantity"),
        max_order_value=pick("max_order_value"),
        price_band_pct=pick("price_band_pct"),
        max_gross_exposure=pick("max_gross_exposure"),
        max_daily_loss=pick("max_daily_loss"),
        allowed_token_ids=None if allowed is None else frozenset(int(t) for t in allowed),
        denied_token_ids=frozenset(int(t) for t in denied),
    )


async def limits_for(session: AsyncSession, client_ids: Sequence[int]) -> dict[int, Limits]:
    scopes = [FIRM_SCOPE, *(client_scope(c) for c in client_ids)]
    rows = {row.scope: row for row in await session.scalars(select(RiskLimit).where(RiskLimit.scope.in_(scopes)))}
    firm = rows.get(FIRM_SCOPE)
    return {c: merge(firm, rows.get(client_scope(c))) for c in client_ids}


def limits_out(row: RiskLimit | None) -> RiskLimitsOut:
    if row is None:
        return RiskLimitsOut()
    return RiskLimitsOut.model_validate(
        {name: getattr(row, name) for name in (*LIMIT_FIELDS, "updated_at", "updated_by")}
    )


async def get_limits_row(session: AsyncSession, scope: str) -> RiskLimit | None:
    return await session.scalar(select(RiskLimit).where(RiskLimit.scope == scope))


async def put_limits(session: AsyncSession, user: User, client_id: int | None, body: RiskLimitsIn) -> RiskLimit:
    scope = FIRM_SCOPE if client_id is None else client_scope(client_id)
    row = await get_limits_row(session, scope)
    if row is None:
        row = RiskLimit(scope=scope, client_id=client_id)
        session.add(row)
    before = limits_out(row).model_dump(mode="json", include=set(LIMIT_FIELDS))
    for name in LIMIT_FIELDS:
        setattr(row, name, getattr(body, name))
    row.updated_by, row.updated_at = user.id, utcnow()
    await session.flush()
    await audit.record(
        session,
        "risk.limits.update",
        actor_id=user.id,
        entity_type="risk_limits",
        entity_id=scope,
        payload={"before": before, "after": body.model_dump(mode="json")},
    )
    await session.commit()
    return row


# ---------------------------------------------------------------------------------------------- kill switch


async def active_halts(session: AsyncSession) -> list[TradingHalt]:
    query = select(TradingHalt).where(TradingHalt.resumed_at.is_(None)).order_by(TradingHalt.id)
    return list(await session.scalars(query))


def halt_applies(halt: TradingHalt, user: User, owner_ids: set[int]) -> bool:
    return halt.scope == FIRM_SCOPE or halt.advisor_id == user.id or halt.advisor_id in owner_ids


def halt_text(halt: TradingHalt) -> str:
    who = "firm-wide" if halt.scope == FIRM_SCOPE else f"for advisor {halt.advisor_id}"
    return f"Trading is halted {who}: {halt.reason or 'no reason given'}."


async def ensure_not_halted(session: AsyncSession, user: User, clients: Sequence[Client]) -> None:
    """A halt refuses the whole request (409 TRADING_HALTED) before anything is written."""
    query = select(TradingHalt).where(TradingHalt.resumed_at.is_(None))
    owners = {c.owner_id for c in clients}
    query = query.where(
        or_(
            TradingHalt.scope == FIRM_SCOPE,
            TradingHalt.advisor_id.in_({*owners, user.id}),
        )
    )
    halt = await session.scalar(query.order_by(TradingHalt.id).limit(1))
    if halt is not None:
        raise Conflict(
            f"{halt_text(halt)} Exits still work.",
            code="TRADING_HALTED",
            details={"halt_id": halt.id, "scope": halt.scope, "advisor_id": halt.advisor_id},
        )


# ------------------------------------------------------------------------------------------- pre-trade checks


async def last_price(ctx: AppContext, instrument: Instrument) -> Decimal | None:
    """The market-data port's last price (the same one the desk shows), else the instrument's reference price."""
    prices = await last_prices(ctx.market, [instrument_ref(instrument)])
    return prices.get(instrument.token_id, instrument.ref_price)


@dataclass(frozen=True, slots=True)
class Books:
    positions: list[BrokerPosition]
    holdings: list[BrokerHolding]


async def _books(ctx: AppContext, client: Client, terms: OrderTerms) -> Books:
    """The client's positions, and its demat holdings when the order could sell some (a DELIVERY sell)."""
    account = broker_account(ctx.vault, client)
    positions = await ctx.brokers.call(client.broker, lambda adapter: adapter.positions(account), read=True)
    holdings: list[BrokerHolding] = []
    if terms.trade_type is TradeType.DELIVERY and terms.side is Side.SELL:
        holdings = await ctx.brokers.call(client.broker, lambda adapter: adapter.holdings(account), read=True)
    return Books(market_priced(ctx.market, positions), holdings)


def _reject(code: str, message: str, **details: Any) -> RiskRejected:
    return RiskRejected(message, code=code, details={k: str(v) for k, v in details.items()})


def increases_exposure(
    terms: OrderTerms, instrument: Instrument, positions: list[BrokerPosition], holdings: Sequence[BrokerHolding] = ()
) -> bool:
    """False only for an order that reduces what the client holds in its trade type without flipping it; for
    DELIVERY that is the day's position and the demat holding together (selling held shares reduces exposure)."""
    held = lots(instrument.token_id, instrument.exchange, positions, holdings)
    net = sum(lot.net_quantity for lot in held if lot.trade_type == terms.trade_type)
    reducing = (net > 0 and terms.side == Side.SELL) or (net < 0 and terms.side == Side.BUY)
    return not (reducing and terms.quantity <= abs(net))


def gross_exposure(positions: list[BrokerPosition]) -> Decimal:
    return sum((abs(p.net_quantity) * (p.last_price or p.average_price) for p in positions), ZERO)


def day_pnl(positions: list[BrokerPosition]) -> Decimal:
    return sum((p.realised_pnl + unrealised(p) for p in positions), ZERO)


def check_static(limits: Limits, instrument: Instrument, terms: OrderTerms, price: Decimal | None) -> None:
    """Every rule that needs no broker books: instrument lists, quantity, value, price band."""
    token = instrument.token_id
    if token in limits.denied_token_ids or (
        limits.allowed_token_ids is not None and token not in limits.allowed_token_ids
    ):
        raise _reject("INSTRUMENT_NOT_ALLOWED", f"{instrument.symbol} is not allowed for this client.", token_id=token)
    if limits.max_order_quantity is not None and terms.quantity > limits.max_order_quantity:
        raise _reject(
            "MAX_ORDER_QUANTITY",
            f"Quantity {terms.quantity} is above the limit of {limits.max_order_quantity}.",
            limit=limits.max_order_quantity,
        )
    if limits.max_order_value is not None:
        unit = terms.price or price
        if unit is None:
            raise _reject("MAX_ORDER_VALUE", f"No last price for {instrument.symbol} to value the order against.")
        value = unit * terms.quantity
        if value > limits.max_order_value:
            raise _reject(
                "MAX_ORDER_VALUE",
                f"Order value {value:.2f} is above the limit of {limits.max_order_value}.",
                value=f"{value:.2f}",
                limit=limits.max_order_value,
            )
    if limits.price_band_pct is not None and terms.order_type in PRICED and terms.price is not None:
        if price is None:
            raise _reject("PRICE_BAND", f"No last price for {instrument.symbol} to check the price band against.")
        band = price * limits.price_band_pct / HUNDRED
        if abs(terms.price - price) > band:
            raise _reject(
                "PRICE_BAND",
                f"Price {terms.price} is more than {limits.price_band_pct}% away from the last price {price}.",
                last_price=price,
                band_pct=limits.price_band_pct,
            )


def check_books(limits: Limits, instrument: Instrument, terms: OrderTerms, price: Decimal | None, books: Books) -> None:
    """Daily loss and gross exposure (of positions; demat holdings are investments, not exposure) for an order
    that adds to what the client holds."""
    positions = books.positions
    if not increases_exposure(terms, instrument, positions, books.holdings):
        return
    if limits.max_daily_loss is not None:
        pnl = day_pnl(positions)
        if pnl < -limits.max_daily_loss:
            raise _reject(
                "DAILY_LOSS",
                f"Today's P&L {pnl:.2f} is beyond the daily loss limit of {limits.max_daily_loss}; only exits go.",
                pnl=f"{pnl:.2f}",
                limit=limits.max_daily_loss,
            )
    if limits.max_gross_exposure is not None:
        unit = terms.price or price
        if unit is None:
            raise _reject("GROSS_EXPOSURE", f"No last price for {instrument.symbol} to value the order against.")
        after = gross_exposure(positions) + unit * terms.quantity
        if after > limits.max_gross_exposure:
            raise _reject(
                "GROSS_EXPOSURE",
                f"Gross exposure would be {after:.2f}, above the limit of {limits.max_gross_exposure}.",
                exposure=f"{after:.2f}",
                limit=limits.max_gross_exposure,
            )


async def check_orders(
    ctx: AppContext, session: AsyncSession, instrument: Instrument, orders: Sequence[tuple[Client, OrderTerms]]
) -> dict[int, RiskRejected]:
    """Each client's refusal, if any; clients absent from the answer passed every limit.

    Call it before writing anything in `session`: when a limit needs the broker (a price, positions), the session
    gives its connection back first, so none is held while the broker answers.
    """
    client_ids = [c.id for c, _ in orders if c.id is not None]
    limits = await limits_for(session, client_ids)
    price = None
    if any(lim.needs_price for lim in limits.values()):
        await release_connection(session)
        price = await last_price(ctx, instrument)
    refused: dict[int, RiskRejected] = {}
    need_books: list[tuple[Client, OrderTerms]] = []
    for client, terms in orders:
        assert client.id is not None
        try:
            check_static(limits[client.id], instrument, terms, price)
        except RiskRejected as exc:
            refused[client.id] = exc
            continue
        if limits[client.id].needs_positions:
            need_books.append((client, terms))
    found = await asyncio.gather(*(_books(ctx, c, t) for c, t in need_books), return_exceptions=True)
    for (client, terms), books in zip(need_books, found, strict=True):
        assert client.id is not None
        if isinstance(books, BrokerError):
            # Fail closed: a limit that cannot be checked refuses the order.
            code = "DAILY_LOSS" if limits[client.id].max_daily_loss is not None else "GROSS_EXPOSURE"
            refused[client.id] = _reject(code, f"The client's positions could not be read to check limits: {books}")
            continue
        if isinstance(books, BaseException):
            raise books
        try:
            check_books(limits[client.id], instrument, terms, price, books)
        except RiskRejected as exc:
            refused[client.id] = exc
    return refused
