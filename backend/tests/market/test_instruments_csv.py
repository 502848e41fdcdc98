"""The tokens.csv loader: bad rows are reported by line and skipped, money stays Decimal, the real file is clean."""

import logging
from decimal import Decimal
from pathlib import Path

import pytest

from app.config import REPO_ROOT
from app.market.instruments import InstrumentRow, TokensFileError, parse_tokens_csv

HEADER = "symbol,token_id,exchange,instrument_type,lot_size,tick_size,name,ref_price\n"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "tokens.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_malformed_rows_are_reported_by_line_and_good_rows_kept(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = write(
        tmp_path,
        HEADER
        + "RELIANCE,2885,NSE,EQ,1,0.05,Reliance Industries Ltd,1420.50\n"  # line 2
        + "BROKEN,abc,NSE,EQ,1,0.05,,\n"  # line 3: bad token_id
        + "TCS,11536,NSE,EQ,1,zero,,\n"  # line 4: bad tick
        + "INFY,1594,NSE,EQ,-1,0.05,,\n"  # line 5: negative lot
        + ",1333,NSE,EQ,1,0.05,,\n"  # line 6: missing symbol
        + "\n"  # line 7: blank, ignored but counted
        + "RELIGARE,2885,NSE,EQ,1,0.05,,\n"  # line 8: token 2885 again
        + "  sbin ,3045, nse ,eq,1,0.05,  ,\n",  # line 9: good, needs normalising
    )
    with caplog.at_level(logging.WARNING, logger="app.market.instruments"):
        rows, errors = parse_tokens_csv(path)

    assert [row.symbol for row in rows] == ["RELIANCE", "SBIN"]
    assert rows[1] == InstrumentRow(
        token_id=3045,
        symbol="SBIN",
        exchange="NSE",
        instrument_type="EQ",
        lot_size=1,
        tick_size=Decimal("0.05"),
        name=None,
        ref_price=None,
    )
    assert [error.line for error in errors] == [3, 4, 5, 6, 8]
    messages = {error.line: error.message for error in errors}
    assert "token_id" in messages[3] and "'abc'" in messages[3]
    assert "tick_size" in messages[4]
    assert "lot_size" in messages[5] and "'-1'" in messages[5]
    assert messages[6] == "symbol is empty"
    assert messages[8] == "token_id 2885 is already on line 2"
    warned = [record.getMessage() for record in caplog.records]
    assert len(warned) == len(errors)
    assert all(f"line {error.line} " in text for error, text in zip(errors, warned, strict=True))


@pytest.mark.parametrize(
    ("cells", "column"),
    [
        ("X,0,NSE,EQ,1,0.05,,", "token_id"),
        ("X,+5,NSE,EQ,1,0.05,,", "token_id"),
        ("X,1.5,NSE,EQ,1,0.05,,", "token_id"),
        ("X,1,NSE,EQ,0,0.05,,", "lot_size"),
        ("X,1,NSE,EQ,1,0,,", "tick_size"),
        ("X,1,NSE,EQ,1,-0.05,,", "tick_size"),
        ("X,1,NSE,EQ,1,NaN,,", "tick_size"),
        ("X,1,NSE,EQ,1,1e-2,,", "tick_size"),
        ("X,1,NSE,EQ,1,0.05,,abc", "ref_price"),
        ("X,1,NSE,EQ,1,0.05,,0", "ref_price"),
        ("X,1,,EQ,1,0.05,,", "exchange"),
        ("X,1,NSE,,1,0.05,,", "instrument_type"),
    ],
)
def test_each_bad_value_is_named_in_its_error(tmp_path: Path, cells: str, column: str) -> None:
    rows, errors = parse_tokens_csv(write(tmp_path, HEADER + cells + "\n"))
    assert rows == []
    assert len(errors) == 1
    assert errors[0].line == 2
    assert errors[0].message.startswith(column)


def test_a_row_with_several_problems_gets_one_error_naming_them_all(tmp_path: Path) -> None:
    _, errors = parse_tokens_csv(write(tmp_path, HEADER + ",x,NSE,EQ,0,0.05,,\n"))
    assert len(errors) == 1
    assert all(column in errors[0].message for column in ("symbol", "token_id", "lot_size"))


