"""Motilal sessions: one AuthToken per client, from a direct API login, cached in this process's memory.

Login (/rest/login/v7/authdirectapi) sends the client code in capitals as userid, sha256(password + api key) as the
password, the 2FA (a date of birth dd/mm/yyyy as stored, or a PAN, sent in capitals) and, when the client has a
TOTP secret stored, the current 6-digit TOTP computed from it (totp.py). Success answers {"status": "SUCCESS",
"AuthToken", "isAuthTokenVerified"}. Only a verified session is used: "FALSE" means Motilal wants a one-time
password sent to the client's phone, which no server can type in, so it is refused, asking for the TOTP secret.
For an account with an API secret the login is followed by getaccesstoken, whose `accesstoken` (with the secret
as `apisecretkey`) goes with every later call.

A cached session is used until
  - Motilal refuses it with a session code (the adapter drops it; the next call logs in again), or
  - 06:00 Asia/Kolkata passes (Motilal expires every token daily at 6 a.m.), or
  - the client's credentials change (the cache is keyed by client id and a fingerprint of the credentials).
A refused login (wrong password, 2FA, TOTP, API key or secret, an unverified session, an IP not whitelisted) is
remembered for LOGIN_FAILURE_TTL_S for the same credentials, so it costs one login attempt per minute, not one per
order or retry (brokers lock accounts after repeated failures, and each unverified login sends the client an OTP).

Only memory: tokens are not shared between backend processes (Redis sharing is not implemented; each process
logs in for itself, which Motilal allows). Nothing here is logged beyond the client id: no token, no secret.
"""

import asyncio
import hashlib
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from app.brokers.base import BrokerAccount, BrokerAuthError, BrokerError, BrokerRejected, BrokerUnavailable
from app.brokers.motilal.client import ACCESS_TOKEN, LOGIN, MotilalHttp
from app.brokers.motilal.totp import totp_code

log = logging.getLogger(__name__)

IST = ZoneInfo("Asia/Kolkata")
DAILY_EXPIRY_HOUR = 6
LOGIN_FAILURE_TTL_S = 60.0
REQUIRED_CREDENTIALS = ("api_key", "password", "two_fa")
PAN = re.compile(r"^[A-Za-z]{5}[0-9]{4}[A-Za-z]$")

# What a refused login means, by Motilal's code, in words for the advisor (Motilal's code and words follow).
LOGIN_REFUSALS = {
    "MO1000": "wrong user id or password",
    "MO1001": "wrong user id (the client code)",
    "MO1002": "wrong password (its length is not valid)",
    "MO1004": "wrong API key",
    "MO1005": "API key not known to Motilal",
    "MO1006": "the account is not authorised for live API trading",
    "MO1007": "wrong 2FA (date of birth as dd/mm/yyyy, or the PAN)",
    "MO1093": "TOTP refused (check the TOTP secret, and that the server's clock is right)",
    "MO1094": "TOTP key not valid for this account (store the TOTP secret shown on Motilal's API portal)",
    "MO1100": "the account has no API login access",
    "MO2005": "wrong API key",
    "MO2006": "wrong API secret",
}
UNVERIFIED = (
    "Motilal opened the session unverified (isAuthTokenVerified is not TRUE): it asks for a one-time password "
    "sent to the client's phone or email, which a server cannot enter. Store the client's TOTP secret (from "
    "Motilal's API portal) so that every login is verified with a TOTP"
)


def password_hash(password: str, api_key: str) -> str:
    return hashlib.sha256(f"{password}{api_key}".encode()).hexdigest()


def two_fa_value(two_fa: str) -> str:
    """A PAN goes in capitals, as Motilal asks; a date of birth goes as stored."""
    value = two_fa.strip()
    return value.upper() if PAN.match(value) else value


def login_refusal(exc: BrokerError) -> str:
    """A refused login in words: what was wrong, then Motilal's code and message."""
    if isinstance(exc, BrokerRejected):
        what = LOGIN_REFUSALS.get(exc.code or "")
        return f"{what}; Motilal said {exc.reason}" if what else exc.reason
    return str(exc)


def expires_at(logged_in: datetime) -> datetime:
    """The next 06:00 Asia/Kolkata after a login: when Motilal invalidates the day's tokens."""
    local = logged_in.astimezone(IST)
    expiry = local.replace(hour=DAILY_EXPIRY_HOUR, minute=0, second=0, microsecond=0)
    if expiry <= local:
        expiry += timedelta(days=1)
    return expiry.astimezone(UTC)


def fingerprint(account: BrokerAccount) -> str:
    creds = account.credentials
    names = (*REQUIRED_CREDENTIALS, "totp_secret", "api_secret")
    parts = [account.broker_client_id, *(creds.get(name, "") for name in names)]
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Session:
    token: str
    fingerprint: str
    expires_at: datetime
    # From getaccesstoken, for an account with an API secret; sent as the `accesstoken` header.
    access_token: str | None = None

    def __repr__(self) -> str:
        return f"Session(expires_at={self.expires_at.isoformat()})"


