"""The simulated broker's order handling: matching on scripted prices, margin, holdings, P&L, modify and cancel."""

import asyncio
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from app.brokers.base import (
    BrokerAccount,
    BrokerAdapter,
    BrokerOrder,
    BrokerOrderNotFound,
    BrokerOrderRequest,
    BrokerRejected,
    InstrumentRef,
)
from app.brokers.simulator import SimulatorBroker, SimulatorSettings
from app.enums import OrderStatus, OrderType, Side, TradeType

D = Decimal
INFY = InstrumentRef(
    token_id=1594, symbol="INFY", exchange="NSE", instrument_type="EQ", lot_size=1, tick_size=D("0.05")
)
NIFTY_FUT = InstrumentRef(
    token_id=35001, symbol="NIFTY-FUT", exchange="NFO", instrument_type="FUTIDX", lot_size=50, tick_size=D("0.05")
)
ALICE = BrokerAccount(client_id=1, broker_client_id="SIM-A", credentials={}, opening_cash=D("1000000"))


def make_broker(price: str = "100", **settings: Any) -> SimulatorBroker:
    broker = SimulatorBroker(SimulatorSettings(seed=7, **settings), initial_prices={INFY.token_id: D(price)})
    broker.register(INFY)
    return broker


def account(cash: str, client_id: int = 2) -> BrokerAccount:
    return BrokerAccount(client_id=client_id, broker_client_id=f"SIM-{client_id}", credentials={}, opening_cash=D(cash))


_tags = iter(range(1, 1_000_000))


def req(
    side: Side,
    quantity: int,
    order_type: OrderType = OrderType.MARKET,
    trade_type: TradeType = TradeType.INTRADAY,
    price: str | None = None,
    trigger: str | None = None,
    tag: str | None = None,
    instrument: InstrumentRef = INFY,
) -> BrokerOrderRequest:
    return BrokerOrderRequest(
        tag=tag or f"ord-{next(_tags)}",
        instrument=instrument,
        side=side,
        quantity=quantity,
        order_type=order_type,
        trade_type=trade_type,
        price=None if price is None else D(price),
        trigger_price=None if trigger is None else D(trigger),
    )


def test_the_simulator_satisfies_the_adapter_contract() -> None:
    broker = make_broker()
    assert isinstance(broker, BrokerAdapter)
    caps = broker.capabilities
    assert caps.order_types == frozenset(OrderType)
    assert caps.trade_types == frozenset(TradeType)
    assert caps.supports_modify and caps.partial_fills and caps.pushes_order_updates
    assert caps.orders_per_second is None


def test_account_credentials_never_show_in_repr() -> None:
    acct = BrokerAccount(client_id=1, broker_client_id="X", credentials={"password": "hunter2"}, opening_cash=D(0))
    assert "hunter2" not in repr(acct)


@pytest.mark.asyncio
async def test_market_orders_fill_at_once_with_slippage_against_the_trader() -> None:
    broker = make_broker("101")
    buy = await broker.place_order(ALICE, req(Side.BUY, 10))
    sell = await broker.place_order(ALICE, req(Side.SELL, 10))

    # 101 x 1.0005 = 101.0505 rounds up to 101.10; 101 x 0.9995 = 100.9495 rounds down to 100.90.
    assert (buy.status, buy.filled_quantity, buy.average_price) == (OrderStatus.FILLED, 10, D("101.10"))
    assert (sell.status, sell.average_price) == (OrderStatus.FILLED, D("100.90"))
    trades = await broker.trade_book(ALICE)
    assert [(t.side, t.quantity, t.price, t.tag) for t in trades] == [
        (Side.BUY, 10, D("101.10"), buy.tag),
        (Side.SELL, 10, D("100.90"), sell.tag),
    ]


@pytest.mark.asyncio
async def test_limit_buy_rests_until_the_price_crosses_and_fills_at_the_better_price() -> None:
    broker = make_broker("100")
    ack = await broker.place_order(ALICE, req(Side.BUY, 10, OrderType.LIMIT, price="99"))
    assert (ack.status, ack.filled_quantity, ack.average_price) == (OrderStatus.OPEN, 0, None)

    broker.set_price(INFY.token_id, D("99.50"))
    assert (await broker.order_status(ALICE, ack.broker_order_id)).status is OrderStatus.OPEN

    broker.set_price(INFY.token_id, D("98.70"))
    filled = await broker.order_status(ALICE, ack.broker_order_id)
    assert (filled.status, filled.filled_quantity, filled.average_price) == (OrderStatus.FILLED, 10, D("98.70"))


