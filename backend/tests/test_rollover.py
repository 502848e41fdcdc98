"""The day rollover: yesterday's open DAY orders are expired (CANCELLED, reason EXPIRED) while orders written after
the close stay; the simulator's day P&L starts at zero (yesterday's realised P&L stays in cash) so the daily-loss
limit sees today only; and yesterday's close becomes the reference for change %."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import update

from app.brokers.base import BrokerAccount, BrokerOrderRequest, InstrumentRef
from app.brokers.simulator import SimulatorBroker, SimulatorSettings
from app.context import AppContext
from app.enums import OrderType, Side, TradeType
from app.market.clock import FixedClock
from app.models import Order
from app.services.rollover import expire_day_orders
from tests.conftest import Actor, MakeClients, Simulator, place_order

IST = ZoneInfo("Asia/Kolkata")
D = Decimal
RELIANCE = 2885


@pytest.fixture
def clock(ctx: AppContext) -> Iterator[FixedClock]:
    fixed = FixedClock(datetime(2026, 12, 1, 9, 5, tzinfo=IST))  # Tuesday, before the open
    before = ctx.clock
    ctx.clock = fixed
    yield fixed
    ctx.clock = before


async def backdate(ctx: AppContext, order_id: int, at: datetime) -> None:
    async with ctx.sessions() as session:
        await session.execute(update(Order).where(Order.id == order_id).values(created_at=at))
        await session.commit()


async def test_yesterdays_open_day_orders_expire_and_orders_after_the_close_stay(
    http: httpx.AsyncClient, advisor: Actor, make_clients: MakeClients, sim: Simulator, ctx: AppContext,
    clock: FixedClock,
) -> None:  # fmt: skip
    [client] = await make_clients(advisor, 1)
    await sim.price(RELIANCE, "1400.00")
    ids = []
    for _ in range(2):
        placed = await place_order(
            http, advisor.headers, client_id=client.id, order_type="LIMIT", price="1300.00", quantity=2
        )
        assert placed.json()["status"] == "OPEN", placed.text
        ids.append(placed.json()["id"])
    filled = (await place_order(http, advisor.headers, client_id=client.id)).json()
    during, after_close = ids
    await backdate(ctx, during, datetime(2026, 11, 30, 11, 0, tzinfo=IST))  # Monday's session
    await backdate(ctx, after_close, datetime(2026, 11, 30, 17, 0, tzinfo=IST))  # after Monday's close
    await backdate(ctx, filled["id"], datetime(2026, 11, 30, 11, 0, tzinfo=IST))

    assert await expire_day_orders(ctx) == [during]
    assert await expire_day_orders(ctx) == []  # the next pass: nothing more
    statuses = {}
    for order_id in (during, after_close, filled["id"]):
        order = (await http.get(f"/api/v1/orders/{order_id}", headers=advisor.headers)).json()
        statuses[order_id] = (order["status"], (order["reason"] or "").split(":")[0])
    assert statuses == {during: ("CANCELLED", "EXPIRED"), after_close: ("OPEN", ""), filled["id"]: ("FILLED", "")}

    clock.set(datetime(2026, 12, 1, 15, 31, tzinfo=IST))  # Tuesday's close has passed: the other one goes too
    assert await expire_day_orders(ctx) == [after_close]


INFY = InstrumentRef(
    token_id=1594, symbol="INFY", exchange="NSE", instrument_type="EQ", lot_size=1, tick_size=D("0.05")
)
BOB = BrokerAccount(client_id=3, broker_client_id="SIM-3", credentials={}, opening_cash=D("100000"))


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 5, 0, tzinfo=UTC)  # Tuesday 10:30 IST

    def __call__(self) -> datetime:
        return self.now


def order(side: Side, quantity: int) -> BrokerOrderRequest:
    return BrokerOrderRequest(
        tag=f"{side}-{quantity}-{datetime.now().timestamp()}", instrument=INFY, side=side, quantity=quantity,
        order_type=OrderType.MARKET, trade_type=TradeType.INTRADAY,
    )  # fmt: skip


async def test_the_simulators_day_pnl_starts_at_zero_and_yesterdays_close_is_the_reference() -> None:
    clock = Clock()
    broker = SimulatorBroker(
        SimulatorSettings(seed=1, slippage_bps=D(0), charges=False), initial_prices={INFY.token_id: D("100")},
        clock=clock,
    )  # fmt: skip
    broker.register(INFY)
    await broker.place_order(BOB, order(Side.BUY, 30))
    broker.set_price(INFY.token_id, D("90"))
    await broker.place_order(BOB, order(Side.SELL, 20))  # realised -200; 10 carried
    [position] = await broker.positions(BOB)
    assert (position.realised_pnl, position.net_quantity) == (D("-200.00"), 10)
    broker.set_price(INFY.token_id, D("95"))  # Tuesday's last price

    clock.now += timedelta(days=1)  # Wednesday
    broker.set_price(INFY.token_id, D("96"))
    [carried] = await broker.positions(BOB)
    # The loss stays in cash; the day's book starts at zero, so the daily-loss limit (which sums it) sees today only.
    assert (carried.realised_pnl, carried.net_quantity, carried.average_price) == (D("0.00"), 10, D("100"))
    assert (await broker.funds(BOB)).cash == D("99800.00")
    [quote] = (await broker.quote([INFY])).values()
    assert (quote.prev_close, quote.open, quote.ltp) == (D("95"), D("96"), D("96"))

    await broker.place_order(BOB, order(Side.SELL, 10))
    clock.now += timedelta(days=1)  # Thursday: a flat position leaves the book
    assert await broker.positions(BOB) == []
    assert (await broker.funds(BOB)).cash == D("99760.00")
