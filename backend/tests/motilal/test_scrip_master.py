"""Motilal's scrip master through the adapter, against the fake over real HTTP: columns, units, bad rows, errors."""

import csv
import io
from decimal import Decimal

import httpx
import pytest

from app.brokers.base import BrokerRejected, BrokerUnavailable, InstrumentSpec
from app.brokers.motilal import MotilalBroker, MotilalConfig
from app.brokers.simulator import SimulatorBroker
from tests.fakes.motilal import FakeMotilal
from tests.fakes.motilal.scrip_master import SCRIP_COLUMNS
from tests.motilal.conftest import FakeServer, MakeBroker


def by_token(specs: tuple[InstrumentSpec, ...]) -> dict[int, InstrumentSpec]:
    return {spec.token_id: spec for spec in specs}


async def test_the_fake_serves_a_public_csv_in_motilals_column_layout(fake_server: FakeServer) -> None:
    async with httpx.AsyncClient(base_url=fake_server.url) as http:
        response = await http.get("/getscripmastercsv", params={"name": "NSEFO"})  # no session, no headers
        unknown = await http.get("/getscripmastercsv", params={"name": "NASDAQ"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert tuple(rows[0]) == SCRIP_COLUMNS
    option = next(row for row in rows if row["scripcode"] == "45123")
    assert option["scripname"] == "NIFTY 29-Dec-2026 CE 23400" and option["exchangename"] == "NSEFO"
    assert (option["marketlot"], option["ticksize"], option["maxqtyperorder"]) == ("65", "5", "1800")
    assert unknown.json()["errorcode"] == "MO1051"


async def test_an_fo_master_becomes_specs_with_lot_tick_in_rupees_and_freeze_quantity(
    fake: FakeMotilal, broker: MotilalBroker
) -> None:
    master = await broker.instruments("NSEFO")
    assert master.exchange == "NFO" and master.skipped == ()
    option = by_token(master.instruments)[45123]
    assert option == InstrumentSpec(
        token_id=45123,
        symbol="NIFTY 29-DEC-2026 CE 23400",
        exchange="NFO",
        instrument_type="OPTIDX",
        lot_size=65,
        tick_size=Decimal("0.05"),
        name="NIFTY 29-Dec-2026 CE 23400",
        freeze_quantity=1800,
    )
    assert isinstance(option.tick_size, Decimal)
    assert by_token(master.instruments)[104034].lot_size == 175
    # Our exchange name works as well as Motilal's, and the download needs no login.
    assert (await broker.instruments("nfo")).instruments == master.instruments
    downloads = fake.requests_to("getscripmastercsv")
    assert [r.body for r in downloads] == [{"name": "NSEFO"}, {"name": "NSEFO"}]
    assert not fake.requests_to("authdirectapi") and "authorization" not in downloads[0].headers


async def test_cash_rows_take_our_symbols_and_their_own_tick(fake: FakeMotilal, broker: MotilalBroker) -> None:
    nse = by_token((await broker.instruments("NSE")).instruments)
    reliance = nse[2885]
    assert (reliance.symbol, reliance.exchange, reliance.instrument_type) == ("RELIANCE", "NSE", "EQ")
    assert reliance.tick_size == Decimal("0.10") and reliance.lot_size == 1
    assert reliance.freeze_quantity is None  # maxqtyperorder 0: not known
    assert nse[5097].tick_size == Decimal("0.01")
    bse = by_token((await broker.instruments("BSE")).instruments)
    assert bse[500325].symbol == "RELIANCE" and bse[500325].exchange == "BSE"


async def test_rows_that_cannot_be_read_are_skipped_with_their_line_and_reason(
    fake: FakeMotilal, broker: MotilalBroker
) -> None:
    fake.scrip_rows["NSEFO"][1]["marketlot"] = "abc"  # line 3
    fake.scrip_rows["NSEFO"][2]["ticksize"] = "-5"  # line 4
    fake.scrip_raw_lines["NSEFO"] = [
        "2,NSEFO,45200,NIFTY 29-Dec-2026 CE 24000",  # line 6: cut short
        "2,NSEFO,35001," + ",".join(["x"] * (len(SCRIP_COLUMNS) - 3)),  # line 7: a repeated scripcode, junk
        "1,NSE,999," + ",".join(["1"] * (len(SCRIP_COLUMNS) - 3)),  # line 8: another exchange's row
    ]
    master = await broker.instruments("NSEFO")
    assert sorted(by_token(master.instruments)) == [35001, 104034]
    reasons = {row.line: row.reason for row in master.skipped}
    assert sorted(reasons) == [3, 4, 6, 7, 8]
    assert "marketlot" in reasons[3] and "ticksize" in reasons[4]
    assert "fields" in reasons[6] and "NSE row" in reasons[8]


async def test_an_unknown_exchange_is_refused_before_anything_is_sent(fake: FakeMotilal, broker: MotilalBroker) -> None:
    with pytest.raises(BrokerRejected) as refused:
        await broker.instruments("NASDAQ")
    assert refused.value.code == "UNKNOWN_EXCHANGE" and "NSEFO" in str(refused.value)
    assert not fake.requests_to("getscripmastercsv")


async def test_an_unreachable_or_failing_broker_is_a_clear_error(fake: FakeMotilal, make_broker: MakeBroker) -> None:
    broker = await make_broker()
    fake.fail_next("http", path="getscripmastercsv", status=503)
    with pytest.raises(BrokerUnavailable, match="HTTP 503"):
        await broker.instruments("NSE")
    fake.fail_next("malformed", path="getscripmastercsv")  # an HTML error page instead of the file
    with pytest.raises(BrokerRejected) as not_a_master:
        await broker.instruments("NSE")
    assert not_a_master.value.code == "NOT_A_SCRIP_MASTER"
    fake.fail_next("reject", path="getscripmastercsv", code="MO8000", message="Technical Error")
    with pytest.raises(BrokerRejected, match="MO8000: Technical Error"):
        await broker.instruments("NSE")
    closed = MotilalBroker(MotilalConfig(base_url="http://127.0.0.1:9"))
    with pytest.raises(BrokerUnavailable, match="could not be reached"):
        await closed.instruments("NSE")


async def test_only_motilal_declares_an_instrument_master() -> None:
    simulator = SimulatorBroker()
    assert not simulator.capabilities.instrument_master
    assert MotilalBroker(MotilalConfig()).capabilities.instrument_master
    with pytest.raises(BrokerRejected) as refused:
        await simulator.instruments("NSE")
    assert refused.value.code == "NO_INSTRUMENT_MASTER"
