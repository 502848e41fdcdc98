"""GET /metrics: Prometheus exposition of app/observability/metrics.py (scrape it from inside the network)."""

from fastapi import APIRouter, Response

from app.observability import metrics

router = APIRouter(tags=["health"])


@router.get("/metrics", include_in_schema=False)
async def prometheus_metrics() -> Response:
    body, content_type = metrics.render()
    return Response(body, media_type=content_type)
