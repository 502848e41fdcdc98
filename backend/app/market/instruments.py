"""Read ``data/tokens.csv``, the list of tradable instruments (tokens), into validated rows.

Every cell is read as text and money only ever goes through ``Decimal(str)``, so a tick of ``0.05`` is exactly
``Decimal("0.05")``. A malformed row is reported with its line number and skipped, so one bad line never stops
start-up; only a file that is not a tokens file at all (empty, unparseable, a required column missing) raises
``TokensFileError``, and so does a quoted field running over a line break, which the format does not allow.
Writing the rows to the database is ``app.services.instruments``' job.
"""

import io
import logging
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pandas as pd

log = logging.getLogger(__name__)

REQUIRED_COLUMNS = ("symbol", "token_id", "exchange", "instrument_type", "lot_size", "tick_size")

_FIRST_DATA_LINE = 2  # line 1 is the header
_POSITIVE_INT = re.compile(r"[0-9]+")
_PLAIN_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]+)?")
# Takes the place of a row with more fields than the header, so the row keeps its position (and line number).
_TOO_MANY_FIELDS = "\x00too-many-fields"


class TokensFileError(ValueError):
    """The file cannot be read as a tokens file at all, as opposed to a row in it being bad."""


@dataclass(frozen=True, slots=True)
class InstrumentRow:
    token_id: int
    symbol: str
    exchange: str
    instrument_type: str
    lot_size: int
    tick_size: Decimal
    name: str | None = None
    ref_price: Decimal | None = None
    # The most one order may carry (units); a larger order is sent as several. None: no limit known.
    freeze_quantity: int | None = None


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    message: str


def parse_tokens_csv(path: Path) -> tuple[list[InstrumentRow], list[RowError]]:
    """The file's valid rows in file order, and one error per row skipped (a repeated token_id keeps the first)."""
    rows: list[InstrumentRow] = []
    errors: list[RowError] = []
    line_of_token: dict[int, int] = {}
    for line, record in enumerate(_read_records(path), start=_FIRST_DATA_LINE):
        if not any(value.strip() for value in record.values()):
            continue
        row, problems = _parse_record(record)
        if row is not None and row.token_id in line_of_token:
            problems.append(f"token_id {row.token_id} is already on line {line_of_token[row.token_id]}")
        if row is None or problems:
            message = "; ".join(problems)
            log.warning("%s line %d skipped: %s", path.name, line, message)
            errors.append(RowError(line, message))
            continue
        line_of_token[row.token_id] = line
        rows.append(row)
    return rows, errors


def _read_records(path: Path) -> list[dict[str, str]]:
    try:
        # utf-8-sig: spreadsheet exports often start with a byte-order mark. Reading as text also turns every line
        # break into "\n", so lines can be counted below.
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TokensFileError(f"{path.name} is not UTF-8 text: {exc}") from exc
    if not text.strip():
        raise TokensFileError(f"{path.name} is empty: it needs a header line")
    try:
        # The header is read as an ordinary row (header=None): pandas' own header handling takes a first row with an
        # extra field for a sign of an index column, shifting every cell, and with blank lines kept it can drop a
        # row. Either would break the line numbers, which are simply a row's position plus one.
        frame = pd.read_csv(
            io.StringIO(text),
            header=None,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            engine="python",  # the C engine can only fail on a row with too many fields, or drop it unseen
            on_bad_lines=lambda _fields: [_TOO_MANY_FIELDS],
        )
    except pd.errors.ParserError as exc:
        raise TokensFileError(f"{path.name} cannot be read as CSV: {exc}") from exc
    # Cells a short row does not reach come back as NaN; they are just empty.
    header, *table = frame.fillna("").to_numpy().tolist()
    if len(table) + 1 != text.count("\n") + (not text.endswith("\n")):
        # Rows and lines only disagree when a quoted field crosses a line break, and an unclosed quote makes pandas
        # drop every line after it without a word.
        raise TokensFileError(f"{path.name}: {_unclosed_quote(text)}; every row must be on a line of its own")
    columns = [name.strip().lower() for name in header]
    missing = [column for column in REQUIRED_COLUMNS if column not in columns]
    if missing:
        raise TokensFileError(f"{path.name} is missing the required column(s): {', '.join(missing)}")
    return [dict(zip(columns, cells, strict=True)) for cells in table]


def _unclosed_quote(text: str) -> str:
    for line, content in enumerate(text.split("\n"), start=1):
        if content.count('"') % 2:
            return f"the quote opened on line {line} is not closed on that line"
    return "a quoted field runs over a line break"


def _parse_record(record: dict[str, str]) -> tuple[InstrumentRow | None, list[str]]:
    if _TOO_MANY_FIELDS in record.values():
        return None, ["more fields than the header has columns"]
    problems: list[str] = []
    cell = {column: value.strip() for column, value in record.items()}
    symbol = _required_text(cell, "symbol", problems).upper()
    exchange = _required_text(cell, "exchange", problems).upper()
    instrument_type = _required_text(cell, "instrument_type", problems).upper()
    token_id = _positive_int(cell, "token_id", problems)
    lot_size = _positive_int(cell, "lot_size", problems)
    tick_size = _positive_decimal(cell, "tick_size", problems)
    ref_price = _positive_decimal(cell, "ref_price", problems) if cell.get("ref_price") else None
    freeze_quantity = _positive_int(cell, "freeze_quantity", problems) if cell.get("freeze_quantity") else None
    if problems or token_id is None or lot_size is None or tick_size is None:
        return None, problems
    row = InstrumentRow(
        token_id=token_id,
        symbol=symbol,
        exchange=exchange,
        instrument_type=instrument_type,
        lot_size=lot_size,
        tick_size=tick_size,
        name=cell.get("name") or None,
        ref_price=ref_price,
        freeze_quantity=freeze_quantity,
    )
    return row, []


def _required_text(cell: dict[str, str], column: str, problems: list[str]) -> str:
    if not cell[column]:
        problems.append(f"{column} is empty")
    return cell[column]


def _positive_int(cell: dict[str, str], column: str, problems: list[str]) -> int | None:
    # A pattern rather than int() alone, which would also take "+5", "1_000" and non-ASCII digits.
    text = cell[column]
    if _POSITIVE_INT.fullmatch(text) and int(text) > 0:
        return int(text)
    problems.append(f"{column} must be a positive whole number, not {text!r}")
    return None


def _positive_decimal(cell: dict[str, str], column: str, problems: list[str]) -> Decimal | None:
    # Plain digits only: Decimal() alone would also take "NaN", "Infinity", "1e3" and "1_000".
    text = cell[column]
    if _PLAIN_DECIMAL.fullmatch(text) and Decimal(text) > 0:
        return Decimal(text)
    problems.append(f"{column} must be a positive decimal number, not {text!r}")
    return None
