"""Motilal's order and trade rows to ours (no I/O): every order state, every product both ways, the times Motilal
writes (a trade time may be a date alone), the latest state in an order's history, what a modify sends back."""

import logging
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from app.brokers.base import BrokerRejected, InstrumentRef
from app.brokers.motilal import mapping, order_rows
from app.enums import OrderStatus, OrderType, Side, TradeType

NOW = datetime(2025, 3, 14, 6, 0, tzinfo=UTC)  # 11:30 IST
TICK = Decimal("0.05")


def row(**fields: object) -> dict[str, object]:
    """An order-book row as Motilal writes one: title-case words, "0" for times that have not happened."""
    base: dict[str, object] = {
        "uniqueorderid": "1000001AA020",
        "tag": "MD7",
        "symboltoken": 2885,
        "buyorsell": "Buy",
        "ordertype": "Limit",
        "producttype": "VALUEPLUS",
        "orderstatus": "Confirm",
        "orderqty": 10,
        "totalqtyremaining": 10,
        "qtytradedtoday": 0,
        "totalqtytraded": 0,
        "averageprice": 0,
        "price": 1414.0,
        "triggerprice": 0,
        "entrydatetime": "14-Mar-2025 11:29:00",
        "lastmodifiedtime": "0",
        "recordinserttime": "14-Mar-2025 11:29:00",
        "error": "",
    }
    return {**base, **fields}


