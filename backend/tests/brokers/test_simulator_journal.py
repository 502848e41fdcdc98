"""The simulator's journal: its books survive a restart exactly, and a damaged journal fails loudly or not at all."""

import dataclasses
import errno
import logging
import os
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from app.brokers.base import (
    BrokerAccount,
    BrokerOrder,
    BrokerOrderRequest,
    BrokerRejected,
    BrokerUnavailable,
    InstrumentRef,
    Quote,
)
from app.brokers.simulator import PriceModel, SimulatorBroker, SimulatorSettings
from app.brokers.simulator.journal import JournalCorrupt, JournalInUse
from app.enums import OrderStatus, OrderType, Side, TradeType

D = Decimal
INFY = InstrumentRef(
    token_id=1594, symbol="INFY", exchange="NSE", instrument_type="EQ", lot_size=1, tick_size=D("0.05")
)
TCS = InstrumentRef(token_id=11536, symbol="TCS", exchange="NSE", instrument_type="EQ", lot_size=1, tick_size=D("0.05"))
ALICE = BrokerAccount(client_id=1, broker_client_id="SIM-A", credentials={}, opening_cash=D("1000000"))
BOB = BrokerAccount(client_id=2, broker_client_id="SIM-B", credentials={}, opening_cash=D("10000"))
START_PRICES = {INFY.token_id: D("100"), TCS.token_id: D("3000")}