@pytest.mark.asyncio
async def test_limit_sell_fills_when_the_price_reaches_the_limit() -> None:
    broker = make_broker("100")
    ack = await broker.place_order(ALICE, req(Side.SELL, 5, OrderType.LIMIT, price="101"))
    broker.set_price(INFY.token_id, D("100.95"))
    assert (await broker.order_status(ALICE, ack.broker_order_id)).status is OrderStatus.OPEN
    broker.set_price(INFY.token_id, D("101"))
    filled = await broker.order_status(ALICE, ack.broker_order_id)
    assert (filled.status, filled.average_price) == (OrderStatus.FILLED, D("101"))


@pytest.mark.asyncio
async def test_stop_limit_buy_triggers_then_works_as_a_limit() -> None:
    broker = make_broker("100")
    ack = await broker.place_order(ALICE, req(Side.BUY, 10, OrderType.SL, price="102.50", trigger="102"))

    broker.set_price(INFY.token_id, D("101"))  # under the limit but not triggered: must not fill
    assert (await broker.order_status(ALICE, ack.broker_order_id)).status is OrderStatus.OPEN
    broker.set_price(INFY.token_id, D("103"))  # triggered, but above the limit
    assert (await broker.order_status(ALICE, ack.broker_order_id)).status is OrderStatus.OPEN
    broker.set_price(INFY.token_id, D("102.20"))
    filled = await broker.order_status(ALICE, ack.broker_order_id)
    assert (filled.status, filled.average_price) == (OrderStatus.FILLED, D("102.20"))


@pytest.mark.asyncio
async def test_stop_market_sell_triggers_and_fills_as_market() -> None:
    broker = make_broker("100")
    await broker.place_order(ALICE, req(Side.BUY, 10, trade_type=TradeType.DELIVERY))
    stop = await broker.place_order(ALICE, req(Side.SELL, 10, OrderType.SL_M, TradeType.DELIVERY, trigger="95"))
    broker.set_price(INFY.token_id, D("96"))
    assert (await broker.order_status(ALICE, stop.broker_order_id)).status is OrderStatus.OPEN

    broker.set_price(INFY.token_id, D("94.50"))
    filled = await broker.order_status(ALICE, stop.broker_order_id)
    # 94.50 x 0.9995 = 94.45275, rounded down to the tick.
    assert (filled.status, filled.average_price) == (OrderStatus.FILLED, D("94.45"))
    [position] = await broker.positions(ALICE)
    assert position.net_quantity == 0


@pytest.mark.asyncio
async def test_orders_fill_in_liquidity_slices_across_ticks() -> None:
    broker = make_broker("100", liquidity_per_tick=40)
    broker.register(NIFTY_FUT)
    ack = await broker.place_order(ALICE, req(Side.BUY, 100))
    assert (ack.status, ack.filled_quantity) == (OrderStatus.PARTIALLY_FILLED, 40)

    broker.set_price(NIFTY_FUT.token_id, D("20000"))  # another instrument moving is no pass for this order
    assert (await broker.order_status(ALICE, ack.broker_order_id)).filled_quantity == 40

    broker.set_price(INFY.token_id, D("100"))
    assert (await broker.order_status(ALICE, ack.broker_order_id)).filled_quantity == 80
    broker.set_price(INFY.token_id, D("102"))
    done = await broker.order_status(ALICE, ack.broker_order_id)
    assert (done.status, done.filled_quantity) == (OrderStatus.FILLED, 100)
    assert [t.quantity for t in await broker.trade_book(ALICE)] == [40, 40, 20]
    # Each slice pays its own slippage: 80 @ 100.05 and 20 @ 102.10 (102.051 rounded up) average 100.46.
    assert done.average_price == D("100.46")


