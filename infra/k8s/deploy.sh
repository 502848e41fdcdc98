#!/usr/bin/env bash
# Deploys MultiDesk to the cluster of the current kubectl context. Used by .github/workflows/deploy.yml;
# runs the same by hand:
#   IMAGE_PREFIX=ghcr.io/<owner>/<repo> infra/k8s/deploy.sh staging|production <image-tag>
# 1. pins the overlay's images to <image-tag>            (kustomize edit set image)
# 2. checks the Secret multidesk-secrets exists           (it is created by hand, never by this script)
# 3. runs the migration Job and waits for it              (python -m app.cli migrate)
# 4. applies the overlay                                  (kubectl apply -k)
# 5. waits for both rollouts; if one fails, rolls both back (kubectl rollout undo) and exits non-zero.
# Migrations are never rolled back: they must stay compatible with the previous release (expand, then contract).
set -euo pipefail

usage() { echo "usage: IMAGE_PREFIX=ghcr.io/<owner>/<repo> $0 staging|production <image-tag>" >&2; exit 2; }
[ $# -eq 2 ] || usage
ENVIRONMENT=$1
TAG=$2
case "$ENVIRONMENT" in staging|production) ;; *) usage ;; esac
: "${IMAGE_PREFIX:?set IMAGE_PREFIX, e.g. ghcr.io/<owner>/<repo> (lower case)}"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OVERLAY=$ROOT/infra/k8s/overlays/$ENVIRONMENT
NAMESPACE=${NAMESPACE:-trading-platform}
ROLLOUT_TIMEOUT=${ROLLOUT_TIMEOUT:-600s}
MIGRATE_TIMEOUT_S=${MIGRATE_TIMEOUT_S:-600}
DEPLOYMENTS=(multidesk-backend multidesk-frontend)

log() { echo "==> $*" >&2; }
fail() { echo "::error::$*" >&2; exit 1; }

log "images: $IMAGE_PREFIX/{backend,frontend}:$TAG -> $ENVIRONMENT"
(cd "$OVERLAY" && kustomize edit set image \
  "multidesk-backend=$IMAGE_PREFIX/backend:$TAG" \
  "multidesk-frontend=$IMAGE_PREFIX/frontend:$TAG")
kubectl kustomize "$OVERLAY" >/dev/null

kubectl -n "$NAMESPACE" get secret multidesk-secrets >/dev/null \
  || fail "Secret $NAMESPACE/multidesk-secrets is missing; create it first (infra/k8s/base/secret.example.yaml)"

log "migrations"
kubectl -n "$NAMESPACE" delete job multidesk-migrate --ignore-not-found --wait=true
kubectl apply -k "$OVERLAY" -l multidesk.io/deploy-phase=pre
deadline=$((SECONDS + MIGRATE_TIMEOUT_S))
while :; do
  conditions=$(kubectl -n "$NAMESPACE" get job multidesk-migrate \
    -o jsonpath='{range .status.conditions[?(@.status=="True")]}{.type}{" "}{end}')
  case " $conditions " in
    *" Complete "*) log "migrations done"; break ;;
    *" Failed "*)
      kubectl -n "$NAMESPACE" logs job/multidesk-migrate --all-containers --tail=200 >&2 || true
      fail "the migration Job failed; nothing else was changed" ;;
  esac
  if [ "$SECONDS" -ge "$deadline" ]; then
    kubectl -n "$NAMESPACE" logs job/multidesk-migrate --all-containers --tail=200 >&2 || true
    fail "the migration Job did not finish in ${MIGRATE_TIMEOUT_S}s"
  fi
  sleep 5
done

rollback() {
  echo "::error::$1; rolling back" >&2
  for deployment in "${DEPLOYMENTS[@]}"; do
    kubectl -n "$NAMESPACE" rollout undo "deployment/$deployment" || true
  done
  for deployment in "${DEPLOYMENTS[@]}"; do
    kubectl -n "$NAMESPACE" rollout status "deployment/$deployment" --timeout="$ROLLOUT_TIMEOUT" || true
  done
  exit 1
}

log "apply $OVERLAY"
kubectl apply -k "$OVERLAY" || rollback "kubectl apply failed"
for deployment in "${DEPLOYMENTS[@]}"; do
  log "rollout of $deployment"
  kubectl -n "$NAMESPACE" rollout status "deployment/$deployment" --timeout="$ROLLOUT_TIMEOUT" \
    || { kubectl -n "$NAMESPACE" get pods -o wide >&2 || true; rollback "rollout of $deployment did not finish"; }
done
log "$ENVIRONMENT runs $TAG"
