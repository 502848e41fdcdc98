"""How a broker's view of an order moves our record of it: forward only, whether the record is an order row or one
leg of a split order.

Every broker view of an order (the answer to a request, a pushed update, an order-book row) goes through
`merge_broker_state`, so a late or repeated view can never move an order backwards. A `Verdict` is our record of a
request that produced no order-book row: a rejection, a refusal of ours, or no answer.
"""

from dataclasses import dataclass

from app.brokers.base import BrokerOrder
from app.enums import CLOSED_STATUSES, IN_FLIGHT_STATUSES, OrderStatus
from app.models import Order, OrderLeg

_RANK = {OrderStatus.PENDING: 0, OrderStatus.FAILED: 1, OrderStatus.OPEN: 2, OrderStatus.PARTIALLY_FILLED: 3}
_CLOSED_RANK = 4


@dataclass(frozen=True, slots=True)
class Verdict:
    """Our record of a request that produced no order-book row: a rejection or no answer."""

    status: OrderStatus
    reason: str


Outcome = BrokerOrder | Verdict


def _progress(status: OrderStatus, filled: int) -> tuple[int, int]:
    return (_CLOSED_RANK if status in CLOSED_STATUSES else _RANK[status], filled)


def merge_broker_state(order: Order | OrderLeg, snapshot: BrokerOrder) -> bool:
    """Apply the broker's view of the order if it is not behind ours; True if anything changed."""
    if order.status in CLOSED_STATUSES:
        return False
    new, old = _progress(snapshot.status, snapshot.filled_quantity), _progress(order.status, order.filled_quantity)
    if new < old:
        return False
    changed = False
    if new > old:
        order.status = snapshot.status
        order.filled_quantity = snapshot.filled_quantity
        order.average_price = snapshot.average_price
        order.reason = snapshot.reason
        changed = True
    terms = (snapshot.quantity, snapshot.price, snapshot.trigger_price)
    if terms != (order.quantity, order.price, order.trigger_price):
        order.quantity, order.price, order.trigger_price = terms
        changed = True
    if order.broker_order_id != snapshot.broker_order_id:
        order.broker_order_id = snapshot.broker_order_id
        changed = True
    if snapshot.note and order.broker_note != snapshot.note:
        order.broker_note = snapshot.note
        changed = True
    return changed


def apply_outcome(order: Order | OrderLeg, outcome: Outcome) -> bool:
    """Record an answer on the order or leg; a verdict without a broker row only settles one that has none yet."""
    if isinstance(outcome, Verdict):
        if order.status not in IN_FLIGHT_STATUSES:
            return False
        order.status, order.reason = outcome.status, outcome.reason
        return True
    return merge_broker_state(order, outcome)
