"""The Motilal adapter against the fake OpenAPI over real HTTP: login, conversions, statuses, errors, books."""

import hashlib
import logging
import time
from dataclasses import replace
from decimal import Decimal

import pyotp
import pytest

from app.brokers.base import (
    BrokerAuthError,
    BrokerOrderNotFound,
    BrokerOrderRequest,
    BrokerRejected,
    BrokerUnavailable,
    InstrumentRef,
)
from app.brokers.motilal import MotilalBroker, MotilalConfig
from app.brokers.motilal.client import PLACE_ORDER
from app.enums import OrderStatus, OrderType, Side, TradeType
from tests.fakes.motilal import REQUIRED_HEADERS, FakeMotilal
from tests.motilal.conftest import PLAIN_USER, POOR_USER, TOTP_USER, USERS, MakeBroker, account

RELIANCE = InstrumentRef(2885, "RELIANCE", "NSE", "EQ", 1, Decimal("0.05"))


def request(
    tag: str,
    order_type: OrderType = OrderType.MARKET,
    side: Side = Side.BUY,
    quantity: int = 10,
    trade_type: TradeType = TradeType.DELIVERY,
    price: str | None = None,
    trigger: str | None = None,
) -> BrokerOrderRequest:
    return BrokerOrderRequest(
        tag=tag,
        instrument=RELIANCE,
        side=side,
        quantity=quantity,
        order_type=order_type,
        trade_type=trade_type,
        price=None if price is None else Decimal(price),
        trigger_price=None if trigger is None else Decimal(trigger),
    )


def test_capabilities_are_declared_as_data(broker: MotilalBroker) -> None:
    caps = broker.capabilities
    assert caps.order_types == frozenset(OrderType) and caps.trade_types == frozenset(TradeType)
    assert caps.supports_modify and caps.partial_fills
    assert not caps.streaming and not caps.pushes_order_updates
    assert caps.orders_per_second == 10
    assert MotilalBroker(MotilalConfig(orders_per_second=3)).capabilities.orders_per_second == 3


async def test_login_sends_the_password_hash_the_2fa_a_totp_and_every_header(
    fake: FakeMotilal, broker: MotilalBroker
) -> None:
    user = USERS[TOTP_USER]
    acct = account(TOTP_USER)
    await broker.funds(acct)
    await broker.order_book(acct)
    assert fake.logins[TOTP_USER] == 1, "the session is cached"
    [login] = fake.requests_to("authdirectapi")
    assert login.body["userid"] == TOTP_USER
    assert login.body["password"] == hashlib.sha256(f"{user.password}{user.api_key}".encode()).hexdigest()
    assert login.body["2FA"] == user.two_fa
    assert pyotp.TOTP(user.totp_secret or "").verify(login.body["totp"], valid_window=1)
    assert "authorization" not in login.headers
    for recorded in fake.requests:
        headers = recorded.headers
        for name in (*REQUIRED_HEADERS, "browsername", "browserversion"):
            assert headers.get(name.lower()), name
        assert headers["user-agent"] == "MOSL/V.1.1.0" and headers["sourceid"] == "WEB"
        assert headers["apikey"] == user.api_key and headers["vendorinfo"] == TOTP_USER
    assert all(r.headers.get("authorization") for r in fake.requests if "authdirectapi" not in r.path)

    await broker.funds(account(PLAIN_USER))
    [_, plain] = fake.requests_to("authdirectapi")
    assert "totp" not in plain.body, "no TOTP secret stored, no TOTP sent"


async def test_refused_logins_carry_the_brokers_message_and_are_not_hammered(
    fake: FakeMotilal, broker: MotilalBroker
) -> None:
    with pytest.raises(BrokerAuthError, match="wrong user id or password; Motilal said MO1000: Invalid UserId Or"):
        await broker.funds(account(PLAIN_USER, password="wrong"))
    with pytest.raises(BrokerAuthError, match="MO1000"):
        await broker.ensure_session(account(PLAIN_USER, password="wrong"))
    assert fake.login_attempts[PLAIN_USER] == 1, "the same refused credentials are not sent again at once"
    with pytest.raises(BrokerAuthError, match="wrong 2FA"):
        await broker.ensure_session(account(PLAIN_USER, two_fa="02/02/2002"))
    with pytest.raises(BrokerAuthError, match="TOTP secret"):
        await broker.ensure_session(account(TOTP_USER, totp_secret=""))
    with pytest.raises(BrokerAuthError, match="TOTP"):
        await broker.ensure_session(account(TOTP_USER, totp_secret="not base32!"))
    await broker.ensure_session(account(PLAIN_USER))  # fixed credentials log straight in
    assert fake.logins[PLAIN_USER] == 1


