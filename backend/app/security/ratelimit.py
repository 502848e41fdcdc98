"""Rate limits and the login lockout, on the `limits` library: Redis when MULTIDESK_REDIS_URL is set (shared by
every backend process), in process memory otherwise.

- login: per client IP and per email (every attempt counts); after `login_lockout_failures` failed attempts for
  one email within `login_lockout_minutes`, that email is locked for `login_lockout_minutes` (429 LOGIN_LOCKED);
  a successful login clears the failures.
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

from limits import RateLimitItem, RateLimitItemPerMinute, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from app.config import Settings
from app.errors import RateLimited
from app.observability.metrics import RATE_LIMITED

log = logging.getLogger(__name__)

# Seconds between attempts to go back to Redis while it is unreachable.
REDIS_RETRY_S = 5.0


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
        self.lock = RateLimitItemPerMinute(1, settings.login_lockout_minutes)

    async def _call(self, method: str, *args: Any) -> Any:
        """One limiter operation: on the shared store, or in this process's memory while that is unreachable."""
        if self._retry_at is None or time.monotonic() >= self._retry_at:
            try:
                result = await getattr(self._shared, method)(*args)
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
        return await getattr(self._local, method)(*args)

    async def _retry_after(self, item: RateLimitItem, *keys: str) -> int:
        stats = await self._call("get_window_stats", item, *keys)
        return max(1, math.ceil(stats.reset_time - time.time()))

    async def check_login(self, ip: str, email: str) -> None:
        """Before a login attempt: refuses a locked email, or an IP / email over its attempt budget."""
        email = email.lower()
        if not await self._call("test", self.lock, "login-lock", email):
            RATE_LIMITED.labels("login_lockout").inc()
            raise RateLimited(
                "Too many failed sign-ins for this account; try again later.",
                code="LOGIN_LOCKED",
                retry_after=await self._retry_after(self.lock, "login-lock", email),
            )
        for name, item, key in (("login_ip", self.login_ip, ip), ("login_email", self.login_email, email)):
            if not await self._call("hit", item, name, key):
                RATE_LIMITED.labels(name).inc()
                raise RateLimited(
                    "Too many sign-in attempts; slow down.", retry_after=await self._retry_after(item, name, key)
                )

    async def login_failed(self, email: str) -> None:
        """Counts a failure; the one that exhausts the budget starts the lockout."""
        email = email.lower()
        if not await self._call("hit", self.failures, "login-failures", email):
            return
        stats = await self._call("get_window_stats", self.failures, "login-failures", email)
        if stats.remaining <= 0:
            await self._call("hit", self.lock, "login-lock", email)
            await self._call("clear", self.failures, "login-failures", email)
            log.warning("login locked after repeated failures", extra={"lockout_minutes": self.lock.multiples})

    async def login_succeeded(self, email: str) -> None:
        await self._call("clear", self.failures, "login-failures", email.lower())

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
