"""The HTTP edge, wrapped around the whole FastAPI app (outside its error middleware, so 500s get it too).

For every HTTP request: a request id (the caller's X-Request-ID if it is sane, else a new one) in a contextvar for
the logs and echoed in the response; the security headers (and Cache-Control: no-store on /api); the request-body
size limit (413 in the standard error shape); the latency histogram by route template; and one access log line.
"""

import json
import logging
import re
import time
import uuid
from typing import Any

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.errors import internal_error
from app.observability.logs import request_id_var
from app.observability.metrics import HTTP_REQUEST_DURATION
from app.security.csp import DEFAULT_POLICY

log = logging.getLogger("app.access")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# /docs and /redoc load Swagger UI / ReDoc from jsDelivr.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https://fastapi.tiangolo.com; "
    "worker-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
)
_DOCS_PATHS = ("/docs", "/redoc")


class BodyTooLarge(HTTPException):
    error_code = "CONTENT_TOO_LARGE"


def _error_body(code: str, message: str) -> bytes:
    return json.dumps({"error": {"code": code, "message": message, "details": {}}}).encode()


def route_label(scope: Scope) -> str:
    """The matched route's template (/api/v1/orders/{order_id}), never the raw path (unbounded label values).

    A route inside an included router knows its path below the enclosing routers' prefixes; the prefix is the
    matching number of leading segments of the request path (fixed text, since the route matched).
    """
    template = getattr(scope.get("route"), "path", None)
    if not isinstance(template, str):
        return "unmatched"
    if ":path}" in template or not template:
        return template or "/"
    segments = scope.get("path", "").split("/")
    keep = len(segments) - template.count("/")
    if keep < 1:
        return template
    return "/".join(segments[:keep]) + template


class HttpEdge:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        given = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        extra_headers = self._headers(scope, request_id)
        status = 500
        responded = answered = False
        started = time.perf_counter()

        async def send_with_headers(message: Message) -> None:
            nonlocal status, responded, answered
            if message["type"] == "http.response.start":
                status, responded = message["status"], True
                names = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (name, value) for name, value in extra_headers if name not in names
                ]
            elif message["type"] == "http.response.body" and not message.get("more_body", False):
                answered = True
            await send(message)

        try:
            length = headers.get(b"content-length")
            if length is not None and length.isdigit() and int(length) > self.max_body_bytes:
                await self._too_large(send_with_headers)
                return
            await self.app(scope, self._limited(receive), send_with_headers)
        except Exception:
            # Starlette answers an unhandled error (the app's handler logs it) and then re-raises it for the server,
            # which would log it a second time: a complete answer ends it here. Nothing sent yet: the generic 500.
            # A response cut off mid-body goes on to the server, which drops the connection.
            if responded and not answered:
                raise
            if not responded:
                log.exception("unhandled error on %s %r", scope["method"], scope["path"])
                await internal_error()(scope, receive, send_with_headers)
        finally:
            elapsed = time.perf_counter() - started
            route = route_label(scope)
            HTTP_REQUEST_DURATION.labels(scope["method"], route, str(status)).observe(elapsed)
            log.info(
                "%s %s %s",
                scope["method"],
                scope["path"],
                status,
                extra={"method": scope["method"], "route": route, "status": status, "duration_ms": elapsed * 1000},
            )
            request_id_var.reset(token)

    def _headers(self, scope: Scope, request_id: str) -> list[tuple[bytes, bytes]]:
        path: str = scope.get("path", "")
        # Pages of the web app carry their own policy (app/spa.py); this one allows no inline script.
        csp = DOCS_CSP if path.startswith(_DOCS_PATHS) else DEFAULT_POLICY
        out = [
            (b"x-request-id", request_id.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"strict-origin-when-cross-origin"),
            (b"content-security-policy", csp.encode()),
            # The same as infra/docker/nginx.conf sends for the web app.
            (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
            (b"cross-origin-opener-policy", b"same-origin"),
        ]
        if path.startswith("/api/"):
            # Answers carry tokens, positions and client names: never kept by a browser or a proxy.
            out.append((b"cache-control", b"no-store"))
        if scope.get("scheme") == "https":
            out.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
        return out

    def _limited(self, receive: Receive) -> Receive:
        """A body sent without Content-Length (chunked) is counted as it arrives."""
        total = 0
        limit = self.max_body_bytes

        async def receive_limited() -> Message:
            nonlocal total
            message = await receive()
            if message["type"] == "http.request":
                total += len(message.get("body", b""))
                if total > limit:
                    # Raised inside FastAPI's body reading: the error handlers answer 413 in the standard shape.
                    raise BodyTooLarge(413, f"The request body is larger than {limit} bytes.")
            return message

        return receive_limited

    async def _too_large(self, send: Send) -> None:
        body = _error_body("CONTENT_TOO_LARGE", f"The request body is larger than {self.max_body_bytes} bytes.")
        start: dict[str, Any] = {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
        await send(start)
        await send({"type": "http.response.body", "body": body})
