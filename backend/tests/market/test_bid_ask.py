"""Bid and ask beside the ticket: the simulator quotes a touch on the tick grid around its last price, and the
quotes endpoint carries it (as strings) to the desk; a replayed tape, which has no book, leaves them out."""

from datetime import UTC, datetime
from decimal import Decimal

import httpx

from app.brokers.base import InstrumentRef, Quote
from app.brokers.simulator import PriceModel
from app.brokers.simulator.ticks import on_tick
from tests.conftest import Actor, Simulator

D = Decimal
RELIANCE, TCS = 2885, 11536


def instrument(token_id: int, tick: str = "0.05") -> InstrumentRef:
    return InstrumentRef(
        token_id=token_id, symbol=f"SYM{token_id}", exchange="NSE", instrument_type="EQ", lot_size=1, tick_size=D(tick)
    )


def assert_touch(quote: Quote, tick: Decimal) -> None:
    assert quote.bid is not None and quote.ask is not None
    assert quote.bid < quote.ask, "never a crossed or locked market"
    assert quote.bid <= quote.ltp <= quote.ask, "the last trade happened at the bid or the ask"
    assert on_tick(quote.bid, tick) and on_tick(quote.ask, tick)
    assert quote.bid >= tick
    assert quote.ask - quote.bid <= max(tick * 5, quote.ltp * D("0.0001")), "a tick or so apart, not a gap"


def test_every_simulated_tick_quotes_a_touch_on_the_grid_and_a_seed_repeats_it() -> None:
    def run(seed: int) -> list[tuple[Decimal | None, Decimal | None]]:
        model = PriceModel(seed=seed, volatility=3.0, tick_interval_s=60, initial_prices={1: D("1400.00"), 2: D("3")})
        model.register(instrument(1))
        model.register(instrument(2, tick="0.01"))
        touches = []
        for _ in range(300):
            for quote in model.tick():
                assert_touch(quote, D("0.05") if quote.token_id == 1 else D("0.01"))
                touches.append((quote.bid, quote.ask))
        return touches

    assert run(7) == run(7)
    assert run(7) != run(8)


def test_an_uptick_trades_at_the_ask_and_a_downtick_at_the_bid() -> None:
    model = PriceModel(seed=1, initial_prices={1: D("1400.00")})
    model.register(instrument(1))
    up = model.set_price(1, D("1401.00"))
    assert (up.bid, up.ask) == (D("1400.90"), D("1401.00"))
    down = model.set_price(1, D("1400.50"))
    assert (down.bid, down.ask) == (D("1400.50"), D("1400.60"))
    cheap = model.set_price(1, D("0.05"))  # at the lowest price there is no bid below: the last is the bid
    assert (cheap.bid, cheap.ask) == (D("0.05"), D("0.10"))


def test_following_a_replay_takes_its_quotes_without_inventing_a_book() -> None:
    model = PriceModel(seed=1)
    model.register(instrument(1))
    tape = Quote(1, D("250.00"), D("249"), D("251"), D("248"), D("247"), 10, datetime(2026, 1, 5, 4, tzinfo=UTC))
    model.follow(lambda token_id: tape)
    quote = model.quote(1)
    assert quote.ltp == D("250.00")
    assert (quote.bid, quote.ask) == (None, None)


async def test_the_quotes_endpoint_gives_bid_and_ask_as_strings_around_the_last_price(
    http: httpx.AsyncClient, advisor: Actor, sim: Simulator
) -> None:
    await sim.price(RELIANCE, "1400.00")
    await sim.price(RELIANCE, "1402.35")
    await sim.price(TCS, "3500.00")
    await sim.price(TCS, "3499.95")
    response = await http.get(
        "/api/v1/market/quotes", params={"token_ids": f"{RELIANCE},{TCS}"}, headers=advisor.headers
    )
    assert response.status_code == 200
    by_token = {row["token_id"]: row for row in response.json()}
    reliance, tcs = by_token[RELIANCE], by_token[TCS]
    assert isinstance(reliance["bid"], str) and isinstance(reliance["ask"], str)
    assert (reliance["bid"], reliance["ltp"], reliance["ask"]) == ("1402.25", "1402.35", "1402.35")
    assert (tcs["bid"], tcs["ltp"], tcs["ask"]) == ("3499.95", "3499.95", "3500.15")
    for row in (reliance, tcs):
        bid, ltp, ask = D(row["bid"]), D(row["ltp"]), D(row["ask"])
        assert bid < ask and bid <= ltp <= ask
        assert bid % D("0.05") == 0 and ask % D("0.05") == 0