async def test_incomplete_credentials_are_refused_without_asking_the_broker(
    fake: FakeMotilal, broker: MotilalBroker
) -> None:
    with pytest.raises(BrokerAuthError, match="api_key, password"):
        await broker.funds(account(PLAIN_USER, api_key="", password=""))
    assert fake.requests == []


async def test_market_orders_go_as_protected_limits_and_say_so(fake: FakeMotilal, broker: MotilalBroker) -> None:
    fake.set_ltp(2885, "1400.00")
    acct = account(TOTP_USER)
    ack = await broker.place_order(acct, request("MD1"))
    [sent] = [r.body for r in fake.requests_to("placeorder")]
    assert (sent["ordertype"], sent["price"], sent["triggerprice"]) == ("LIMIT", 1414.0, 0.0)
    assert (sent["exchange"], sent["symboltoken"], sent["producttype"], sent["quantityinlot"]) == (
        "NSE",
        2885,
        "DELIVERY",
        10,
    )
    assert (sent["tag"], sent["buyorsell"], sent["orderduration"], sent["amoorder"]) == ("MD1", "BUY", "DAY", "N")
    assert ack.status is OrderStatus.FILLED and ack.filled_quantity == 10
    assert ack.average_price == Decimal("1400.0000"), "filled at the market, not at the protection limit"
    assert ack.price == Decimal("1414.00") and ack.tag == "MD1"
    assert ack.note is not None and "LIMIT at 1414.00" in ack.note and "M01108" in ack.note
    [in_book] = await broker.order_book(acct)
    assert in_book.note == ack.note, "later views of the order carry the note too"

    sell = await broker.place_order(account(PLAIN_USER), request("MD2", side=Side.SELL, trade_type=TradeType.INTRADAY))
    assert sell.price == Decimal("1386.00") and sell.status is OrderStatus.FILLED
    assert fake.requests_to("placeorder")[-1].body["producttype"] == "VALUEPLUS"


async def test_market_order_without_a_last_price_is_refused_and_nothing_is_sent(
    fake: FakeMotilal, broker: MotilalBroker
) -> None:
    unknown = InstrumentRef(999999, "NOPE", "NSE", "EQ", 1, Decimal("0.05"))
    req = BrokerOrderRequest("MD3", unknown, Side.BUY, 1, OrderType.MARKET, TradeType.DELIVERY)
    with pytest.raises(BrokerRejected, match="NO_LAST_PRICE") as refused:
        await broker.place_order(account(TOTP_USER), req)
    assert refused.value.code == "NO_LAST_PRICE"
    assert fake.requests_to("placeorder") == []


async def test_stop_market_goes_as_a_stop_limit_beyond_the_trigger(fake: FakeMotilal, broker: MotilalBroker) -> None:
    fake.set_ltp(2885, "1400.00")
    acct = account(TOTP_USER)
    ack = await broker.place_order(acct, request("MD4", OrderType.SL_M, trigger="1410.00"))
    [sent] = [r.body for r in fake.requests_to("placeorder")]
    assert (sent["ordertype"], sent["triggerprice"], sent["price"]) == ("STOPLOSS", 1410.0, 1424.1)
    assert ack.status is OrderStatus.OPEN and ack.order_type is OrderType.SL
    assert ack.note is not None and "trigger 1410.00" in ack.note and "limit 1424.10" in ack.note
    fake.set_ltp(2885, "1411.00")
    filled = await broker.order_status(acct, ack.broker_order_id)
    assert (filled.status, filled.average_price) == (OrderStatus.FILLED, Decimal("1411.0000"))


async def test_the_fake_refuses_market_and_stop_market_orders_with_M01108(
    fake: FakeMotilal, broker: MotilalBroker
) -> None:
    acct = account(TOTP_USER)
    await broker.ensure_session(acct)
    session = await broker._sessions.get(acct)
    body = {
        "exchange": "NSE",
        "symboltoken": 2885,
        "buyorsell": "BUY",
        "producttype": "DELIVERY",
        "orderduration": "DAY",
        "quantityinlot": 1,
        "disclosedquantity": 0,
        "amoorder": "N",
        "triggerprice": 0,
        "tag": "MD5",
    }
    for terms in ({"ordertype": "MARKET", "price": 0}, {"ordertype": "STOPLOSS", "price": 0, "triggerprice": 1410}):
        with pytest.raises(BrokerRejected) as refused:
            await broker._http.post(
                PLACE_ORDER,
                {**body, **terms},
                api_key=acct.credentials["api_key"],
                client_code=TOTP_USER,
                auth_token=session.token,
            )
        assert refused.value.code == "M01108"
    assert fake.orders(TOTP_USER) == []


