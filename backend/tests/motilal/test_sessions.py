"""Motilal sessions against the fake, with Motilal's own codes: session refusals, refused logins, verified logins
only, capitals, the API secret and access token, and the static IP whitelist."""

import asyncio
from dataclasses import replace
from decimal import Decimal

import pytest

from app.brokers.base import BrokerAuthError, BrokerRejected
from app.brokers.motilal import MotilalBroker
from app.brokers.motilal.client import LOGIN, ORDER_BOOK, SESSION_ERROR_CODES, SessionRefused, parse_envelope
from app.brokers.motilal.session import password_hash
from app.enums import OrderType
from tests.fakes.motilal import FakeMotilal
from tests.motilal.conftest import PLAIN_USER, TOTP_USER, USERS, MakeBroker, account
from tests.motilal.test_adapter import request

SECRET_USER = "EMUM900001"
PAN_USER = "EMUM900002"
WHITELISTED_IP = "203.0.113.7"


def add_user(fake: FakeMotilal, userid: str, **changes: object) -> None:
    base = USERS[PLAIN_USER]
    fake.add_user(replace(base, userid=userid, api_key=f"FAKE-APIKEY-{userid}", holdings={}, **changes))
    USERS.setdefault(userid, fake.users[userid])


@pytest.fixture(autouse=True)
def _forget_added_users() -> object:
    yield
    for userid in [u for u in USERS if u.startswith("EMUM9")]:
        del USERS[userid]


async def raw(broker: MotilalBroker, token: str | None, userid: str = PLAIN_USER) -> str:
    """The errorcode the fake answers a book read carrying `token` with ("" for success)."""
    user = USERS[userid]
    try:
        await broker._http.post(ORDER_BOOK, {}, api_key=user.api_key, client_code=userid, auth_token=token)
    except (BrokerAuthError, BrokerRejected) as exc:
        return str(exc).split(":")[0]
    return ""


async def test_the_fake_refuses_sessions_with_motilals_own_codes(fake: FakeMotilal, broker: MotilalBroker) -> None:
    acct = account(PLAIN_USER)
    await broker.ensure_session(acct)
    live = (await broker._sessions.get(acct)).token
    assert await raw(broker, live) == ""
    assert await raw(broker, None) == "MO8003"
    assert await raw(broker, "not a token") == "MO2007"
    assert await raw(broker, "0" * 32 + "_M") == "MO8001"
    fake.expire_sessions(PLAIN_USER)
    assert await raw(broker, live) == "MO8002"

    await broker.order_book(acct)  # logs in again
    live = (await broker._sessions.get(acct)).token
    fake.log_out(PLAIN_USER)
    assert await raw(broker, live) == "MO1011"

    fake.users[PLAIN_USER].otp_login = True
    unverified = await broker._http.post(LOGIN, _login_body(PLAIN_USER), **_login(PLAIN_USER))
    assert unverified["isAuthTokenVerified"] == "FALSE"
    assert await raw(broker, unverified["AuthToken"]) == "MO1097"


def _login(userid: str) -> dict[str, str]:
    return {"api_key": USERS[userid].api_key, "client_code": userid}


def _login_body(userid: str) -> dict[str, str]:
    user = USERS[userid]
    return {"userid": userid, "password": password_hash(user.password, user.api_key), "2FA": user.two_fa}


def test_the_session_codes_are_motilals_and_only_they_mean_log_in_again() -> None:
    assert frozenset({"MO8001", "MO8002", "MO8003", "MO1011", "MO2007", "MO1097"}) == SESSION_ERROR_CODES
    for code in SESSION_ERROR_CODES:
        with pytest.raises(SessionRefused, match=code):
            parse_envelope("/p", 200, f'{{"status": "ERROR", "message": "x", "errorcode": "{code}"}}'.encode())
    # MO1001 is "Invalid User Id", MO1005 "API Key Not Found": refusals, not expired sessions.
    for code in ("MO1001", "MO1005", "MO1000"):
        with pytest.raises(BrokerRejected) as refused:
            parse_envelope("/p", 200, f'{{"status": "ERROR", "message": "x", "errorcode": "{code}"}}'.encode())
        assert not isinstance(refused.value, BrokerAuthError) and refused.value.code == code