# ---- statuses ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "traded", "status", "filled"),
    [
        # Motilal cannot tell yet: the order may be live, so it stays OPEN and is asked about again; never closed.
        ("Unknown", 0, OrderStatus.OPEN, 0),
        ("Unknown", 3, OrderStatus.PARTIALLY_FILLED, 3),
        ("Sent", 0, OrderStatus.OPEN, 0),
        ("Confirm", 0, OrderStatus.OPEN, 0),
        ("Confirm", 4, OrderStatus.PARTIALLY_FILLED, 4),
        ("Partial", 4, OrderStatus.PARTIALLY_FILLED, 4),
        ("Traded", 10, OrderStatus.FILLED, 10),
        ("Cancel", 4, OrderStatus.CANCELLED, 4),
        ("Cancel", 0, OrderStatus.CANCELLED, 0),
        ("Rejected", 0, OrderStatus.REJECTED, 0),
        ("Error", 0, OrderStatus.REJECTED, 0),
        ("TRADED", 10, OrderStatus.FILLED, 10),
        ("partial", 2, OrderStatus.PARTIALLY_FILLED, 2),
    ],
)
def test_every_motilal_state_maps_explicitly(
    word: str, traded: int, status: OrderStatus, filled: int, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        order = order_rows.order(row(orderstatus=word, qtytradedtoday=traded, averageprice=1400.5), now=NOW)
    assert (order.status, order.filled_quantity) == (status, filled)
    assert order.average_price == (Decimal("1400.5000") if filled else None)
    assert "status we do not know" not in caplog.text, "a Motilal state is known, not guessed"


def test_a_partial_row_is_partially_filled_even_before_its_quantity_shows() -> None:
    assert order_rows.order(row(orderstatus="Partial"), now=NOW).status is OrderStatus.PARTIALLY_FILLED


@pytest.mark.parametrize("word", ["Complete", "Open", "Expired", ""])
def test_a_word_motilal_does_not_list_is_logged_and_kept_live(word: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        order = order_rows.order(row(orderstatus=word, qtytradedtoday=10), now=NOW)
    assert order.status is OrderStatus.PARTIALLY_FILLED, "not FILLED by guess, even with every share traded"
    assert "status we do not know" in caplog.text


def test_a_traded_row_without_quantities_is_filled_in_full() -> None:
    order = order_rows.order(row(orderstatus="Traded", qtytradedtoday=0, totalqtytraded=0), now=NOW)
    assert (order.status, order.filled_quantity) == (OrderStatus.FILLED, 10)
    assert (
        order_rows.order(row(orderstatus="Partial", qtytradedtoday=0, totalqtytraded=6), now=NOW).filled_quantity == 6
    )


def test_rejected_and_error_rows_carry_motilals_text() -> None:
    rejected = order_rows.order(row(orderstatus="Rejected", error="RMS:Margin Exceeds"), now=NOW)
    assert rejected.reason == "MOTILAL_REJECTED: RMS:Margin Exceeds"
    error = order_rows.order(row(orderstatus="Error", error="Market/Close price not available."), now=NOW)
    assert error.reason == "MOTILAL_REJECTED: Market/Close price not available."
    assert order_rows.order(row(orderstatus="Error"), now=NOW).reason == "MOTILAL_REJECTED: order error at Motilal"


def test_an_order_row_maps_every_field() -> None:
    order = order_rows.order(row(lastmodifiedtime="14-Mar-2025 11:30:05"), now=NOW, note="n")
    assert (order.broker_order_id, order.tag, order.token_id, order.side) == ("1000001AA020", "MD7", 2885, Side.BUY)
    assert (order.order_type, order.trade_type, order.quantity) == (OrderType.LIMIT, TradeType.INTRADAY, 10)
    assert order.price == Decimal("1414.00") and order.trigger_price is None and order.note == "n"
    # Motilal's times are India time: 11:30:05 IST is 06:00:05 UTC.
    assert order.updated_at == datetime(2025, 3, 14, 6, 0, 5, tzinfo=UTC)
    # Never modified ("0"): the entry time.
    assert order_rows.order(row(), now=NOW).updated_at == datetime(2025, 3, 14, 5, 59, tzinfo=UTC)
    stop = order_rows.order(row(ordertype="Stoploss", triggerprice=1410, buyorsell="Sell"), now=NOW)
    assert (stop.order_type, stop.trigger_price, stop.side) == (OrderType.SL, Decimal("1410.00"), Side.SELL)


def test_order_detail_rows_carry_the_order_type_in_booktype() -> None:
    detail = row(ordertype="C", booktype="Stoploss", triggerprice=1410)
    assert order_rows.kind(detail) == "STOPLOSS"
    assert order_rows.order(detail, now=NOW).order_type is OrderType.SL
    assert order_rows.kind(row(ordertype="Limit", booktype="Market")) == "LIMIT"


# ---- the latest state of an order, and what a modify sends back ---------------------------------------------


def test_the_latest_state_is_found_whichever_way_the_history_is_ordered() -> None:
    history = [
        row(orderstatus="Sent"),
        row(orderstatus="Confirm"),
        row(orderstatus="Partial", qtytradedtoday=4),
        row(orderstatus="Partial", qtytradedtoday=4, price=1380.0, lastmodifiedtime="14-Mar-2025 11:31:00"),
        row(orderstatus="Partial", qtytradedtoday=6, price=1380.0, lastmodifiedtime="14-Mar-2025 11:31:00"),
        row(orderstatus="Cancel", qtytradedtoday=6, price=1380.0, lastmodifiedtime="14-Mar-2025 11:32:00"),
    ]
    for ordered in (history, history[::-1]):
        latest = order_rows.latest(ordered, now=NOW)
        assert latest is not None and (latest["orderstatus"], latest["qtytradedtoday"]) == ("Cancel", 6)
    modified = order_rows.latest(history[3:1:-1], now=NOW)
    assert modified is not None and modified["price"] == 1380.0, "a later modification wins over the same fills"
    assert order_rows.latest([], now=NOW) is None


def test_a_never_modified_order_sends_its_entry_time_not_zero() -> None:
    assert order_rows.modify_time(row()) == "14-Mar-2025 11:29:00"
    assert order_rows.modify_time(row(entrydatetime="0", recordinserttime="14-Mar-2025 11:29:01")) == (
        "14-Mar-2025 11:29:01"
    )
    assert order_rows.modify_time(row(lastmodifiedtime="14-Mar-2025 11:31:00")) == "14-Mar-2025 11:31:00"
    assert order_rows.modify_time(row(entrydatetime="0", recordinserttime="0")) is None


# ---- times -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14-Mar-2025 11:29:00", datetime(2025, 3, 14, 5, 59, tzinfo=UTC)),
        ("14/03/2025 11:29:00", datetime(2025, 3, 14, 5, 59, tzinfo=UTC)),
        # A date alone, today: the fill happened by now.
        ("14/03/2025", NOW),
        # A date alone, an earlier day: the end of that day in India (18:29:59 UTC), never the day before.
        ("10/01/2022", datetime(2022, 1, 10, 18, 29, 59, tzinfo=UTC)),
        ("10-Jan-2022", datetime(2022, 1, 10, 18, 29, 59, tzinfo=UTC)),
    ],
)
def test_trade_times_with_or_without_the_time(text: str, expected: datetime) -> None:
    fill = order_rows.trade(
        {
            "uniqueorderid": "X",
            "tradeno": "T1",
            "symboltoken": "2885",
            "buyorsell": "Sell",
            "producttype": "Normal",
            "tradeqty": 4,
            "tradeprice": 1385.0,
            "tradetime": text,
        },
        tag="MD7",
        now=NOW,
    )
    assert fill.ts == expected
    assert (fill.token_id, fill.side, fill.trade_type, fill.quantity) == (2885, Side.SELL, TradeType.DELIVERY, 4)
    assert fill.price == Decimal("1385.00") and fill.ts.tzinfo is not None


