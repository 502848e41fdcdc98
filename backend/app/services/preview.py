"""Preview of an execute-all body: what each client's order would be, cost and meet, with nothing written or sent.

The rows come from the same plan execute-all sends (app/services/allocation.py) and the same checks: the shared
terms (a 422 refuses the whole body, as execute-all would), each row's lot and active checks, and the pre-trade
risk limits (check_orders only reads). Per row: value = quantity x the sizing price; margin required = value /
the broker's leverage for the trade type (app/brokers/base.py DEFAULT_LEVERAGE, the simulator's own table);
margin available = the broker's figure now; charges from app/brokers/charges.py. Warnings never refuse anything.

A kill switch in force is checked as execute-all checks it (app/services/risk.py ensure_not_halted): a firm halt or a
halt on the caller covers every row, a halt on an advisor covers that advisor's clients. Each covered row's verdict
is TRADING_HALTED and the totals count them, since execute-all would refuse the whole body with a 409.
"""

import asyncio
from decimal import Decimal

from app.brokers.base import BrokerFunds
from app.brokers.charges import estimate
from app.context import AppContext
from app.db import release_connection
from app.market.clock import IST
from app.models import Client, TradingHalt, User
from app.schemas.orders import ExecuteAllRequest
from app.schemas.preview import ChargesOut, PreviewOut, PreviewRow, PreviewTotals, PreviewWarning, RiskVerdict
from app.services import trading_day
from app.services.accounts import broker_account
from app.services.allocation import Plan, Row, leverage, plan, sizing_price
from app.services.batches import row_denial, terms_of
from app.services.instruments import get_instrument
from app.services.order_terms import OrderTerms
from app.services.orders import side_of
from app.services.portfolio import Books
from app.services.risk import active_halts, check_orders, halt_applies, halt_text

ZERO = Decimal("0.00")
PAISE = Decimal("0.01")
REASON_WARNINGS = ("ROUNDS_TO_ZERO", "CLIENT_INACTIVE", "BOOKS_UNREADABLE")


async def preview(ctx: AppContext, user: User, body: ExecuteAllRequest) -> PreviewOut:
    async with ctx.sessions() as session:
        instrument = await get_instrument(session, body.token_id)
        planned = await plan(ctx, session, user, body, instrument)
        price, source = planned.price, planned.price_source
        if price is None:
            price, found = await sizing_price(ctx, body, instrument)
            source = found if price is not None else None
        clients = planned.clients
        denials: dict[int, str] = {}
        to_check: list[tuple[Client, OrderTerms]] = []
        for row in planned.rows:
            if row.quantity > 0:
                denial = row_denial(clients[row.client_id], instrument, row.quantity)
                if denial is not None:
                    denials[row.client_id] = denial
                else:
                    to_check.append((clients[row.client_id], terms_of(body, row.quantity)))
        refused = await check_orders(ctx, session, instrument, to_check) if to_check else {}
        halted = _halted(await active_halts(session), user, clients)
        await release_connection(session)
    funds = await _funds(ctx, planned, [clients[r.client_id] for r in planned.rows if r.client_id not in denials])
    market_open = all(trading_day.broker_open(ctx, client.broker, instrument.exchange) for client in clients.values())
    closed_words = None if market_open else _closed_words(ctx, instrument.exchange, amo=bool(body.amo))
    rows = []
    for row in planned.rows:
        client = clients[row.client_id]
        value = (row.quantity * price).quantize(PAISE) if price is not None else ZERO
        margin_required = (value / leverage(ctx, client, body)).quantize(PAISE)
        available = funds.get(row.client_id)
        charges = estimate(value, side_of(body.execution), body.trade_type, instrument.exchange)
        verdict = RiskVerdict(ok=True)
        if (halt := halted.get(row.client_id)) is not None:
            verdict = RiskVerdict(ok=False, code="TRADING_HALTED", message=halt)
        elif (denial := denials.get(row.client_id)) is not None:
            code, _, message = denial.partition(": ")
            verdict = RiskVerdict(ok=False, code=code, message=message)
        elif (exc := refused.get(row.client_id)) is not None:
            verdict = RiskVerdict(ok=False, code=exc.code, message=exc.message)
        rows.append(
            PreviewRow(
                client_id=row.client_id,
                client_name=client.display_name,
                quantity=row.quantity,
                value=value,
                margin_required=margin_required,
                margin_available=available,
                charges=ChargesOut(**charges.as_dict()),
                risk=verdict,
                warnings=_warnings(row, verdict, margin_required, available, closed_words),
                sizing=row.sizing,  # type: ignore[arg-type]
            )
        )
    return PreviewOut(
        token_id=instrument.token_id,
        symbol=instrument.symbol,
        price=price,
        price_source=source,  # type: ignore[arg-type]
        market_open=market_open,
        rows=rows,
        totals=PreviewTotals(
            quantity=sum(r.quantity for r in rows),
            value=sum((r.value for r in rows), ZERO),
            margin_required=sum((r.margin_required for r in rows), ZERO),
            charges_total=sum((r.charges.total for r in rows), ZERO),
            halted=len(halted),
        ),
    )


