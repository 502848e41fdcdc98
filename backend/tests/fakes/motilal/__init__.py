"""A fake Motilal Oswal OpenAPI: an ASGI app with per-user books, for tests and for trying Motilal clients on the demo.

Modules: model.py (users, orders, positions, faults, the answer envelope), auth.py (login), orders.py (place,
modify, cancel, matching), reports.py (books, positions, holdings, prices, margin), scrip_master.py (the public
scrip master CSV per exchange, `GET /getscripmastercsv?name=`), broadcast.py (the binary broadcast WebSocket
`/jwebsocket/jwebsocket`: login, register, `A` records pushed by `set_ltp`), server.py (`FakeMotilal`:
state, control, the HTTP handler, the demo entry point `python -m tests.fakes.motilal`).

Run it next to `make run` (from backend/):

    .venv/bin/python -m tests.fakes.motilal --port 8765
    MULTIDESK_MOTILAL_BASE_URL=http://127.0.0.1:8765 make run

Seeded users (create a client with broker "motilal", the client code as broker client id, and these credentials):

    client code   password      api_key                 two_fa (2FA)   totp_secret          cash
    EMUM755714    Fake@Pass1    FAKE-APIKEY-755714      01/01/1990     MULTIDESKFAKEMOTILALTOTPSECRETAB  10,00,000
    EMUM755715    Fake@Pass2    FAKE-APIKEY-755715      15/08/1985     (none)               10,00,000
    EMUM755716    Fake@Pass3    FAKE-APIKEY-755716      26/01/1980     (none)                   20,000

What it checks, like Motilal: every request is a POST of JSON with the header set (ApiKey, vendorinfo, User-Agent
MOSL/..., SourceId WEB|DESKTOP|MOBILE, ClientLocalIp, ClientPublicIp, MacAddress, os/device/product/browser
headers). Login (/rest/login/v7/authdirectapi) takes the client code in capitals (user ids are case-sensitive
here), password = sha256(password + api key), the 2FA exactly as registered (a PAN in capitals) and an optional
TOTP. A login without a TOTP, for a user with a TOTP secret or with `otp_login`, answers isAuthTokenVerified "FALSE"
and its token is refused (MO1097) until an OTP step the fake does not offer. Later requests need Authorization =
a live, verified AuthToken, the user's ApiKey and vendorinfo = the user. Users with an `api_secret` send it as
apisecretkey on every call, fetch an access token after login (/rest/login/v1/getaccesstoken, no body; answer
`accesstoken` at the top level) and send it as the `accesstoken` header on every later call. Users with
`allowed_ips` are refused MO2035 unless ClientPublicIp is one of them (Motilal checks the caller's address).

What it does: MARKET, SL-M and STOPLOSS-without-a-limit orders are refused with M01108, as Motilal refuses them
from API channels. LIMIT orders fill at the fake's own last price (settable per token; seeded from
data/tokens.csv) when it is at or through the limit, else rest until a new price crosses them; STOPLOSS orders
trigger at their trigger price and then work as a LIMIT. `liquidity` caps the quantity one price fills (partial
fills). Orders over the user's margin, and cash-segment DELIVERY sells of more shares than the demat holding and
today's DELIVERY net still cover, are accepted and then shown Rejected with an RMS reason, as Motilal's risk
system does. Order states are Motilal's (Confirm, Partial while part filled and working, Traded, Cancel, Rejected;
tests may set Unknown, Sent or Error on a FakeOrder). Books: order book rows with Motilal's fields (title-case
buyorsell / ordertype, entrydatetime, recordinserttime, lastmodifiedtime "0" until first modified, orderqty,
qtytradedtoday, totalqtytraded, totalqtyremaining, error), order detail by id (the order's states, oldest first,
without the tag, ordertype "C" and the kind in booktype), trade book and trade detail by id (no tag, like
Motilal's; tradetime in `fake.trade_time_format`, dd-MMM-yyyy HH:mm:ss or "%d/%m/%Y" for the date alone),
positions with Motilal's fields (carried cf* at actual cost, today's day*, buyamount valuing the carried part at
the previous close), DP holdings (nsesymboltoken, bsescripcode, dpquantity, buyavgprice...), margin detail (srno
102/103 available for cash/F&O, 201 cash, 300 used, 301/321 used in cash/F&O), LTP in paise. Days: carry.py
(carried positions, holdings, the next day's settlement of DELIVERY buys into holdings).
Modify needs lastmodifiedtime = the order's last modification, or its entry time before the first ("0" is refused).

Error codes it answers with (HTTP 200, status ERROR, unless a fault says otherwise), Motilal's own:
    sessions (a client logs in again and repeats the request once):
    MO8001 Invalid Token (unknown AuthToken, or a wrong accesstoken)   MO8002 Token Expired (`expire_sessions`)
    MO8003 Token missing (no Authorization / accesstoken)               MO1011 Client Not Login (`log_out`)
    MO2007 Authorization is InVaild In Header Parameter (not a token's shape)
    MO1097 Invalid Authorization Verification (the session was opened unverified)
    login refusals:
    MO1000 Invalid UserId Or Password    MO1007 Invalid 2FA           MO1093 Invalid TOTP
    MO1094 Invalid TOTP Key (a TOTP for a user without one)           MO1004 Invalid API Key (another user's)
    MO1005 API Key Not Found             MO2006 ApiSecretKey is InVaild In Header Parameter
    MO2035 Unauthorized IP Address (any call, login included)
    headers and bodies: MO2001 Method Not Allowed / unknown API, MO2002 body not JSON, MO2003-MO2023 a missing or
    invalid header (MO2005 ApiKey, MO2012 vendorinfo, ...)
    orders and books:
    M01108 MARKET and SL-M orders are not allowed from API
    placement fields: MO1050 Invalid Input Parameter (order type, a non-number), MO1051 exchange, MO1052 buy/sell,
    MO1054 order duration, MO1055 quantity, MO1057 product, MO1058 scrip code, MO1061 AMO flag, MO1075 trigger
    price required, MO1080 tag longer than 10, MO1083 order type / price combination (price not positive)
    MO1013 Order Not Found             MO1014 TradeNot Found (trade detail of an order with no fills)
    MO1065-MO1069 modify/cancel of an order whose state is Unknown, Cancel, Traded, Rejected, Error
    MO1089 lastmodifiedtime "0" or stale    MO1090 qtytradedtoday does not match    MO1070 no uniqueorderid
    MO1050 / MO1055 a modify's order type / quantity
    MO3001 scrip not found (no price)  MO9999 a rejection injected by `reject_next`

Control, from Python (tests share the event loop with the server) or over HTTP:
    fake.set_ltp(token, price)              POST /_fake/ltp     {"token": 2885, "ltp": "1400.00"}
    fake.fail_next(kind, path=..., ...)     POST /_fake/fault   {"kind": "timeout", "path": "placeorder", ...}
        kinds: reject (code, message), timeout (seconds, accept: book the order before sleeping), http (status),
        malformed, session (answer a session code: `code` if it is one, else MO8002); `count` requests matching
        `path` (a substring; None = any but login) and, with `userid`, only requests in that user's session
    fake.expire_sessions(userid)            POST /_fake/expire  {"userid": "EMUM755714"}   (then MO8002)
    fake.log_out(userid)                    POST /_fake/logout  {"userid": "EMUM755714"}   (then MO1011)
    fake.carry_position(userid, token, quantity, average, previous_close, product=, exchange=)
                                            POST /_fake/carry   {"userid", "token", "quantity", "average", ...}
    fake.add_holding(userid, isin=, name=, quantity=, average=, nse_token=, bse_code=)
                                            POST /_fake/holding {"userid", "isin", "name", "quantity", ...}
    fake.next_day()                         POST /_fake/next-day
    fake.reset()                            POST /_fake/reset
    fake.drop_broadcast()                   POST /_fake/broadcast-drop   (every broadcast socket closed, 1012)
                                            GET  /_fake/state   users' books as JSON
"""

from tests.fakes.motilal.model import REQUIRED_HEADERS, SEED_USERS, FakeOrder, FakeUser, Fault
from tests.fakes.motilal.server import FakeMotilal

__all__ = ["REQUIRED_HEADERS", "SEED_USERS", "FakeMotilal", "FakeOrder", "FakeUser", "Fault"]
