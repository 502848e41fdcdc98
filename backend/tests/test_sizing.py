"""Sizing and charges as pure functions: lot rounding down, equal_split remainders by id, ratios, the charge table."""

from decimal import Decimal

from app.brokers.charges import estimate
from app.enums import Side, TradeType
from app.services.sizing import Member, amount, available_margin, equal_split, fixed, lots_down, pct_equity, ratio


def test_lots_round_down_never_up() -> None:
    assert lots_down(Decimal("49.99"), 25) == 25
    assert lots_down(Decimal("24.99"), 25) == 0
    assert lots_down(Decimal("50"), 25) == 50
    assert lots_down(Decimal("-3"), 1) == 0


def test_equal_split_gives_remainder_lots_to_the_first_clients_by_id() -> None:
    members = [Member(30), Member(10), Member(20)]
    sized = {s.client_id: s.quantity for s in equal_split(members, 23, 5)}  # 4 whole lots among 3
    assert sized == {10: 10, 20: 5, 30: 5}
    assert {s.client_id: s.quantity for s in equal_split(members, 10, 1)} == {10: 4, 20: 3, 30: 3}
    tiny = equal_split(members, 2, 1)
    assert [s.quantity for s in tiny] == [1, 1, 0]
    assert tiny[2].reason is not None and tiny[2].reason.startswith("ROUNDS_TO_ZERO")


def test_ratio_is_proportional_to_multipliers_with_remainders_dropped() -> None:
    members = [Member(1, Decimal(1)), Member(2, Decimal(2)), Member(3, Decimal(3))]
    assert [s.quantity for s in ratio(members, 60, 1)] == [10, 20, 30]
    assert [s.quantity for s in ratio(members, 10, 1)] == [1, 3, 5]  # 1.67, 3.33, 5 rounded down
    assert [s.raw_quantity for s in ratio(members, 10, 1)] == [Decimal("1.6666"), Decimal("3.3333"), Decimal("5")]


def test_fixed_and_amount_use_the_multiplier_and_round_down_to_the_lot() -> None:
    members = [Member(1, Decimal("2.5")), Member(2, Decimal("0.3"))]
    assert [s.quantity for s in fixed(members, 10, 5)] == [25, 0]
    assert [s.quantity for s in amount(members, Decimal("10000"), Decimal("99.95"), 1)] == [250, 30]


def test_pct_equity_and_available_margin() -> None:
    member = Member(1)
    assert pct_equity(member, Decimal(10), Decimal("1000000"), Decimal("1400"), 1).quantity == 71
    sized = available_margin(member, Decimal(50), Decimal("100000"), Decimal(5), Decimal("1400"), 1)
    assert sized.quantity == 178  # 50% x 100,000 x 5 / 1,400 = 178.57
    assert sized.inputs == {"percent": "50", "available_margin": "100000", "leverage": "5"}


def test_charges_of_a_delivery_buy_match_the_hand_computed_figures() -> None:
    # Value ₹1,00,000 on NSE: brokerage min(0.03% = 30, cap 20) = 20; STT 0.1% = 100; exchange 0.00297% = 2.97;
    # SEBI 0.0001% = 0.10; stamp duty 0.015% = 15; GST 18% x (20 + 2.97 + 0.10) = 4.1526 -> 4.15. Total 142.22.
    charges = estimate(Decimal("100000"), Side.BUY, TradeType.DELIVERY, "NSE")
    assert charges.as_dict() == {
        "brokerage": Decimal("20.00"),
        "stt": Decimal("100.00"),
        "exchange_txn": Decimal("2.97"),
        "sebi": Decimal("0.10"),
        "stamp_duty": Decimal("15.00"),
        "gst": Decimal("4.15"),
        "total": Decimal("142.22"),
    }


def test_charges_of_an_intraday_sell_have_stt_but_no_stamp_duty() -> None:
    # Value ₹50,000 on BSE: brokerage 0.03% = 15; STT 0.025% = 12.50; exchange 0.00375% = 1.875 -> 1.88;
    # SEBI 0.05; stamp none on a sell; GST 18% x (15 + 1.88 + 0.05) = 3.0474 -> 3.05. Total 32.48.
    charges = estimate(Decimal("50000"), Side.SELL, TradeType.INTRADAY, "BSE")
    assert (charges.brokerage, charges.stt, charges.exchange_txn, charges.sebi) == (
        Decimal("15.00"),
        Decimal("12.50"),
        Decimal("1.88"),
        Decimal("0.05"),
    )
    assert charges.stamp_duty == 0 and charges.gst == Decimal("3.05") and charges.total == Decimal("32.48")
    assert estimate(Decimal("0"), Side.BUY, TradeType.DELIVERY, "NSE").total == 0