def test_a_row_with_too_many_fields_is_skipped_without_shifting_line_numbers(tmp_path: Path) -> None:
    rows, errors = parse_tokens_csv(
        write(tmp_path, HEADER + "A,1,NSE,EQ,1,0.05,A Ltd,10,extra\nB,2,NSE,EQ,1,0.05\nC,3,NSE,EQ,1,x\n")
    )
    assert [row.symbol for row in rows] == ["B"]  # a short row just leaves the optional cells empty
    assert [(error.line, error.message) for error in errors] == [
        (2, "more fields than the header has columns"),
        (4, "tick_size must be a positive decimal number, not 'x'"),
    ]


def test_windows_line_endings_count_lines_the_same(tmp_path: Path) -> None:
    text = (HEADER + "A,1,NSE,EQ,1,0.05,,\n\nB,x,NSE,EQ,1,0.05,,\n").replace("\n", "\r\n")
    rows, errors = parse_tokens_csv(write(tmp_path, text))
    assert [row.symbol for row in rows] == ["A"]
    assert [error.line for error in errors] == [4]


def test_a_quote_left_open_raises_instead_of_losing_the_lines_after_it(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "A,1,NSE,EQ,1,0.05,,\n" + 'B,2,NSE,EQ,1,0.05,"Bee,\n' + "C,3,NSE,EQ,1,0.05,,\n")
    with pytest.raises(TokensFileError, match="line 3"):
        parse_tokens_csv(path)


def test_a_missing_required_column_raises_naming_it(tmp_path: Path) -> None:
    path = write(tmp_path, "symbol,token_id,exchange,instrument_type,lot_size\nRELIANCE,2885,NSE,EQ,1\n")
    with pytest.raises(TokensFileError, match="tick_size"):
        parse_tokens_csv(path)
    assert issubclass(TokensFileError, ValueError)


def test_an_empty_file_raises(tmp_path: Path) -> None:
    with pytest.raises(TokensFileError, match="empty"):
        parse_tokens_csv(write(tmp_path, ""))


def test_optional_columns_may_be_absent_and_header_is_forgiving(tmp_path: Path) -> None:
    text = "\ufeff Symbol ,TOKEN_ID,exchange,instrument_type,lot_size,tick_size\nRELIANCE,2885,NSE,EQ,1,0.05\n"
    rows, errors = parse_tokens_csv(write(tmp_path, text))
    assert errors == []
    assert rows == [InstrumentRow(2885, "RELIANCE", "NSE", "EQ", 1, Decimal("0.05"))]


def test_money_is_exact_decimal_never_float(tmp_path: Path) -> None:
    rows, _ = parse_tokens_csv(write(tmp_path, HEADER + "RELIANCE,2885,NSE,EQ,1,0.05,Reliance,1420.10\n"))
    (row,) = rows
    assert type(row.tick_size) is Decimal and type(row.ref_price) is Decimal
    assert row.tick_size == Decimal("0.05")
    assert str(row.tick_size) == "0.05"
    assert str(row.ref_price) == "1420.10"  # a float would have turned this into 1420.1 or 1420.0999…
    assert type(row.token_id) is int and type(row.lot_size) is int


def test_the_shipped_tokens_file_is_clean() -> None:
    rows, errors = parse_tokens_csv(REPO_ROOT / "data" / "tokens.csv")
    assert errors == [], errors
    assert len(rows) >= 50
    by_symbol = {row.symbol: row for row in rows}
    assert by_symbol["RELIANCE"].token_id == 2885
    assert by_symbol["TCS"].token_id == 11536
    assert len({row.token_id for row in rows}) == len(rows)
    assert len(by_symbol) == len(rows)
    assert {"RELIGARE", "RELINFRA"} <= by_symbol.keys(), "symbols sharing a prefix, for search ranking"
    for row in rows:
        assert (row.exchange, row.instrument_type, row.lot_size) == ("NSE", "EQ", 1)
        assert row.name
        assert row.ref_price is not None and row.ref_price % row.tick_size == 0, row
