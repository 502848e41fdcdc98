"""Domain errors raised by services; the API turns each into the one error shape with its status."""

from typing import Any


class AppError(Exception):
    status_code = 400
    code = "BAD_REQUEST"
    # Response headers, e.g. Retry-After on 429.
    headers: dict[str, str] | None = None

    def __init__(self, message: str, *, code: str | None = None, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details or {}


class NotAuthenticated(AppError):
    status_code = 401
    code = "NOT_AUTHENTICATED"


class PermissionDenied(AppError):
    status_code = 403
    code = "FORBIDDEN"


class NotFound(AppError):
    status_code = 404
    code = "NOT_FOUND"


class Conflict(AppError):
    status_code = 409
    code = "CONFLICT"


class InvalidRequest(AppError):
    status_code = 422
    code = "VALIDATION_ERROR"


class BrokerDown(AppError):
    status_code = 502
    code = "BROKER_UNAVAILABLE"


class MarketDataDown(AppError):
    status_code = 503
    code = "MARKET_DATA_UNAVAILABLE"


class RateLimited(AppError):
    """429: too many requests (code RATE_LIMITED) or a login lockout (LOGIN_LOCKED); Retry-After says when."""

    status_code = 429
    code = "RATE_LIMITED"

    def __init__(self, message: str, *, retry_after: int, code: str | None = None) -> None:
        super().__init__(message, code=code, details={"retry_after": retry_after})
        self.headers = {"Retry-After": str(retry_after)}
