"""The fake Motilal's scrip master: `GET /getscripmastercsv?name=<exchange>`, a small CSV per exchange.

Like Motilal's, the download is public (no session, no ApiKey: any GET is answered) and is a file, not a JSON
envelope. The columns are Motilal's, in its order (SCRIP_COLUMNS). Values follow what Motilal's documentation and
integrations show: `ticksize` in paise (5 = Rs 0.05), `expirydate` in seconds since 1980-01-01 (the NSE contract
file convention; Motilal's JSON sample gives 1328365800 for 03-Feb-2022), `strikeprice` in rupees, `optiontype`
XX for non-options, `maxqtyperorder` the exchange's freeze quantity in units. The `exchange` numbers are
placeholders except NSEFO's 2, which Motilal's sample shows. The rows reuse data/tokens.csv's tokens where they
overlap (NSE RELIANCE 2885, TCS 11536, INFY 1594); RELIANCE carries the 0.10 tick the exchange now sets for it,
so importing changes the tick data/tokens.csv gives.

Tests edit `fake.scrip_rows[exchange]` (a list of dicts, one per row, by column) and `fake.scrip_raw_lines[exchange]`
(lines appended verbatim, for rows the CSV writer would not produce). An unknown exchange name is answered with
Motilal's MO1051 "Invalid Exchange Input Parameter" envelope. Faults (`fail_next(kind, path="getscripmastercsv")`)
apply: http, timeout, malformed.
"""

import asyncio
import csv
import io
import time
from datetime import date, datetime

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tests.fakes.motilal.model import Recorded, error

SCRIP_COLUMNS = (
    "exchange",
    "exchangename",
    "scripcode",
    "scripname",
    "marketlot",
    "scripshortname",
    "issuspended",
    "instrumentname",
    "expirydate",
    "strikeprice",
    "optiontype",
    "markettype",
    "foexposurepercent",
    "ticksize",
    "scripisinno",
    "indicesidentifier",
    "isbanscrip",
    "scripfullname",
    "facevalue",
    "calevel",
    "maxqtyperorder",
)
_EXCHANGE_NUMBER = {"NSE": "1", "NSEFO": "2", "BSE": "3", "BSEFO": "4", "NSECD": "5", "MCX": "6"}
_NSE_EPOCH = datetime(1980, 1, 1)


def nse_seconds(expiry: date) -> str:
    """An expiry date as the contract files write it: seconds since 1980-01-01 to 14:30 that day."""
    return str(int((datetime(expiry.year, expiry.month, expiry.day, 14, 30) - _NSE_EPOCH).total_seconds()))


def _cash(exchange: str, code: int, scripname: str, short: str, isin: str, full: str, tick: str) -> dict[str, str]:
    return _row(
        exchange,
        code,
        scripname,
        short,
        lot=1,
        instrument="EQUITY",
        tick=tick,
        isin=isin,
        full=full,
        face="10",
        freeze=0,
    )


def _derivative(code: int, scripname: str, instrument: str, lot: int, freeze: int) -> dict[str, str]:
    """An NSEFO row from its scripname ("NIFTY 29-Dec-2026 CE 23400", or "NIFTY 29-Dec-2026" for a future)."""
    short, expiry, *option = scripname.split()
    row = _row("NSEFO", code, scripname, short, lot=lot, instrument=instrument, tick="5", full=scripname, freeze=freeze)
    row["expirydate"] = nse_seconds(datetime.strptime(expiry, "%d-%b-%Y").date())
    if option:
        row.update(optiontype=option[0], strikeprice=option[1])
    return row


def _row(
    exchange: str,
    code: int,
    scripname: str,
    short: str,
    *,
    lot: int,
    instrument: str,
    tick: str,
    full: str,
    freeze: int,
    isin: str = "",
    face: str = "0",
) -> dict[str, str]:
    return {
        "exchange": _EXCHANGE_NUMBER[exchange],
        "exchangename": exchange,
        "scripcode": str(code),
        "scripname": scripname,
        "marketlot": str(lot),
        "scripshortname": short,
        "issuspended": "N",
        "instrumentname": instrument,
        "expirydate": "0",
        "strikeprice": "-1",
        "optiontype": "XX",
        "markettype": " ",
        "foexposurepercent": "0",
        "ticksize": tick,
        "scripisinno": isin,
        "indicesidentifier": "0",
        "isbanscrip": "N",
        "scripfullname": full,
        "facevalue": face,
        "calevel": "0",
        "maxqtyperorder": str(freeze),
    }


def seed_rows() -> dict[str, list[dict[str, str]]]:
    return {
        "NSE": [
            _cash("NSE", 2885, "RELIANCE EQ", "RELIANCE", "INE002A01018", "RELIANCE INDUSTRIES LTD", "10"),
            _cash("NSE", 11536, "TCS EQ", "TCS", "INE467B01029", "TATA CONSULTANCY SERV LT", "5"),
            _cash("NSE", 1594, "INFY EQ", "INFY", "INE009A01021", "INFOSYS LIMITED", "5"),
            _cash("NSE", 5097, "ETERNAL EQ", "ETERNAL", "INE758T01015", "ETERNAL LIMITED", "1"),
        ],
        "BSE": [
            _cash("BSE", 500325, "RELIANCE", "RELIANCE", "INE002A01018", "RELIANCE INDUSTRIES LTD.", "5"),
            _cash("BSE", 532540, "TCS", "TCS", "INE467B01029", "TATA CONSULTANCY SERVICES LTD.", "5"),
        ],
        "NSEFO": [
            _derivative(35001, "NIFTY 29-Dec-2026", "FUTIDX", 65, 1800),
            _derivative(45123, "NIFTY 29-Dec-2026 CE 23400", "OPTIDX", 65, 1800),
            _derivative(45124, "NIFTY 29-Dec-2026 PE 22800", "OPTIDX", 65, 1800),
            _derivative(104034, "TCS 29-Dec-2026 CE 3100", "OPTSTK", 175, 3500),
        ],
    }


class ScripMaster:
    """The scrip master download, mixed into FakeMotilal (which holds requests, faults and the release event)."""

    def _reset_scrip_master(self) -> None:
        self.scrip_rows = seed_rows()
        self.scrip_raw_lines: dict[str, list[str]] = {}

    def scrip_csv(self, name: str) -> str:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=SCRIP_COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(self.scrip_rows.get(name, []))
        return out.getvalue() + "".join(line + "\r\n" for line in self.scrip_raw_lines.get(name, []))

    async def _scrip_master(self, request: Request) -> Response:
        path = request.url.path
        self.requests.append(Recorded(path, time.monotonic(), dict(request.headers), dict(request.query_params), None))
        fault = self._take_fault(path, None)
        if fault is not None:
            if fault.kind == "http":
                return Response("upstream unavailable", status_code=fault.status, media_type="text/plain")
            if fault.kind == "timeout":
                try:
                    await asyncio.wait_for(self._release.wait(), fault.seconds)
                except TimeoutError:
                    pass
            elif fault.kind == "malformed":
                return Response("<html><body>Service Unavailable</body></html>", media_type="text/html")
            else:
                return JSONResponse(error(fault.code, fault.message))
        name = request.query_params.get("name", "").upper()
        if name not in _EXCHANGE_NUMBER:
            return JSONResponse(error("MO1051", "Invalid Exchange Input Parameter"))
        return Response(
            self.scrip_csv(name),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
