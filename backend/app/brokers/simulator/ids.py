"""The simulator's broker order ids and trade ids: SIM-<stamp>-<n> and SIMT-<stamp>-<n>.

The stamp is the start time, so a memory-only simulator never reuses an id our database still holds from
before a restart. With a journal the counters also carry on past the highest replayed number, so new ids never
collide with replayed ones even when two starts share a stamp (a fixed clock in tests, a clock set back).
"""

import itertools
from collections.abc import Iterable

from app.brokers.simulator.book import Account


def sequence(identifier: str) -> int:
    """The counter in an id, 0 if it has none."""
    number = identifier.rpartition("-")[2]
    return int(number) if number.isdigit() else 0


class IdSource:
    def __init__(self, stamp: str, *, accounts: Iterable[Account] = ()) -> None:
        accounts = list(accounts)
        last_order = max((sequence(i) for acct in accounts for i in acct.orders), default=0)
        last_trade = max((sequence(t.trade_id) for acct in accounts for t in acct.trades), default=0)
        self._stamp = stamp
        self._orders = itertools.count(last_order + 1)
        self._trades = itertools.count(last_trade + 1)

    def order_id(self) -> str:
        return f"SIM-{self._stamp}-{next(self._orders)}"

    def trade_id(self) -> str:
        return f"SIMT-{self._stamp}-{next(self._trades)}"
