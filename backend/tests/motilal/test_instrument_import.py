"""`python -m app.cli instruments import --from motilal`: the scrip master from the fake into the database.

In process (run_import with the test settings, so it runs on SQLite or the PostgreSQL test database) and once as a
real subprocess. The instruments table is reference data the other tests share, so every test here puts it back.
"""

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, delete, select, text

from app.brokers.motilal import MotilalBroker, MotilalConfig
from app.cli_instruments import EXIT_OK, EXIT_SOURCE, EXIT_UNREACHABLE, EXIT_USAGE, run_import
from app.config import Settings
from app.context import AppContext
from app.models import Instrument
from app.services.instruments import import_master, load_tokens_file
from tests.conftest import Actor
from tests.fakes.motilal import FakeMotilal
from tests.motilal.conftest import FakeServer

BACKEND = Path(__file__).resolve().parents[2]
_RESTORED = ("symbol", "name", "exchange", "instrument_type", "lot_size", "tick_size", "ref_price")


@pytest.fixture
async def instruments_restored(ctx: AppContext) -> AsyncIterator[None]:
    async with ctx.sessions() as session:
        before = {i.token_id: {f: getattr(i, f) for f in _RESTORED} for i in await session.scalars(select(Instrument))}
    yield
    async with ctx.sessions() as session:
        await session.execute(delete(Instrument).where(Instrument.token_id.not_in(list(before))))
        for instrument in await session.scalars(select(Instrument)):
            for field, value in before[instrument.token_id].items():
                setattr(instrument, field, value)
            instrument.freeze_quantity = None
            instrument.master_broker = None
        await session.commit()


@pytest.fixture
def settings(ctx: AppContext, fake_server: FakeServer, instruments_restored: None) -> Settings:
    return ctx.settings.model_copy(update={"motilal_base_url": fake_server.url})


async def instrument(ctx: AppContext, token: int) -> Instrument | None:
    async with ctx.sessions() as session:
        return await session.get(Instrument, token)


