"""Motilal's scrip master: download one exchange's CSV and read it into broker-neutral InstrumentSpecs.

`GET {base}/getscripmastercsv?name=<NSE|BSE|NSEFO|BSEFO|NSECD|MCX>` answers a CSV file. It is public: no login, no
AuthToken and no client, so importing instruments needs no client account (OpenAlgo and other integrations
download it with a bare GET). Its columns, in Motilal's order: exchange, exchangename, scripcode, scripname,
marketlot, scripshortname, issuspended, instrumentname, expirydate, strikeprice, optiontype, markettype,
foexposurepercent, ticksize, scripisinno, indicesidentifier, isbanscrip, scripfullname, facevalue, calevel,
maxqtyperorder (`exchange` is Motilal's number for the exchange; `exchangename` its name).

How a row becomes an InstrumentSpec:
  - token = scripcode; exchange = exchangename in our words (NSEFO -> NFO, BSEFO -> BFO, NSECD -> CDS);
  - lot size = marketlot (units per lot; 1 in the cash segment);
  - tick size = ticksize, which the CSV gives in paise (a 5 is Rs 0.05), divided by 100;
  - freeze quantity = maxqtyperorder (units; 0 or empty: not known);
  - symbol: cash rows drop the series " EQ" from scripname ("RELIANCE EQ" -> RELIANCE, as data/tokens.csv names
    it); derivatives keep scripname, upper-cased ("NIFTY 29-SEP-2026 CE 23400"); name = scripfullname;
  - instrument type: EQ in the cash segment, else instrumentname (FUTIDX, OPTSTK...).
A row that cannot be read (a field missing or malformed, a repeated scripcode, another exchange's row) is skipped
and reported with its line, never stopping the import. An answer that is not a scrip master at all (no scripcode
column, an error envelope, an HTTP error) raises a BrokerError.
"""

import csv
import io
import json
import logging
import re
import time
from decimal import Decimal

import httpx

from app.brokers.base import (
    BrokerRejected,
    BrokerUnavailable,
    InstrumentMaster,
    InstrumentSpec,
    SkippedRow,
)
from app.brokers.motilal.client import SCRIP_MASTER_CSV, MotilalConfig, error_reason
from app.brokers.motilal.mapping import CASH_EXCHANGES, EXCHANGES

log = logging.getLogger(__name__)

# A whole exchange's master is megabytes (NSEFO: tens of thousands of rows), far beyond an order call's timeout.
DOWNLOAD_TIMEOUT_S = 60.0
PAISE_PER_RUPEE = Decimal(100)
REQUIRED_COLUMNS = ("scripcode", "scripname", "marketlot", "ticksize")
# Motilal's exchange name -> ours; the inverse of mapping.EXCHANGES for the exchanges Motilal serves.
OUR_EXCHANGE = {"NSE": "NSE", "BSE": "BSE", "NSEFO": "NFO", "BSEFO": "BFO", "NSECD": "CDS", "MCX": "MCX"}
SYMBOL_MAX = 64  # app.models.Instrument.symbol
NAME_MAX = 200
TYPE_MAX = 16

_WHOLE = re.compile(r"[0-9]+(?:\.0*)?")
_PLAIN_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]+)?")


def motilal_exchange(exchange: str) -> str:
    """Motilal's name for an exchange given in ours (NFO) or in Motilal's (NSEFO); BrokerRejected if unknown."""
    name = EXCHANGES.get(exchange.strip().upper())
    if name is None or name not in OUR_EXCHANGE:
        known = ", ".join(sorted(OUR_EXCHANGE))
        raise BrokerRejected(f"Motilal has no scrip master for {exchange!r}; one of {known}", code="UNKNOWN_EXCHANGE")
    return name


async def fetch(
    config: MotilalConfig, exchange: str, *, transport: httpx.AsyncBaseTransport | None = None
) -> InstrumentMaster:
    name = motilal_exchange(exchange)
    return parse(await download(config, name, transport=transport), name)


async def download(config: MotilalConfig, name: str, *, transport: httpx.AsyncBaseTransport | None = None) -> str:
    """The CSV text of one exchange's master (Motilal's exchange name), or the BrokerError its answer stands for."""
    started = time.monotonic()
    # A client of its own: the pooled one's timeout suits order calls, and this GET carries no session headers.
    async with httpx.AsyncClient(
        base_url=config.base_url.rstrip("/"),
        timeout=httpx.Timeout(DOWNLOAD_TIMEOUT_S),
        transport=transport,
        follow_redirects=True,  # a plain download; safe to follow to wherever the file is served from
    ) as client:
        try:
            response = await client.get(
                SCRIP_MASTER_CSV,
                params={"name": name},
                headers={"User-Agent": config.user_agent, "Accept": "text/csv, */*"},
            )
        except httpx.TimeoutException:
            waited = f"{DOWNLOAD_TIMEOUT_S:g}s"
            raise BrokerUnavailable(f"Motilal did not send the {name} scrip master within {waited}") from None
        except httpx.HTTPError as exc:
            raise BrokerUnavailable(f"Motilal could not be reached ({type(exc).__name__})") from None
    log.info(
        "motilal scrip master %s -> HTTP %s, %d bytes in %.0f ms",
        name,
        response.status_code,
        len(response.content),
        (time.monotonic() - started) * 1000,
    )
    if response.status_code >= 500:
        raise BrokerUnavailable(f"Motilal answered the {name} scrip master with HTTP {response.status_code}")
    text = response.content.decode("utf-8-sig", errors="replace")
    _raise_for_envelope(name, text)
    if response.status_code >= 400:
        status = response.status_code
        raise BrokerRejected(f"Motilal refused the {name} scrip master (HTTP {status})", code=f"HTTP_{status}")
    return text


