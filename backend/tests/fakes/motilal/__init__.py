"""A fake Motilal Oswal OpenAPI: an ASGI app with per-user books, for tests and for trying Motilal clients on the demo.

Modules: model.py (users, orders, positions, faults, the answer envelope), auth.py (login), orders.py (place,
modify, cancel, matching), reports.py (books, positions, holdings, prices, margin), server.py (`FakeMotilal`:
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
MOSL/..., SourceId WEB|DESKTOP, ClientLocalIp, ClientPublicIp, MacAddress, os/device/product/browser headers);
login takes password = sha256(password + api key), the 2FA and, for users with a TOTP secret, a current TOTP;
later requests need Authorization = the AuthToken, an ApiKey and vendorinfo matching the session's user.

What it does: MARKET, SL-M and STOPLOSS-without-a-limit orders are refused with M01108, as Motilal refuses them
from API channels. LIMIT orders fill at the fake's own last price (settable per token; seeded from
data/tokens.csv) when it is at or through the limit, else rest until a new price crosses them; STOPLOSS orders
trigger at their trigger price and then work as a LIMIT. `liquidity` caps the quantity one price fills (partial
fills). Orders over the user's margin are accepted and then shown Rejected with an RMS reason, as Motilal's risk
system does. Books: order book, trade book (no tag, like Motilal's), positions with Motilal's fields (carried cf*
at actual cost, today's day*, buyamount valuing the carried part at the previous close), DP holdings
(nsesymboltoken, bsescripcode, dpquantity, buyavgprice...), margin detail (srno 102/103 available for cash/F&O,
201 cash, 300 used, 301/321 used in cash/F&O), LTP in paise. Days: carry.py (carried positions, holdings, the
next day's settlement of DELIVERY buys into holdings).

Error codes it answers with (HTTP 200, status ERROR, unless a fault says otherwise):
    MO1001 Invalid Session            the AuthToken is unknown or expired (the adapter logs in again)
    MO1002 Invalid User ID or Password
    MO1003 Invalid 2FA
    MO1004 Invalid TOTP
    MO1005 Invalid ApiKey
    MO1006 header missing / vendorinfo mismatch / body not JSON
    M01108 MARKET and SL-M orders are not allowed from API
    MO2001 invalid order field (exchange, token, quantity, price, tag longer than 10...)
    MO2002 Order not found             MO2003 order not open        MO2004 stale lastmodifiedtime
    MO3001 scrip not found (no price)  MO9999 a rejection injected by `reject_next`

Control, from Python (tests share the event loop with the server) or over HTTP:
    fake.set_ltp(token, price)              POST /_fake/ltp     {"token": 2885, "ltp": "1400.00"}
    fake.fail_next(kind, path=..., ...)     POST /_fake/fault   {"kind": "timeout", "path": "placeorder", ...}
        kinds: reject (code, message), timeout (seconds, accept: book the order before sleeping), http (status),
        malformed, session (answer MO1001); `count` requests matching `path` (a substring; None = any but login)
        and, with `userid`, only requests in that user's session
    fake.expire_sessions(userid)            POST /_fake/expire  {"userid": "EMUM755714"}
    fake.carry_position(userid, token, quantity, average, previous_close, product=, exchange=)
                                            POST /_fake/carry   {"userid", "token", "quantity", "average", ...}
    fake.add_holding(userid, isin=, name=, quantity=, average=, nse_token=, bse_code=)
                                            POST /_fake/holding {"userid", "isin", "name", "quantity", ...}
    fake.next_day()                         POST /_fake/next-day
    fake.reset()                            POST /_fake/reset
                                            GET  /_fake/state   users' books as JSON
"""

from tests.fakes.motilal.model import REQUIRED_HEADERS, SEED_USERS, FakeOrder, FakeUser, Fault
from tests.fakes.motilal.server import FakeMotilal

__all__ = ["REQUIRED_HEADERS", "SEED_USERS", "FakeMotilal", "FakeOrder", "FakeUser", "Fault"]
