"""The simulator's price model: seeded GBM paths on the tick grid, bounded moves, OHLC quotes and tick listeners."""

import itertools
from decimal import Decimal

import pytest

from app.brokers.base import InstrumentRef, Quote
from app.brokers.simulator import PriceModel

D = Decimal


def instrument(token_id: int = 11536, tick: str = "0.05") -> InstrumentRef:
    return InstrumentRef(
        token_id=token_id, symbol=f"SYM{token_id}", exchange="NSE", instrument_type="EQ", lot_size=1, tick_size=D(tick)
    )


def path(model: PriceModel, token_id: int, ticks: int) -> list[Decimal]:
    prices = [model.last_price(token_id)]
    for _ in range(ticks):
        model.tick()
        prices.append(model.last_price(token_id))
    return prices


def test_same_seed_replays_the_same_paths_and_another_seed_does_not() -> None:
    def paths(seed: int) -> tuple[list[Decimal], list[Decimal]]:
        model = PriceModel(seed=seed, volatility=2.0, tick_interval_s=60)
        model.register(instrument(1))
        model.register(instrument(2))
        first = path(model, 1, 200)
        return first, [model.last_price(2)]

    assert paths(42) == paths(42)
    assert paths(42)[0] != paths(43)[0]


def test_every_move_is_bounded_on_the_tick_grid_and_prices_stay_positive() -> None:
    tick = D("0.05")
    # Volatile enough that most unclamped steps would exceed the 2% cap.
    model = PriceModel(seed=3, volatility=20.0, tick_interval_s=60, max_move_pct=2.0, initial_prices={1: D("500")})
    model.register(instrument(1))
    prices = path(model, 1, 500)

    moves = [abs(new - old) / old for old, new in itertools.pairwise(prices)]
    for old, new in itertools.pairwise(prices):
        assert new % tick == 0
        assert new >= tick
        # Rounding both ends onto the grid can add at most a tick to the clamped move.
        assert abs(new - old) <= old * D("0.02") + 2 * tick
    assert max(moves) > D("0.019"), "the cap was never reached, so the bound was not exercised"


def test_price_never_falls_below_one_tick() -> None:
    model = PriceModel(seed=1, drift=-1e6, max_move_pct=50.0, initial_prices={1: D("10")})
    model.register(instrument(1, tick="0.05"))
    prices = path(model, 1, 100)
    assert min(prices) == D("0.05")
    assert prices[-1] == D("0.05")


def test_moves_smaller_than_a_tick_accumulate_instead_of_being_rounded_away() -> None:
    # Every step is capped at +0.02% (2 paise at 100), under half the 5-paise tick: rounding each step on its
    # own would pin the price at 100 forever, while the accumulated level crosses a tick every few steps.
    model = PriceModel(drift=1e6, volatility=0.0, max_move_pct=0.02, initial_prices={1: D("100")})
    model.register(instrument(1))
    prices = path(model, 1, 10)
    assert prices == sorted(prices)
    assert prices[-1] == D("100.20")


def test_initial_prices_are_rounded_to_the_tick_and_missing_ones_derived_from_the_token() -> None:
    model = PriceModel(initial_prices={1: D("123.43")})
    model.register(instrument(1))
    model.register(instrument(7))
    model.register(instrument(4907))
    assert model.last_price(1) == D("123.45")
    assert model.last_price(7) == D("107")
    assert model.last_price(4907) == D("107")


def test_registering_again_keeps_the_current_price() -> None:
    model = PriceModel(initial_prices={1: D("100")})
    model.register(instrument(1))
    model.set_price(1, D("150"))
    model.register(instrument(1))
    assert model.last_price(1) == D("150")


def test_set_price_refuses_prices_off_the_grid() -> None:
    model = PriceModel()
    model.register(instrument(1))
    with pytest.raises(ValueError, match="tick size"):
        model.set_price(1, D("100.03"))
    with pytest.raises(ValueError):
        model.set_price(1, D("0"))


def test_quote_keeps_open_high_low_prev_close_and_change() -> None:
    model = PriceModel(initial_prices={1: D("100")})
    model.register(instrument(1))
    for price in ("105", "95", "101.55"):
        model.set_price(1, D(price))
    quote = model.quote(1)
    assert (quote.open, quote.high, quote.low, quote.prev_close, quote.ltp) == (
        D("100"),
        D("105"),
        D("95"),
        D("100"),
        D("101.55"),
    )
    assert quote.change == D("1.55")
    assert quote.change_pct == D("1.55")
    assert quote.ts.tzinfo is not None


def test_tick_listeners_see_every_instrument_each_tick_and_scripted_prices() -> None:
    model = PriceModel(seed=9)
    model.register(instrument(1))
    model.register(instrument(2))
    seen: list[list[Quote]] = []
    model.add_tick_listener(seen.append)

    model.tick()
    model.set_price(2, D("250"))

    assert [q.token_id for q in seen[0]] == [1, 2]
    assert [(q.token_id, q.ltp) for q in seen[1]] == [(2, D("250"))]


def test_a_failing_listener_does_not_stop_the_others() -> None:
    model = PriceModel()
    model.register(instrument(1))
    seen: list[list[Quote]] = []

    def broken(quotes: list[Quote]) -> None:
        raise RuntimeError("boom")

    model.add_tick_listener(broken)
    model.add_tick_listener(seen.append)
    model.tick()
    assert len(seen) == 1


def test_unregistered_token_is_a_clear_error() -> None:
    with pytest.raises(KeyError, match="not registered"):
        PriceModel().last_price(999)