@pytest.mark.parametrize(
    ("order", "code"),
    [
        (req(Side.BUY, 75, instrument=NIFTY_FUT), "INVALID_QUANTITY"),
        (req(Side.BUY, 0), "INVALID_QUANTITY"),
        (req(Side.BUY, 1, OrderType.LIMIT, price="100.03"), "INVALID_PRICE"),
        (req(Side.BUY, 1, OrderType.LIMIT), "INVALID_PRICE"),
        (req(Side.BUY, 1, OrderType.MARKET, price="100"), "INVALID_PRICE"),
        (req(Side.BUY, 1, OrderType.SL, price="101"), "INVALID_TRIGGER"),
        (req(Side.SELL, 1, OrderType.SL_M), "INVALID_TRIGGER"),
        (req(Side.BUY, 1, OrderType.SL, price="101", trigger="102"), "INVALID_TRIGGER"),
        (req(Side.SELL, 1, OrderType.SL, price="99", trigger="98"), "INVALID_TRIGGER"),
    ],
)
@pytest.mark.asyncio
async def test_bad_terms_are_rejected_and_leave_nothing_in_the_book(order: BrokerOrderRequest, code: str) -> None:
    broker = make_broker()
    broker.register(NIFTY_FUT)
    with pytest.raises(BrokerRejected) as rejected:
        await broker.place_order(ALICE, order)
    assert rejected.value.code == code
    assert rejected.value.reason.startswith(code)
    assert await broker.order_book(ALICE) == []


@pytest.mark.asyncio
async def test_lot_multiples_are_accepted() -> None:
    broker = make_broker()
    ack = await broker.place_order(ALICE, req(Side.BUY, 100, OrderType.LIMIT, price="50", instrument=NIFTY_FUT))
    assert ack.status is OrderStatus.OPEN


@pytest.mark.asyncio
async def test_a_second_order_with_the_same_tag_is_refused() -> None:
    broker = make_broker()
    first = await broker.place_order(ALICE, req(Side.BUY, 1, tag="order-42"))
    with pytest.raises(BrokerRejected) as rejected:
        await broker.place_order(ALICE, req(Side.BUY, 1, tag="order-42"))
    assert rejected.value.code == "DUPLICATE_TAG"
    assert first.broker_order_id in rejected.value.reason
    assert [o.tag for o in await broker.order_book(ALICE)] == ["order-42"]


@pytest.mark.asyncio
async def test_orders_outside_nse_hours_are_rejected_when_the_market_is_not_always_open() -> None:
    now = datetime(2025, 1, 6, 11, 0, tzinfo=UTC)  # Monday 16:30 in Kolkata
    broker = SimulatorBroker(SimulatorSettings(always_open=False), clock=lambda: now)
    with pytest.raises(BrokerRejected) as rejected:
        await broker.place_order(ALICE, req(Side.BUY, 1))
    assert rejected.value.code == "MARKET_CLOSED"

    now = datetime(2025, 1, 6, 5, 0, tzinfo=UTC)  # Monday 10:30 in Kolkata
    assert (await broker.place_order(ALICE, req(Side.BUY, 1))).status is OrderStatus.FILLED
    now = datetime(2025, 1, 4, 5, 0, tzinfo=UTC)  # Saturday
    with pytest.raises(BrokerRejected):
        await broker.place_order(ALICE, req(Side.BUY, 1))


@pytest.mark.asyncio
async def test_margin_depends_on_the_trade_types_leverage() -> None:
    broker = make_broker("100", slippage_bps=D(0), charges=False)
    bob = account("100000")
    # 2000 x 100 = 200000: DELIVERY needs it all, INTRADAY a fifth, MTF a quarter.
    with pytest.raises(BrokerRejected) as rejected:
        await broker.place_order(bob, req(Side.BUY, 2000, trade_type=TradeType.DELIVERY))
    assert rejected.value.code == "INSUFFICIENT_MARGIN"
    assert "INSUFFICIENT_MARGIN" in rejected.value.reason
    assert "200000.00" in rejected.value.reason and "100000.00" in rejected.value.reason
    assert await broker.order_book(bob) == []

    await broker.place_order(bob, req(Side.BUY, 2000, trade_type=TradeType.INTRADAY))
    funds = await broker.funds(bob)
    assert (funds.cash, funds.margin_used, funds.margin_available) == (D("100000"), D("40000"), D("60000"))

    await broker.place_order(bob, req(Side.BUY, 2000, trade_type=TradeType.MTF))
    assert (await broker.funds(bob)).margin_available == D("10000")
    with pytest.raises(BrokerRejected, match="INSUFFICIENT_MARGIN"):
        await broker.place_order(bob, req(Side.BUY, 501, trade_type=TradeType.INTRADAY))


