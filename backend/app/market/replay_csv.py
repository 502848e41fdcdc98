"""Reading a replay file: a CSV of 1-minute candles in the common broker-export layout, checked row by row.

Layout: `timestamp,open,high,low,close,volume[,symbol|token_id]` (header names are case-insensitive; `datetime`,
`date` and `time` are accepted for timestamp, `tradingsymbol` for symbol, `token` for token_id). Timestamps are
ISO 8601 with or without a zone, or "YYYY-MM-DD HH:MM[:SS]"; a timestamp without a zone is Indian time
(Asia/Kolkata), as broker exports are. Each is the start of its minute. Prices are read as decimals (never floats),
volume as a whole number of shares. A file without a symbol/token_id column is one instrument's: the caller names
it (MULTIDESK_REPLAY_TOKEN_ID), or the file is refused.

Every problem is a ReplayFileError naming the file's line (header = line 1), so a bad export is fixed in one look.
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pandas as pd

IST = "Asia/Kolkata"
PRICE_COLUMNS = ("open", "high", "low", "close")
ALIASES = {
    "datetime": "timestamp",
    "date": "timestamp",
    "time": "timestamp",
    "tradingsymbol": "symbol",
    "token": "token_id",
}
_ZONED = re.compile(r"(?:Z|[+-]\d\d:?\d\d)$", re.IGNORECASE)


class ReplayFileError(ValueError):
    """The replay file cannot be replayed; the message says where and why."""


@dataclass(frozen=True, slots=True)
class Candle:
    token_id: int
    start: datetime  # UTC, tz-aware, the minute's first instant
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: int


# Resolves the file's symbols to token ids; raises ReplayFileError for a symbol it cannot place.
SymbolResolver = Callable[[set[str]], Mapping[str, int]]


def read_candles(path: Path, *, resolve: SymbolResolver, default_token: int | None = None) -> list[Candle]:
    """The file's candles, sorted by (start, token_id); ReplayFileError on the first bad row."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except FileNotFoundError:
        raise ReplayFileError(f"replay file {path} does not exist") from None
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ReplayFileError(f"replay file {path} is not a readable CSV: {exc}") from None
    frame.columns = [ALIASES.get(name.strip().lower(), name.strip().lower()) for name in frame.columns]
    missing = [name for name in ("timestamp", *PRICE_COLUMNS, "volume") if name not in frame.columns]
    if missing:
        raise ReplayFileError(
            f"{path}: missing column(s) {', '.join(missing)}; expected timestamp,open,high,low,close,volume"
            "[,symbol|token_id]"
        )
    if frame.empty:
        raise ReplayFileError(f"{path}: no candles (only a header)")
    # Line numbers as a person sees them in an editor: the header is line 1.
    lines = frame.index + 2
    starts = _timestamps(path, frame["timestamp"], lines)
    tokens = _tokens(path, frame, lines, resolve, default_token)
    candles = []
    seen: set[tuple[int, datetime]] = set()
    for i, line in enumerate(lines):
        start = starts[i]
        prices = [_price(path, line, name, frame[name].iat[i]) for name in PRICE_COLUMNS]
        open_, high, low, close = prices
        if not (low <= min(open_, close) and high >= max(open_, close)):
            raise ReplayFileError(
                f"{path} line {line}: not a candle (need low <= open, close <= high; got open {open_}, high {high}, "
                f"low {low}, close {close})"
            )
        volume = _volume(path, line, frame["volume"].iat[i])
        key = (tokens[i], start)
        if key in seen:
            raise ReplayFileError(f"{path} line {line}: a second candle for token {tokens[i]} at {start.isoformat()}")
        seen.add(key)
        candles.append(Candle(tokens[i], start, open_, high, low, close, volume))
    candles.sort(key=lambda candle: (candle.start, candle.token_id))
    return candles


def _timestamps(path: Path, column: pd.Series, lines: pd.Index) -> list[datetime]:
    text = column.str.strip()
    zoned = text.str.contains(_ZONED)
    parsed = pd.Series(pd.NaT, index=column.index, dtype="datetime64[ns, UTC]")
    if zoned.any():
        parsed[zoned] = pd.to_datetime(text[zoned], format="ISO8601", utc=True, errors="coerce")
    if (~zoned).any():
        naive = pd.to_datetime(text[~zoned], format="ISO8601", errors="coerce")
        parsed[~zoned] = naive.dt.tz_localize(IST, ambiguous="raise", nonexistent="raise").dt.tz_convert("UTC")
    bad = parsed.isna()
    if bad.any():
        first = bad.idxmax()
        raise ReplayFileError(
            f"{path} line {lines[first]}: timestamp {column[first]!r} is not ISO 8601 or 'YYYY-MM-DD HH:MM:SS'"
        )
    off_minute = (parsed.dt.second != 0) | (parsed.dt.microsecond != 0)
    if off_minute.any():
        first = off_minute.idxmax()
        raise ReplayFileError(
            f"{path} line {lines[first]}: timestamp {column[first]!r} is not the start of a minute "
            "(1-minute candles are stamped with their minute's first second)"
        )
    return [stamp.to_pydatetime() for stamp in parsed]


def _tokens(
    path: Path, frame: pd.DataFrame, lines: pd.Index, resolve: SymbolResolver, default_token: int | None
) -> list[int]:
    if "token_id" in frame.columns:
        tokens = []
        for line, value in zip(lines, frame["token_id"], strict=True):
            if not value.strip().isdigit():
                raise ReplayFileError(f"{path} line {line}: token_id {value!r} is not a whole number")
            tokens.append(int(value))
        return tokens
    if "symbol" in frame.columns:
        symbols = frame["symbol"].str.strip().str.upper()
        blank = symbols == ""
        if blank.any():
            raise ReplayFileError(f"{path} line {lines[blank.idxmax()]}: the symbol is empty")
        found = resolve(set(symbols))
        return [found[symbol] for symbol in symbols]
    if default_token is None:
        raise ReplayFileError(
            f"{path} has no symbol or token_id column: add one, or name its instrument with MULTIDESK_REPLAY_TOKEN_ID"
        )
    return [default_token] * len(frame)


def _price(path: Path, line: int, name: str, value: str) -> Decimal:
    try:
        price = Decimal(value.strip())
    except InvalidOperation:
        raise ReplayFileError(f"{path} line {line}: {name} {value!r} is not a number") from None
    if not price.is_finite() or price <= 0:
        raise ReplayFileError(f"{path} line {line}: {name} {value!r} must be a positive price")
    return price


def _volume(path: Path, line: int, value: str) -> int:
    text = value.strip()
    # Exports write "1200" or "1200.0"; a fraction of a share is not a volume.
    try:
        volume = Decimal(text) if text else Decimal(0)
    except InvalidOperation:
        raise ReplayFileError(f"{path} line {line}: volume {value!r} is not a number") from None
    if not volume.is_finite() or volume < 0 or volume != volume.to_integral_value():
        raise ReplayFileError(f"{path} line {line}: volume {value!r} must be a whole number, 0 or more")
    return int(volume)
