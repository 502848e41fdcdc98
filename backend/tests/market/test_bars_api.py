"""Candles through the database and the API: batched writes merged with stored minutes, GET /market/bars and
/market/indicators (shapes, codes, auth), the live candle merged in, and the daily prune under its lease."""

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import func, select

from app.context import AppContext
from app.market import bar_store
from app.market.candles import CandleAggregator
from app.models import Instrument, PriceBar
from app.services import bars as bar_service
from app.services.leases import hold
from tests.conftest import Actor
from tests.market.candle_helpers import DAY, at, quote

RELIANCE = 2885
QUIET = 990_001


@pytest.fixture
def candles(ctx: AppContext) -> Iterator[CandleAggregator]:
    """A fresh aggregator for the test (the feed's listener follows ctx.candles)."""
    before = ctx.candles
    ctx.candles = CandleAggregator()
    yield ctx.candles
    ctx.candles = before


async def flush(ctx: AppContext, now: datetime) -> int:
    return await bar_store.flush(ctx.candles, ctx.sessions, ctx.write_turns, now)


async def stored(ctx: AppContext) -> list[tuple]:
    async with ctx.sessions() as session:
        rows = await session.execute(
            select(PriceBar.token_id, PriceBar.start, PriceBar.open, PriceBar.high, PriceBar.low, PriceBar.close,
                   PriceBar.volume).order_by(PriceBar.token_id, PriceBar.start)
        )  # fmt: skip
        return [tuple(row) for row in rows]


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


async def test_a_flush_writes_changed_candles_in_one_batch_and_merges_with_stored_minutes(
    ctx: AppContext, candles: CandleAggregator
) -> None:
    candles.on_quotes([quote(RELIANCE, "100.00", 1000, at(0, 5)), quote(RELIANCE, "101.00", 1100, at(0, 40))])
    candles.on_quotes([quote(11536, "3000.00", 0, at(0, 7))])
    assert await flush(ctx, at(0, 50)) == 2
    assert await flush(ctx, at(0, 51)) == 0  # nothing changed since
    # Another process (or this one before a restart) already stored part of the minute.
    other = CandleAggregator()
    other.on_quotes([quote(RELIANCE, "99.00", 0, at(0, 1)), quote(RELIANCE, "105.00", 500, at(0, 2))])
    async with ctx.sessions() as session:
        await bar_store.upsert(session, other.take_dirty())
        await session.commit()
    candles.on_quotes([quote(RELIANCE, "100.50", 1150, at(0, 55))])
    assert await flush(ctx, at(1, 0)) == 1
    rows = await stored(ctx)
    assert rows[0] == (RELIANCE, DAY, Decimal("100.00"), Decimal("105.00"), Decimal("99.00"), Decimal("100.50"), 500)
    assert rows[1][0] == 11536


async def test_a_failed_flush_keeps_the_candles_for_the_next(ctx: AppContext, candles: CandleAggregator) -> None:
    candles.on_quotes([quote(RELIANCE, "100", 0, at(0, 5))])

    class Broken:
        def __call__(self) -> object:
            raise ConnectionError("database down")

    with pytest.raises(ConnectionError):
        await bar_store.flush(candles, Broken(), ctx.write_turns, at(0, 10))  # type: ignore[arg-type]
    assert await flush(ctx, at(0, 11)) == 1
    assert len(await stored(ctx)) == 1


async def test_bars_merge_stored_minutes_with_the_live_one_and_flag_it_incomplete(
    http: httpx.AsyncClient, ctx: AppContext, candles: CandleAggregator, advisor: Actor
) -> None:
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    earlier = now - timedelta(minutes=3)
    candles.on_quotes([quote(RELIANCE, "1400.00", 10, earlier + timedelta(seconds=1))])
    candles.on_quotes([quote(RELIANCE, "1401.50", 60, earlier + timedelta(seconds=30))])
    await flush(ctx, now)
    candles.close_due(now + timedelta(hours=1))  # forgotten by memory: only the database has it now
    candles.on_quotes([quote(RELIANCE, "1402.25", 90, now + timedelta(seconds=1))])  # the running minute
    response = await http.get(f"/api/v1/market/bars?token_id={RELIANCE}&interval=1m", headers=advisor.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_id"] == RELIANCE and body["interval"] == "1m"
    assert body["bars"] == [
        {
            "start": iso(earlier),
            "open": "1400.00",
            "high": "1401.50",
            "low": "1400.00",
            "close": "1401.50",
            "volume": 50,
            "complete": True,
        },
        {
            "start": iso(now),
            "open": "1402.25",
            "high": "1402.25",
            "low": "1402.25",
            "close": "1402.25",
            "volume": 30,
            "complete": False,
        },
    ]


async def test_bars_resample_to_the_asked_interval_within_the_range(
    http: httpx.AsyncClient, ctx: AppContext, candles: CandleAggregator, advisor: Actor
) -> None:
    for minute, price, volume in [(0, "100", 0), (1, "103", 10), (4, "98", 30), (5, "99", 31), (61, "97", 40)]:
        candles.on_quotes([quote(RELIANCE, price, volume, at(minute, 10))])
    await flush(ctx, at(120))
    url = f"/api/v1/market/bars?token_id={RELIANCE}&interval=5m&from={iso(at(0))}&to={iso(at(60))}"
    body = (await http.get(url, headers=advisor.headers)).json()
    assert [(b["start"], b["open"], b["high"], b["low"], b["close"], b["volume"]) for b in body["bars"]] == [
        (iso(at(0)), "100.00", "103.00", "98.00", "98.00", 30),
        (iso(at(5)), "99.00", "99.00", "99.00", "99.00", 1),
    ]
    assert all(b["complete"] for b in body["bars"])
    hourly = (
        await http.get(url.replace("5m", "1h").replace(iso(at(60)), iso(at(180))), headers=advisor.headers)
    ).json()
    # DAY is 04:00 UTC: inside the 09:15-10:15 IST hour (03:45-04:45 UTC); minute 61 is in the next one.
    assert [(b["start"], b["volume"]) for b in hourly["bars"]] == [
        ("2026-11-30T03:45:00Z", 31),
        ("2026-11-30T04:45:00Z", 9),
    ]


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ("interval=2m", 422, "INVALID_INTERVAL"),
        ("interval=1m&from=2026-11-30T10:00:00Z&to=2026-11-30T09:00:00Z", 422, "INVALID_RANGE"),
        ("interval=1m&from=2026-11-30T10:00:00Z&to=2026-11-30T10:00:00Z", 422, "INVALID_RANGE"),
        ("interval=1m&from=2026-01-01T00:00:00Z&to=2026-12-01T00:00:00Z", 422, "INVALID_RANGE"),
        ("interval=1m&from=2026-11-30T10:00:00", 422, "INVALID_RANGE"),
        ("interval=1m&from=yesterday", 422, "INVALID_RANGE"),
    ],
)
async def test_bad_intervals_and_ranges_are_422_with_a_code(
    http: httpx.AsyncClient, advisor: Actor, query: str, status: int, code: str
) -> None:
    response = await http.get(f"/api/v1/market/bars?token_id={RELIANCE}&{query}", headers=advisor.headers)
    assert response.status_code == status and response.json()["error"]["code"] == code, response.text