class Clock:
    """A microsecond per reading from a fixed start: readings differ, yet every broker made with one starts within
    the same millisecond, so a restarted broker gets the same id stamp as the first. With equal stamps only the
    resumed counters keep new ids apart from replayed ones, which is what the id test needs to exercise.
    """

    def __init__(self) -> None:
        self.now = datetime(2025, 1, 6, 4, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(microseconds=1)
        return self.now


def open_broker(path: Path, prices: dict[int, Decimal] | None = None, **settings: Any) -> SimulatorBroker:
    return SimulatorBroker(
        SimulatorSettings(seed=7, journal_path=path, **settings),
        initial_prices=START_PRICES if prices is None else prices,
        clock=Clock(),
    )


def req(
    tag: str,
    side: Side,
    quantity: int,
    order_type: OrderType = OrderType.MARKET,
    trade_type: TradeType = TradeType.INTRADAY,
    price: str | None = None,
    trigger: str | None = None,
    instrument: InstrumentRef = INFY,
) -> BrokerOrderRequest:
    return BrokerOrderRequest(
        tag=tag,
        instrument=instrument,
        side=side,
        quantity=quantity,
        order_type=order_type,
        trade_type=trade_type,
        price=None if price is None else D(price),
        trigger_price=None if trigger is None else D(trigger),
    )


async def books(broker: SimulatorBroker) -> dict[int, dict[str, Any]]:
    """Everything the adapter reports per account, last prices aside (those come from the price model)."""
    result = {}
    for account in (ALICE, BOB):
        result[account.client_id] = {
            "orders": await broker.order_book(account),
            "trades": await broker.trade_book(account),
            "positions": [dataclasses.replace(p, last_price=None) for p in await broker.positions(account)],
            "holdings": [dataclasses.replace(p, last_price=None) for p in await broker.holdings(account)],
            "funds": await broker.funds(account),
        }
    return result


async def trade_a_mix(broker: SimulatorBroker) -> dict[str, BrokerOrder]:
    """Fills, a resting order, a stop armed but unfilled, a partial fill across ticks, a modify, a cancel, a reject."""
    placed = {
        "bought": await broker.place_order(ALICE, req("a-bought", Side.BUY, 10, trade_type=TradeType.DELIVERY)),
        "stop": await broker.place_order(
            ALICE, req("a-stop", Side.BUY, 5, OrderType.SL, price="102.50", trigger="102")
        ),
        "resting": await broker.place_order(ALICE, req("a-resting", Side.BUY, 5, OrderType.LIMIT, price="95")),
        "cancelled": await broker.place_order(ALICE, req("a-cancelled", Side.BUY, 3, OrderType.LIMIT, price="90")),
        "partial": await broker.place_order(
            ALICE, req("a-partial", Side.BUY, 25, OrderType.LIMIT, price="2990", instrument=TCS)
        ),
        "bob": await broker.place_order(BOB, req("b-bought", Side.BUY, 10)),
    }
    with pytest.raises(BrokerRejected) as rejected:
        await broker.place_order(BOB, req("b-too-big", Side.BUY, 1000, trade_type=TradeType.DELIVERY))
    assert rejected.value.code == "INSUFFICIENT_MARGIN"

    await broker.modify_order(ALICE, placed["resting"].broker_order_id, quantity=8, price=D("96"))
    await broker.cancel_order(ALICE, placed["cancelled"].broker_order_id)
    broker.set_price(TCS.token_id, D("2985"))  # 10 of 25 fill (liquidity 10 per pass)
    broker.set_price(TCS.token_id, D("2980"))  # 10 more
    broker.set_price(INFY.token_id, D("104"))  # arms the stop, above its limit so no fill
    # Sold at 104 less slippage (103.90): realises (103.90 - 100.05) x 4, moving cash.
    await broker.place_order(ALICE, req("a-sold", Side.SELL, 4, trade_type=TradeType.DELIVERY))
    return {
        tag: await broker.order_status(ALICE if tag != "bob" else BOB, o.broker_order_id) for tag, o in placed.items()
    }


@pytest.mark.asyncio
async def test_a_restarted_broker_has_the_same_books(tmp_path: Path) -> None:
    journal = tmp_path / "journal.jsonl"
    first = open_broker(journal, liquidity_per_tick=10)
    placed = await trade_a_mix(first)
    assert placed["partial"].status is OrderStatus.PARTIALLY_FILLED and placed["partial"].filled_quantity == 20
    before = await books(first)
    assert D(before[ALICE.client_id]["funds"].cash) != ALICE.opening_cash  # realised P&L is part of what must survive
    await first.close()

    # Other starting prices and liquidity, and a price listener: replay uses none of them and moves no price.
    model = PriceModel(initial_prices={INFY.token_id: D("500"), TCS.token_id: D("9000")})
    heard: list[Quote] = []
    model.add_tick_listener(heard.extend)
    second = SimulatorBroker(SimulatorSettings(seed=7, journal_path=journal), prices=model, clock=Clock())

    assert await books(second) == before
    assert heard == []
    # Each instrument resumes at its last fill price, not at its configured start.
    assert (second.last_price(INFY.token_id), second.last_price(TCS.token_id)) == (D("103.90"), D("2980"))
    await second.close()


@pytest.mark.asyncio
async def test_replayed_orders_carry_on_and_keep_their_tags(tmp_path: Path) -> None:
    journal = tmp_path / "journal.jsonl"
    first = open_broker(journal, liquidity_per_tick=10)
    placed = await trade_a_mix(first)
    old_orders = {o.broker_order_id for acct in (ALICE, BOB) for o in await first.order_book(acct)}
    old_trades = {t.trade_id for acct in (ALICE, BOB) for t in await first.trade_book(acct)}
    await first.close()

    second = open_broker(journal)
    with pytest.raises(BrokerRejected) as rejected:
        await second.place_order(ALICE, req("a-bought", Side.BUY, 10))
    assert rejected.value.code == "DUPLICATE_TAG"
    # The margin-rejected order was never accepted, so its tag is free.
    retried = await second.place_order(BOB, req("b-too-big", Side.BUY, 1))
    assert retried.status is OrderStatus.FILLED

    # The stop was armed before the restart: at 101.50 (under its 102 trigger) it now fills as a limit.
    second.set_price(INFY.token_id, D("101.50"))
    stop = await second.order_status(ALICE, placed["stop"].broker_order_id)
    assert (stop.status, stop.average_price) == (OrderStatus.FILLED, D("101.50"))
    second.set_price(TCS.token_id, D("2980"))
    partial = await second.order_status(ALICE, placed["partial"].broker_order_id)
    assert (partial.status, partial.filled_quantity) == (OrderStatus.FILLED, 25)

    new_orders = {o.broker_order_id for acct in (ALICE, BOB) for o in await second.order_book(acct)} - old_orders
    new_trades = {t.trade_id for acct in (ALICE, BOB) for t in await second.trade_book(acct)} - old_trades
    assert retried.broker_order_id in new_orders
    assert len(new_trades) == 3  # the retry, the stop, the rest of the partial: none reused an old id
    # Same clock, same stamp: only the resumed counters keep the ids apart.
    assert retried.broker_order_id.rpartition("-")[0] == placed["bought"].broker_order_id.rpartition("-")[0]

    # What happened after the restart is journalled too.
    after = await books(second)
    await second.close()
    third = open_broker(journal)
    assert await books(third) == after
    await third.close()


@pytest.mark.asyncio
async def test_an_order_whose_answer_timed_out_is_found_by_tag_after_a_restart(tmp_path: Path) -> None:
    journal = tmp_path / "journal.jsonl"
    first = open_broker(journal, timeout_rate=1.0, timeout_after_accept=True)
    with pytest.raises(BrokerUnavailable):
        await first.place_order(ALICE, req("our-order-17", Side.BUY, 10))
    await first.close()

    second = open_broker(journal)
    [found] = [o for o in await second.order_book(ALICE) if o.tag == "our-order-17"]
    assert (found.status, found.filled_quantity) == (OrderStatus.FILLED, 10)
    with pytest.raises(BrokerRejected) as rejected:
        await second.place_order(ALICE, req("our-order-17", Side.BUY, 10))
    assert rejected.value.code == "DUPLICATE_TAG"
    await second.close()


async def journal_some_orders(journal: Path) -> dict[int, dict[str, Any]]:
    broker = open_broker(journal)
    await broker.place_order(ALICE, req("a-1", Side.BUY, 10))
    await broker.place_order(ALICE, req("a-2", Side.BUY, 5, OrderType.LIMIT, price="95"))
    result = await books(broker)
    await broker.close()
    return result


@pytest.mark.asyncio
async def test_a_torn_last_line_is_dropped_with_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    journal = tmp_path / "journal.jsonl"
    before = await journal_some_orders(journal)
    with journal.open("ab") as f:
        f.write(b'{"ev":"fill","client":1,"id":"SIM-')  # the process died mid-write

    with caplog.at_level(logging.WARNING):
        second = open_broker(journal)
    assert "torn last line" in caplog.text
    assert await books(second) == before
    # The next event starts on a line of its own, so the journal stays readable.
    await second.place_order(ALICE, req("a-3", Side.BUY, 1))
    after = await books(second)
    await second.close()
    third = open_broker(journal)
    assert await books(third) == after
    await third.close()


@pytest.mark.asyncio
async def test_a_whole_last_event_missing_only_its_newline_is_kept(tmp_path: Path) -> None:
    journal = tmp_path / "journal.jsonl"
    before = await journal_some_orders(journal)
    journal.write_bytes(journal.read_bytes().rstrip(b"\n"))

    second = open_broker(journal)
    assert await books(second) == before
    await second.place_order(ALICE, req("a-3", Side.BUY, 1))
    after = await books(second)
    await second.close()
    third = open_broker(journal)
    assert await books(third) == after
    await third.close()


@pytest.mark.parametrize(
    "bad_line",
    [
        b"not json at all\n",
        b'{"ev":"teleport","client":1}\n',
        b'{"ev":"fill","client":1,"id":"SIM-nope","qty":1,"price":"1","trade":"T","ts":"2025-01-06T04:00:00+00:00"}\n',
        b'{"ev":"account","client":1}\n',
    ],
)
@pytest.mark.asyncio
async def test_a_corrupt_line_before_the_end_is_an_error_naming_it(tmp_path: Path, bad_line: bytes) -> None:
    journal = tmp_path / "journal.jsonl"
    await journal_some_orders(journal)
    lines = journal.read_bytes().splitlines(keepends=True)
    assert len(lines) > 3
    lines[2] = bad_line
    journal.write_bytes(b"".join(lines))

    with pytest.raises(JournalCorrupt, match=r"journal\.jsonl line 3: ") as corrupt:
        open_broker(journal)
    assert corrupt.value.lineno == 3


@pytest.mark.asyncio
async def test_a_journal_has_one_writer_at_a_time(tmp_path: Path) -> None:
    journal = tmp_path / "journal.jsonl"
    first = open_broker(journal)
    with pytest.raises(JournalInUse):
        open_broker(journal)
    await first.close()
    second = open_broker(journal)
    await second.close()


class FullDisk:
    """A journal file whose writes fail, as on a full disk."""

    def __init__(self, file: Any) -> None:
        self._file = file

    def write(self, data: bytes) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def flush(self) -> None:
        self._file.flush()

    def fileno(self) -> int:
        return int(self._file.fileno())

    def close(self) -> None:
        self._file.close()


@pytest.mark.asyncio
async def test_a_failed_journal_write_refuses_the_change_and_keeps_memory_in_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = tmp_path / "journal.jsonl"
    broker = open_broker(journal)
    await broker.place_order(ALICE, req("a-1", Side.BUY, 10))
    resting = await broker.place_order(ALICE, req("a-2", Side.BUY, 5, OrderType.LIMIT, price="95"))
    before = await books(broker)
    # No public seam for a failing disk: swap the journal's file for one whose writes fail.
    monkeypatch.setattr(broker._journal, "_file", FullDisk(broker._journal._file))

    with pytest.raises(BrokerUnavailable):
        await broker.place_order(ALICE, req("a-3", Side.BUY, 1))
    with pytest.raises(BrokerUnavailable):
        await broker.modify_order(ALICE, resting.broker_order_id, price=D("96"))
    with pytest.raises(BrokerUnavailable):
        await broker.cancel_order(ALICE, resting.broker_order_id)
    broker.set_price(INFY.token_id, D("94"))  # would fill the resting order, but a fill cannot be recorded
    assert await books(broker) == before
    await broker.close()

    restarted = open_broker(journal)
    assert await books(restarted) == before
    await restarted.close()


@pytest.mark.parametrize("fsync", [True, False])
@pytest.mark.asyncio
async def test_journal_fsync_syncs_every_event(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fsync: bool) -> None:
    synced: list[int] = []
    monkeypatch.setattr(os, "fsync", synced.append)
    broker = open_broker(tmp_path / "journal.jsonl", journal_fsync=fsync)
    await broker.place_order(ALICE, req("a-1", Side.BUY, 10))  # account, accept, fill
    await broker.close()
    assert len(synced) == (3 if fsync else 0)
