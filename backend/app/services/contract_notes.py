"""A client's contract note for one trading day: that day's trades from the broker's trade book, grouped by order,
with each order's charges (app/brokers/charges.py, the table the simulator debits), in the layout of an Indian
contract note: the header (broker, client, trade date, settlement), the trades, then the obligation and the levies
and the net amount. Rendered as CSV here and as PDF in contract_note_pdf.py.

An order's charges are those of its value that day, so they equal what the simulator debited when the order
filled within the day (its fills' charges add up to the order's). Settlement is T+1 (the next weekday).
"""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.brokers.base import BrokerError, BrokerTrade
from app.brokers.charges import Charges, estimate
from app.context import AppContext
from app.db import release_connection
from app.enums import Side
from app.errors import BrokerDown
from app.models import Client, Instrument, User
from app.services.accounts import broker_account
from app.services.clients import get_visible

IST = ZoneInfo("Asia/Kolkata")
PAISE = Decimal("0.01")
CHARGE_LINES = (
    ("brokerage", "Brokerage"),
    ("exchange_txn", "Exchange transaction charges"),
    ("sebi", "SEBI turnover fees"),
    ("stt", "Securities transaction tax"),
    ("stamp_duty", "Stamp duty"),
    ("gst", "GST (18% of brokerage, exchange and SEBI charges)"),
)


@dataclass(frozen=True, slots=True)
class NoteOrder:
    broker_order_id: str
    symbol: str
    exchange: str
    side: Side
    product: str
    trades: tuple[BrokerTrade, ...]
    charges: Charges

    @property
    def quantity(self) -> int:
        return sum(t.quantity for t in self.trades)

    @property
    def value(self) -> Decimal:
        return sum((t.price * t.quantity for t in self.trades), Decimal(0))

    @property
    def obligation(self) -> Decimal:
        """Pay-in (negative, a buy) or pay-out (positive, a sell) of the trades, before charges."""
        return self.value if self.side is Side.SELL else -self.value


@dataclass(frozen=True, slots=True)
class ContractNote:
    number: str
    client_id: int
    client_name: str
    client_code: str
    broker: str
    trade_date: date
    settlement_date: date
    orders: tuple[NoteOrder, ...]

    def total(self, charge: str) -> Decimal:
        return sum((getattr(o.charges, charge) for o in self.orders), Decimal(0))

    @property
    def obligation(self) -> Decimal:
        return sum((o.obligation for o in self.orders), Decimal(0))

    @property
    def charges(self) -> Decimal:
        return sum((o.charges.total for o in self.orders), Decimal(0))

    @property
    def net(self) -> Decimal:
        """Net amount receivable by the client (negative: payable by the client)."""
        return self.obligation - self.charges


def _settlement(day: date) -> date:
    following = day + timedelta(days=1)
    while following.weekday() >= 5:
        following += timedelta(days=1)
    return following


async def build(ctx: AppContext, session: AsyncSession, user: User, client_id: int, day: date) -> ContractNote:
    client = await get_visible(session, user, client_id)
    await release_connection(session)
    account = broker_account(ctx.vault, client)
    try:
        trades = await ctx.brokers.call(client.broker, lambda adapter: adapter.trade_book(account), read=True)
    except BrokerError as exc:
        raise BrokerDown(f"could not read the trade book: {exc}") from None
    todays = [t for t in trades if t.ts.astimezone(IST).date() == day]
    tokens = {t.token_id for t in todays}
    found = (await session.scalars(select(Instrument).where(Instrument.token_id.in_(tokens)))).all() if tokens else []
    await release_connection(session)
    instruments = {i.token_id: i for i in found}
    by_order: dict[str, list[BrokerTrade]] = {}
    for trade in sorted(todays, key=lambda t: (t.ts, t.trade_id)):
        by_order.setdefault(trade.broker_order_id, []).append(trade)
    orders = []
    for order_id, fills in by_order.items():
        first = fills[0]
        instrument = instruments.get(first.token_id)
        exchange = instrument.exchange if instrument else "NSE"
        value = sum((t.price * t.quantity for t in fills), Decimal(0))
        orders.append(
            NoteOrder(
                broker_order_id=order_id,
                symbol=instrument.symbol if instrument else str(first.token_id),
                exchange=exchange,
                side=first.side,
                product=first.trade_type.value,
                trades=tuple(fills),
                charges=estimate(value, first.side, first.trade_type, exchange),
            )
        )
    return _note(client, day, orders)


def _note(client: Client, day: date, orders: list[NoteOrder]) -> ContractNote:
    assert client.id is not None
    return ContractNote(
        number=f"CN-{client.id}-{day:%Y%m%d}",
        client_id=client.id,
        client_name=client.display_name,
        client_code=client.broker_client_id,
        broker=client.broker.value,
        trade_date=day,
        settlement_date=_settlement(day),
        orders=tuple(orders),
    )


def money(value: Decimal) -> str:
    return str(value.quantize(PAISE))


def ist(at: datetime) -> str:
    return at.astimezone(IST).strftime("%H:%M:%S")


TRADE_COLUMNS = (
    "Order No.", "Trade No.", "Trade Time (IST)", "Security", "Exchange", "Buy(B)/Sell(S)", "Product",
    "Quantity", "Trade Price", "Net Total",
)  # fmt: skip


def trade_rows(note: ContractNote) -> list[list[str]]:
    rows = []
    for order in note.orders:
        for t in order.trades:
            total = t.price * t.quantity
            rows.append(
                [
                    order.broker_order_id, t.trade_id, ist(t.ts), order.symbol, order.exchange,
                    "B" if t.side is Side.BUY else "S", order.product, str(t.quantity), str(t.price),
                    money(-total if t.side is Side.BUY else total),
                ]
            )  # fmt: skip
    return rows


def summary_rows(note: ContractNote) -> list[tuple[str, str]]:
    """The obligation, each levy (as paid: negative), and the net; the sign convention of a contract note."""
    lines = [("Pay in / pay out obligation", money(note.obligation))]
    lines += [(label, money(-note.total(name))) for name, label in CHARGE_LINES]
    net = note.net
    lines.append(("Net amount receivable by client" if net >= 0 else "Net amount payable by client", money(net)))
    return lines


def header_rows(note: ContractNote) -> list[tuple[str, str]]:
    return [
        ("Contract note no.", note.number),
        ("Broker", f"MultiDesk ({note.broker})"),
        ("Client", note.client_name),
        ("Client code", note.client_code),
        ("Trade date", note.trade_date.strftime("%d/%m/%Y")),
        ("Settlement date", note.settlement_date.strftime("%d/%m/%Y")),
    ]


def to_csv(note: ContractNote) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["CONTRACT NOTE CUM TAX INVOICE"])
    writer.writerows(header_rows(note))
    writer.writerow([])
    writer.writerow(TRADE_COLUMNS)
    writer.writerows(trade_rows(note))
    writer.writerow([])
    writer.writerows(summary_rows(note))
    return out.getvalue()
