"""Each Motilal account's order rate: the registry's throttle on a fake clock, then as the fake broker saw it."""

import asyncio
import itertools
import time
from decimal import Decimal
from types import SimpleNamespace

import pytest

from app.brokers import registry as registry_module
from app.brokers.base import BrokerOrderRequest, InstrumentRef
from app.brokers.registry import AccountThrottle, BrokerRegistry
from app.enums import BrokerName, OrderType, Side, TradeType
from tests.fakes.motilal import FakeMotilal
from tests.motilal.conftest import PLAIN_USER, TOTP_USER, MakeBroker, account

RELIANCE = InstrumentRef(2885, "RELIANCE", "NSE", "EQ", 1, Decimal("0.05"))


async def test_account_throttle_spaces_orders_one_interval_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [100.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(round(seconds, 9))

    monkeypatch.setattr(registry_module, "time", SimpleNamespace(monotonic=lambda: now[0]))
    monkeypatch.setattr(registry_module, "asyncio", SimpleNamespace(Lock=asyncio.Lock, sleep=sleep))
    throttle = AccountThrottle(10)
    for _ in range(5):
        await throttle.wait()  # five orders at the same instant
    assert slept == [0.1, 0.2, 0.3, 0.4], "the first goes at once, each next one 1/10 s after the one before"
    now[0] += 0.25  # time passes: the 5th slot (100.4) is still 0.15 s ahead, the 6th at 100.5
    await throttle.wait()
    assert slept[-1] == pytest.approx(0.25)
    now[0] += 10  # an idle account starts afresh, with no debt of sleeps
    await throttle.wait()
    assert len(slept) == 5


async def test_the_broker_sees_each_accounts_orders_spaced_while_accounts_run_in_parallel(
    fake: FakeMotilal, make_broker: MakeBroker
) -> None:
    fake.set_ltp(2885, "1400.00")
    broker = await make_broker(orders_per_second=10, timeout_s=2.0)
    brokers = BrokerRegistry({BrokerName.MOTILAL: broker}, concurrency=32, call_timeout_s=5.0)
    accounts = [account(TOTP_USER), account(PLAIN_USER)]
    for acct in accounts:
        await broker.ensure_session(acct)
    # Open the pool's connections first: a new connection's set-up would delay one request's arrival, not the
    # throttle's spacing, which is what this test reads off the broker's side.
    await asyncio.gather(*(broker.funds(acct) for acct in accounts * 3))

    async def place(acct_index: int, n: int) -> None:
        acct = accounts[acct_index]
        req = BrokerOrderRequest(
            f"MD{acct_index}{n}", RELIANCE, Side.BUY, 1, OrderType.LIMIT, TradeType.DELIVERY, price=Decimal("1390")
        )
        await brokers.call(BrokerName.MOTILAL, lambda a: a.place_order(acct, req), throttle_account=acct.client_id)

    started = time.monotonic()
    await asyncio.gather(*(place(i, n) for n in range(5) for i in range(2)))
    elapsed = time.monotonic() - started
    for userid in (TOTP_USER, PLAIN_USER):
        arrivals = sorted(r.at for r in fake.requests_to("placeorder") if r.userid == userid)
        assert len(arrivals) == 5
        gaps = [later - earlier for earlier, later in itertools.pairwise(arrivals)]
        assert min(gaps) >= 0.1 - 0.04, gaps
    # Two accounts' orders interleave: 2 x 5 orders at 10/s per account take ~0.4 s, not the ~0.9 s of one queue.
    assert elapsed < 0.85, elapsed
    assert len(fake.orders(TOTP_USER)) == len(fake.orders(PLAIN_USER)) == 5
