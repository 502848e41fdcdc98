"""The Motilal adapter's positions, holdings and funds against the fake, which reports them with Motilal's fields:
carried positions (cf*, valued at the previous close in buyamount) under today's trades, DP holdings with both
exchanges' tokens, today's DELIVERY buys settling into holdings on the next day, and margin per segment."""

from decimal import Decimal

import httpx

from app.brokers.base import BrokerOrderRequest, InstrumentRef, SegmentFunds
from app.brokers.motilal import MotilalBroker
from app.enums import OrderStatus, OrderType, Segment, Side, TradeType
from tests.fakes.motilal import FakeMotilal
from tests.motilal.conftest import PLAIN_USER, account

D = Decimal
RELIANCE = InstrumentRef(2885, "RELIANCE", "NSE", "EQ", 1, D("0.05"))
STOCK_FUT = InstrumentRef(35001, "SBIN-FUT", "NFO", "FUTSTK", 50, D("0.05"))


def limit(tag: str, instrument: InstrumentRef, side: Side, quantity: int, price: str, trade_type: TradeType):
    return BrokerOrderRequest(
        tag=tag,
        instrument=instrument,
        side=side,
        quantity=quantity,
        order_type=OrderType.LIMIT,
        trade_type=trade_type,
        price=D(price),
    )


async def test_a_carried_future_added_to_today_averages_its_actual_cost(
    fake: FakeMotilal, broker: MotilalBroker
) -> None:
    # A carry-forward (NORMAL) future is our DELIVERY on a derivative.
    acct = account(PLAIN_USER)
    fake.lot_sizes[STOCK_FUT.token_id] = 50
    # Carried from yesterday: long 100 at an actual 198; yesterday's close 200.
    fake.carry_position(PLAIN_USER, STOCK_FUT.token_id, 100, "198", "200", product="NORMAL", exchange="NSEFO")
    fake.set_ltp(STOCK_FUT.token_id, "201")
    await broker.place_order(acct, limit("MD1", STOCK_FUT, Side.BUY, 50, "201", TradeType.DELIVERY))

    [row] = fake._position_rows(PLAIN_USER)
    assert (row["buyquantity"], row["buyamount"]) == (150, 100 * 200 + 50 * 201.0)  # as Motilal reports it
    [position] = await broker.positions(acct)
    assert (position.token_id, position.trade_type, position.net_quantity) == (35001, TradeType.DELIVERY, 150)
    assert position.average_price == D("199.0000")  # (100 x 198 + 50 x 201) / 150, not 30050 / 150
    assert position.realised_pnl == D("0.00")


async def test_a_carried_future_partly_sold_today_realises_against_its_actual_cost(
    fake: FakeMotilal, broker: MotilalBroker
) -> None:
    acct = account(PLAIN_USER)
    fake.lot_sizes[STOCK_FUT.token_id] = 50
    fake.carry_position(PLAIN_USER, STOCK_FUT.token_id, 100, "198", "200", product="NORMAL", exchange="NSEFO")
    fake.set_ltp(STOCK_FUT.token_id, "202")
    await broker.place_order(acct, limit("MD2", STOCK_FUT, Side.SELL, 50, "202", TradeType.DELIVERY))

    [position] = await broker.positions(acct)
    assert (position.net_quantity, position.average_price) == (50, D("198.0000"))
    # 4 a unit over the actual cost; Motilal's own bookedprofitloss says 2 a unit (over yesterday's close).
    assert position.realised_pnl == D("200.00")
    assert fake._position_rows(PLAIN_USER)[0]["bookedprofitloss"] == 100.0


