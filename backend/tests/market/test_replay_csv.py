"""Reading replay files: the broker-export layouts accepted, and a clear error naming the line for bad rows."""

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from app.market.replay_csv import ReplayFileError, read_candles

SYMBOLS = {"RELIANCE": 2885, "TCS": 11536}


def resolve(symbols: set[str]) -> dict[str, int]:
    unknown = symbols - SYMBOLS.keys()
    if unknown:
        raise ReplayFileError(f"unknown {sorted(unknown)}")
    return {symbol: SYMBOLS[symbol] for symbol in symbols}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "candles.csv"
    path.write_text(text)
    return path


def read(path: Path, default_token: int | None = None):
    return read_candles(path, resolve=resolve, default_token=default_token)


def test_naive_times_are_indian_and_zoned_times_keep_their_zone(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "timestamp,open,high,low,close,volume,symbol\n"
        "2026-11-30 09:15:00,1400.05,1401.00,1399.50,1400.50,1200,RELIANCE\n"
        "2026-11-30T09:16:00+05:30,1400.50,1402,1400,1401.95,800,reliance\n"
        "2026-11-30T03:47:00Z,1401.95,1402,1401,1401.5,10.0,RELIANCE\n"
        "2026-11-30T09:15,3050,3051,3049,3050.5,5,TCS\n",
    )
    candles = read(path)
    assert [(c.token_id, c.start) for c in candles] == [
        (2885, datetime(2026, 11, 30, 3, 45, tzinfo=UTC)),
        (11536, datetime(2026, 11, 30, 3, 45, tzinfo=UTC)),
        (2885, datetime(2026, 11, 30, 3, 46, tzinfo=UTC)),
        (2885, datetime(2026, 11, 30, 3, 47, tzinfo=UTC)),
    ]
    first = candles[0]
    assert (first.open, first.high, first.low, first.close, first.volume) == (
        Decimal("1400.05"),
        Decimal("1401.00"),
        Decimal("1399.50"),
        Decimal("1400.50"),
        1200,
    )
    assert candles[3].volume == 10


def test_header_aliases_and_token_id_column(tmp_path: Path) -> None:
    path = write(tmp_path, "DateTime,Open,High,Low,Close,Volume,Token\n2026-11-30 09:15:00,10,11,9,10.5,3,1333\n")
    [candle] = read(path)
    assert candle.token_id == 1333


def test_a_file_without_instrument_column_needs_the_token_setting(tmp_path: Path) -> None:
    path = write(tmp_path, "timestamp,open,high,low,close,volume\n2026-11-30 09:15:00,10,11,9,10.5,3\n")
    with pytest.raises(ReplayFileError, match="MULTIDESK_REPLAY_TOKEN_ID"):
        read(path)
    [candle] = read(path, default_token=4963)
    assert candle.token_id == 4963


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("30/11/2026 09:15,10,11,9,10,1,TCS", "line 2: timestamp '30/11/2026 09:15' is not ISO 8601"),
        ("2026-11-30 09:15:30,10,11,9,10,1,TCS", "line 2: .* not the start of a minute"),
        ("2026-11-30 09:15:00,ten,11,9,10,1,TCS", "line 2: open 'ten' is not a number"),
        ("2026-11-30 09:15:00,10,11,9,-1,1,TCS", "line 2: close .-1. must be a positive price"),
        ("2026-11-30 09:15:00,0,11,0,10,1,TCS", "line 2: open '0' must be a positive price"),
        ("2026-11-30 09:15:00,10,9.5,9,10,1,TCS", "line 2: not a candle"),
        ("2026-11-30 09:15:00,10,11,9,10,1.5,TCS", "line 2: volume '1.5' must be a whole number"),
        ("2026-11-30 09:15:00,10,11,9,10,-3,TCS", "line 2: volume '-3' must be a whole number"),
        ("2026-11-30 09:15:00,10,11,9,10,1,INFY", "unknown \\['INFY'\\]"),
        ("2026-11-30 09:15:00,10,11,9,10,1,", "line 2: the symbol is empty"),
    ],
)
def test_bad_rows_are_refused_with_their_line(tmp_path: Path, row: str, message: str) -> None:
    path = write(tmp_path, f"timestamp,open,high,low,close,volume,symbol\n{row}\n")
    with pytest.raises(ReplayFileError, match=message):
        read(path)


def test_the_line_number_is_the_bad_rows(tmp_path: Path) -> None:
    good = "2026-11-30 09:15:00,10,11,9,10,1,TCS\n"
    bad = "2026-11-30 09:16:00,10,11,9,12,1,TCS\n"
    path = write(tmp_path, "timestamp,open,high,low,close,volume,symbol\n" + good + bad)
    with pytest.raises(ReplayFileError, match="line 3: not a candle"):
        read(path)


def test_duplicate_minute_missing_columns_and_missing_file(tmp_path: Path) -> None:
    row = "2026-11-30 09:15:00,10,11,9,10,1,TCS\n"
    with pytest.raises(ReplayFileError, match="line 3: a second candle for token 11536"):
        read(write(tmp_path, "timestamp,open,high,low,close,volume,symbol\n" + row + row))
    with pytest.raises(ReplayFileError, match="missing column\\(s\\) low, volume"):
        read(write(tmp_path, "timestamp,open,high,close\n2026-11-30 09:15:00,1,1,1\n"))
    with pytest.raises(ReplayFileError, match="no candles"):
        read(write(tmp_path, "timestamp,open,high,low,close,volume\n"))
    with pytest.raises(ReplayFileError, match="does not exist"):
        read(tmp_path / "nope.csv")
