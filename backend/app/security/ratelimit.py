"""Rate limits and the login lockout, on the `limits` library: Redis when MULTIDESK_REDIS_URL is set (shared by
every backend process), in process memory otherwise.

- login: per client IP and per email (every attempt counts); after `login_lockout_failures` failed attempts for
  one email within `login_lockout_minutes`, that email is locked for `login_lockout_minutes` (429 LOGIN_LOCKED);
  a successful login clears the failures.
- order endpoints (place, execute-all, cancel, modify, exits): one budget per user (429 RATE_LIMITED).

A limiter whose store cannot be reached lets the request through and logs it: an unreachable Redis must not stop
advisors from trading or signing in (readiness reports Redis separately).
"""

import logging
import math
import time

from limits import RateLimitItem, RateLimitItemPerMinute, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from app.config import Settings
from app.errors import RateLimited
from app.observability.metrics import RATE_LIMITED

log = logging.getLogger(__name__)


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


def make_storage(redis_url: str | None) -> Storage:
    if not redis_url:
        return _MemoryStorage()
    return RedisStorage(f"async+{redis_url}", implementation="redispy", key_prefix="multidesk-limits")


class RateLimits:
    def __init__(self, settings: Settings, storage: Storage | None = None) -> None:
        self.storage = storage or make_storage(settings.redis_url)
        self._limiter = MovingWindowRateLimiter(self.storage)
        self.login_ip = parse(settings.rate_limit_login_ip)
        self.login_email = parse(settings.rate_limit_login_email)
        self.orders = parse(settings.rate_limit_orders)
        self.failures = RateLimitItemPerMinute(settings.login_lockout_failures, settings.login_lockout_minutes)
        self.lock = RateLimitItemPerMinute(1, settings.login_lockout_minutes)

    async def _retry_after(self, item: RateLimitItem, *keys: str) -> int:
        stats = await self._limiter.get_window_stats(item, *keys)
        return max(1, math.ceil(stats.reset_time - time.time()))

    async def _hit(self, item: RateLimitItem, *keys: str) -> bool:
        try:
            return await self._limiter.hit(item, *keys)
        except Exception:
            log.exception("rate-limit store unavailable; letting the request through")
            return True

    async def check_login(self, ip: str, email: str) -> None:
        """Before a login attempt: refuses a locked email, or an IP / email over its attempt budget."""
        email = email.lower()
        try:
            locked = not await self._limiter.test(self.lock, "login-lock", email)
            if locked:
                RATE_LIMITED.labels("login_lockout").inc()
                raise RateLimited(
                    "Too many failed sign-ins for this account; try again later.",
                    code="LOGIN_LOCKED",
                    retry_after=await self._retry_after(self.lock, "login-lock", email),
                )
        except RateLimited:
            raise
        except Exception:
            log.exception("rate-limit store unavailable; letting the request through")
            return
        for name, item, key in (("login_ip", self.login_ip, ip), ("login_email", self.login_email, email)):
            if not await self._hit(item, name, key):
                RATE_LIMITED.labels(name).inc()
                raise RateLimited(
                    "Too many sign-in attempts; slow down.", retry_after=await self._retry_after(item, name, key)
                )

    async def login_failed(self, email: str) -> None:
        """Counts a failure; the one that exhausts the budget starts the lockout."""
        email = email.lower()
        if not await self._hit(self.failures, "login-failures", email):
            return
        try:
            stats = await self._limiter.get_window_stats(self.failures, "login-failures", email)
            if stats.remaining <= 0:
                await self._limiter.hit(self.lock, "login-lock", email)
                await self._limiter.clear(self.failures, "login-failures", email)
                log.warning("login locked after repeated failures", extra={"lockout_minutes": self.lock.multiples})
        except Exception:
            log.exception("rate-limit store unavailable; lockout not recorded")

    async def login_succeeded(self, email: str) -> None:
        try:
            await self._limiter.clear(self.failures, "login-failures", email.lower())
        except Exception:
            log.exception("rate-limit store unavailable")

    async def check_orders(self, user_id: int) -> None:
        key = str(user_id)
        if not await self._hit(self.orders, "orders", key):
            RATE_LIMITED.labels("orders").inc()
            raise RateLimited(
                "Too many order requests; slow down.", retry_after=await self._retry_after(self.orders, "orders", key)
            )

    async def reset(self) -> None:
        await self.storage.reset()
