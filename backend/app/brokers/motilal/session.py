"""Motilal sessions: one AuthToken per client, from a direct API login, cached in this process's memory.

Login (/rest/login/v3/authdirectapi) sends the client code as userid, sha256(password + api key) as the password,
the 2FA (date of birth DD/MM/YYYY, or PAN, as the client registered it) and, when the client has a TOTP secret
stored, the current 6-digit TOTP computed from it (pyotp). Success answers {"status": "SUCCESS", "AuthToken"}.

A cached session is used until
  - Motilal says it is no longer valid (the adapter drops it; the next call logs in again), or
  - 06:00 Asia/Kolkata passes (Motilal expires every token daily at 6 a.m.), or
  - the client's credentials change (the cache is keyed by client id and a fingerprint of the credentials).
A refused login is remembered for LOGIN_FAILURE_TTL_S for the same credentials, so a bad password costs one
login attempt per batch, not one per retry (brokers lock accounts after repeated failures).

Only memory: tokens are not shared between backend processes (Redis sharing is not implemented; each process
logs in for itself, which Motilal allows). Nothing here is logged beyond the client id: no token, no secret.
"""

import asyncio
import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pyotp

from app.brokers.base import BrokerAccount, BrokerAuthError, BrokerRejected, BrokerUnavailable
from app.brokers.motilal.client import LOGIN, MotilalHttp

log = logging.getLogger(__name__)

IST = ZoneInfo("Asia/Kolkata")
DAILY_EXPIRY_HOUR = 6
LOGIN_FAILURE_TTL_S = 60.0
REQUIRED_CREDENTIALS = ("api_key", "password", "two_fa")


def password_hash(password: str, api_key: str) -> str:
    return hashlib.sha256(f"{password}{api_key}".encode()).hexdigest()


def totp_code(secret: str, at: datetime | None = None) -> str:
    """The current TOTP for a base32 secret as authenticator apps show it (spaces and case ignored)."""
    cleaned = "".join(secret.split()).upper()
    try:
        totp = pyotp.TOTP(cleaned)
        return totp.at(at) if at is not None else totp.now()
    except (ValueError, TypeError) as exc:  # binascii.Error is a ValueError
        raise BrokerAuthError("the stored TOTP secret is not a usable TOTP key (base32, 112 bits or more)") from exc


def expires_at(logged_in: datetime) -> datetime:
    """The next 06:00 Asia/Kolkata after a login: when Motilal invalidates the day's tokens."""
    local = logged_in.astimezone(IST)
    expiry = local.replace(hour=DAILY_EXPIRY_HOUR, minute=0, second=0, microsecond=0)
    if expiry <= local:
        expiry += timedelta(days=1)
    return expiry.astimezone(UTC)


def fingerprint(account: BrokerAccount) -> str:
    creds = account.credentials
    parts = [account.broker_client_id, *(creds.get(name, "") for name in (*REQUIRED_CREDENTIALS, "totp_secret"))]
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Session:
    token: str
    fingerprint: str
    expires_at: datetime

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
        self._refused: dict[int, tuple[str, float, str]] = {}  # client id -> (fingerprint, when, reason)

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
            raise BrokerAuthError(refused[2])
        body = {
            "userid": account.broker_client_id,
            "password": password_hash(creds["password"], creds["api_key"]),
            "2FA": creds["two_fa"],
        }
        if creds.get("totp_secret"):
            body["totp"] = totp_code(creds["totp_secret"])
        try:
            envelope = await self._http.post(
                LOGIN, body, api_key=creds["api_key"], client_code=account.broker_client_id
            )
        except (BrokerRejected, BrokerAuthError) as exc:  # a refused login is an authentication failure
            reason = exc.reason if isinstance(exc, BrokerRejected) else str(exc)
            self._refused[account.client_id] = (key, time.monotonic(), reason)
            log.info("motilal login refused for client %s", account.client_id)
            raise BrokerAuthError(reason) from None
        data = envelope.get("data")
        token = envelope.get("AuthToken") or (data.get("AuthToken") if isinstance(data, dict) else None)
        if not isinstance(token, str) or not token:
            raise BrokerUnavailable("Motilal's login answer carried no AuthToken")
        self._refused.pop(account.client_id, None)
        log.info("motilal session opened for client %s", account.client_id)
        return Session(token=token, fingerprint=key, expires_at=expires_at(self._clock()))
