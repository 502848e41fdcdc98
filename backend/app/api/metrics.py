"""GET /metrics: Prometheus exposition of app/observability/metrics.py, for the scraper holding the metrics token.

Route names, order and error rates and process details are not for anyone who can reach the port: the endpoint
answers only `Authorization: Bearer <MULTIDESK_METRICS_TOKEN>`, and without that setting it does not exist (404).
"""

import hmac
from typing import Annotated

from fastapi import APIRouter, Header, Response

from app.api.deps import ContextDep
from app.errors import NotAuthenticated, NotFound
from app.observability import metrics

router = APIRouter(tags=["health"])


def _bearer(authorization: str | None) -> str:
    scheme, _, credentials = (authorization or "").partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" else ""


@router.get("/metrics", include_in_schema=False)
async def prometheus_metrics(
    ctx: ContextDep, authorization: Annotated[str | None, Header(include_in_schema=False)] = None
) -> Response:
    expected = ctx.settings.metrics_token
    if expected is None:
        raise NotFound("No such endpoint: /metrics")
    if not hmac.compare_digest(_bearer(authorization).encode(), expected.encode()):
        refused = NotAuthenticated("GET /metrics needs the metrics token: Authorization: Bearer <token>.")
        refused.headers = {"WWW-Authenticate": "Bearer"}
        raise refused
    body, content_type = metrics.render()
    return Response(body, media_type=content_type)
