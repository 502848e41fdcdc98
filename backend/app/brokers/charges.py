"""Estimated charges of one Indian equity order: brokerage and the statutory charges, from one table of rates.

These are estimates for the preview, not a contract note: the broker's own figures decide. Every rate is a
fraction of the order's value (turnover), except the brokerage cap and GST. Each charge is rounded to the paisa
(half up); the exchanges round STT to the rupee on the contract note, so the note can differ by under a rupee.

| charge | INTRADAY | DELIVERY and MTF |
|---|---|---|
| brokerage | 0.03% of value, at most ₹20 per order | same |
| STT | 0.025% on the SELL side only | 0.1% on BUY and SELL |
| exchange transaction charge | NSE 0.00297%, BSE 0.00375% | same |
| SEBI turnover fee | ₹10 per crore (0.0001%) | same |
| stamp duty | 0.003% on the BUY side only | 0.015% on the BUY side only |
| GST | 18% of brokerage + exchange charge + SEBI fee | same |

Rates as published by NSE, BSE, SEBI and the Indian Stamp Act amendment of 2020 (STT as raised in October 2024,
exchange charges as revised from 1 October 2024). The brokerage line is MultiDesk's assumption of a discount
broker's plan; change BROKERAGE when the firm's plan differs.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from app.enums import Side, TradeType

PAISE = Decimal("0.01")
ZERO = Decimal("0")


@dataclass(frozen=True, slots=True)
class Brokerage:
    rate: Decimal  # fraction of value
    cap: Decimal | None  # rupees per order; None = no cap


BROKERAGE = Brokerage(rate=Decimal("0.0003"), cap=Decimal("20"))
STT: dict[tuple[bool, Side], Decimal] = {  # (intraday, side) -> fraction of value
    (True, Side.BUY): ZERO,
    (True, Side.SELL): Decimal("0.00025"),
    (False, Side.BUY): Decimal("0.001"),
    (False, Side.SELL): Decimal("0.001"),
}
EXCHANGE_TXN: dict[str, Decimal] = {"NSE": Decimal("0.0000297"), "BSE": Decimal("0.0000375")}
SEBI_FEE = Decimal("0.000001")
STAMP_DUTY_BUY: dict[bool, Decimal] = {True: Decimal("0.00003"), False: Decimal("0.00015")}
GST = Decimal("0.18")


@dataclass(frozen=True, slots=True)
class Charges:
    brokerage: Decimal
    stt: Decimal
    exchange_txn: Decimal
    sebi: Decimal
    stamp_duty: Decimal
    gst: Decimal

    @property
    def total(self) -> Decimal:
        return self.brokerage + self.stt + self.exchange_txn + self.sebi + self.stamp_duty + self.gst

    def as_dict(self) -> dict[str, Decimal]:
        return {
            "brokerage": self.brokerage,
            "stt": self.stt,
            "exchange_txn": self.exchange_txn,
            "sebi": self.sebi,
            "stamp_duty": self.stamp_duty,
            "gst": self.gst,
            "total": self.total,
        }


def _paise(value: Decimal) -> Decimal:
    return value.quantize(PAISE, rounding=ROUND_HALF_UP)


def estimate(value: Decimal, side: Side, trade_type: TradeType, exchange: str) -> Charges:
    """The charges of one order of `value` rupees; a zero value costs nothing."""
    if value <= 0:
        return Charges(*(PAISE * 0 for _ in range(6)))
    intraday = trade_type is TradeType.INTRADAY
    brokerage = value * BROKERAGE.rate
    if BROKERAGE.cap is not None:
        brokerage = min(brokerage, BROKERAGE.cap)
    brokerage = _paise(brokerage)
    exchange_txn = _paise(value * EXCHANGE_TXN.get(exchange.upper(), EXCHANGE_TXN["NSE"]))
    sebi = _paise(value * SEBI_FEE)
    return Charges(
        brokerage=brokerage,
        stt=_paise(value * STT[(intraday, side)]),
        exchange_txn=exchange_txn,
        sebi=sebi,
        stamp_duty=_paise(value * STAMP_DUTY_BUY[intraday]) if side is Side.BUY else PAISE * 0,
        gst=_paise((brokerage + exchange_txn + sebi) * GST),
    )