def _utcnow() -> datetime:
    return datetime.now(UTC)


class SessionStore:
    def __init__(self, http: MotilalHttp, *, clock: Callable[[], datetime] = _utcnow) -> None:
        self._http = http
        self._clock = clock
        self._sessions: dict[int, Session] = {}
        self._locks: dict[int, asyncio.Lock] = {}
        self._refused: dict[int, tuple[str, float, BrokerError]] = {}  # client id -> (fingerprint, when, error)

    def cached(self, account: BrokerAccount) -> Session | None:
        session = self._sessions.get(account.client_id)
        if session is None or session.fingerprint != fingerprint(account) or self._clock() >= session.expires_at:
            return None
        return session

    async def get(self, account: BrokerAccount) -> Session:
        """The client's live session, logging in first if there is none."""
        session = self.cached(account)
        if session is not None:
            return session
        lock = self._locks.setdefault(account.client_id, asyncio.Lock())
        async with lock:
            # Another request for this client may have logged in while this one waited.
            session = self.cached(account)
            if session is None:
                session = await self._login(account)
                self._sessions[account.client_id] = session
            return session

    def drop(self, account: BrokerAccount, token: str) -> None:
        """Forget a session Motilal no longer accepts (only if it is still the cached one)."""
        session = self._sessions.get(account.client_id)
        if session is not None and session.token == token:
            del self._sessions[account.client_id]

    async def _login(self, account: BrokerAccount) -> Session:
        creds = account.credentials
        missing = [name for name in REQUIRED_CREDENTIALS if not creds.get(name)]
        if missing:
            raise BrokerAuthError(f"the client's Motilal credentials are incomplete: set {', '.join(missing)}")
        key = fingerprint(account)
        refused = self._refused.get(account.client_id)
        if refused is not None and refused[0] == key and time.monotonic() - refused[1] < LOGIN_FAILURE_TTL_S:
            raise _again(refused[2])
        try:
            session = await self._open(account, key)
        except (BrokerRejected, BrokerAuthError) as exc:
            # Refused for these credentials: remembered, so the next order does not ask again at once. An IP
            # refusal stays a BrokerRejected (IP_NOT_WHITELISTED): no credential of the client's is wrong.
            error = exc if _is_ip_refusal(exc) else BrokerAuthError(login_refusal(exc))
            self._refused[account.client_id] = (key, time.monotonic(), error)
            log.info("motilal login refused for client %s", account.client_id)
            raise _again(error) from None
        self._refused.pop(account.client_id, None)
        log.info("motilal session opened for client %s", account.client_id)
        return session

    async def _open(self, account: BrokerAccount, key: str) -> Session:
        """Log in (and fetch the access token, for an account with an API secret); raises what Motilal refused."""
        creds = account.credentials
        userid = account.broker_client_id.upper()
        body = {
            "userid": userid,
            "password": password_hash(creds["password"], creds["api_key"]),
            "2FA": two_fa_value(creds["two_fa"]),
        }
        if creds.get("totp_secret"):
            try:
                body["totp"] = totp_code(creds["totp_secret"])
            except ValueError as exc:
                raise BrokerAuthError(f"the stored TOTP secret cannot be used: {exc}") from None
        api_secret = creds.get("api_secret") or None
        answer = await self._http.post(LOGIN, body, api_key=creds["api_key"], client_code=userid, api_secret=api_secret)
        data = answer.get("data")
        token = answer.get("AuthToken") or (data.get("AuthToken") if isinstance(data, dict) else None)
        if not isinstance(token, str) or not token:
            raise BrokerUnavailable("Motilal's login answer carried no AuthToken")
        if str(answer.get("isAuthTokenVerified", "")).strip().upper() != "TRUE":
            raise BrokerAuthError(UNVERIFIED)
        access_token = None
        if api_secret is not None:
            access_token = await self._access_token(account, token, api_secret)
        return Session(token=token, fingerprint=key, expires_at=expires_at(self._clock()), access_token=access_token)

    async def _access_token(self, account: BrokerAccount, token: str, api_secret: str) -> str:
        answer = await self._http.post(
            ACCESS_TOKEN,
            {},
            api_key=account.credentials["api_key"],
            client_code=account.broker_client_id,
            auth_token=token,
            api_secret=api_secret,
        )
        data = answer.get("data")
        access = answer.get("accesstoken") or (data.get("accesstoken") if isinstance(data, dict) else None)
        if not isinstance(access, str) or not access:
            raise BrokerUnavailable("Motilal's getaccesstoken answer carried no accesstoken")
        return access


def _is_ip_refusal(exc: BrokerError) -> bool:
    return isinstance(exc, BrokerRejected) and exc.code == "IP_NOT_WHITELISTED"


def _again(error: BrokerError) -> BrokerError:
    """A fresh exception like a remembered one (raising one instance again would chain its tracebacks)."""
    if isinstance(error, BrokerRejected):
        return BrokerRejected(error.reason, error.code)
    return BrokerAuthError(str(error))
