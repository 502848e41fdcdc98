"""Rate limits and the login lockout, on the `limits` library: Redis when MULTIDESK_REDIS_URL is set (shared by
every backend process), in process memory otherwise.

- login: per client IP, and per email from one client IP (every attempt counts). After `login_lockout_failures`
  failed attempts for one email from one IP within `login_lockout_minutes`, that email is locked for that IP only
  (429 LOGIN_LOCKED), so nobody elsewhere can lock a user out. Each further lockout of the same pair within a day
  lasts twice as long as the one before (at most a day). A successful login clears the pair's failures and back-off;
  an admin's unlock (`unlock(email)`) clears every lockout of the email at once.
- order endpoints (place, execute-all, cancel, modify, exits): one budget per user (429 RATE_LIMITED).

When Redis cannot be reached (refused, or no answer within MULTIDESK_REDIS_TIMEOUT_S), the limits are counted in
this process's memory instead: still enforced, per process rather than shared. An unreachable Redis must neither
stop advisors from trading or signing in nor switch the limits off. The switch is logged once each way; while it
lasts, Redis is tried again every `retry_interval_s` (5 s), so a Redis that hangs costs one bounded wait per interval,
not one per request.
"""

import logging
import math
import time
from typing import Any

from limits import RateLimitItem, RateLimitItemPerDay, RateLimitItemPerMinute, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from app.config import Settings
from app.errors import RateLimited
from app.observability.metrics import RATE_LIMITED

log = logging.getLogger(__name__)

# Seconds between attempts to go back to Redis while it is unreachable.
REDIS_RETRY_S = 5.0
# Lockouts of one (email, IP) pair double up to this many steps and this length.
LOCKOUT_STEPS = 8
LOCKOUT_MAX_MINUTES = 24 * 60
# An email's unlock generation outlives anything keyed under the previous one (a day of strikes, a day of lockout).
GENERATION_TTL_S = 3 * 24 * 3600


def _generation_key(email: str) -> str:
    return f"login-unlocks/{email}"


class _MemoryStorage(MemoryStorage):
    """limits' in-memory store, whose background expiry task trips over keys removed by clear()/reset() (KeyError,
    "Task exception was never retrieved"): the task is cancelled first; the next write schedules it again."""

    def _stop_expiry(self) -> None:
        if self.timer is not None and not self.timer.done():
            self.timer.cancel()

    async def clear(self, key: str) -> None:
        self._stop_expiry()
        await super().clear(key)

    async def reset(self) -> int | None:
        self._stop_expiry()
        return await super().reset()


def make_storage(redis_url: str | None, timeout_s: float) -> Storage:
    if not redis_url:
        return _MemoryStorage()
    return RedisStorage(
        f"async+{redis_url}",
        implementation="redispy",
        key_prefix="multidesk-limits",
        socket_connect_timeout=timeout_s,
        socket_timeout=timeout_s,
    )