async def test_limit_orders_rest_fill_partly_then_modify_and_cancel_keep_the_fills(
    fake: FakeMotilal, broker: MotilalBroker
) -> None:
    fake.set_ltp(2885, "1400.00")
    acct = account(TOTP_USER)
    ack = await broker.place_order(
        acct, request("MD6", OrderType.LIMIT, price="1390.00", trade_type=TradeType.INTRADAY)
    )
    assert (ack.status, ack.price, ack.note) == (OrderStatus.OPEN, Decimal("1390.00"), None)
    fake.liquidity[2885] = 4
    fake.set_ltp(2885, "1385.00")
    partial = await broker.order_status(acct, ack.broker_order_id)
    assert (partial.status, partial.filled_quantity) == (OrderStatus.PARTIALLY_FILLED, 4)

    fake.set_ltp(2885, "1395.00")  # back above the limit: nothing more fills
    [resting] = fake.orders(TOTP_USER)
    assert resting.lastmodifiedtime == "0", "never modified yet, as Motilal's book shows it"
    modified = await broker.modify_order(acct, ack.broker_order_id, price=Decimal("1380.00"), quantity=12)
    [modify] = [r.body for r in fake.requests_to("modifyorder")]
    assert (modify["newprice"], modify["newquantityinlot"], modify["qtytradedtoday"]) == (1380.0, 12, 4)
    assert modify["lastmodifiedtime"] == resting.row()["entrydatetime"], "the entry time: Motilal refuses 0"
    assert (modified.status, modified.price, modified.quantity) == (
        OrderStatus.PARTIALLY_FILLED,
        Decimal("1380.00"),
        12,
    )

    cancelled = await broker.cancel_order(acct, ack.broker_order_id)
    assert (cancelled.status, cancelled.filled_quantity) == (OrderStatus.CANCELLED, 4)
    with pytest.raises(BrokerRejected, match="ORDER_NOT_OPEN"):
        await broker.cancel_order(acct, ack.broker_order_id)
    with pytest.raises(BrokerRejected, match="ORDER_NOT_OPEN"):
        await broker.modify_order(acct, ack.broker_order_id, price=Decimal("1370.00"))
    with pytest.raises(BrokerOrderNotFound):
        await broker.order_status(acct, "NO-SUCH-ORDER")
    trades = await broker.trade_book(acct)
    assert [(t.tag, t.quantity, t.price) for t in trades] == [("MD6", 4, Decimal("1385.00"))]


async def test_broker_rejections_keep_motilals_code_and_message(fake: FakeMotilal, broker: MotilalBroker) -> None:
    fake.set_ltp(2885, "1400.00")
    fake.reject_next("MO4321", "Scrip is in ban period")
    with pytest.raises(BrokerRejected) as rejected:
        await broker.place_order(account(TOTP_USER), request("MD7"))
    assert (rejected.value.code, rejected.value.reason) == ("MO4321", "MO4321: Scrip is in ban period")

    ack = await broker.place_order(account(POOR_USER), request("MD8", quantity=100))
    assert ack.status is OrderStatus.REJECTED
    assert ack.reason is not None and ack.reason.startswith("MOTILAL_REJECTED: RMS:Margin Exceeds")


async def test_an_expired_session_logs_in_again_once_then_fails(fake: FakeMotilal, broker: MotilalBroker) -> None:
    fake.set_ltp(2885, "1400.00")
    acct = account(PLAIN_USER)
    await broker.ensure_session(acct)
    fake.expire_sessions(PLAIN_USER)
    assert await broker.order_book(acct) == [], "a read logs in again by itself"
    assert fake.logins[PLAIN_USER] == 2

    fake.expire_sessions(PLAIN_USER)
    # MO8002 proves the placement was not taken: one fresh login, and it is sent once more.
    assert (
        await broker.place_order(acct, request("MD9", OrderType.LIMIT, price="1410.00"))
    ).status is OrderStatus.FILLED
    assert fake.logins[PLAIN_USER] == 3
    assert len(fake.requests_to("placeorder")) == 2 and len(fake.orders(PLAIN_USER)) == 1

    fake.fail_next("session", count=100)
    with pytest.raises(BrokerAuthError, match="MO8002: Token Expired"):
        await broker.positions(acct)
    assert fake.logins[PLAIN_USER] == 4, "one fresh login, then the failure stands"


