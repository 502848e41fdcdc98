# syntax=docker/dockerfile:1.7
# MultiDesk web app: the Next.js static export (frontend/out) served by unprivileged nginx on :8080, which
# also proxies /api, /health and /socket.io to the backend. Build from the repository root:
#   docker build -f infra/docker/frontend.Dockerfile -t multidesk-frontend .
# Runtime setting: MULTIDESK_BACKEND_ADDR (host:port of the backend; default backend:8000, the compose service).

# ---- build: npm ci + next build (output: 'export' → out/) ----
FROM node:20-bookworm-slim AS build
ENV NEXT_TELEMETRY_DISABLED=1 \
    npm_config_fund=false \
    npm_config_audit=false
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci
COPY frontend/ ./
RUN npm run build && test -f out/index.html \
    && node scripts/csp-nginx.mjs out > /src/frontend/csp.conf

# ---- runtime: nginx as uid 101, pid and temp files in /tmp (read-only root filesystem friendly) ----
FROM nginxinc/nginx-unprivileged:1.28-alpine AS runtime
LABEL org.opencontainers.image.title="multidesk-frontend" \
      org.opencontainers.image.description="MultiDesk web app (static export) behind nginx"
# The image's entrypoint renders /etc/nginx/templates/*.template into /etc/nginx/conf.d with envsubst,
# substituting only the variables matching NGINX_ENVSUBST_FILTER (nginx's own $uri etc. are left alone).
ENV MULTIDESK_BACKEND_ADDR=backend:8000 \
    NGINX_ENVSUBST_FILTER=^MULTIDESK_ \
    NGINX_ENTRYPOINT_QUIET_LOGS=1
USER 0
RUN rm -f /etc/nginx/conf.d/default.conf \
    && chown -R 101:101 /etc/nginx/conf.d
COPY infra/docker/nginx.conf /etc/nginx/templates/default.conf.template
COPY --from=build /src/frontend/out /usr/share/nginx/html
# The CSP header with the sha256 of the export's inline scripts (nginx.conf includes it).
COPY --from=build /src/frontend/csp.conf /etc/nginx/multidesk-csp.conf
USER 101
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
    CMD ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/healthz"]