@pytest.mark.parametrize("code", sorted(SESSION_ERROR_CODES))
async def test_any_session_code_on_any_call_costs_one_login_and_one_repeat(
    fake: FakeMotilal, broker: MotilalBroker, code: str
) -> None:
    fake.set_ltp(2885, "1400.00")
    acct = account(PLAIN_USER)
    await broker.ensure_session(acct)
    for path, call in (
        ("getposition", lambda: broker.positions(acct)),
        ("getreportmargindetail", lambda: broker.funds(acct)),
        ("placeorder", lambda: broker.place_order(acct, request(f"MD{code[-4:]}", OrderType.LIMIT, price="1401"))),
    ):
        logins = fake.logins[PLAIN_USER]
        fake.fail_next("session", path=path, code=code)
        await call()
        assert fake.logins[PLAIN_USER] == logins + 1, path
        assert len(fake.requests_to(path)) == 2, f"{path}: refused once, then sent once more"
    [order] = fake.orders(PLAIN_USER)
    assert order.status == "Traded", "the refused placement was not taken; the repeat was, once"


async def test_a_placement_with_no_answer_is_never_repeated(fake: FakeMotilal, broker: MotilalBroker) -> None:
    fake.set_ltp(2885, "1400.00")
    acct = account(PLAIN_USER)
    await broker.ensure_session(acct)
    fake.fail_next("timeout", path="placeorder", accept=True)
    with pytest.raises(Exception, match="did not answer"):
        await broker.place_order(acct, request("MD21", OrderType.LIMIT, price="1401"))
    assert len(fake.requests_to("placeorder")) == 1 and fake.logins[PLAIN_USER] == 1


async def test_concurrent_calls_refused_for_one_expired_session_share_one_login(
    fake: FakeMotilal, broker: MotilalBroker
) -> None:
    acct = account(PLAIN_USER)
    await broker.ensure_session(acct)
    fake.expire_sessions(PLAIN_USER)
    await asyncio.gather(*(broker.order_book(acct) for _ in range(8)))
    assert fake.logins[PLAIN_USER] == 2


@pytest.mark.parametrize(
    ("changes", "words", "code"),
    [
        ({"password": "wrong"}, "wrong user id or password", "MO1000"),
        ({"two_fa": "02/02/2002"}, "wrong 2FA", "MO1007"),
        ({"totp_secret": "JBSWY3DPEHPK3PXP"}, "TOTP refused", "MO1093"),
        ({"api_key": "NO-SUCH-KEY"}, "API key not known to Motilal", "MO1005"),
        ({"api_key": USERS[PLAIN_USER].api_key}, "wrong API key", "MO1004"),
    ],
)
async def test_a_refused_login_names_what_was_wrong_and_is_asked_once(
    fake: FakeMotilal, broker: MotilalBroker, changes: dict[str, str], words: str, code: str
) -> None:
    acct = account(TOTP_USER, **changes)
    for _ in range(3):
        with pytest.raises(BrokerAuthError) as refused:
            await broker.funds(acct)
        assert str(refused.value).startswith(words) and f"; Motilal said {code}: " in str(refused.value)
    assert fake.login_attempts[TOTP_USER] == 1, "remembered: not sent again within the minute"


async def test_only_verified_sessions_are_used(fake: FakeMotilal, broker: MotilalBroker) -> None:
    # A TOTP user whose secret is not stored, and a user Motilal asks for an OTP: both answer "FALSE".
    fake.users[PLAIN_USER].otp_login = True
    for acct in (account(TOTP_USER, totp_secret=""), account(PLAIN_USER)):
        for _ in range(2):
            with pytest.raises(BrokerAuthError, match=r"unverified .* Store the client's TOTP secret"):
                await broker.order_book(acct)
        assert fake.login_attempts[acct.broker_client_id] == 1, "no OTP sent to the client's phone per order"
    assert fake.requests_to("getorderbook") == [], "an unverified token is never used"