def _warnings(
    row: Row, verdict: RiskVerdict, required: Decimal, available: Decimal | None, closed_words: str | None
) -> list[PreviewWarning]:
    out: list[PreviewWarning] = []
    if row.reason is not None:
        code, _, message = row.reason.partition(": ")
        if code in REASON_WARNINGS:
            out.append(PreviewWarning(code=code, message=message))  # type: ignore[arg-type]
    if verdict.code == "TRADING_HALTED":
        out.append(PreviewWarning(code="TRADING_HALTED", message=verdict.message or ""))
    elif verdict.code == "CLIENT_INACTIVE":
        out.append(PreviewWarning(code="CLIENT_INACTIVE", message=verdict.message or ""))
    elif not verdict.ok:
        out.append(PreviewWarning(code="RISK_LIMIT", message=f"{verdict.code}: {verdict.message}"))
    if row.quantity > 0 and row.raw_quantity is not None and row.raw_quantity != row.quantity:
        out.append(PreviewWarning(code="LOT_ROUNDED", message=f"{row.raw_quantity} rounded down to {row.quantity}"))
    if row.quantity > 0 and available is not None and required > available:
        out.append(
            PreviewWarning(
                code="INSUFFICIENT_MARGIN",
                message=f"Margin required {required} is more than the {available} available.",
            )
        )
    if row.quantity > 0 and closed_words is not None:
        out.append(PreviewWarning(code="MARKET_CLOSED", message=closed_words))
    return out


def _closed_words(ctx: AppContext, exchange: str, *, amo: bool) -> str:
    opens = trading_day.status(ctx, exchange).next_open.astimezone(IST)
    then = "it will be sent as an after-market order (AMO)" if amo else "send it as an AMO to place it at the open"
    return f"{exchange} is closed now; it opens {opens:%a %d %b %H:%M} IST: {then}."


def _halted(halts: list[TradingHalt], user: User, clients: dict[int, Client]) -> dict[int, str]:
    """The rows a halt in force covers, each with what the 409 would say."""
    out: dict[int, str] = {}
    for client_id, client in clients.items():
        halt = next((h for h in halts if halt_applies(h, user, {client.owner_id})), None)
        if halt is not None:
            out[client_id] = f"{halt_text(halt)} Execute-all would be refused; exits still work."
    return out


async def _funds(ctx: AppContext, planned: Plan, clients: list[Client]) -> dict[int, Decimal]:
    """Each client's available margin: from the books sizing already read, else asked now (None if unreadable)."""
    out: dict[int, Decimal] = {}
    ask: list[Client] = []
    for client in clients:
        assert client.id is not None
        books = planned.books.get(client.id)
        if isinstance(books, Books):
            out[client.id] = books.funds.margin_available
        elif books is None and client.is_active:
            ask.append(client)

    async def read(client: Client) -> BrokerFunds:
        account = broker_account(ctx.vault, client)
        return await ctx.brokers.call(client.broker, lambda adapter: adapter.funds(account), read=True)

    found = await asyncio.gather(*(read(c) for c in ask), return_exceptions=True)
    for client, result in zip(ask, found, strict=True):
        if isinstance(result, BrokerFunds):
            out[client.id] = result.margin_available  # type: ignore[index]
        elif not isinstance(result, Exception):
            raise result
    return out