@pytest.mark.asyncio
async def test_selling_more_delivery_than_held_is_refused() -> None:
    broker = make_broker("100")
    await broker.place_order(ALICE, req(Side.BUY, 10, trade_type=TradeType.DELIVERY))

    with pytest.raises(BrokerRejected) as rejected:
        await broker.place_order(ALICE, req(Side.SELL, 11, trade_type=TradeType.DELIVERY))
    assert rejected.value.code == "INSUFFICIENT_HOLDINGS"

    # Shares already promised to a resting sell cannot be sold twice.
    await broker.place_order(ALICE, req(Side.SELL, 6, OrderType.LIMIT, TradeType.DELIVERY, price="150"))
    with pytest.raises(BrokerRejected, match="INSUFFICIENT_HOLDINGS"):
        await broker.place_order(ALICE, req(Side.SELL, 5, trade_type=TradeType.DELIVERY))
    assert (await broker.place_order(ALICE, req(Side.SELL, 4, trade_type=TradeType.DELIVERY))).status is (
        OrderStatus.FILLED
    )
    with pytest.raises(BrokerRejected, match="INSUFFICIENT_HOLDINGS"):
        await broker.place_order(ALICE, req(Side.SELL, 1, trade_type=TradeType.MTF))


@pytest.mark.asyncio
async def test_intraday_short_selling_blocks_margin_but_closing_a_long_needs_none() -> None:
    broker = make_broker("100", slippage_bps=D(0), charges=False)
    bob = account("10000")
    await broker.place_order(bob, req(Side.BUY, 500))  # 50000 / 5 = 10000: all of it
    assert (await broker.funds(bob)).margin_available == D("0")

    await broker.place_order(bob, req(Side.SELL, 500))  # closes the long: allowed with no margin free
    assert (await broker.funds(bob)).margin_used == D("0")

    await broker.place_order(bob, req(Side.SELL, 100))  # opens a short of 10000 x ... / 5
    assert (await broker.funds(bob)).margin_used == D("2000")


@pytest.mark.asyncio
async def test_weighted_average_cost_and_realised_pnl_move_cash() -> None:
    broker = make_broker("100", slippage_bps=D(0), charges=False)
    bob = account("100000")
    await broker.place_order(bob, req(Side.BUY, 10, trade_type=TradeType.DELIVERY))
    broker.set_price(INFY.token_id, D("110"))
    await broker.place_order(bob, req(Side.BUY, 10, trade_type=TradeType.DELIVERY))
    [position] = await broker.positions(bob)
    assert (position.net_quantity, position.average_price) == (20, D("105"))

    broker.set_price(INFY.token_id, D("120"))
    await broker.place_order(bob, req(Side.SELL, 5, trade_type=TradeType.DELIVERY))

    [position] = await broker.positions(bob)
    assert position.net_quantity == 15
    assert position.average_price == D("105")
    assert position.realised_pnl == D("75")
    assert (position.buy_quantity, position.sell_quantity, position.last_price) == (20, 5, D("120"))
    assert await broker.holdings(bob) == []  # today's DELIVERY buys are holdings only from the next trading day
    funds = await broker.funds(bob)
    assert funds.cash == D("100075")
    assert funds.margin_used == D("1575")  # 15 x 105, DELIVERY at 1x
    assert funds.margin_available == D("98500")


@pytest.mark.asyncio
async def test_a_position_that_flips_restarts_its_average_at_the_flip_price() -> None:
    broker = make_broker("100", slippage_bps=D(0), charges=False)
    bob = account("100000")
    await broker.place_order(bob, req(Side.BUY, 10))
    broker.set_price(INFY.token_id, D("90"))
    await broker.place_order(bob, req(Side.SELL, 15))
    [position] = await broker.positions(bob)
    assert (position.net_quantity, position.average_price, position.realised_pnl) == (-5, D("90"), D("-100"))

    broker.set_price(INFY.token_id, D("80"))
    await broker.place_order(bob, req(Side.BUY, 5))
    [position] = await broker.positions(bob)
    assert (position.net_quantity, position.average_price, position.realised_pnl) == (0, D("0"), D("-50"))
    assert (await broker.funds(bob)).cash == D("99950")
    assert await broker.holdings(bob) == []