async def test_user_ids_and_a_pan_go_in_capitals_a_date_of_birth_as_is(
    fake: FakeMotilal, broker: MotilalBroker
) -> None:
    add_user(fake, PAN_USER, two_fa="ABCDE1234F")
    pan = replace(account(PAN_USER, two_fa="abcde1234f"), broker_client_id=PAN_USER.lower())
    await broker.funds(pan)
    [login] = fake.requests_to("authdirectapi")
    assert (login.body["userid"], login.body["2FA"], login.headers["vendorinfo"]) == (PAN_USER, "ABCDE1234F", PAN_USER)
    await broker.funds(account(PLAIN_USER))
    assert fake.requests_to("authdirectapi")[-1].body["2FA"] == "15/08/1985"


@pytest.mark.parametrize(
    "stored",
    [
        "JBSWY3DPEHPK3PXP",  # 16 characters, 80 bits: the common kind
        "jbsw y3dp ehpk 3pxp",  # as an app shows it, in groups, lower case
        "JBSW-Y3DP-EHPK-3PXP",
        "MFRGGZDFMZTWQ2LKNBVXI===",  # padded
        "mfrggzdfmztwq2lknbvxi",  # the same, unpadded
    ],
)
async def test_totp_secrets_as_authenticator_apps_take_them(
    fake: FakeMotilal, broker: MotilalBroker, stored: str
) -> None:
    canonical = stored.replace(" ", "").replace("-", "").replace("=", "").upper()
    add_user(fake, SECRET_USER, totp_secret=canonical)
    await broker.funds(account(SECRET_USER, totp_secret=stored))
    assert fake.logins[SECRET_USER] == 1


async def test_an_api_secret_brings_an_access_token_on_every_call(fake: FakeMotilal, broker: MotilalBroker) -> None:
    add_user(fake, SECRET_USER, api_secret="FAKE-SECRET-1")
    acct = account(SECRET_USER)
    assert acct.credentials["api_secret"] == "FAKE-SECRET-1"
    await broker.funds(acct)
    await broker.order_book(acct)
    [fetch] = fake.requests_to("getaccesstoken")
    assert fetch.body == {} and fetch.headers["apisecretkey"] == "FAKE-SECRET-1"
    after = [r for r in fake.requests if "login" not in r.path]
    assert len(after) == 2 and all(
        r.headers["accesstoken"] == fake.access_tokens[fetch.headers["authorization"]] for r in after
    )
    assert all(r.headers["apisecretkey"] == "FAKE-SECRET-1" for r in fake.requests)

    fake.expire_sessions(SECRET_USER)  # the day's tokens go: a new login brings a new access token
    await broker.funds(acct)
    assert len(fake.requests_to("getaccesstoken")) == 2 and fake.logins[SECRET_USER] == 2

    with pytest.raises(BrokerAuthError, match="wrong API secret; Motilal said MO2006"):
        await broker.funds(account(SECRET_USER, client_id=77, api_secret="WRONG"))
    with pytest.raises(BrokerAuthError, match="wrong API secret; Motilal said MO2006"):
        await broker.funds(account(SECRET_USER, client_id=78, api_secret=""))


async def test_an_ip_not_whitelisted_is_a_plain_ip_not_whitelisted_refusal(
    fake: FakeMotilal, make_broker: MakeBroker
) -> None:
    fake.users[PLAIN_USER].allowed_ips = frozenset({WHITELISTED_IP})
    default = await make_broker()
    for _ in range(2):
        with pytest.raises(BrokerRejected) as refused:
            await default.funds(account(PLAIN_USER))
        assert refused.value.code == "IP_NOT_WHITELISTED"
        assert refused.value.reason.startswith("IP_NOT_WHITELISTED: Motilal refused this server's IP address")
        assert "127.0.0.1" in refused.value.reason and "MULTIDESK_MOTILAL_CLIENT_PUBLIC_IP" in refused.value.reason
    assert fake.login_attempts[PLAIN_USER] == 1
    registered = await make_broker(client_public_ip=WHITELISTED_IP)
    funds = await registered.funds(account(PLAIN_USER))
    assert funds.cash == Decimal("1000000")

    fake.set_ltp(2885, "1400.00")
    fake.users[PLAIN_USER].allowed_ips = frozenset({"198.51.100.1"})  # the whitelist changed mid-day
    with pytest.raises(BrokerRejected) as placed:
        await registered.place_order(account(PLAIN_USER), request("MD22", OrderType.LIMIT, price="1401"))
    assert placed.value.code == "IP_NOT_WHITELISTED" and fake.orders(PLAIN_USER) == []