async def test_import_adds_fo_contracts_with_lot_tick_and_freeze_and_the_api_shows_them(
    ctx: AppContext,
    fake: FakeMotilal,
    settings: Settings,
    http: httpx.AsyncClient,
    advisor: Actor,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert await run_import("motilal", "NSEFO", None, settings) == EXIT_OK
    assert "motilal NFO: 4 instruments read, 4 added, 0 updated, 0 unchanged, 0 rows skipped" in capsys.readouterr().out
    option = (await http.get("/api/v1/tokens/45123", headers=advisor.headers)).json()
    assert option == {
        "token_id": 45123,
        "symbol": "NIFTY 29-DEC-2026 CE 23400",
        "name": "NIFTY 29-Dec-2026 CE 23400",
        "exchange": "NFO",
        "instrument_type": "OPTIDX",
        "lot_size": 65,
        "tick_size": option["tick_size"],
        "freeze_quantity": 1800,
    }
    assert Decimal(option["tick_size"]) == Decimal("0.05")
    stored = await instrument(ctx, 45123)
    assert stored is not None and stored.master_broker == "motilal" and stored.ref_price is None


async def test_importing_twice_changes_nothing_and_a_changed_lot_size_is_updated(
    ctx: AppContext, fake: FakeMotilal, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await run_import("motilal", "NSEFO", None, settings) == EXIT_OK
    capsys.readouterr()
    async with ctx.sessions() as session:
        count = len((await session.scalars(select(Instrument))).all())
    assert await run_import("motilal", "NSEFO", None, settings) == EXIT_OK
    assert "4 instruments read, 0 added, 0 updated, 4 unchanged" in capsys.readouterr().out
    async with ctx.sessions() as session:
        assert len((await session.scalars(select(Instrument))).all()) == count

    # The exchange revises NIFTY's lot and freeze quantity; the next import carries it to the existing contract.
    for row in fake.scrip_rows["NSEFO"][:3]:
        row.update(marketlot="75", maxqtyperorder="1800")
    fake.scrip_rows["NSEFO"][1]["maxqtyperorder"] = "0"
    assert await run_import("motilal", "NFO", None, settings) == EXIT_OK
    assert "0 added, 3 updated, 1 unchanged" in capsys.readouterr().out
    option = await instrument(ctx, 45123)
    assert option is not None and option.lot_size == 75 and option.freeze_quantity is None
    assert (await instrument(ctx, 104034)).lot_size == 175  # type: ignore[union-attr]


async def test_import_sets_sizes_of_known_tokens_keeps_their_names_and_a_restart_does_not_undo_it(
    ctx: AppContext, fake: FakeMotilal, settings: Settings
) -> None:
    before = await instrument(ctx, 2885)
    assert before is not None and before.tick_size == Decimal("0.05")
    assert await run_import("motilal", "NSE", None, settings) == EXIT_OK
    reliance = await instrument(ctx, 2885)
    assert reliance is not None and reliance.tick_size == Decimal("0.10")
    assert (reliance.symbol, reliance.name, reliance.ref_price) == (before.symbol, before.name, before.ref_price)
    added = await instrument(ctx, 5097)
    assert added is not None and (added.symbol, added.exchange, added.tick_size) == ("ETERNAL", "NSE", Decimal("0.01"))
    # Start-up reloads data/tokens.csv (tick 0.05): the size Motilal's master set stays.
    async with ctx.sessions() as session:
        await load_tokens_file(session, ctx.settings.tokens_csv)
    reloaded = await instrument(ctx, 2885)
    assert reloaded is not None and reloaded.tick_size == Decimal("0.10")


async def test_a_token_another_exchange_holds_is_reported_and_left_alone(
    ctx: AppContext, fake: FakeMotilal, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.scrip_rows["NSEFO"][0]["scripcode"] = "2885"  # the NSE cash token of RELIANCE
    assert await run_import("motilal", "NSEFO", None, settings) == EXIT_OK
    out = capsys.readouterr().out
    assert "3 added" in out and "1 conflicts" in out
    assert "conflict: token 2885: already NSE RELIANCE, not NFO NIFTY 29-DEC-2026" in out
    reliance = await instrument(ctx, 2885)
    assert reliance is not None and (reliance.exchange, reliance.lot_size, reliance.master_broker) == ("NSE", 1, None)


async def test_a_malformed_row_is_skipped_and_counted_not_a_crash(
    ctx: AppContext, fake: FakeMotilal, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.scrip_rows["NSEFO"][3]["marketlot"] = "1,75"
    fake.scrip_raw_lines["NSEFO"] = ['2,NSEFO,"45300,NIFTY']
    assert await run_import("motilal", "NSEFO", None, settings) == EXIT_OK
    out = capsys.readouterr().out
    assert "3 instruments read, 3 added" in out and "2 rows skipped" in out
    assert "skipped line 5: marketlot must be a whole number, not '1,75'" in out
    assert await instrument(ctx, 104034) is None


async def test_two_imports_at_once_add_each_contract_once(
    ctx: AppContext, fake: FakeMotilal, settings: Settings
) -> None:
    master = await MotilalBroker(MotilalConfig(base_url=settings.motilal_base_url)).instruments("NSEFO")

    async def one() -> tuple[int, int]:
        async with ctx.sessions() as session:
            summary = await import_master(session, master, "motilal")
        return summary.added, summary.unchanged

    results = await asyncio.gather(one(), one())
    assert sorted(results) == [(0, 4), (4, 0)]
    async with ctx.sessions() as session:
        rows = (await session.scalars(select(Instrument).where(Instrument.exchange == "NFO"))).all()
    assert sorted(i.token_id for i in rows) == [35001, 45123, 45124, 104034]


async def test_bad_requests_and_an_unreachable_broker_exit_with_their_codes(
    fake: FakeMotilal, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await run_import("motilal", None, None, settings) == EXIT_USAGE
    assert "--exchange is required" in capsys.readouterr().err
    assert await run_import("motilal", "NASDAQ", None, settings) == EXIT_USAGE
    assert "no scrip master for 'NASDAQ'" in capsys.readouterr().err
    fake.fail_next("http", path="getscripmastercsv", status=502)
    assert await run_import("motilal", "NSE", None, settings) == EXIT_UNREACHABLE
    assert "motilal is unreachable" in capsys.readouterr().err
    down = settings.model_copy(update={"motilal_base_url": "http://127.0.0.1:9"})
    assert await run_import("motilal", "NSE", None, down) == EXIT_UNREACHABLE
    fake.fail_next("malformed", path="getscripmastercsv")
    assert await run_import("motilal", "NSE", None, settings) == EXIT_SOURCE
    assert "not a scrip master" in capsys.readouterr().err
    assert not fake.requests_to("authdirectapi")


async def test_from_csv_is_the_offline_default(
    ctx: AppContext, settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await run_import("csv", None, None, settings) == EXIT_OK
    assert "0 added or changed" in capsys.readouterr().out
    other = tmp_path / "more.csv"
    other.write_text("symbol,token_id,exchange,instrument_type,lot_size,tick_size\nNEWCO,990001,NSE,EQ,1,0.05\n")
    assert await run_import("csv", None, other, settings) == EXIT_OK
    assert await instrument(ctx, 990001) is not None
    assert await run_import("csv", None, tmp_path / "missing.csv", settings) == EXIT_SOURCE


async def test_the_command_line_imports_over_real_http(
    fake_server: FakeServer, fake: FakeMotilal, tmp_path: Path
) -> None:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "MULTIDESK_DEMO_MODE": "false",
        "MULTIDESK_DATA_DIR": str(tmp_path),
        "MULTIDESK_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
        "MULTIDESK_JWT_SECRET": "x" * 40,
        "MULTIDESK_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "MULTIDESK_MOTILAL_BASE_URL": fake_server.url,
    }
    command = [sys.executable, "-m", "app.cli", "instruments", "import", "--from", "motilal"]

    async def run(*args: str) -> tuple[int, str, str]:
        process = await asyncio.create_subprocess_exec(
            *command, *args, cwd=BACKEND, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        out, err = await process.communicate()
        assert process.returncode is not None
        return process.returncode, out.decode(), err.decode()

    code, out, err = await run("--exchange", "NSEFO")
    assert code == 0, err
    assert "4 added" in out
    assert (await run("--exchange", "NYSE"))[0] == 2
    engine = create_engine(f"sqlite:///{tmp_path / 'cli.db'}")
    with engine.connect() as connection:
        row = connection.execute(
            text("SELECT lot_size, tick_size, freeze_quantity FROM instruments WHERE token_id = 45123")
        ).one()
    engine.dispose()
    assert (row[0], Decimal(str(row[1])), row[2]) == (65, Decimal("0.05"), 1800)