async def test_holdings_come_from_the_demat_account_and_todays_delivery_buys_join_them_the_next_day(
    fake: FakeMotilal, broker: MotilalBroker
) -> None:
    acct = account(PLAIN_USER)
    fake.add_holding(
        PLAIN_USER,
        isin="INE002A01018",
        name="RELIANCE EQ",
        quantity=20,
        average="1200",
        nse_token=2885,
        bse_code=500325,
    )
    fake.set_ltp(2885, "1400")
    await broker.place_order(acct, limit("MD3", RELIANCE, Side.BUY, 10, "1400", TradeType.DELIVERY))

    [holding] = await broker.holdings(acct)
    assert (holding.tokens, holding.quantity, holding.average_price) == (
        {"NSE": 2885, "BSE": 500325},
        20,
        D("1200.0000"),
    )
    assert holding.name == "RELIANCE EQ"
    [position] = await broker.positions(acct)
    assert (position.trade_type, position.net_quantity) == (TradeType.DELIVERY, 10)  # not in the holding yet

    fake.next_day()
    [holding] = await broker.holdings(acct)
    assert (holding.quantity, holding.average_price) == (30, D("1266.6667"))  # (20 x 1200 + 10 x 1400) / 30
    assert await broker.positions(acct) == []


async def test_funds_report_the_cash_and_fo_segments(fake: FakeMotilal, broker: MotilalBroker) -> None:
    acct = account(PLAIN_USER)
    fake.lot_sizes[STOCK_FUT.token_id] = 50
    fake.set_ltp(2885, "1000")
    fake.set_ltp(STOCK_FUT.token_id, "2000")
    await broker.place_order(acct, limit("MD4", RELIANCE, Side.BUY, 10, "1000", TradeType.DELIVERY))
    await broker.place_order(acct, limit("MD5", STOCK_FUT, Side.BUY, 50, "2000", TradeType.DELIVERY))

    funds = await broker.funds(acct)
    assert (funds.cash, funds.margin_used, funds.margin_available) == (
        D("1000000.00"),
        D("110000.00"),
        D("890000.00"),
    )
    assert funds.segments == (
        SegmentFunds(Segment.CASH, D("890000.00"), D("10000.00")),
        SegmentFunds(Segment.FO, D("890000.00"), D("100000.00")),
    )


async def test_the_demo_controls_carry_a_position_add_a_holding_and_move_to_the_next_day() -> None:
    fake = FakeMotilal()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=fake.app), base_url="http://fake") as http:
        carry = {"userid": PLAIN_USER, "token": 35001, "quantity": -50, "average": "210", "previous_close": "205"}
        assert (await http.post("/_fake/carry", json={**carry, "exchange": "NSEFO"})).json() == {"ok": True}
        holding = {"userid": PLAIN_USER, "isin": "INE002A01018", "name": "RELIANCE EQ", "quantity": 3}
        await http.post("/_fake/holding", json={**holding, "average": "1200", "nse_token": 2885})
        await http.post("/_fake/ltp", json={"token": 35001, "ltp": "206"})
        await http.post("/_fake/next-day")  # carried again, today's close the new previous close
        state = (await http.get("/_fake/state")).json()["users"][PLAIN_USER]
    [row] = state["positions"]
    assert (row["cfsellquantity"], row["cfsellamount"], row["sellamount"]) == (50, 10500.0, 10300.0)
    assert [(h["nsesymboltoken"], h["dpquantity"]) for h in state["holdings"]] == [(2885, 3)]


async def test_a_delivery_sell_beyond_the_holding_is_refused_by_motilals_risk_system(
    fake: FakeMotilal, broker: MotilalBroker
) -> None:
    acct = account(PLAIN_USER)
    fake.add_holding(PLAIN_USER, isin="INE002A01018", name="RELIANCE EQ", quantity=20, average="1200", nse_token=2885)
    fake.set_ltp(2885, "1400")
    too_many = await broker.place_order(acct, limit("MD6", RELIANCE, Side.SELL, 25, "1400", TradeType.DELIVERY))
    assert too_many.status is OrderStatus.REJECTED
    assert too_many.reason is not None and "Insufficient holding" in too_many.reason
    held = await broker.place_order(acct, limit("MD7", RELIANCE, Side.SELL, 20, "1400", TradeType.DELIVERY))
    assert held.status is OrderStatus.FILLED
    again = await broker.place_order(acct, limit("MD8", RELIANCE, Side.SELL, 1, "1400", TradeType.DELIVERY))
    assert again.status is OrderStatus.REJECTED  # sold today: the holding shows it only tomorrow, RMS knows now