def _raise_for_envelope(name: str, text: str) -> None:
    # An error comes back as Motilal's JSON envelope instead of a file.
    if not text.lstrip().startswith("{"):
        return
    try:
        envelope = json.loads(text)
    except ValueError:
        return
    if isinstance(envelope, dict):
        code = str(envelope.get("errorcode") or "").strip()
        message = str(envelope.get("message") or "").strip() or f"no {name} scrip master"
        raise BrokerRejected(error_reason(code, message), code=code or "NOT_A_SCRIP_MASTER")


def parse(text: str, name: str) -> InstrumentMaster:
    """One exchange's CSV (`name` in Motilal's words) as specs in file order, plus the rows skipped and why."""
    reader = csv.reader(io.StringIO(text))
    header = [column.strip().lower() for column in next(reader, [])]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise BrokerRejected(
            f"Motilal's {name} answer is not a scrip master: no {', '.join(missing)} column", code="NOT_A_SCRIP_MASTER"
        )
    specs: list[InstrumentSpec] = []
    skipped: list[SkippedRow] = []
    seen: dict[int, int] = {}
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            skipped.append(SkippedRow(line, f"{len(cells)} fields where the header has {len(header)}"))
            continue
        spec, reason = _spec(dict(zip(header, (cell.strip() for cell in cells), strict=True)), name)
        if spec is not None and spec.token_id in seen:
            spec, reason = None, f"scripcode {spec.token_id} is already on line {seen[spec.token_id]}"
        if spec is None:
            skipped.append(SkippedRow(line, reason))
            continue
        seen[spec.token_id] = line
        specs.append(spec)
    for row in skipped[:20]:
        log.warning("motilal %s scrip master line %d skipped: %s", name, row.line, row.reason)
    return InstrumentMaster(OUR_EXCHANGE[name], tuple(specs), tuple(skipped))


def _spec(row: dict[str, str], name: str) -> tuple[InstrumentSpec | None, str]:
    row_exchange = row.get("exchangename", "").upper() or name
    if row_exchange != name:
        return None, f"a {row_exchange} row in the {name} scrip master"
    exchange = OUR_EXCHANGE[name]
    problems: list[str] = []
    token = _whole(row, "scripcode", problems)
    lot = _whole(row, "marketlot", problems)
    tick_paise = _decimal(row, "ticksize", problems)
    freeze = _whole(row, "maxqtyperorder", problems) if row.get("maxqtyperorder") else None
    scripname = " ".join(row["scripname"].split()).upper()
    if not scripname:
        problems.append("scripname is empty")
    symbol = scripname.removesuffix(" EQ") if exchange in CASH_EXCHANGES else scripname
    if len(symbol) > SYMBOL_MAX:
        problems.append(f"scripname is longer than {SYMBOL_MAX} characters")
    instrument_type = "EQ" if exchange in CASH_EXCHANGES else row.get("instrumentname", "").upper()
    if not instrument_type or len(instrument_type) > TYPE_MAX:
        problems.append(f"instrumentname {row.get('instrumentname', '')!r} is not an instrument type")
    if problems or token is None or lot is None or tick_paise is None:
        return None, "; ".join(problems)
    if token == 0 or lot == 0 or tick_paise == 0:
        return None, "scripcode, marketlot and ticksize must be above zero"
    full_name = row.get("scripfullname", "")[:NAME_MAX] or None
    spec = InstrumentSpec(
        token_id=token,
        symbol=symbol,
        exchange=exchange,
        instrument_type=instrument_type,
        lot_size=lot,
        tick_size=tick_paise / PAISE_PER_RUPEE,
        name=full_name,
        freeze_quantity=freeze or None,
    )
    return spec, ""


def _whole(row: dict[str, str], column: str, problems: list[str]) -> int | None:
    # Whole numbers, also written "75.0"; never "+5", "1e3" or "-1".
    text = row.get(column, "")
    if _WHOLE.fullmatch(text):
        return int(Decimal(text))
    problems.append(f"{column} must be a whole number, not {text!r}")
    return None


def _decimal(row: dict[str, str], column: str, problems: list[str]) -> Decimal | None:
    text = row.get(column, "")
    if _PLAIN_DECIMAL.fullmatch(text):
        return Decimal(text)
    problems.append(f"{column} must be a plain decimal number, not {text!r}")
    return None