@pytest.mark.asyncio
async def test_cancel_releases_the_blocked_margin() -> None:
    broker = make_broker("100")
    bob = account("100000")
    ack = await broker.place_order(bob, req(Side.BUY, 100, OrderType.LIMIT, TradeType.DELIVERY, price="95"))
    assert (await broker.funds(bob)).margin_used == D("9500")

    cancelled = await broker.cancel_order(bob, ack.broker_order_id)
    assert cancelled.status is OrderStatus.CANCELLED
    funds = await broker.funds(bob)
    assert (funds.margin_used, funds.margin_available) == (D("0"), D("100000"))

    broker.set_price(INFY.token_id, D("90"))  # a cancelled order never fills
    assert (await broker.order_status(bob, ack.broker_order_id)).filled_quantity == 0

    with pytest.raises(BrokerRejected) as rejected:
        await broker.cancel_order(bob, ack.broker_order_id)
    assert rejected.value.code == "ORDER_NOT_OPEN"
    with pytest.raises(BrokerOrderNotFound):
        await broker.cancel_order(bob, "SIM-NOPE")


@pytest.mark.asyncio
async def test_cancelling_a_partly_filled_order_keeps_what_filled() -> None:
    broker = make_broker("100", liquidity_per_tick=30)
    ack = await broker.place_order(ALICE, req(Side.BUY, 100, OrderType.LIMIT, price="100"))
    cancelled = await broker.cancel_order(ALICE, ack.broker_order_id)
    assert (cancelled.status, cancelled.filled_quantity) == (OrderStatus.CANCELLED, 30)
    [position] = await broker.positions(ALICE)
    assert position.net_quantity == 30


@pytest.mark.asyncio
async def test_modify_changes_price_and_quantity_and_a_marketable_price_fills() -> None:
    broker = make_broker("100")
    bob = account("100000")
    ack = await broker.place_order(bob, req(Side.BUY, 10, OrderType.LIMIT, TradeType.DELIVERY, price="95"))

    moved = await broker.modify_order(bob, ack.broker_order_id, price=D("97"), quantity=20)
    assert (moved.status, moved.price, moved.quantity) == (OrderStatus.OPEN, D("97"), 20)
    assert (await broker.funds(bob)).margin_used == D("1940")

    filled = await broker.modify_order(bob, ack.broker_order_id, price=D("100.50"))
    assert (filled.status, filled.average_price) == (OrderStatus.FILLED, D("100"))

    with pytest.raises(BrokerRejected) as rejected:
        await broker.modify_order(bob, ack.broker_order_id, price=D("99"))
    assert rejected.value.code == "ORDER_NOT_OPEN"
    with pytest.raises(BrokerOrderNotFound):
        await broker.modify_order(bob, "SIM-NOPE", price=D("99"))


@pytest.mark.asyncio
async def test_modify_rechecks_margin_and_leaves_the_order_unchanged_when_short() -> None:
    broker = make_broker("100")
    bob = account("10000")
    ack = await broker.place_order(bob, req(Side.BUY, 50, OrderType.LIMIT, TradeType.DELIVERY, price="95"))
    with pytest.raises(BrokerRejected) as rejected:
        await broker.modify_order(bob, ack.broker_order_id, quantity=200)
    assert rejected.value.code == "INSUFFICIENT_MARGIN"
    unchanged = await broker.order_status(bob, ack.broker_order_id)
    assert (unchanged.quantity, unchanged.price) == (50, D("95"))
    assert (await broker.funds(bob)).margin_used == D("4750")


@pytest.mark.asyncio
async def test_modify_refuses_bad_terms() -> None:
    broker = make_broker("100")
    ack = await broker.place_order(ALICE, req(Side.BUY, 10, OrderType.LIMIT, price="95"))
    with pytest.raises(BrokerRejected, match="INVALID_PRICE"):
        await broker.modify_order(ALICE, ack.broker_order_id, price=D("95.01"))
    with pytest.raises(BrokerRejected, match="INVALID_MODIFY"):
        await broker.modify_order(ALICE, ack.broker_order_id)


@pytest.mark.asyncio
async def test_a_moved_stop_is_judged_against_its_new_trigger() -> None:
    broker = make_broker("100")
    ack = await broker.place_order(ALICE, req(Side.SELL, 10, OrderType.SL_M, trigger="90"))
    broker.set_price(INFY.token_id, D("92"))
    moved = await broker.modify_order(ALICE, ack.broker_order_id, trigger_price=D("93"))
    # 92 is already through the new trigger: it fires on the modify.
    assert (moved.status, moved.trigger_price) == (OrderStatus.FILLED, D("93"))


