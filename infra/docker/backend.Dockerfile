# syntax=docker/dockerfile:1.7
# MultiDesk backend: FastAPI + Socket.IO under uvicorn. Build from the repository root:
#   docker build -f infra/docker/backend.Dockerfile -t multidesk-backend .
#
#   docker run ... multidesk-backend                          serve (uvicorn, workers from UVICORN_WORKERS / WEB_CONCURRENCY)
#   docker run ... multidesk-backend python -m app.cli migrate  schema migrations, once per release (compose `migrate`, k8s Job)
#
# The app runs from its source layout (/app/backend/app, /app/backend/migrations, /app/data/tokens.csv), because
# app/config.py and app/db.py find tokens.csv, alembic.ini and migrations/ relative to the package.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# ---- build: a venv holding only the runtime dependencies (no dev extra: no pytest, ruff, …) ----
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src/backend
# Dependencies first, from pyproject.toml alone, so a code change does not reinstall them.
# [project].dependencies is exactly the runtime set; [project.optional-dependencies].dev is left out.
COPY backend/pyproject.toml ./
RUN python -c "import tomllib; deps = tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']; open('/tmp/requirements.txt', 'w').write('\n'.join(deps) + '\n')" \
    && pip install --requirement /tmp/requirements.txt \
    && python -c "import fastapi, uvicorn, sqlalchemy, alembic, asyncpg, redis, socketio, cryptography, pandas"
COPY backend/alembic.ini /app/backend/alembic.ini
COPY backend/migrations /app/backend/migrations
COPY backend/app /app/backend/app
# Byte-compile now: the runtime filesystem is read-only in Kubernetes.
RUN python -m compileall -q /app/backend/app /app/backend/migrations

# ---- runtime ----
FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="multidesk-backend" \
      org.opencontainers.image.description="MultiDesk API, Socket.IO and order fan-out"
# No secret here: MULTIDESK_TOKENS_CSV is the instrument list (broker "tokens" = scrip codes), which trips DL3064.
# hadolint ignore=DL3064
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    MULTIDESK_DATA_DIR=/var/lib/multidesk \
    MULTIDESK_TOKENS_CSV=/app/data/tokens.csv \
    UVICORN_HOST=0.0.0.0 \
    UVICORN_PORT=8000 \
    MULTIDESK_TRUSTED_PROXIES=*
# MULTIDESK_TRUSTED_PROXIES=*: the container is reached only through nginx / the ingress controller, whose
# X-Forwarded-For/-Proto the app then trusts (client IPs for the login limits, logs and audit). Narrow it if the
# port is exposed. Uvicorn's own proxy-header handling is off (--no-proxy-headers): the app decides.
RUN groupadd --system --gid 10001 multidesk \
    && useradd --system --uid 10001 --gid multidesk --home-dir /nonexistent --no-create-home \
       --shell /usr/sbin/nologin multidesk \
    && mkdir -p /var/lib/multidesk \
    && chown multidesk:multidesk /var/lib/multidesk
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app/backend /app/backend
COPY data/tokens.csv /app/data/tokens.csv
WORKDIR /app/backend
USER 10001:10001
EXPOSE 8000
# Liveness only (no database round trip): Docker restarts a wedged process; readiness is /health/ready.
HEALTHCHECK --interval=15s --timeout=3s --start-period=40s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health/live' % os.environ.get('UVICORN_PORT', '8000'), timeout=2)"]
# uvicorn reads UVICORN_* for its options (UVICORN_WORKERS, UVICORN_PORT, …); without UVICORN_WORKERS the
# worker count is WEB_CONCURRENCY, else 1. Exec form: uvicorn is PID 1 and gets SIGTERM for a graceful stop.
CMD ["uvicorn", "app.main:create_app", "--factory", "--no-server-header", "--no-proxy-headers", "--ws-per-message-deflate", "false"]
