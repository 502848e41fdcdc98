"""One Motilal order against the fake over real HTTP: the first modify (Motilal shows lastmodifiedtime "0" and
refuses it), later modifies, stale reads, orders that are no longer open, one order read by id (order detail and
trade detail, never the whole book), Motilal's states in the fake's books, date-only trade times."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from app.brokers.base import BrokerOrderNotFound, BrokerOrderRequest, BrokerRejected, InstrumentRef
from app.brokers.motilal import MotilalBroker
from app.brokers.motilal.client import MODIFY_ORDER, PLACE_ORDER
from app.enums import OrderStatus, OrderType, Side, TradeType
from tests.fakes.motilal import FakeMotilal
from tests.motilal.conftest import PLAIN_USER, TOTP_USER, account

RELIANCE = InstrumentRef(2885, "RELIANCE", "NSE", "EQ", 1, Decimal("0.05"))
IST = ZoneInfo("Asia/Kolkata")


def limit(tag: str, price: str, quantity: int = 10, side: Side = Side.BUY) -> BrokerOrderRequest:
    return BrokerOrderRequest(
        tag=tag,
        instrument=RELIANCE,
        side=side,
        quantity=quantity,
        order_type=OrderType.LIMIT,
        trade_type=TradeType.INTRADAY,
        price=Decimal(price),
        trigger_price=None,
    )


async def resting_order(fake: FakeMotilal, broker: MotilalBroker, tag: str = "MD21", userid: str = TOTP_USER) -> str:
    fake.set_ltp(2885, "1400.00")
    ack = await broker.place_order(account(userid), limit(tag, "1390.00"))
    assert ack.status is OrderStatus.OPEN
    return ack.broker_order_id


def modify_body(order_id: str, stamp: str, traded: int = 0, price: float = 1385.0) -> dict[str, Any]:
    return {
        "uniqueorderid": order_id,
        "newordertype": "LIMIT",
        "neworderduration": "DAY",
        "newprice": price,
        "newtriggerprice": 0,
        "newquantityinlot": 10,
        "newdisclosedquantity": 0,
        "newgoodtilldate": "",
        "lastmodifiedtime": stamp,
        "qtytradedtoday": traded,
    }


async def test_the_fake_refuses_a_modify_that_sends_zero_or_a_stale_time_or_wrong_traded_quantity(
    fake: FakeMotilal, broker: MotilalBroker
) -> None:
    order_id = await resting_order(fake, broker)
    acct = account(TOTP_USER)
    [order] = fake.orders(TOTP_USER)
    row = order.row()
    assert (row["lastmodifiedtime"], row["orderstatus"]) == ("0", "Confirm")
    for stamp in ("0", "", "01-Jan-2020 09:15:00"):
        with pytest.raises(BrokerRejected) as refused:
            await broker._post(acct, MODIFY_ORDER, modify_body(order_id, stamp))
        assert (refused.value.code, refused.value.reason) == (
            "MO1089",
            "MO1089: Invalid Input ModifyOrder LastModifiedTimeStr",
        )
    with pytest.raises(BrokerRejected) as refused:
        await broker._post(acct, MODIFY_ORDER, modify_body(order_id, row["entrydatetime"], traded=3))
    assert refused.value.code == "MO1090"
    assert order.price == Decimal("1390.00"), "nothing was changed by a refused modify"

    await broker._post(acct, MODIFY_ORDER, modify_body(order_id, row["entrydatetime"]))
    assert order.price == Decimal("1385.00") and order.lastmodifiedtime != "0"
    with pytest.raises(BrokerRejected, match="MO1089"):
        # The entry time was good once; now the order has a lastmodifiedtime, and only that is.
        await broker._post(acct, MODIFY_ORDER, modify_body(order_id, row["entrydatetime"]))


async def test_first_modify_sends_the_entry_time_and_the_second_the_last_modified_time(
    fake: FakeMotilal, broker: MotilalBroker
) -> None:
    order_id = await resting_order(fake, broker)
    acct = account(TOTP_USER)
    [order] = fake.orders(TOTP_USER)
    entered = order.row()["entrydatetime"]

    first = await broker.modify_order(acct, order_id, price=Decimal("1385.00"))
    assert (first.status, first.price) == (OrderStatus.OPEN, Decimal("1385.00"))
    modified_at = order.lastmodifiedtime
    assert modified_at != "0"
    second = await broker.modify_order(acct, order_id, price=Decimal("1380.00"), quantity=12)
    assert (second.price, second.quantity) == (Decimal("1380.00"), 12)
    sent = [r.body for r in fake.requests_to("modifyorder")]
    assert [b["lastmodifiedtime"] for b in sent] == [entered, modified_at]
    assert all(b["newordertype"] == "LIMIT" for b in sent), "the kind read from the detail row's booktype"


async def test_a_modify_refused_because_the_order_moved_reads_it_again_and_retries_once(
    fake: FakeMotilal, broker: MotilalBroker
) -> None:
    order_id = await resting_order(fake, broker)
    acct = account(TOTP_USER)
    fake.fail_next("reject", path="modifyorder", code="MO1090", message="Invalid Input ModifyOrder QtyTradedToday")
    modified = await broker.modify_order(acct, order_id, price=Decimal("1385.00"))
    assert modified.price == Decimal("1385.00")
    assert len(fake.requests_to("modifyorder")) == 2

    fake.fail_next("reject", path="modifyorder", count=2, code="MO1089", message="Invalid Input ModifyOrder X")
    with pytest.raises(BrokerRejected, match="MO1089"):
        await broker.modify_order(acct, order_id, price=Decimal("1384.00"))
    assert len(fake.requests_to("modifyorder")) == 4, "one retry, not a loop"
    assert fake.orders(TOTP_USER)[0].price == Decimal("1385.00")


async def test_one_order_is_read_by_id_never_by_scanning_the_book(fake: FakeMotilal, broker: MotilalBroker) -> None:
    order_id = await resting_order(fake, broker)
    acct = account(TOTP_USER)
    fake.liquidity[2885] = 4
    fake.set_ltp(2885, "1385.00")
    status = await broker.order_status(acct, order_id)
    assert (status.status, status.filled_quantity, status.tag) == (OrderStatus.PARTIALLY_FILLED, 4, "MD21")
    assert [(f.tag, f.quantity, f.price) for f in status.fills] == [("MD21", 4, Decimal("1385.00"))]
    fake.set_ltp(2885, "1395.00")
    await broker.modify_order(acct, order_id, price=Decimal("1388.00"))
    cancelled = await broker.cancel_order(acct, order_id)
    assert (cancelled.status, cancelled.filled_quantity) == (OrderStatus.CANCELLED, 4)
    assert len(cancelled.fills) == 1, "the fills come with the order, from trade detail"

    assert fake.requests_to("getorderbook") == [], "place, status, modify and cancel never read the whole book"
    details = fake.requests_to("getorderdetailbyuniqueorderid")
    assert details and all(r.body == {"uniqueorderid": order_id} for r in details)
    assert fake.requests_to("gettradedetailbyuniqueorderid")

    book = await broker.order_book(acct)  # reconciliation's read
    assert [(o.broker_order_id, o.status) for o in book] == [(order_id, OrderStatus.CANCELLED)]
    assert len(fake.requests_to("getorderbook")) == 1


async def test_orders_that_are_not_open_or_unknown_are_refused_with_motilals_codes(
    fake: FakeMotilal, broker: MotilalBroker
) -> None:
    order_id = await resting_order(fake, broker)
    acct = account(TOTP_USER)
    [order] = fake.orders(TOTP_USER)
    for state, code in (
        ("Unknown", "MO1065"),
        ("Cancel", "MO1066"),
        ("Traded", "MO1067"),
        ("Rejected", "MO1068"),
        ("Error", "MO1069"),
    ):
        order.status = state
        with pytest.raises(BrokerRejected) as refused:
            await broker._post(acct, "/rest/trans/v2/cancelorder", {"uniqueorderid": order_id})
        assert refused.value.code == code
    with pytest.raises(BrokerRejected) as unknown:
        await broker._post(acct, "/rest/trans/v2/cancelorder", {"uniqueorderid": "NOPE"})
    assert (unknown.value.code, unknown.value.reason) == ("MO1013", "MO1013: Order Not Found")

    # Unknown: Motilal cannot say yet. The adapter keeps it OPEN (never closed by guess) and a cancel that Motilal
    # refuses comes back as ORDER_NOT_OPEN with Motilal's words.
    order.status = "Unknown"
    assert (await broker.order_status(acct, order_id)).status is OrderStatus.OPEN
    with pytest.raises(BrokerRejected) as refused:
        await broker.cancel_order(acct, order_id)
    assert refused.value.code == "ORDER_NOT_OPEN" and "MO1065" in refused.value.reason

    order.status = "Confirm"
    fake.fail_next("reject", path="modifyorder", code="MO1067", message="Order Is Already Traded")
    with pytest.raises(BrokerRejected) as raced:
        await broker.modify_order(acct, order_id, price=Decimal("1385.00"))
    assert raced.value.code == "ORDER_NOT_OPEN" and "Already Traded" in raced.value.reason

    for call in (
        broker.order_status(acct, "NOPE"),
        broker.cancel_order(acct, "NOPE"),
        broker.modify_order(acct, "NOPE", price=Decimal("1")),
    ):
        with pytest.raises(BrokerOrderNotFound):
            await call


async def test_the_fakes_books_write_motilals_states_and_fields(fake: FakeMotilal, broker: MotilalBroker) -> None:
    order_id = await resting_order(fake, broker)
    acct = account(TOTP_USER)
    fake.liquidity[2885] = 4
    fake.set_ltp(2885, "1385.00")
    [order] = fake.orders(TOTP_USER)
    row = order.row()
    assert (row["orderstatus"], row["buyorsell"], row["ordertype"], row["orderduration"]) == (
        "Partial",
        "Buy",
        "Limit",
        "Day",
    )
    assert (row["orderqty"], row["qtytradedtoday"], row["totalqtytraded"], row["totalqtyremaining"]) == (10, 4, 4, 6)
    entered = datetime.strptime(row["entrydatetime"], "%d-%b-%Y %H:%M:%S").replace(tzinfo=IST)
    assert abs(datetime.now(UTC) - entered) < timedelta(minutes=1)
    assert row["recordinserttime"] == row["entrydatetime"] and row["lastmodifiedtime"] == "0"
    history = fake._order_detail(TOTP_USER, {"uniqueorderid": order_id})["data"]
    assert [r["orderstatus"] for r in history] == ["Confirm", "Partial"]
    assert all("tag" not in r and r["ordertype"] == "C" and r["booktype"] == "Limit" for r in history)

    fake.liquidity.pop(2885)
    fake.set_ltp(2885, "1380.00")
    assert (await broker.order_status(acct, order_id)).status is OrderStatus.FILLED
    assert order.row()["orderstatus"] == "Traded"

    poor = await broker.place_order(account("EMUM755716"), limit("MD22", "1390.00", quantity=100))
    assert poor.status is OrderStatus.REJECTED and poor.reason is not None and "RMS" in poor.reason
    rejected = fake.orders("EMUM755716")[0].row()
    assert (rejected["orderstatus"], rejected["entrydatetime"]) == ("Rejected", "0")


async def test_trade_times_written_as_a_date_alone_are_read(fake: FakeMotilal, broker: MotilalBroker) -> None:
    fake.trade_time_format = "%d/%m/%Y"
    fake.set_ltp(2885, "1400.00")
    acct = account(PLAIN_USER)
    before = datetime.now(UTC)
    ack = await broker.place_order(acct, limit("MD23", "1401.00"))
    assert ack.status is OrderStatus.FILLED
    [fill] = ack.fills
    [row] = fake._trade_rows(PLAIN_USER)
    assert row["tradetime"] == datetime.now(IST).strftime("%d/%m/%Y")
    assert before - timedelta(seconds=1) <= fill.ts <= datetime.now(UTC), "today's date alone: the time we read it"
    [traded] = await broker.trade_book(acct)
    assert traded.ts.astimezone(IST).date() == datetime.now(IST).date() and traded.tag == "MD23"

    fake.trade_time_format = "%d-%b-%Y %H:%M:%S"
    [traded] = await broker.trade_book(acct)
    assert abs(traded.ts - fill.ts) < timedelta(seconds=5)


PLACE_FIELDS = {
    "exchange": "NSE",
    "symboltoken": 2885,
    "buyorsell": "BUY",
    "ordertype": "LIMIT",
    "producttype": "VALUEPLUS",
    "orderduration": "DAY",
    "price": 1390.0,
    "triggerprice": 0,
    "quantityinlot": 1,
    "disclosedquantity": 0,
    "amoorder": "N",
    "tag": "MD31",
}


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"exchange": "NYSE"}, "MO1051"),
        ({"buyorsell": "HOLD"}, "MO1052"),
        ({"orderduration": "WEEK"}, "MO1054"),
        ({"quantityinlot": 0}, "MO1055"),
        ({"producttype": "OVERNIGHT"}, "MO1057"),
        ({"symboltoken": "2885"}, "MO1058"),
        ({"amoorder": "maybe"}, "MO1061"),
        ({"ordertype": "STOPLOSS", "triggerprice": 0}, "MO1075"),
        ({"tag": "MD123456789"}, "MO1080"),
        ({"price": 0}, "MO1083"),
        ({"price": "lots"}, "MO1050"),
    ],
)
async def test_the_fake_refuses_a_bad_placement_field_with_motilals_code_for_it(
    fake: FakeMotilal, broker: MotilalBroker, change: dict[str, Any], code: str
) -> None:
    with pytest.raises(BrokerRejected) as refused:
        await broker._post(account(PLAIN_USER), PLACE_ORDER, {**PLACE_FIELDS, **change})
    assert refused.value.code == code
    assert fake.orders(PLAIN_USER) == []
