"""Exception handlers: every failure answers {"error": {"code", "message", "details"}}, never a stack trace."""

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.brokers.base import BrokerError
from app.db import DatabaseUnavailable
from app.errors import AppError
from app.observability.logs import request_id_var

log = logging.getLogger(__name__)

# pydantic's error type for a field a strict body does not have.
_UNKNOWN = "extra_forbidden"


def error_response(
    status: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "details": details or {}}}
    return JSONResponse(body, status_code=status, headers=headers)


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    # The offending input is left out on purpose: it may be a password or an API key.
    return [
        {"loc": [str(part) for part in err.get("loc", ())], "msg": err.get("msg", ""), "type": err.get("type", "")}
        for err in exc.errors()
    ]


def _bad_value(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        # SQLSTATE class 22 is "data exception": out of range, NUL in text, numeric overflow, ...
        if isinstance(seen, OverflowError) or str(getattr(seen, "sqlstate", "")).startswith("22"):
            return True
        seen = seen.__cause__ or getattr(seen, "orig", None)
    return False


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(_request: Request, exc: AppError) -> JSONResponse:
        return error_response(exc.status_code, exc.code, exc.message, exc.details, exc.headers)

    @app.exception_handler(BrokerError)
    async def _broker_error(_request: Request, exc: BrokerError) -> JSONResponse:
        # Reads (portfolio, positions) that the broker could not answer; order requests record their own outcome.
        return error_response(502, "BROKER_UNAVAILABLE", f"The broker could not be reached: {exc}")

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _field_errors(exc)
        unknown = [".".join(part for part in err["loc"] if part != "body") for err in errors if err["type"] == _UNKNOWN]
        if unknown:
            # Its own code: the caller asked for something (an exit plan, an AMO flag) this API would not have done.
            message = f"Unknown field{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}; nothing was done."
            return error_response(422, "UNKNOWN_FIELD", message, {"errors": errors})
        first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
        where = ".".join(part for part in first["loc"] if part != "body") or "request"
        return error_response(422, "VALIDATION_ERROR", f"{where}: {first['msg']}", {"errors": errors})

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        phrase = HTTPStatus(exc.status_code).phrase
        code = getattr(exc, "error_code", None) or phrase.upper().replace(" ", "_").replace("-", "_")
        message = exc.detail if isinstance(exc.detail, str) else phrase
        return error_response(exc.status_code, code, message, headers=exc.headers)

    @app.exception_handler(DatabaseUnavailable)
    @app.exception_handler(PoolTimeout)
    async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
        # A pool timeout: every connection stayed busy past the wait, typically behind a database that stopped
        # answering. Whatever the request had committed before this stays committed (an order's row is written
        # before its broker call, so reconciliation settles it); the rest was not done.
        log.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc)
        return error_response(
            503, "DATABASE_UNAVAILABLE", "The database cannot be reached right now; try again in a moment."
        )

    @app.exception_handler(OverflowError)
    @app.exception_handler(DBAPIError)
    async def _database_error(request: Request, exc: Exception) -> JSONResponse:
        if _bad_value(exc):
            # A value the column cannot hold: an id past int32 (/clients/99999999999; SQLite raises OverflowError,
            # asyncpg a DataError), a NUMERIC overflow, a NUL character in text on PostgreSQL.
            return error_response(
                422, "INVALID_VALUE", "A value in the request is out of range or has characters that cannot be stored."
            )
        return await _unexpected(request, exc)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %r", request.method, request.url.path)
        return internal_error()


def internal_error() -> JSONResponse:
    """The one answer to an unexpected failure: no detail of it, only the request id its logged traceback carries."""
    return error_response(
        500,
        "INTERNAL_ERROR",
        "Something went wrong on our side; nothing more was done.",
        {"request_id": request_id_var.get()},
    )
