# syntax=docker/dockerfile:1.7
# MultiDesk backend: FastAPI + Socket.IO under uvicorn. Build from the repository root:
#   docker build -f infra/docker/backend.Dockerfile -t multidesk-backend .
#
#   docker run ... multidesk-backend                          serve: MULTIDESK_WORKERS (2) uvicorn processes on PORT
#   docker run ... multidesk-backend python -m app.cli migrate  schema migrations, once per release (compose `migrate`, k8s Job)
#   docker run ... multidesk-backend python -m app.cli simulator serve --port 8100   the shared simulator venue
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
    HOST=0.0.0.0 \
    PORT=8000 \
    MULTIDESK_WORKERS=2 \
    MULTIDESK_TRUSTED_PROXIES=*
# MULTIDESK_TRUSTED_PROXIES=*: the container is reached only through nginx / the ingress controller, whose
# X-Forwarded-For/-Proto the app then trusts (client IPs for the login limits, logs and audit). Narrow it if the
# port is exposed. Uvicorn's own proxy-header handling is off (app/cli_serve.py): the app decides.
# MULTIDESK_WORKERS=2: two server processes per container share its port, its CPU budget and one pod's overhead;
# they need MULTIDESK_REDIS_URL and the simulator venue (MULTIDESK_SIMULATOR_URL), as replicas do.
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
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health/live' % os.environ.get('PORT', '8000'), timeout=2)"]
# `serve` checks the settings (Redis with several workers), then runs uvicorn with the app.main:create_app factory
# and MULTIDESK_WORKERS processes. Exec form: it is PID 1 and gets SIGTERM, which stops the workers gracefully.
CMD ["python", "-m", "app.cli", "serve"]
