"""An execute-all body's rows: explicit allocations as given, or a group / client list sized by an allocation method.

Preview and execute-all both call `plan`, so the quantities a preview shows are the ones execute-all sends: the
same members, the same price (the order's limit price, else the market-data port's last price) and the same
sizing functions (app/services/sizing.py). A deactivated member gets no order ("CLIENT_INACTIVE: ...").

Every 422 about the allocation names the body field at fault in `details.field` ("group_id", "client_ids",
"allocation.method", "allocation.percent", ...), so the desk shows it beside that field of its picker.

Equity (pct_equity) is the broker's cash + demat holdings at the last price + the unrealised P&L of open positions
(a position's cost is margin blocked out of that cash, not spent, so its market value would count it twice).
"""

import asyncio
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.brokers.base import DEFAULT_LEVERAGE
from app.context import AppContext
from app.db import release_connection
from app.errors import InvalidRequest, NotFound
from app.models import Client, ClientGroupMember, Instrument, User
from app.models.instrument import instrument_ref
from app.schemas.orders import ExecuteAllRequest
from app.services.clients import visible_clients
from app.services.groups import get_visible
from app.services.market_data import last_prices
from app.services.order_terms import PRICED, Bounds, TermsError, check_on_tick, check_price_fields
from app.services.portfolio import Books, holding_rows, read_books, read_error, unrealised
from app.services.sizing import BOOK_METHODS, PRICED_METHODS, Member, Method, Sized, size_simple
from app.services.sizing import available_margin as size_by_margin
from app.services.sizing import pct_equity as size_by_equity

INPUTS = {
    Method.FIXED: "quantity",
    Method.EQUAL_SPLIT: "total_quantity",
    Method.RATIO: "total_quantity",
    Method.AMOUNT: "amount",
    Method.PCT_EQUITY: "percent",
    Method.AVAILABLE_MARGIN: "percent",
}


@dataclass(slots=True)
class Row:
    client_id: int
    quantity: int
    reason: str | None = None  # why no order (quantity 0)
    sizing: dict[str, Any] | None = None
    raw_quantity: Decimal | None = None


@dataclass(slots=True)
class Plan:
    rows: list[Row]
    clients: dict[int, Client]
    price: Decimal | None = None
    price_source: str | None = None
    books: dict[int, Books | str] = field(default_factory=dict)  # what was read for sizing, or why it was not


def check_form(body: ExecuteAllRequest) -> Method | None:
    """The sizing method, None for explicit allocations; a body mixing the two forms or missing an input is a 422."""
    chosen = body.group_id is not None or body.client_ids is not None
    if body.allocations is not None and (chosen or body.allocation is not None):
        raise InvalidRequest(
            "Give either allocations or a group_id / client_ids with an allocation, not both.",
            code="ALLOCATION_CONFLICT",
        )
    if body.allocations is not None:
        return None
    if body.group_id is not None and body.client_ids is not None:
        raise InvalidRequest("Give a group_id or client_ids, not both.", code="ALLOCATION_CONFLICT")
    if not chosen or body.allocation is None:
        raise InvalidRequest(
            "Give allocations, or a group_id / client_ids together with an allocation method.",
            code="ALLOCATION_INPUT",
            details={"field": "allocation" if chosen else "group_id"},
        )
    method = Method(body.allocation.method)
    wanted = INPUTS[method]
    given = {name for name in set(INPUTS.values()) if getattr(body.allocation, name) is not None}
    if given != {wanted}:
        raise InvalidRequest(
            f"The {method} method takes `{wanted}` and nothing else.",
            code="ALLOCATION_INPUT",
            details={"method": method.value, "input": wanted, "field": f"allocation.{wanted}"},
        )
    return method


async def _members(session: AsyncSession, user: User, body: ExecuteAllRequest) -> list[Member]:
    if body.group_id is not None:
        group = await get_visible(session, user, body.group_id)
        rows = await session.scalars(
            select(ClientGroupMember)
            .where(ClientGroupMember.group_id == group.id)
            .order_by(ClientGroupMember.client_id)  # type: ignore[arg-type]
        )
        members = [Member(m.client_id, m.multiplier) for m in rows]
        if not members:
            raise InvalidRequest(
                f"Group {group.name!r} has no members.", code="ALLOCATION_INPUT", details={"field": "group_id"}
            )
        return members
    return [Member(client_id) for client_id in body.client_ids or []]


async def visible_clients_by_id(
    session: AsyncSession, user: User, client_ids: list[int], field: str | None = None
) -> dict[int, Client]:
    clients = {c.id: c for c in await session.scalars(visible_clients(user).where(Client.id.in_(client_ids)))}
    missing = [client_id for client_id in client_ids if client_id not in clients]
    if missing:
        raise NotFound(
            f"No client with id {missing[0]}.",
            code="CLIENT_NOT_FOUND",
            details={"client_ids": missing, **({"field": field} if field else {})},
        )
    return clients  # type: ignore[return-value]


async def sizing_price(ctx: AppContext, body: ExecuteAllRequest, instrument: Instrument) -> tuple[Decimal | None, str]:
    """The order's own limit price, else the market-data port's last price (None when it has none)."""
    if body.order_type in PRICED and body.price is not None:
        return body.price, "limit"
    prices = await last_prices(ctx.market, [instrument_ref(instrument)])
    return prices.get(instrument.token_id), "market"


