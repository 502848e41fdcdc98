"""The replay: the walk inside a candle, timing against a driven clock, pause/resume/seek, and the simulator
filling orders at the replayed prices."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from app.brokers.base import BrokerAccount, BrokerOrderRequest, InstrumentRef, Quote
from app.brokers.simulator import SimulatorBroker, SimulatorSettings
from app.enums import OrderStatus, OrderType, Side, TradeType
from app.market.replay import ReplayMarketData, ReplaySettings
from app.market.replay_csv import Candle, ReplayFileError
from app.market.replay_tape import ReplayTape

T0 = datetime(2026, 11, 30, 3, 45, tzinfo=UTC)  # 09:15 in Kolkata
RELIANCE = InstrumentRef(2885, "RELIANCE", "NSE", "EQ", 1, Decimal("0.05"))
TCS = InstrumentRef(11536, "TCS", "NSE", "EQ", 1, Decimal("0.05"))
CSV = (
    "timestamp,open,high,low,close,volume,symbol\n"
    # green: open 100 -> low 99 -> high 102 -> close 101
    "2026-11-30 09:15:00,100,102,99,101,600,RELIANCE\n"
    # red: open 101 -> high 103 -> low 98 -> close 98.5
    "2026-11-30 09:16:00,101,103,98,98.50,300,RELIANCE\n"
    # no RELIANCE candle at 09:17 (no trades): it holds 98.50
    "2026-11-30 09:18:00,98.50,99,98.50,99,100,RELIANCE\n"
    "2026-11-30 09:16:00,3000,3001,2999,3000,50,TCS\n"
)


def candle(token: int, minute: int, o: str, h: str, low: str, c: str, v: int = 0) -> Candle:
    return Candle(token, T0 + timedelta(minutes=minute), Decimal(o), Decimal(h), Decimal(low), Decimal(c), v)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


class FakeWall:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


async def make_replay(tmp_path: Path, speed: str = "60", paused: bool = False) -> tuple[ReplayMarketData, FakeWall]:
    path = tmp_path / "replay.csv"
    path.write_text(CSV)
    wall = FakeWall()

    async def lookup() -> list[InstrumentRef]:
        return [RELIANCE, TCS]

    replay = ReplayMarketData(
        ReplaySettings(file=path, speed=Decimal(speed), start_paused=paused), lookup, monotonic=wall
    )
    await replay.load()
    return replay, wall


# --- the walk inside a candle


def test_a_green_candle_visits_its_low_before_its_high_and_a_red_one_the_reverse() -> None:
    tape = ReplayTape([candle(1, 0, "100", "102", "99", "101"), candle(1, 1, "101", "103", "98", "98.5")])
    prices = [tape.quote(1, at(s)).ltp for s in (0, 15, 30, 45, 59, 60, 75, 90, 105)]  # type: ignore[union-attr]
    assert prices == [Decimal(p) for p in ("100", "99", "102", "101", "101", "101", "103", "98", "98.5")]


def test_between_vertices_the_price_moves_in_tick_steps_inside_the_candle() -> None:
    tape = ReplayTape([candle(1, 0, "100", "102", "99", "101")], {1: Decimal("0.05")})
    quote = tape.quote(1, at(7.5))  # halfway from 100 down to 99
    assert quote is not None and quote.ltp == Decimal("99.50")
    assert (quote.high, quote.low) == (Decimal("100"), Decimal("99.50"))


def test_day_figures_and_cumulative_volume_grow_through_the_candle() -> None:
    tape = ReplayTape([candle(1, 0, "100", "102", "99", "101", 600), candle(1, 1, "101", "103", "98", "98.5", 300)])
    mid = tape.quote(1, at(22.5))
    assert mid is not None
    assert mid.volume == 300 and mid.open == Decimal("100") and mid.ts == at(22.5)
    assert (mid.high, mid.low) == (Decimal("100.50"), Decimal("99"))
    second = tape.quote(1, at(60 + 45))
    assert second is not None
    assert (second.volume, second.high, second.low, second.open) == (900, Decimal("103"), Decimal("98"), Decimal("100"))


def test_a_new_indian_day_resets_open_volume_and_sets_prev_close() -> None:
    day2 = T0 + timedelta(days=1)
    tape = ReplayTape(
        [
            candle(1, 0, "100", "102", "99", "101", 600),
            Candle(1, day2, Decimal("105"), Decimal("106"), Decimal("104"), Decimal("105"), 10),
        ]
    )
    quote = tape.quote(1, day2 + timedelta(seconds=45))
    assert quote is not None
    assert (quote.open, quote.prev_close, quote.volume) == (Decimal("105"), Decimal("101"), 10)
    assert quote.low == Decimal("104")


def test_walk_emits_every_vertex_crossed_even_in_one_big_step() -> None:
    tape = ReplayTape([candle(1, 0, "100", "102", "99", "101"), candle(1, 1, "101", "103", "98", "98.5")])
    walked = tape.walk(at(0), at(120))
    assert [(q.ts, q.ltp) for q in walked] == [
        (at(15), Decimal("99")),
        (at(30), Decimal("102")),
        (at(45), Decimal("101")),
        (at(60), Decimal("101")),
        (at(75), Decimal("103")),
        (at(90), Decimal("98")),
        (at(105), Decimal("98.5")),
    ]


# --- timing, driven by a fake wall clock


async def test_the_replay_moves_at_its_speed_and_its_clock_is_the_replayed_time(tmp_path: Path) -> None:
    replay, wall = await make_replay(tmp_path, speed="60")
    seen: list[Quote] = []
    replay.add_listener(seen.extend)
    assert replay.now() == T0
    assert replay.latest(2885).ltp == Decimal("100")  # type: ignore[union-attr]
    assert replay.latest(11536) is None  # TCS has no candle yet
    wall.t += 0.25  # a quarter of a wall second at 60x: 15 replayed seconds
    replay.step()
    assert replay.now() == at(15)
    assert [(q.token_id, q.ltp, q.ts) for q in seen] == [(2885, Decimal("99"), at(15))]
    wall.t += 1.0
    replay.step()
    assert replay.now() == at(75)
    assert replay.latest(2885).ltp == Decimal("103")  # type: ignore[union-attr]
    assert replay.latest(11536).ltp == Decimal("2999")  # type: ignore[union-attr]  (flat: low first)
    wall.t += 1.0  # 09:17:15: RELIANCE has no 09:17 candle and holds its close
    replay.step()
    assert replay.latest(2885).ltp == Decimal("98.50")  # type: ignore[union-attr]
    quotes = await replay.quotes([RELIANCE, TCS, InstrumentRef(1, "X", "NSE", "EQ", 1, Decimal("0.05"))])
    assert set(quotes) == {2885, 11536}


async def test_it_pauses_at_the_end_of_the_file(tmp_path: Path) -> None:
    replay, wall = await make_replay(tmp_path)
    wall.t += 3600
    replay.step()
    status = replay.status()
    assert status["running"] is False
    assert replay.now() == status["end"] == T0 + timedelta(minutes=4)
    assert replay.latest(2885).ltp == Decimal("99")  # type: ignore[union-attr]


async def test_pause_holds_the_clock_and_resume_continues_from_there(tmp_path: Path) -> None:
    replay, wall = await make_replay(tmp_path)
    wall.t += 0.5
    replay.pause()
    assert replay.now() == at(30) and not replay.running
    seen: list[Quote] = []
    replay.add_listener(seen.extend)
    wall.t += 100
    replay.step()
    assert replay.now() == at(30) and seen == []
    replay.resume()
    assert replay.running
    wall.t += 0.25
    replay.step()
    assert replay.now() == at(45)
    assert [q.ltp for q in seen] == [Decimal("101")]


async def test_seek_jumps_either_way_and_emits_the_quotes_there(tmp_path: Path) -> None:
    replay, wall = await make_replay(tmp_path, paused=True)
    seen: list[Quote] = []
    replay.add_listener(seen.extend)
    replay.seek(at(90))
    assert replay.now() == at(90)
    assert {(q.token_id, q.ltp) for q in seen} == {(2885, Decimal("98")), (11536, Decimal("3001"))}
    seen.clear()
    replay.seek(at(0))
    assert [(q.token_id, q.ltp) for q in seen] == [(2885, Decimal("100"))]
    assert replay.latest(11536) is None
    with pytest.raises(ValueError, match="outside the replay"):
        replay.seek(at(-60))
    wall.t += 10
    replay.step()
    assert replay.now() == at(0)  # still paused after a seek


async def test_a_symbol_not_in_the_instruments_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "replay.csv"
    path.write_text("timestamp,open,high,low,close,volume,symbol\n2026-11-30 09:15:00,1,1,1,1,1,INFY\n")

    async def lookup() -> list[InstrumentRef]:
        return [RELIANCE]

    with pytest.raises(ReplayFileError, match="symbol INFY is not in the instruments table"):
        await ReplayMarketData(ReplaySettings(file=path), lookup).load()


# --- the simulated broker fills at the replayed prices


async def test_a_limit_buy_below_the_replay_rests_until_the_replay_walks_down_to_it(tmp_path: Path) -> None:
    replay, wall = await make_replay(tmp_path)
    broker = SimulatorBroker(SimulatorSettings(seed=1))
    replay.attach(broker.prices)
    account = BrokerAccount(client_id=1, broker_client_id="SIM-1", credentials={}, opening_cash=Decimal("1000000"))
    ack = await broker.place_order(
        account,
        BrokerOrderRequest(
            instrument=RELIANCE,
            side=Side.BUY,
            order_type=OrderType.LIMIT,
            trade_type=TradeType.DELIVERY,
            quantity=10,
            price=Decimal("98.50"),
            tag="t1",
        ),
    )
    assert ack.status is OrderStatus.OPEN
    assert broker.last_price(2885) == Decimal("100")  # the replay's price, not the simulator's own
    broker.tick()  # the simulator's own price path does not move a followed market
    assert broker.last_price(2885) == Decimal("100")
    wall.t += 1.0  # through the green candle: its low 99 stays above the limit
    replay.step()
    assert (await broker.order_status(account, ack.broker_order_id)).status is OrderStatus.OPEN
    wall.t += 0.5  # 09:16:30, the red candle's low 98
    replay.step()
    order = await broker.order_status(account, ack.broker_order_id)
    assert order.status is OrderStatus.FILLED
    [trade] = await broker.trade_book(account)
    assert trade.price == Decimal("98")  # the replayed low it reached at 09:16:30, not a simulator price


async def test_a_market_order_fills_at_the_replayed_price(tmp_path: Path) -> None:
    replay, _ = await make_replay(tmp_path, paused=True)
    replay.seek(at(105))  # RELIANCE 98.50
    broker = SimulatorBroker(SimulatorSettings(seed=1, slippage_bps=Decimal(0)))
    replay.attach(broker.prices)
    account = BrokerAccount(client_id=1, broker_client_id="SIM-1", credentials={}, opening_cash=Decimal("1000000"))
    await broker.place_order(
        account,
        BrokerOrderRequest(
            instrument=RELIANCE,
            side=Side.BUY,
            order_type=OrderType.MARKET,
            trade_type=TradeType.DELIVERY,
            quantity=1,
            tag="m1",
        ),
    )
    [trade] = await broker.trade_book(account)
    assert trade.price == Decimal("98.50")
