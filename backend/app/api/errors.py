"""Exception handlers: every failure answers {"error": {"code", "message", "details"}}, never a stack trace."""

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.brokers.base import BrokerError
from app.errors import AppError

log = logging.getLogger(__name__)


def error_response(status: int, code: str, message: str, details: dict[str, Any] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, "details": details or {}}}, status_code=status)


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    # The offending input is left out on purpose: it may be a password or an API key.
    return [
        {"loc": [str(part) for part in err.get("loc", ())], "msg": err.get("msg", ""), "type": err.get("type", "")}
        for err in exc.errors()
    ]


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(_request: Request, exc: AppError) -> JSONResponse:
        return error_response(exc.status_code, exc.code, exc.message, exc.details)

    @app.exception_handler(BrokerError)
    async def _broker_error(_request: Request, exc: BrokerError) -> JSONResponse:
        # Reads (portfolio, positions) that the broker could not answer; order requests record their own outcome.
        return error_response(502, "BROKER_UNAVAILABLE", f"The broker could not be reached: {exc}")

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _field_errors(exc)
        first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
        where = ".".join(part for part in first["loc"] if part != "body") or "request"
        return error_response(422, "VALIDATION_ERROR", f"{where}: {first['msg']}", {"errors": errors})

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        phrase = HTTPStatus(exc.status_code).phrase
        code = phrase.upper().replace(" ", "_").replace("-", "_")
        message = exc.detail if isinstance(exc.detail, str) else phrase
        return error_response(exc.status_code, code, message)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(500, "INTERNAL_ERROR", "Something went wrong on our side; nothing more was done.")
