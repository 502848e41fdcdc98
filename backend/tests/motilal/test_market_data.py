"""MULTIDESK_MARKET_DATA=motilal through the app, against the fake: Motilal clients are risk-checked and valued at
Motilal's price (getltpdata with the designated account), never the simulator's, and a missing or refused
market-data account is a clear, reported degraded state rather than invented prices."""

from collections.abc import AsyncIterator, Awaitable, Callable
from decimal import Decimal
from functools import partial

import httpx
import pytest

from app.brokers.base import InstrumentRef
from app.context import AppContext
from app.market.motilal import MotilalMarketData
from app.models import Instrument
from app.models.instrument import instrument_ref
from app.services.reconcile import on_broker_order
from app.services.risk import last_price
from tests.conftest import Actor, MakeClients, Simulator, eventually, place_order
from tests.motilal.conftest import PLAIN_USER, MotilalApp
from tests.test_risk import client_limits, refused

RELIANCE = 2885
TCS = 11536

UseMarketData = Callable[..., Awaitable[None]]


@pytest.fixture
async def use_market_data(ctx: AppContext, motilal: MotilalApp) -> AsyncIterator[UseMarketData]:
    """Restart the brokers with the given market-data settings; they are put back after the test."""
    saved: dict[str, object] = {}

    async def use(**settings: object) -> None:
        for name, value in settings.items():
            saved.setdefault(name, getattr(ctx.settings, name))
            setattr(ctx.settings, name, value)
        await ctx.brokers.close()
        await ctx.start_brokers(order_listener=partial(on_broker_order, ctx))

    yield use
    for name, value in saved.items():
        setattr(ctx.settings, name, value)


async def instrument(ctx: AppContext, token_id: int) -> Instrument:
    async with ctx.sessions() as session:
        found = await session.get(Instrument, token_id)
    assert found is not None
    return found


async def test_a_motilal_clients_risk_check_uses_motilals_price_not_the_simulators(
    http: httpx.AsyncClient,
    admin: Actor,
    advisor: Actor,
    sim: Simulator,
    motilal: MotilalApp,
    use_market_data: UseMarketData,
    ctx: AppContext,
) -> None:
    client = await motilal.client(advisor, PLAIN_USER)
    await sim.price(RELIANCE, "1400.00")
    motilal.fake.set_ltp(RELIANCE, "2100.00")
    await use_market_data(market_data="motilal", motilal_market_data_client_id=client.id)

    assert ctx.market.name == "motilal"
    assert await last_price(ctx, await instrument(ctx, RELIANCE)) == Decimal("2100.00")
    await client_limits(http, admin, client.id, max_order_value="10000")
    response = await place_order(http, advisor.headers, client_id=client.id, quantity=10)
    refused(response, "MAX_ORDER_VALUE")
    assert response.json()["error"]["details"]["value"] == "21000.00"  # 10 x Motilal's 2100, not the simulator's 1400
    ltp_calls = motilal.fake.requests_to("getltpdata")
    assert ltp_calls and {r.userid for r in ltp_calls} == {PLAIN_USER}


async def test_a_motilal_portfolio_is_valued_at_motilals_price(
    http: httpx.AsyncClient, advisor: Actor, sim: Simulator, motilal: MotilalApp, use_market_data: UseMarketData
) -> None:
    client = await motilal.client(advisor, PLAIN_USER)
    motilal.fake.add_holding(
        PLAIN_USER, isin="INE002A01018", name="RELIANCE EQ", quantity=4, average="1300", nse_token=RELIANCE
    )
    await sim.price(RELIANCE, "1350.00")
    motilal.fake.set_ltp(RELIANCE, "1500.00")
    await use_market_data(market_data="motilal", motilal_market_data_client_id=client.id)

    portfolio = (await http.get(f"/api/v1/clients/{client.id}/portfolio", headers=advisor.headers)).json()
    [holding] = [h for h in portfolio["holdings"] if h["token_id"] == RELIANCE]
    assert (holding["last_price"], holding["unrealised_pnl"]) == ("1500.00", "800.00")  # (1500 - 1300) x 4