async def test_no_answer_is_unavailable_never_a_verdict(
    fake: FakeMotilal, broker: MotilalBroker, make_broker: MakeBroker
) -> None:
    fake.set_ltp(2885, "1400.00")
    acct = account(TOTP_USER)
    await broker.ensure_session(acct)
    fake.fail_next("http", path="getposition", status=503)
    with pytest.raises(BrokerUnavailable, match="HTTP 503"):
        await broker.positions(acct)
    fake.fail_next("malformed", path="getreportmargindetail")
    with pytest.raises(BrokerUnavailable, match="not a JSON object"):
        await broker.funds(acct)
    fake.fail_next("http", path="placeorder", status=500)
    with pytest.raises(BrokerUnavailable):
        await broker.place_order(acct, request("MD10"))

    fake.fail_next("timeout", path="placeorder", accept=True)
    started = time.monotonic()
    with pytest.raises(BrokerUnavailable, match="did not answer"):
        await broker.place_order(acct, request("MD11"))
    assert time.monotonic() - started < 2.0, "the client's own timeout (0.5 s) ends the wait"
    found = {order.tag: order for order in await broker.order_book(acct)}
    assert found["MD11"].status is OrderStatus.FILLED, "the broker took it; reconciliation finds it by tag"
    assert found["MD11"].note is not None, "the conversion note survives the lost answer"

    unreachable = await make_broker(base_url="http://127.0.0.1:9")
    with pytest.raises(BrokerUnavailable, match="could not be reached"):
        await unreachable.funds(acct)


async def test_a_placement_whose_book_read_fails_is_still_acknowledged_open(
    fake: FakeMotilal, broker: MotilalBroker
) -> None:
    fake.set_ltp(2885, "1400.00")
    acct = account(TOTP_USER)
    await broker.ensure_session(acct)
    fake.fail_next("http", path="getorderdetail", status=502)
    ack = await broker.place_order(acct, request("MD12"))
    assert (ack.status, ack.tag, ack.price) == (OrderStatus.OPEN, "MD12", Decimal("1414.00"))
    assert ack.broker_order_id
    assert (await broker.order_status(acct, ack.broker_order_id)).status is OrderStatus.FILLED


async def test_quotes_positions_holdings_trades_and_funds(fake: FakeMotilal, broker: MotilalBroker) -> None:
    with pytest.raises(BrokerUnavailable, match="no Motilal client has logged in"):
        await broker.quote([RELIANCE])
    fake.set_ltp(2885, "1400.05")
    acct = account(PLAIN_USER)
    fake.add_holding(PLAIN_USER, isin="INE002A01018", name="RELIANCE EQ", quantity=5, average="1200.50", nse_token=2885)
    await broker.place_order(acct, request("MD13", quantity=10))
    fake.set_ltp(2885, "1410.00")
    await broker.place_order(acct, request("MD14", side=Side.SELL, quantity=4))

    quotes = await broker.quote([RELIANCE])
    assert quotes[2885].ltp == Decimal("1410.00")
    fake.set_ltp(2885, "1400.05")
    assert (await broker.quote([RELIANCE]))[2885].ltp == Decimal("1400.05"), "paise 140005 -> rupees 1400.05"

    [position] = await broker.positions(acct)
    assert (position.net_quantity, position.buy_quantity, position.sell_quantity) == (6, 10, 4)
    assert position.average_price == Decimal("1400.0500") and position.trade_type is TradeType.DELIVERY
    assert position.realised_pnl == Decimal("39.80")  # (1410.00 - 1400.05) x 4
    [holding] = await broker.holdings(acct)
    assert (holding.token_for("NSE"), holding.quantity, holding.average_price) == (2885, 5, Decimal("1200.5000"))
    trades = await broker.trade_book(acct)
    assert [(t.tag, t.side, t.quantity) for t in trades] == [("MD13", Side.BUY, 10), ("MD14", Side.SELL, 4)]
    assert len({t.trade_id for t in trades}) == 2
    funds = await broker.funds(acct)
    assert funds.cash == Decimal("1000039.80")
    assert funds.margin_used == Decimal("8400.30")  # 6 x 1400.05 held for delivery
    assert funds.margin_available == funds.cash - funds.margin_used


async def test_no_credential_or_token_is_logged(
    fake: FakeMotilal, broker: MotilalBroker, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake.set_ltp(2885, "1400.00")
    user = USERS[TOTP_USER]
    acct = account(TOTP_USER)
    await broker.place_order(acct, request("MD15"))
    with pytest.raises(BrokerAuthError):
        await broker.ensure_session(account(PLAIN_USER, password="Secret-Wrong-1"))
    session = await broker._sessions.get(acct)
    logged = "\n".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    assert logged, "something was logged, so the check below means something"
    secrets = [
        user.password,
        user.api_key,
        user.totp_secret or "",
        session.token,
        hashlib.sha256(f"{user.password}{user.api_key}".encode()).hexdigest(),
        "Secret-Wrong-1",
    ]
    for secret in secrets:
        assert secret not in logged
    assert session.token not in repr(session)


async def test_an_after_market_order_goes_with_amoorder_y(fake: FakeMotilal, broker: MotilalBroker) -> None:
    fake.set_ltp(2885, "1400.00")
    await broker.place_order(account(TOTP_USER), replace(request("MD2"), amo=True))
    [sent] = [r.body for r in fake.requests_to("placeorder")]
    assert (sent["tag"], sent["amoorder"]) == ("MD2", "Y")
