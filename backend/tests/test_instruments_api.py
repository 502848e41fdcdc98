"""Instruments loaded at start-up: search ranking, lookup, idempotent reload."""

from pathlib import Path

import httpx
from sqlalchemy import func, select

from app.context import AppContext
from app.models import Instrument
from app.services.instruments import load_tokens_file
from tests.conftest import Actor


async def test_search_ranks_exact_then_prefix_then_substring(http: httpx.AsyncClient, advisor: Actor) -> None:
    response = await http.get("/api/v1/tokens/search", params={"q": "rel"}, headers=advisor.headers)
    assert response.status_code == 200
    symbols = [row["symbol"] for row in response.json()]
    assert symbols[0] == "RELIANCE"
    prefixed = [s for s in symbols if s.startswith("REL")]
    assert symbols[: len(prefixed)] == prefixed, "every prefix match comes before substring matches"
    exact = await http.get("/api/v1/tokens/search", params={"q": "TCS"}, headers=advisor.headers)
    assert exact.json()[0] == {
        "token_id": 11536,
        "symbol": "TCS",
        "name": exact.json()[0]["name"],
        "exchange": "NSE",
        "instrument_type": "EQ",
        "lot_size": 1,
        "tick_size": exact.json()[0]["tick_size"],
        "freeze_quantity": None,
    }


async def test_search_matches_company_names_and_respects_limit(http: httpx.AsyncClient, advisor: Actor) -> None:
    by_name = await http.get("/api/v1/tokens/search", params={"q": "Consultancy"}, headers=advisor.headers)
    assert "TCS" in [row["symbol"] for row in by_name.json()]
    limited = await http.get("/api/v1/tokens/search", params={"q": "A", "limit": 3}, headers=advisor.headers)
    assert len(limited.json()) == 3
    nothing = await http.get("/api/v1/tokens/search", params={"q": "%_"}, headers=advisor.headers)
    assert nothing.json() == []


async def test_token_lookup_and_unknown_token(http: httpx.AsyncClient, advisor: Actor) -> None:
    reliance = await http.get("/api/v1/tokens/2885", headers=advisor.headers)
    assert reliance.json()["symbol"] == "RELIANCE"
    assert isinstance(reliance.json()["tick_size"], str)
    missing = await http.get("/api/v1/tokens/1", headers=advisor.headers)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "TOKEN_NOT_FOUND"


async def test_search_needs_a_signed_in_user(http: httpx.AsyncClient) -> None:
    assert (await http.get("/api/v1/tokens/search", params={"q": "REL"})).status_code == 401


async def test_reload_is_idempotent_and_a_malformed_file_never_crashes(ctx: AppContext, tmp_path: Path) -> None:
    async with ctx.sessions() as session:
        before = await session.scalar(select(func.count()).select_from(Instrument))
        assert await load_tokens_file(session, ctx.settings.tokens_csv) == 0
        bad = tmp_path / "tokens.csv"
        bad.write_text(
            "symbol,token_id,exchange,instrument_type,lot_size,tick_size\n"
            "RELIANCE,2885,NSE,EQ,1,0.05\n"
            "BROKEN,abc,NSE,EQ,1,0.05\n"
        )
        assert await load_tokens_file(session, bad) == 1  # RELIANCE loses its name and ref_price from this file
        assert await session.scalar(select(func.count()).select_from(Instrument)) == before
        await load_tokens_file(session, ctx.settings.tokens_csv)
