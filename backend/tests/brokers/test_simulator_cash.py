"""The simulated account's cash ledger: charges on fills against hand-worked figures, deposits and withdrawals
(refused above available cash, even when two arrive at once; the same reference never moves money twice), and
a journal replay that brings the ledger back as it was."""

import asyncio
from decimal import Decimal
from pathlib import Path

import pytest

from app.brokers.base import BrokerAccount, BrokerOrderRequest, BrokerRejected, InstrumentRef
from app.brokers.charges import estimate
from app.brokers.simulator import SimulatorBroker, SimulatorSettings
from app.enums import CashKind, OrderType, Side, TradeType

D = Decimal
INFY = InstrumentRef(
    token_id=1594, symbol="INFY", exchange="NSE", instrument_type="EQ", lot_size=1, tick_size=D("0.05")
)
BOB = BrokerAccount(client_id=7, broker_client_id="SIM-7", credentials={}, opening_cash=D("100000"))


def make_broker(journal: Path | None = None, **settings: object) -> SimulatorBroker:
    broker = SimulatorBroker(
        SimulatorSettings(seed=3, slippage_bps=D(0), journal_path=journal, **settings),  # type: ignore[arg-type]
        initial_prices={INFY.token_id: D("1000")},
    )
    broker.register(INFY)
    return broker


def order(tag: str, side: Side, quantity: int, trade_type: TradeType = TradeType.INTRADAY) -> BrokerOrderRequest:
    return BrokerOrderRequest(
        tag=tag, instrument=INFY, side=side, quantity=quantity, order_type=OrderType.MARKET, trade_type=trade_type
    )


@pytest.mark.asyncio
async def test_an_intraday_round_trip_is_charged_as_worked_out_by_hand_and_cash_is_net_of_it() -> None:
    broker = make_broker()
    await broker.place_order(BOB, order("b", Side.BUY, 100))
    broker.set_price(INFY.token_id, D("1010"))
    await broker.place_order(BOB, order("s", Side.SELL, 100))
    # Buy 100 @ 1000 (value 100000): brokerage 20 (0.03% = 30, capped at 20), STT 0 (intraday buy),
    # exchange 2.97, SEBI 0.10, stamp 3.00, GST 18% of 23.07 = 4.15 -> 30.22.
    # Sell 100 @ 1010 (value 101000): brokerage 20, STT 25.25, exchange 3.00, SEBI 0.10, stamp 0,
    # GST 18% of 23.10 = 4.16 -> 52.51.
    [position] = await broker.positions(BOB)
    assert (position.realised_pnl, position.charges) == (D("1000.00"), D("82.73"))
    funds = await broker.funds(BOB)
    assert funds.cash == D("100000") + D("1000") - D("82.73")
    ledger = await broker.cash_ledger(BOB)
    assert [(e.kind, e.amount) for e in ledger] == [
        (CashKind.OPENING, D("100000")),
        (CashKind.CHARGES, D("-30.22")),
        (CashKind.REALISED_PNL, D("1000")),
        (CashKind.CHARGES, D("-52.51")),
    ]
    assert sum(e.amount for e in ledger) == funds.cash


@pytest.mark.asyncio
async def test_partial_fills_add_up_to_one_orders_charges_with_the_brokerage_cap_applied_once() -> None:
    broker = make_broker(liquidity_per_tick=40)
    await broker.place_order(BOB, order("b", Side.BUY, 100))
    for _ in range(5):
        if (await broker.order_book(BOB))[0].filled_quantity == 100:
            break
        broker.tick()
    [filled] = await broker.order_book(BOB)
    charges = [e.amount for e in await broker.cash_ledger(BOB) if e.kind == CashKind.CHARGES]
    assert (filled.filled_quantity, len(charges)) == (100, 3)  # 40 + 40 + 20
    value = sum((f.price * f.quantity for f in filled.fills), D(0))
    # Exactly what the order would cost in one fill of that value: one brokerage, capped at 20 (three separately
    # capped fills would pay up to 60).
    assert -sum(charges) == estimate(value, Side.BUY, TradeType.INTRADAY, "NSE").total
    assert (await broker.positions(BOB))[0].charges == -sum(charges)


@pytest.mark.asyncio
async def test_deposit_and_withdraw_move_cash_and_a_withdrawal_above_available_cash_is_refused() -> None:
    broker = make_broker()
    await broker.transfer_cash(BOB, D("5000"), "t1", "top-up")
    await broker.transfer_cash(BOB, D("-2000"), "t2", "")
    assert (await broker.funds(BOB)).cash == D("103000")
    # A DELIVERY buy of 60 @ 1000 ties up 60000 of margin: 43000 less charges is what may leave.
    await broker.place_order(BOB, order("b", Side.BUY, 60, TradeType.DELIVERY))
    available = (await broker.funds(BOB)).margin_available
    with pytest.raises(BrokerRejected) as refused:
        await broker.transfer_cash(BOB, -(available + D("0.01")), "t3", "")
    assert refused.value.code == "INSUFFICIENT_CASH"
    await broker.transfer_cash(BOB, -available, "t4", "")
    assert (await broker.funds(BOB)).margin_available == D("0.00")
    kinds = [(e.kind, e.amount, e.description) for e in await broker.cash_ledger(BOB)][1:3]
    assert kinds == [(CashKind.DEPOSIT, D("5000"), "top-up"), (CashKind.WITHDRAWAL, D("-2000"), "Withdrawal")]


@pytest.mark.asyncio
async def test_two_withdrawals_at_once_cannot_both_spend_the_same_cash() -> None:
    broker = make_broker(latency_ms=5, latency_jitter_ms=5)
    results = await asyncio.gather(
        *(broker.transfer_cash(BOB, D("-30000"), f"w{n}", "") for n in range(5)), return_exceptions=True
    )
    done = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, BrokerRejected) and r.code == "INSUFFICIENT_CASH"]
    assert (len(done), len(refused)) == (3, 2)
    assert (await broker.funds(BOB)).cash == D("10000")


@pytest.mark.asyncio
async def test_the_same_transfer_reference_moves_money_once() -> None:
    broker = make_broker()
    first = await broker.transfer_cash(BOB, D("-1000"), "same", "")
    again = await broker.transfer_cash(BOB, D("-1000"), "same", "")
    assert first == again
    assert (await broker.funds(BOB)).cash == D("99000")


@pytest.mark.asyncio
async def test_a_restarted_simulator_replays_the_ledger_from_its_journal(tmp_path: Path) -> None:
    journal = tmp_path / "sim.jsonl"
    broker = make_broker(journal)
    await broker.transfer_cash(BOB, D("2500"), "dep", "cheque")
    await broker.place_order(BOB, order("b", Side.BUY, 10))
    before = await broker.cash_ledger(BOB)
    await broker.close()
    again = make_broker(journal)
    try:
        assert await again.cash_ledger(BOB) == before
        assert (await again.funds(BOB)).cash == sum(e.amount for e in before)
        # The reference is remembered too: a retry after the restart does not pay in a second time.
        await again.transfer_cash(BOB, D("2500"), "dep", "cheque")
        assert await again.cash_ledger(BOB) == before
    finally:
        await again.close()