@pytest.mark.asyncio
async def test_listener_hears_a_resting_order_fill() -> None:
    broker = make_broker("100")
    heard: list[tuple[int, BrokerOrder]] = []

    async def listener(client_id: int, order: BrokerOrder) -> None:
        heard.append((client_id, order))

    broker.set_order_listener(listener)
    ack = await broker.place_order(ALICE, req(Side.BUY, 10, OrderType.LIMIT, price="99"))
    broker.set_price(INFY.token_id, D("99.50"))
    broker.set_price(INFY.token_id, D("98"))
    await broker.close()  # delivers what is pending

    assert [(c, o.broker_order_id, o.status, o.average_price) for c, o in heard] == [
        (ALICE.client_id, ack.broker_order_id, OrderStatus.FILLED, D("98")),
    ]


@pytest.mark.asyncio
async def test_a_clients_updates_arrive_in_order_even_when_the_listener_is_slow() -> None:
    broker = make_broker("100", liquidity_per_tick=10)
    heard: list[int] = []

    async def slow_listener(client_id: int, order: BrokerOrder) -> None:
        # The first update takes longest: a naive fire-and-forget would deliver it last.
        await asyncio.sleep(0.03 if order.filled_quantity == 20 else 0)
        heard.append(order.filled_quantity)

    broker.set_order_listener(slow_listener)
    await broker.place_order(ALICE, req(Side.BUY, 40))
    for _ in range(3):
        broker.set_price(INFY.token_id, D("100"))
    await broker.close()
    assert heard == [20, 30, 40]


@pytest.mark.asyncio
async def test_start_ticks_in_the_background_until_closed() -> None:
    broker = make_broker("100", tick_interval_s=0.01)
    ticks: list[int] = []
    broker.prices.add_tick_listener(lambda quotes: ticks.append(len(quotes)))
    await broker.start()
    for _ in range(200):
        if len(ticks) >= 3:
            break
        await asyncio.sleep(0.01)
    await broker.close()
    seen = len(ticks)
    assert seen >= 3
    await asyncio.sleep(0.05)
    assert len(ticks) == seen


@pytest.mark.asyncio
async def test_quote_registers_unknown_instruments() -> None:
    broker = make_broker("100")
    quotes = await broker.quote([INFY, NIFTY_FUT])
    assert quotes[INFY.token_id].ltp == D("100")
    assert quotes[NIFTY_FUT.token_id].ltp == D(100 + 35001 % 4900)


@pytest.mark.parametrize("quantity", [10**29, 2**64])
@pytest.mark.asyncio
async def test_an_absurd_quantity_is_rejected_and_changes_nothing(quantity: int) -> None:
    broker = make_broker("100")
    ack = await broker.place_order(ALICE, req(Side.BUY, 10, OrderType.LIMIT, price="95"))
    funds = await broker.funds(ALICE)
    for attempt in (
        broker.place_order(ALICE, req(Side.BUY, quantity)),
        broker.modify_order(ALICE, ack.broker_order_id, quantity=quantity),
    ):
        with pytest.raises(BrokerRejected) as rejected:
            await attempt
        assert rejected.value.code == "INVALID_QUANTITY"
    assert [(o.quantity, o.status) for o in await broker.order_book(ALICE)] == [(10, OrderStatus.OPEN)]
    assert await broker.funds(ALICE) == funds


@pytest.mark.asyncio
async def test_a_request_that_raises_anything_leaves_no_state_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    broker = make_broker("100")
    ack = await broker.place_order(ALICE, req(Side.BUY, 10, OrderType.LIMIT, price="95"))
    funds = await broker.funds(ALICE)

    def broken(*_args: object) -> None:
        raise ArithmeticError("a bug while checking the margin")

    monkeypatch.setattr(broker, "_check_margin", broken)
    with pytest.raises(ArithmeticError):
        await broker.modify_order(ALICE, ack.broker_order_id, quantity=20, price=D("96"))
    with pytest.raises(ArithmeticError):
        await broker.place_order(ALICE, req(Side.BUY, 5, OrderType.LIMIT, price="94"))
    monkeypatch.undo()
    [order] = await broker.order_book(ALICE)
    assert (order.quantity, order.price) == (10, D("95"))
    assert await broker.funds(ALICE) == funds
