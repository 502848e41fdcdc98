"""Motilal's vocabulary to ours: protected prices, paise, funds rows, envelopes (no I/O; orders and products are in
test_order_rows.py)."""

import hashlib
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from app.brokers.base import BrokerAuthError, BrokerRejected, BrokerUnavailable
from app.brokers.motilal import mapping
from app.brokers.motilal.client import parse_envelope
from app.brokers.motilal.session import expires_at, password_hash
from app.enums import Side

NOW = datetime(2025, 3, 14, 6, 0, tzinfo=UTC)
TICK = Decimal("0.05")


@pytest.mark.parametrize(
    ("reference", "side", "band", "expected"),
    [
        ("1400.00", Side.BUY, "1", "1414.00"),
        ("1400.00", Side.SELL, "1", "1386.00"),
        # 1410 x 1.01 = 1424.10 and 1410 x 0.99 = 1395.90: on the tick already.
        ("1410.00", Side.BUY, "1", "1424.10"),
        ("1410.00", Side.SELL, "1", "1395.90"),
        # 1234.55 x 1.01 = 1246.8955: the band is a cap, so a buy rounds down; 1222.2045 rounds a sell up.
        ("1234.55", Side.BUY, "1", "1246.85"),
        ("1234.55", Side.SELL, "1", "1222.25"),
        # A band narrower than a tick still leaves the order one tick through the price, so it can fill.
        ("3.00", Side.BUY, "0.5", "3.05"),
        ("3.00", Side.SELL, "0.5", "2.95"),
        # Never a sell limit of zero or less.
        ("0.05", Side.SELL, "5", "0.05"),
    ],
)
def test_protected_limit_is_within_the_band_on_the_tick(reference: str, side: Side, band: str, expected: str) -> None:
    limit = mapping.protected_limit(Decimal(reference), side, Decimal(band), TICK)
    assert limit == Decimal(expected)
    assert limit % TICK == 0


def test_market_and_stop_market_notes_say_what_was_sent() -> None:
    note = mapping.market_note(Side.BUY, Decimal("1400.00"), Decimal("1414.00"), Decimal("1.0"))
    assert "M01108" in note and "LIMIT at 1414.00" in note and "1400.00 + 1%" in note
    stop = mapping.stop_market_note(Side.SELL, Decimal("1390.00"), Decimal("1376.10"), Decimal("1.0"))
    assert "STOPLOSS" in stop and "trigger 1390.00" in stop and "limit 1376.10" in stop and "below" in stop


def test_quotes_are_paise_converted_to_rupees() -> None:
    quote = mapping.quote(
        2885,
        {"ltp": 140005, "open": 139000, "high": 141000, "low": 138950, "close": 139500, "volume": 12345},
        now=NOW,
    )
    assert (quote.ltp, quote.open, quote.high, quote.low) == (
        Decimal("1400.05"),
        Decimal("1390.00"),
        Decimal("1410.00"),
        Decimal("1389.50"),
    )
    assert quote.prev_close == Decimal("1395.00") and quote.volume == 12345
    with pytest.raises(BrokerUnavailable):
        mapping.quote(2885, {"ltp": 0}, now=NOW)


def test_getltpdata_bid_and_ask_become_the_quotes_touch_an_empty_or_crossed_side_none() -> None:
    quote = mapping.quote(2885, {"ltp": 140005, "bid": 140000, "ask": 140010}, now=NOW)
    assert (quote.bid, quote.ask) == (Decimal("1400.00"), Decimal("1400.10"))
    no_sellers = mapping.quote(2885, {"ltp": 140005, "bid": 140000, "ask": 0}, now=NOW)
    assert (no_sellers.bid, no_sellers.ask) == (Decimal("1400.00"), None)
    crossed = mapping.quote(2885, {"ltp": 140005, "bid": 140020, "ask": 140010}, now=NOW)
    assert (crossed.bid, crossed.ask) == (None, None)
    older_feed = mapping.quote(2885, {"ltp": 140005}, now=NOW)
    assert (older_feed.bid, older_feed.ask) == (None, None)


def test_envelopes_become_results_or_typed_errors() -> None:
    ok = parse_envelope("/p", 200, b'{"status": "SUCCESS", "message": "", "errorcode": "", "data": []}')
    assert ok["data"] == []
    with pytest.raises(BrokerRejected) as rejected:
        parse_envelope("/p", 200, b'{"status": "ERROR", "message": "MARKET not allowed", "errorcode": "M01108"}')
    assert (rejected.value.code, rejected.value.reason) == ("M01108", "M01108: MARKET not allowed")
    with pytest.raises(BrokerAuthError, match="MO8002"):
        parse_envelope("/p", 200, b'{"status": "ERROR", "message": "Token Expired", "errorcode": "MO8002"}')
    with pytest.raises(BrokerAuthError):
        parse_envelope("/p", 200, b'{"status": "FAILURE", "message": "Session expired, login again", "errorcode": ""}')
    with pytest.raises(BrokerAuthError):
        parse_envelope("/p", 401, b"")
    for status, body in ((502, b"<html>"), (200, b'{"status": "SUCC'), (200, b"[1, 2]"), (200, b'{"x": 1}')):
        with pytest.raises(BrokerUnavailable):
            parse_envelope("/p", status, body)
    with pytest.raises(BrokerRejected) as limited:
        parse_envelope("/p", 429, b"")
    assert limited.value.code == "HTTP_429"


def test_login_hash_and_the_daily_six_am_expiry() -> None:
    assert password_hash("pw", "key") == hashlib.sha256(b"pwkey").hexdigest()
    # 05:00 IST (23:30 UTC the day before) expires at 06:00 IST the same day; 09:00 IST at 06:00 the next day.
    assert expires_at(datetime(2025, 3, 13, 23, 30, tzinfo=UTC)) == datetime(2025, 3, 14, 0, 30, tzinfo=UTC)
    assert expires_at(datetime(2025, 3, 14, 3, 30, tzinfo=UTC)) == datetime(2025, 3, 15, 0, 30, tzinfo=UTC)