def leverage(ctx: AppContext, client: Client, body: ExecuteAllRequest) -> Decimal:
    table = ctx.brokers.adapter(client.broker).capabilities.leverage
    return table.get(body.trade_type, DEFAULT_LEVERAGE[body.trade_type])


async def plan(
    ctx: AppContext, session: AsyncSession, user: User, body: ExecuteAllRequest, instrument: Instrument
) -> Plan:
    """The rows to send, in request order, once the terms every row shares are checked: those are the request's
    fault, refused whole with nothing written; so is a quantity past the desk's maximum (a slip of the finger in
    one row says the whole request needs a second look). Execute-all and preview both plan through here, so a
    preview shows what execute-all sends. Call it before writing in `session` (it may release the connection)."""
    check_price_fields(body.order_type, body.price, body.trigger_price)
    method = check_form(body)
    bounds = Bounds.of(ctx.settings)
    bounds.check(None, body.price, body.trigger_price)
    check_on_tick(instrument, body.price, "price")
    check_on_tick(instrument, body.trigger_price, "trigger price")
    planned = await _plan(ctx, session, user, body, instrument, method)
    try:
        bounds.check_quantity(max((row.quantity for row in planned.rows), default=0))
    except TermsError as exc:
        # A sized quantity past the maximum comes from the method's input, so that is the field to change.
        exc.details.setdefault("field", f"allocation.{INPUTS[method]}" if method is not None else "allocations")
        raise
    return planned


async def _plan(
    ctx: AppContext,
    session: AsyncSession,
    user: User,
    body: ExecuteAllRequest,
    instrument: Instrument,
    method: Method | None,
) -> Plan:
    if method is None:
        assert body.allocations is not None
        clients = await visible_clients_by_id(session, user, [a.client_id for a in body.allocations], "allocations")
        return Plan([Row(a.client_id, a.quantity) for a in body.allocations], clients)
    assert body.allocation is not None
    members = await _members(session, user, body)
    field = "client_ids" if body.client_ids is not None else "group_id"
    clients = await visible_clients_by_id(session, user, [m.client_id for m in members], field)
    price, source = await sizing_price(ctx, body, instrument)
    if price is None and method in PRICED_METHODS:
        raise InvalidRequest(
            f"No price to size {instrument.symbol} by: the market-data port has no last price; give a LIMIT price.",
            code="NO_PRICE_FOR_SIZING",
            details={"field": "allocation.method"},
        )
    out = Plan([], clients, price, source if price is not None else None)
    active = [m for m in members if clients[m.client_id].is_active]
    spec = body.allocation.model_dump()
    sized: dict[int, Sized | str] = {}
    if method in BOOK_METHODS:
        assert price is not None
        out.books = await _read_books(ctx, session, [clients[m.client_id] for m in active], method)
        percent = body.allocation.percent
        assert percent is not None
        for m in active:
            books = out.books[m.client_id]
            if isinstance(books, str):
                sized[m.client_id] = f"BOOKS_UNREADABLE: {books}"
            elif method is Method.PCT_EQUITY:
                equity = await _equity(ctx, session, books)
                sized[m.client_id] = size_by_equity(m, percent, equity, price, instrument.lot_size)
            else:
                lev = leverage(ctx, clients[m.client_id], body)
                margin = books.funds.margin_available
                sized[m.client_id] = size_by_margin(m, percent, margin, lev, price, instrument.lot_size)
    else:
        for s in size_simple(method, active, spec, price, instrument.lot_size):
            sized[s.client_id] = s
    for m in members:
        result = sized.get(m.client_id)
        if result is None:
            out.rows.append(Row(m.client_id, 0, "CLIENT_INACTIVE: the client is deactivated"))
        elif isinstance(result, str):
            out.rows.append(Row(m.client_id, 0, result))
        else:
            out.rows.append(
                Row(
                    m.client_id,
                    result.quantity,
                    result.reason,
                    result.describe(method, out.price, out.price_source),
                    result.raw_quantity,
                )
            )
    return out


async def _equity(ctx: AppContext, session: AsyncSession, books: Books) -> Decimal:
    """Cash + holdings at the last price (the average cost where there is none) + positions' unrealised P&L."""
    held = await holding_rows(ctx, session, books)
    holdings = sum((h.quantity * (h.last_price or h.average_price) for h in held), Decimal(0))
    return books.funds.cash + holdings + sum((unrealised(p) for p in books.positions), Decimal(0))


async def _read_books(
    ctx: AppContext, session: AsyncSession, clients: list[Client], method: Method
) -> dict[int, Books | str]:
    await release_connection(session)  # no connection held while the brokers answer
    with_holdings = method is Method.PCT_EQUITY
    found = await asyncio.gather(
        *(read_books(ctx, c, with_holdings=with_holdings) for c in clients), return_exceptions=True
    )
    out: dict[int, Books | str] = {}
    for client, books in zip(clients, found, strict=True):
        assert client.id is not None
        if isinstance(books, BaseException):
            out[client.id] = read_error(client, books)
            continue
        out[client.id] = books
    return out