async def test_quotes_and_the_price_stream_come_from_motilal(
    http: httpx.AsyncClient,
    advisor: Actor,
    sim: Simulator,
    motilal: MotilalApp,
    use_market_data: UseMarketData,
    ctx: AppContext,
) -> None:
    client = await motilal.client(advisor, PLAIN_USER)
    await sim.price(RELIANCE, "1400.00")
    motilal.fake.set_ltp(RELIANCE, "2222.25")
    await use_market_data(market_data="motilal", motilal_market_data_client_id=client.id)

    quotes = await http.get(f"/api/v1/market/quotes?token_ids={RELIANCE}", headers=advisor.headers)
    assert quotes.status_code == 200, quotes.text
    assert quotes.json()[0]["ltp"] == "2222.25"
    # The fake's getltpdata answers a touch 5 paise either side of its last price.
    assert (quotes.json()[0]["bid"], quotes.json()[0]["ask"]) == ("2222.20", "2222.30")

    seen: list[Decimal] = []
    ctx.market.add_listener(lambda batch: seen.extend(q.ltp for q in batch if q.token_id == RELIANCE))
    motilal.fake.set_ltp(RELIANCE, "2230.00")
    await ctx.market.watch([await _ref(ctx, RELIANCE)])

    async def polled() -> bool:
        return Decimal("2230.00") in seen

    await eventually(polled)
    assert ctx.market.latest(RELIANCE) is not None and ctx.market.latest(RELIANCE).ltp == Decimal("2230.00")


async def _ref(ctx: AppContext, token_id: int) -> InstrumentRef:
    return instrument_ref(await instrument(ctx, token_id))


async def test_without_a_market_data_account_prices_are_refused_and_ready_says_why(
    http: httpx.AsyncClient, advisor: Actor, sim: Simulator, use_market_data: UseMarketData, ctx: AppContext
) -> None:
    await use_market_data(market_data="motilal", motilal_market_data_client_id=None)

    response = await http.get(f"/api/v1/market/quotes?token_ids={RELIANCE}", headers=advisor.headers)
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "MARKET_DATA_UNAVAILABLE"
    assert "MULTIDESK_MOTILAL_MARKET_DATA_CLIENT_ID" in error["message"]
    ready = await http.get("/health/ready")
    assert ready.status_code == 200 and ready.json()["status"] == "degraded"
    assert ready.json()["checks"]["market_data"].startswith("degraded: MULTIDESK_MARKET_DATA is motilal")


async def test_a_market_data_account_that_is_not_motilal_or_cannot_log_in_is_reported(
    http: httpx.AsyncClient,
    advisor: Actor,
    make_clients: MakeClients,
    sim: Simulator,
    motilal: MotilalApp,
    use_market_data: UseMarketData,
    ctx: AppContext,
) -> None:
    [simulated] = await make_clients(advisor, 1)
    await use_market_data(market_data="motilal", motilal_market_data_client_id=simulated.id)
    response = await http.get(f"/api/v1/market/quotes?token_ids={RELIANCE}", headers=advisor.headers)
    assert response.status_code == 503
    assert f"client {simulated.id} is a simulator client, not Motilal" in response.json()["error"]["message"]

    locked = await motilal.client(advisor, PLAIN_USER, password="not-the-password")
    motilal.fake.set_ltp(RELIANCE, "2100.00")
    await use_market_data(motilal_market_data_client_id=locked.id)
    response = await http.get(f"/api/v1/market/quotes?token_ids={RELIANCE}", headers=advisor.headers)
    assert response.status_code == 503, response.text
    assert response.json()["error"]["code"] == "MARKET_DATA_UNAVAILABLE"
    assert "cannot log in to Motilal" in response.json()["error"]["message"]
    assert isinstance(ctx.market.current, MotilalMarketData) and ctx.market.problem() is not None
    # The risk check does not fall back to the simulator's price: only the instrument's reference price is left.
    ref = (await instrument(ctx, RELIANCE)).ref_price
    assert await last_price(ctx, await instrument(ctx, RELIANCE)) == ref