def test_times_that_have_not_happened_or_cannot_be_read_are_none() -> None:
    for text in ("0", "", " ", "yesterday", None):
        assert order_rows.book_time(text, NOW) is None


# ---- products ----------------------------------------------------------------------------------------------------

NSE = InstrumentRef(2885, "RELIANCE", "NSE", "EQ", 1, TICK)
NFO = InstrumentRef(35001, "NIFTYFUT", "NFO", "FUTIDX", 75, TICK)
EXCHANGE_OF = {mapping.CASH: "NSE", mapping.DERIVATIVES: "NSEFO"}


@pytest.mark.parametrize(("product", "trade_type", "segments"), mapping.PRODUCTS, ids=[p[0] for p in mapping.PRODUCTS])
def test_each_product_row_maps_both_ways(product: str, trade_type: TradeType, segments: frozenset[str]) -> None:
    for spelling in (product, product.title(), product.lower()):
        assert mapping.trade_type(spelling) is trade_type
    for segment in segments:
        assert mapping.product_for(trade_type, EXCHANGE_OF[segment]) == product


@pytest.mark.parametrize(
    ("trade_type", "exchange", "product"),
    [
        (TradeType.DELIVERY, "NSE", "DELIVERY"),
        (TradeType.INTRADAY, "NSE", "VALUEPLUS"),
        (TradeType.MTF, "BSE", "MTF"),
        (TradeType.DELIVERY, "NSEFO", "NORMAL"),
        (TradeType.INTRADAY, "NSEFO", "VALUEPLUS"),
        (TradeType.DELIVERY, "MCX", "NORMAL"),
    ],
)
def test_what_we_send_reads_back_as_what_we_asked(trade_type: TradeType, exchange: str, product: str) -> None:
    assert mapping.product_for(trade_type, exchange) == product
    assert mapping.trade_type(product) is trade_type


def test_normal_is_carry_forward_never_intraday() -> None:
    for spelling in ("NORMAL", "Normal", " normal "):
        assert mapping.trade_type(spelling) is TradeType.DELIVERY
    assert mapping.trade_type("Delivery") is TradeType.DELIVERY
    assert mapping.product_for(TradeType.DELIVERY, mapping.exchange_for(NFO)) == "NORMAL"


def test_mtf_is_cash_only_and_an_unknown_product_is_not_taken_for_intraday(caplog: pytest.LogCaptureFixture) -> None:
    with pytest.raises(BrokerRejected, match="UNSUPPORTED_PRODUCT"):
        mapping.product_for(TradeType.MTF, "NSEFO")
    with caplog.at_level(logging.WARNING):
        assert mapping.trade_type("COVER") is TradeType.DELIVERY
    assert "not one we know" in caplog.text


def test_quantities_go_in_lots() -> None:
    assert mapping.exchange_for(NFO) == "NSEFO" and mapping.exchange_for(NSE) == "NSE"
    assert mapping.lots(150, 75) == 2
    with pytest.raises(BrokerRejected, match="INVALID_QUANTITY"):
        mapping.lots(100, 75)
