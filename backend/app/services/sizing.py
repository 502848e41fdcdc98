"""Allocation methods: each client's quantity from a group's members, the method's input and the sizing price.

Pure functions, Decimal throughout. Every quantity is rounded DOWN to the instrument's lot size; a client whose
quantity rounds to 0 gets a reason (`ROUNDS_TO_ZERO: ...`) and no order.

| method | input | raw quantity |
|---|---|---|
| fixed | quantity | quantity x multiplier |
| equal_split | total_quantity | total / members: whole lots dealt equally, remainder lots one each by client id |
| ratio | total_quantity | total x multiplier / sum of multipliers (each rounded down; the remainder is not sent) |
| amount | amount (₹) | amount x multiplier / price |
| pct_equity | percent | percent / 100 x equity / price |
| available_margin | percent | percent / 100 x available margin x leverage of the trade type / price |

The member's multiplier applies to fixed, ratio and amount; pct_equity and available_margin size from each
client's own books, so a multiplier there would count the client's size twice. Only active members share
equal_split and ratio (a deactivated one is skipped before the division).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from enum import StrEnum
from typing import Any

HUNDRED = Decimal(100)
RAW = Decimal("0.0001")


class Method(StrEnum):
    FIXED = "fixed"
    EQUAL_SPLIT = "equal_split"
    RATIO = "ratio"
    AMOUNT = "amount"
    PCT_EQUITY = "pct_equity"
    AVAILABLE_MARGIN = "available_margin"


PRICED_METHODS = frozenset({Method.AMOUNT, Method.PCT_EQUITY, Method.AVAILABLE_MARGIN})
BOOK_METHODS = frozenset({Method.PCT_EQUITY, Method.AVAILABLE_MARGIN})


@dataclass(frozen=True, slots=True)
class Member:
    client_id: int
    multiplier: Decimal = Decimal(1)


@dataclass(frozen=True, slots=True)
class Sized:
    client_id: int
    quantity: int
    raw_quantity: Decimal
    multiplier: Decimal
    inputs: dict[str, str] = field(default_factory=dict)
    reason: str | None = None  # why no order: ROUNDS_TO_ZERO: ...

    def describe(self, method: Method, price: Decimal | None, price_source: str | None) -> dict[str, Any]:
        """The row's `sizing` as the API shows it (decimals as strings)."""
        return {
            "method": method.value,
            "price": None if price is None else str(price),
            "price_source": price_source,
            "multiplier": str(self.multiplier),
            "inputs": self.inputs,
            "raw_quantity": str(self.raw_quantity),
            "quantity": self.quantity,
        }


def lots_down(raw: Decimal, lot_size: int) -> int:
    """The largest multiple of the lot size not above `raw` (never negative)."""
    if raw <= 0:
        return 0
    return int((raw / lot_size).to_integral_value(rounding=ROUND_DOWN)) * lot_size


def _sized(member: Member, raw: Decimal, lot_size: int, inputs: dict[str, str], why: str) -> Sized:
    quantity = lots_down(raw, lot_size)
    reason = None
    if quantity == 0:
        reason = f"ROUNDS_TO_ZERO: {why} gives {_show(raw)} shares, below one lot of {lot_size}"
    return Sized(member.client_id, quantity, _show(raw), member.multiplier, inputs, reason)


def _show(raw: Decimal) -> Decimal:
    return raw.quantize(RAW, rounding=ROUND_DOWN)


def fixed(members: Sequence[Member], quantity: int, lot_size: int) -> list[Sized]:
    return [
        _sized(m, quantity * m.multiplier, lot_size, {"quantity": str(quantity)}, f"{quantity} x {m.multiplier}")
        for m in members
    ]


def equal_split(members: Sequence[Member], total: int, lot_size: int) -> list[Sized]:
    ordered = sorted(members, key=lambda m: m.client_id)
    if not ordered:
        return []
    lots, extra = divmod(total // lot_size, len(ordered))
    out = []
    for index, member in enumerate(ordered):
        quantity = (lots + (1 if index < extra else 0)) * lot_size
        raw = Decimal(total) / len(ordered)
        inputs = {"total_quantity": str(total), "members": str(len(ordered))}
        reason = None
        if quantity == 0:
            reason = f"ROUNDS_TO_ZERO: {total} shared by {len(ordered)} clients leaves no whole lot of {lot_size}"
        out.append(Sized(member.client_id, quantity, _show(raw), member.multiplier, inputs, reason))
    return out


def ratio(members: Sequence[Member], total: int, lot_size: int) -> list[Sized]:
    weights = sum((m.multiplier for m in members), Decimal(0))
    out = []
    for m in members:
        raw = total * m.multiplier / weights if weights > 0 else Decimal(0)
        inputs = {"total_quantity": str(total), "sum_of_multipliers": str(weights)}
        out.append(_sized(m, raw, lot_size, inputs, f"{total} x {m.multiplier} / {weights}"))
    return out


def amount(members: Sequence[Member], rupees: Decimal, price: Decimal, lot_size: int) -> list[Sized]:
    return [
        _sized(
            m,
            rupees * m.multiplier / price,
            lot_size,
            {"amount": str(rupees)},
            f"₹{rupees} x {m.multiplier} at ₹{price}",
        )
        for m in members
    ]


def pct_equity(member: Member, percent: Decimal, equity: Decimal, price: Decimal, lot_size: int) -> Sized:
    raw = percent / HUNDRED * equity / price
    inputs = {"percent": str(percent), "equity": str(equity)}
    return _sized(member, raw, lot_size, inputs, f"{percent}% of equity ₹{equity} at ₹{price}")


def available_margin(
    member: Member, percent: Decimal, margin: Decimal, leverage: Decimal, price: Decimal, lot_size: int
) -> Sized:
    raw = percent / HUNDRED * margin * leverage / price
    inputs = {"percent": str(percent), "available_margin": str(margin), "leverage": str(leverage)}
    why = f"{percent}% of available margin ₹{margin} x leverage {leverage} at ₹{price}"
    return _sized(member, raw, lot_size, inputs, why)


def size_simple(
    method: Method, members: Sequence[Member], spec: Mapping[str, Any], price: Decimal | None, lot_size: int
) -> list[Sized]:
    """The methods that need no client's books (fixed, equal_split, ratio, amount)."""
    if method is Method.FIXED:
        return fixed(members, spec["quantity"], lot_size)
    if method is Method.EQUAL_SPLIT:
        return equal_split(members, spec["total_quantity"], lot_size)
    if method is Method.RATIO:
        return ratio(members, spec["total_quantity"], lot_size)
    if method is Method.AMOUNT:
        assert price is not None
        return amount(members, spec["amount"], price, lot_size)
    raise ValueError(f"{method} sizes from each client's books")