async def test_an_unknown_token_is_404_and_the_endpoints_need_a_signed_in_user(
    http: httpx.AsyncClient, viewer: Actor, ctx: AppContext
) -> None:
    missing = await http.get("/api/v1/market/bars?token_id=999999999&interval=1m", headers=viewer.headers)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "UNKNOWN_TOKEN"
    for path in ("bars?token_id=2885", "indicators?token_id=2885&name=sma"):
        assert (await http.get(f"/api/v1/market/{path}")).status_code == 401
    # A known instrument nothing has ever priced (the session's other tests stream the listed ones).
    async with ctx.sessions() as session:
        if await session.get(Instrument, QUIET) is None:
            session.add(
                Instrument(
                    token_id=QUIET,
                    symbol="QUIETBARS",
                    exchange="NSE",
                    instrument_type="EQ",
                    lot_size=1,
                    tick_size=Decimal("0.05"),
                )
            )
            await session.commit()
    ok = await http.get(f"/api/v1/market/bars?token_id={QUIET}", headers=viewer.headers)
    assert ok.status_code == 200 and ok.json()["bars"] == []


async def test_indicators_use_the_candles_before_the_range_to_warm_up(
    http: httpx.AsyncClient, ctx: AppContext, candles: CandleAggregator, advisor: Actor
) -> None:
    for minute in range(10):
        candles.on_quotes([quote(RELIANCE, str(100 + minute), 0, at(minute, 5))])
    await flush(ctx, at(60))
    url = (
        f"/api/v1/market/indicators?token_id={RELIANCE}&interval=1m&name=sma&period=3&from={iso(at(5))}&to={iso(at(8))}"
    )
    body = (await http.get(url, headers=advisor.headers)).json()
    assert body == {
        "token_id": RELIANCE,
        "interval": "1m",
        "name": "sma",
        "period": 3,
        "points": [
            {"start": iso(at(5)), "value": "104.0000"},
            {"start": iso(at(6)), "value": "105.0000"},
            {"start": iso(at(7)), "value": "106.0000"},
        ],
    }
    vwap = await http.get(url.replace("name=sma", "name=vwap"), headers=advisor.headers)
    assert vwap.json()["period"] is None and vwap.json()["points"][0]["value"] is None  # no volume traded: no VWAP


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("name=macd", "INVALID_INDICATOR"),
        ("name=sma&period=0", "INVALID_PERIOD"),
        ("name=sma&interval=3m", "INVALID_INTERVAL"),
    ],
)
async def test_bad_indicator_requests_are_422(http: httpx.AsyncClient, advisor: Actor, query: str, code: str) -> None:
    response = await http.get(f"/api/v1/market/indicators?token_id={RELIANCE}&{query}", headers=advisor.headers)
    assert response.status_code == 422 and response.json()["error"]["code"] == code


async def test_prune_deletes_minutes_past_retention_only(ctx: AppContext, candles: CandleAggregator) -> None:
    now = datetime.now(UTC)
    old = now - timedelta(days=ctx.settings.bars_retention_days, minutes=5)
    kept = now - timedelta(days=ctx.settings.bars_retention_days) + timedelta(minutes=5)
    candles.on_quotes([quote(RELIANCE, "1", 0, old), quote(RELIANCE, "2", 0, kept)])
    await flush(ctx, now)
    assert await bar_service.prune_once(ctx) == 1
    rows = await stored(ctx)
    assert [row[4] for row in rows] == [Decimal("2")]


async def test_two_processes_pruning_at_once_prune_once(ctx: AppContext) -> None:
    # Another process holds the lease: this one skips its turn rather than waiting or deleting alongside.
    async with hold(ctx.sessions, bar_service.PRUNE_LEASE, ttl_s=30, wait_s=0, busy=("X", "x")):
        assert await bar_service.prune_once(ctx) is None
    results = await asyncio.gather(bar_service.prune_once(ctx), bar_service.prune_once(ctx))
    assert sorted(results, key=lambda r: r is None) in ([0, None], [0, 0])
    async with ctx.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(PriceBar)) == 0
