"""Motilal's position rows, DP holdings and margin report to ours (app/brokers/motilal/portfolio.py; no I/O)."""

from decimal import Decimal

import pytest

from app.brokers.base import BrokerHolding, BrokerUnavailable, SegmentFunds
from app.brokers.motilal import portfolio
from app.enums import Segment, TradeType

D = Decimal


def row(**fields: object) -> dict[str, object]:
    """A getposition row with every quantity and amount zero unless given."""
    base: dict[str, object] = {"exchange": "NSEFO", "symboltoken": 35001, "productname": "NORMAL", "LTP": 0}
    for side in ("buy", "sell"):
        for prefix in ("", "day", "cf"):
            base[f"{prefix}{side}quantity"] = 0
            base[f"{prefix}{side}amount"] = 0
    return base | fields


def test_a_position_carried_from_yesterday_and_added_to_today_averages_its_actual_cost() -> None:
    # Carried: long 100 bought at 90 (cfbuyamount 9000, actual), yesterday's close 100, so Motilal's buyamount
    # values the carried part at 100 x 100. Today: bought 50 more at 120.
    position = portfolio.position(
        row(
            buyquantity=150,
            buyamount=16000.0,
            cfbuyquantity=100,
            cfbuyamount=9000.0,
            daybuyquantity=50,
            daybuyamount=6000.0,
            LTP=125.0,
            bookedprofitloss=0,
        )
    )
    assert position.net_quantity == 150
    assert position.average_price == D("100.0000")  # (9000 + 6000) / 150, not 16000 / 150
    assert position.realised_pnl == D("0.00")
    assert (position.buy_quantity, position.sell_quantity, position.last_price) == (150, 0, D("125.00"))
    assert position.trade_type is TradeType.DELIVERY  # NORMAL is carry-forward: our DELIVERY, never INTRADAY


def test_a_position_carried_and_partly_sold_today_realises_against_its_actual_cost() -> None:
    # Carried long 100 at an actual 90 (close 100); sold 40 today at 110.
    position = portfolio.position(
        row(
            buyquantity=100,
            buyamount=10000.0,
            cfbuyquantity=100,
            cfbuyamount=9000.0,
            sellquantity=40,
            sellamount=4400.0,
            daysellquantity=40,
            daysellamount=4400.0,
            bookedprofitloss=400.0,  # Motilal's figure, on the previous close: (110 - 100) x 40
        )
    )
    assert (position.net_quantity, position.average_price) == (60, D("90.0000"))
    assert position.realised_pnl == D("800.00")  # (110 - 90) x 40


def test_a_carried_short_covered_in_part_today() -> None:
    position = portfolio.position(
        row(
            sellquantity=50,
            sellamount=5000.0,
            cfsellquantity=50,
            cfsellamount=5500.0,  # shorted at 110
            buyquantity=20,
            buyamount=2000.0,
            daybuyquantity=20,
            daybuyamount=2000.0,  # covered at 100
        )
    )
    assert (position.net_quantity, position.average_price, position.realised_pnl) == (-30, D("110.0000"), D("200.00"))


def test_a_cash_delivery_row_counts_todays_trades_only_as_the_carried_shares_are_holdings() -> None:
    position = portfolio.position(
        row(
            exchange="NSE",
            symboltoken=2885,
            productname="DELIVERY",
            buyquantity=15,
            buyamount=21500.0,
            cfbuyquantity=10,
            cfbuyamount=12000.0,
            daybuyquantity=5,
            daybuyamount=7000.0,
        )
    )
    assert (position.trade_type, position.net_quantity, position.average_price) == (
        TradeType.DELIVERY,
        5,
        D("1400.0000"),
    )


def test_a_row_without_the_day_and_carry_split_uses_its_totals() -> None:
    short = portfolio.position(
        {"symboltoken": 1, "productname": "VALUEPLUS", "buyquantity": 0, "sellquantity": 7, "sellamount": 9800}
    )
    assert (short.net_quantity, short.average_price, short.realised_pnl) == (-7, D("1400.0000"), D("0.00"))


def test_a_dp_holding_carries_both_exchanges_tokens_its_quantity_and_cost() -> None:
    holding = portfolio.holding(
        {
            "clientcode": "AA017",
            "scripisinno": "INE002A01018",
            "scripname": "RELIANCE EQ",
            "dpquantity": 25,
            "blockedquantity": 0,
            "buyavgprice": 1200.5,
            "bsescripcode": 500325,
            "nsesymboltoken": 2885,
        }
    )
    assert holding == BrokerHolding(
        tokens={"NSE": 2885, "BSE": 500325},
        quantity=25,
        average_price=D("1200.5000"),
        last_price=None,
        name="RELIANCE EQ",
    )
    assert (holding.token_for("nse"), holding.token_for("BSE"), holding.token_for("NFO")) == (2885, 500325, None)
    bse_only = portfolio.holding({"dpquantity": 3, "buyavgprice": 10, "bsescripcode": "512345", "nsesymboltoken": 0})
    assert bse_only is not None and bse_only.tokens == {"BSE": 512345}
    assert portfolio.holding({"dpquantity": 0, "nsesymboltoken": 2885}) is None
    assert portfolio.holding({"dpquantity": 5, "nsesymboltoken": 0, "bsescripcode": 0}) is None


def test_funds_per_segment_from_the_margin_detail_rows() -> None:
    rows = [
        {"srno": 100, "particulars": "Total Available Margin(A-B-C-D)", "amount": 900000.0},
        {"srno": 102, "particulars": "Available for Cash / SLBM Segment", "amount": 986000.0},
        {"srno": 103, "particulars": "Available for FO Segment", "amount": 900000.0},
        {"srno": 201, "particulars": "Cash Balance(Cash Margin)", "amount": 1000000},
        {"srno": 300, "particulars": "Margin Usage Details (B)", "amount": 100000.5},
        {"srno": 301, "particulars": "Equities", "amount": 14000.5},
        {"srno": 321, "particulars": "FO", "amount": 86000},
        {"srno": 507, "particulars": "Add: Scrip Capital Cash", "amount": 7},
        {"srno": 507, "particulars": "Stock Capital Cash", "amount": 8},
        {"srno": "x", "amount": 1},
    ]
    funds = portfolio.funds(rows)
    assert (funds.cash, funds.margin_used, funds.margin_available) == (
        D("1000000.00"),
        D("100000.50"),
        D("986000.00"),
    )
    assert funds.segments == (
        SegmentFunds(Segment.CASH, D("986000.00"), D("14000.50")),
        SegmentFunds(Segment.FO, D("900000.00"), D("86000.00")),
    )


def test_funds_from_a_short_margin_report() -> None:
    derived = portfolio.funds([{"srno": 201, "amount": 500}, {"srno": 300, "amount": 100}])
    assert derived.margin_available == D("400.00")
    assert derived.segments == (SegmentFunds(Segment.CASH, D("400.00"), D("100.00")),)
    with pytest.raises(BrokerUnavailable):
        portfolio.funds([{"srno": 300, "amount": 1}])