class RateLimits:
    def __init__(self, settings: Settings, storage: Storage | None = None) -> None:
        self.storage = storage or make_storage(settings.redis_url, settings.redis_timeout_s)
        self._shared = MovingWindowRateLimiter(self.storage)
        # Counts while the shared store cannot be reached.
        self._local_storage = _MemoryStorage()
        self._local = MovingWindowRateLimiter(self._local_storage)
        self.retry_interval_s = REDIS_RETRY_S
        # While the shared store is unreachable: when to try it again.
        self._retry_at: float | None = None
        self.login_ip = parse(settings.rate_limit_login_ip)
        self.login_email = parse(settings.rate_limit_login_email)
        self.orders = parse(settings.rate_limit_orders)
        self.failures = RateLimitItemPerMinute(settings.login_lockout_failures, settings.login_lockout_minutes)
        # The n-th lockout of a pair within a day lasts lockouts[n - 1] (doubling, capped at a day).
        self.lockouts = [
            RateLimitItemPerMinute(1, min(settings.login_lockout_minutes * 2**n, LOCKOUT_MAX_MINUTES))
            for n in range(LOCKOUT_STEPS)
        ]
        self.strikes = RateLimitItemPerDay(LOCKOUT_STEPS * 1_000)

    async def _call(self, method: str, *args: Any, store: bool = False) -> Any:
        """One limiter (or, with `store`, storage) operation: on the shared store, or in this process's memory while
        that is unreachable."""
        shared, local = (self.storage, self._local_storage) if store else (self._shared, self._local)
        if self._retry_at is None or time.monotonic() >= self._retry_at:
            try:
                result = await getattr(shared, method)(*args)
            except Exception as exc:
                if self._retry_at is None:
                    log.error(
                        "rate-limit store unreachable (%s: %s); counting in this process's memory until it is back",
                        type(exc).__name__,
                        exc,
                    )
                self._retry_at = time.monotonic() + self.retry_interval_s
            else:
                if self._retry_at is not None:
                    log.warning("rate-limit store reachable again; limits are shared again")
                    self._retry_at = None
                return result
        return await getattr(local, method)(*args)

    async def _retry_after(self, item: RateLimitItem, *keys: str) -> int:
        stats = await self._call("get_window_stats", item, *keys)
        return max(1, math.ceil(stats.reset_time - time.time()))

    async def _pair(self, ip: str, email: str) -> str:
        """The key of one (email, IP) pair, in the email's current unlock generation: an unlock moves every pair of
        the email to fresh keys, so one write clears lockouts from any number of addresses."""
        email = email.lower()
        generation = await self._call("get", _generation_key(email), store=True)
        return f"{generation}/{email}/{ip}"

    async def _lockout(self, pair: str) -> RateLimitItem | None:
        """The pair's latest lockout (the longest, as they double), or None if it never was locked today."""
        stats = await self._call("get_window_stats", self.strikes, "login-strikes", pair)
        strikes = self.strikes.amount - stats.remaining
        return self.lockouts[min(strikes, LOCKOUT_STEPS) - 1] if strikes else None

    async def check_login(self, ip: str, email: str) -> None:
        """Before a login attempt: refuses an email locked for this IP, or an IP / email over its attempt budget."""
        pair = await self._pair(ip, email)
        lockout = await self._lockout(pair)
        if lockout is not None and not await self._call("test", lockout, "login-lock", pair):
            RATE_LIMITED.labels("login_lockout").inc()
            raise RateLimited(
                "Too many failed sign-ins for this account; try again later.",
                code="LOGIN_LOCKED",
                retry_after=await self._retry_after(lockout, "login-lock", pair),
            )
        for name, item, key in (("login_ip", self.login_ip, ip), ("login_email", self.login_email, pair)):
            if not await self._call("hit", item, name, key):
                RATE_LIMITED.labels(name).inc()
                raise RateLimited(
                    "Too many sign-in attempts; slow down.", retry_after=await self._retry_after(item, name, key)
                )

    async def login_failed(self, ip: str, email: str) -> None:
        """Counts a failure; the one that exhausts the pair's budget starts its next, longer lockout."""
        pair = await self._pair(ip, email)
        if not await self._call("hit", self.failures, "login-failures", pair):
            return
        stats = await self._call("get_window_stats", self.failures, "login-failures", pair)
        if stats.remaining <= 0:
            await self._call("hit", self.strikes, "login-strikes", pair)
            lockout = await self._lockout(pair)
            assert lockout is not None
            await self._call("hit", lockout, "login-lock", pair)
            await self._call("clear", self.failures, "login-failures", pair)
            log.warning("login locked after repeated failures", extra={"lockout_minutes": lockout.multiples})

    async def login_succeeded(self, ip: str, email: str) -> None:
        pair = await self._pair(ip, email)
        await self._call("clear", self.failures, "login-failures", pair)
        await self._call("clear", self.strikes, "login-strikes", pair)

    async def unlock(self, email: str) -> None:
        """Clears every lockout, failure count and back-off of the email, from every address."""
        await self._call("incr", _generation_key(email.lower()), GENERATION_TTL_S, store=True)

    async def check_orders(self, user_id: int) -> None:
        key = str(user_id)
        if not await self._call("hit", self.orders, "orders", key):
            RATE_LIMITED.labels("orders").inc()
            raise RateLimited(
                "Too many order requests; slow down.", retry_after=await self._retry_after(self.orders, "orders", key)
            )

    async def reset(self) -> None:
        await self.storage.reset()
        await self._local_storage.reset()
        self._retry_at = None
