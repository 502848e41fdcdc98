"""`make test-infra`: checks the deployment files without a Docker engine or a cluster.

Run by scripts/check-infra.sh, which installs the tools first (infra/.tools). Every check either passes or
fails loudly; none is skipped. The last line is "N passed, N failed"; the exit status is 1 if any failed.

What runs here, and what only real CI can do, is listed in infra/DEPLOY-SECTION.md.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
K8S = INFRA / "k8s"
DOCKER = INFRA / "docker"
WORKFLOWS = ROOT / ".github" / "workflows"
OVERLAYS = ("staging", "production")
K8S_VERSIONS = ("1.30", "1.37")  # oldest cluster we support, newest schema shipped
NAMESPACE = "trading-platform"
SECRET_NAME = "multidesk-secrets"
# MULTIDESK_* names that are not app settings (compose interpolation, the nginx template), or settings the
# deployment needs before the app has them (MIGRATE_ON_START: see infra/DEPLOY-SECTION.md).
NON_APP_NAMES = {
    "MULTIDESK_HTTP_PORT",
    "MULTIDESK_BACKEND_IMAGE",
    "MULTIDESK_FRONTEND_IMAGE",
    "MULTIDESK_BACKEND_ADDR",
}
PENDING_APP_SETTINGS = {"MULTIDESK_MIGRATE_ON_START"}
SERVER_ENV_NAMES = {"FORWARDED_ALLOW_IPS"}
# The one simulator venue: `python -m app.cli simulator serve` on this port, health at /health.
VENUE_COMMAND = ["python", "-m", "app.cli", "simulator", "serve", "--port", "8100"]
VENUE_PORT = 8100


class CheckFailed(Exception):
    def __init__(self, problems: list[str] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else problems
        super().__init__("; ".join(self.problems))


class Problems(list[str]):
    def check(self, condition: object, message: str) -> bool:
        if not condition:
            self.append(message)
        return bool(condition)

    def raise_if_any(self) -> None:
        if self:
            raise CheckFailed(list(self))


def rel(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def run(cmd: list[str], *, cwd: Path = ROOT, env: dict[str, str] | None = None, timeout: float = 60) -> str:
    """Runs a tool; its non-zero exit is a failure carrying the tool's output."""
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip()
        raise CheckFailed(f"`{' '.join(str(c) for c in cmd)}` exited {result.returncode}:\n{output}")
    return result.stdout


def tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise CheckFailed(f"{name} not found on PATH (scripts/check-infra.sh installs it)")
    return found


# ------------------------------------------------------------------------------------------------ YAML


class StrictLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate keys (PyYAML silently keeps the last one)."""


def _mapping_without_duplicates(loader: StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: set[object] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates)


def load_yaml_docs(path: Path) -> list[Any]:
    with path.open(encoding="utf-8") as handle:
        return [doc for doc in yaml.load_all(handle, Loader=StrictLoader) if doc is not None]


def load_yaml(path: Path) -> Any:
    docs = load_yaml_docs(path)
    if len(docs) != 1:
        raise CheckFailed(f"{rel(path)}: expected one YAML document, found {len(docs)}")
    return docs[0]


def yaml_files() -> list[Path]:
    files = [ROOT / "docker-compose.yml"]
    for base in (INFRA, WORKFLOWS):
        files += [p for p in base.rglob("*") if p.suffix in {".yml", ".yaml"} and ".tools" not in p.parts]
    return sorted(set(files))


def check_yaml_parses() -> str:
    problems = Problems()
    files = yaml_files()
    for path in files:
        try:
            docs = load_yaml_docs(path)
            problems.check(docs, f"{rel(path)}: empty")
        except yaml.YAMLError as exc:
            problems.append(f"{rel(path)}: {exc}")
    problems.check(len(files) >= 15, f"only {len(files)} YAML files found; is the tree complete?")
    problems.raise_if_any()
    return f"{len(files)} files, no duplicate keys"


# ------------------------------------------------------------------------------------------------ settings


def app_setting_names() -> set[str]:
    """MULTIDESK_* names of the fields of app.config.Settings, read from the source (no import)."""
    tree = ast.parse((ROOT / "backend" / "app" / "config.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == "Settings":
            return {
                f"MULTIDESK_{item.target.id.upper()}"
                for item in node.body
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)
                and item.target.id != "model_config"
            }
    raise CheckFailed("backend/app/config.py has no class Settings")


ENV_LINE = re.compile(r"^\s*(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$")


def parse_env_file(path: Path, *, include_commented: bool = False) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in path.read_text().splitlines():
        match = ENV_LINE.match(line)
        if match and (include_commented or not match.group(1)):
            values[match.group(2)] = match.group(3)
    return values


def check_env_example() -> str:
    problems = Problems()
    path = ROOT / ".env.example"
    settings = app_setting_names()
    documented = parse_env_file(path, include_commented=True)
    active = parse_env_file(path)
    missing = sorted(settings - set(documented))
    problems.check(not missing, f".env.example does not document {', '.join(missing)} (backend/app/config.py has them)")
    unknown = sorted(
        name for name in documented
        if name.startswith("MULTIDESK_") and name not in settings | NON_APP_NAMES | PENDING_APP_SETTINGS
    )
    problems.check(not unknown, f".env.example names settings the app does not have: {', '.join(unknown)}")
    problems.check(active.get("MULTIDESK_DEMO_MODE") == "false", ".env.example: MULTIDESK_DEMO_MODE must be false")
    problems.check(active.get("MULTIDESK_MIGRATE_ON_START") == "false", ".env.example: MULTIDESK_MIGRATE_ON_START=false")
    for secret in ("MULTIDESK_JWT_SECRET", "MULTIDESK_ENCRYPTION_KEYS", "POSTGRES_PASSWORD"):
        problems.check(active.get(secret, "x") == "", f".env.example: {secret} must be present and empty (no secrets)")
    url = active.get("MULTIDESK_DATABASE_URL", "")
    problems.check(url.startswith("postgresql+asyncpg://multidesk:") and "@postgres:5432/multidesk" in url,
                   ".env.example: MULTIDESK_DATABASE_URL must point at the compose postgres service")
    problems.check(active.get("MULTIDESK_REDIS_URL", "").startswith("redis://redis:6379"),
                   ".env.example: MULTIDESK_REDIS_URL must point at the compose redis service")
    problems.raise_if_any()
    pending = ", ".join(sorted(PENDING_APP_SETTINGS - settings)) or "none"
    return f"{len(settings)} app settings documented; awaiting the app: {pending}"


def settings_probe(env: dict[str, str]) -> dict[str, Any]:
    """Builds app.config.Settings from exactly these variables in the backend's venv; returns what it parsed."""
    python = os.environ.get("BACKEND_PYTHON") or str(ROOT / "backend" / ".venv" / "bin" / "python")
    if not Path(python).exists():
        raise CheckFailed(f"{python} missing: the backend venv is needed to validate settings (make test-infra installs it)")
    script = (
        "import json; from app.config import Settings; s = Settings(); s.ensure_secrets(); "
        "print(json.dumps({'demo_mode': s.demo_mode, 'redis_url': s.redis_url, 'database_url': s.database_url, "
        "'data_dir': str(s.data_dir), 'tokens_csv': str(s.tokens_csv), 'migrate_on_start': getattr(s, 'migrate_on_start', None), "
        "'workers': s.workers}))"
    )
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env}
    return json.loads(run([python, "-c", script], cwd=ROOT / "backend", env=clean))


# ------------------------------------------------------------------------------------------------ kubernetes


@dataclass
class Rendered:
    name: str
    docs: list[dict[str, Any]] = field(default_factory=list)

    def find(self, kind: str, name: str | None = None) -> list[dict[str, Any]]:
        return [d for d in self.docs if d.get("kind") == kind and (name is None or d["metadata"]["name"] == name)]

    def one(self, kind: str, name: str | None = None) -> dict[str, Any]:
        found = self.find(kind, name)
        if len(found) != 1:
            raise CheckFailed(f"{self.name}: expected one {kind} {name or ''}, found {len(found)}")
        return found[0]


_RENDERED: dict[str, Rendered] = {}


def render(target: str) -> Rendered:
    if target not in _RENDERED:
        path = K8S / ("base" if target == "base" else f"overlays/{target}")
        out = run([tool("kubectl"), "kustomize", str(path)])
        docs = [d for d in yaml.safe_load_all(out) if d]
        _RENDERED[target] = Rendered(target, docs)
    return _RENDERED[target]


def check_k8s_render() -> str:
    counts = []
    for target in ("base", *OVERLAYS):
        rendered = render(target)
        if not rendered.docs:
            raise CheckFailed(f"{target} rendered nothing")
        counts.append(f"{target}: {len(rendered.docs)}")
    return "kubectl kustomize " + ", ".join(counts)


def check_k8s_schema() -> str:
    import kubernetes_validate

    problems = Problems()
    checked = 0
    sources: list[tuple[str, dict[str, Any]]] = []
    for target in ("base", *OVERLAYS):
        sources += [(target, d) for d in render(target).docs]
    sources += [(rel(K8S / "base" / "secret.example.yaml"), d) for d in load_yaml_docs(K8S / "base" / "secret.example.yaml")]
    for version in K8S_VERSIONS:
        for origin, doc in sources:
            try:
                kubernetes_validate.validate(doc, version, strict=True)
                checked += 1
            except Exception as exc:  # ValidationError, SchemaNotFoundError, ...: all are failures
                problems.append(f"{origin} {doc.get('kind')}/{doc.get('metadata', {}).get('name')} @ {version}: {exc}")
    problems.raise_if_any()
    return f"{checked} objects valid (strict) against Kubernetes {', '.join(K8S_VERSIONS)}"


def _pod_specs(rendered: Rendered) -> Iterator[tuple[str, dict[str, Any]]]:
    for doc in rendered.docs:
        if doc["kind"] in {"Deployment", "Job"}:
            yield f"{doc['kind']}/{doc['metadata']['name']}", doc["spec"]["template"]["spec"]


def _check_pod(rendered: Rendered, where: str, spec: dict[str, Any], problems: Problems) -> None:
    tag = f"{rendered.name}: {where}"
    pod_sc = spec.get("securityContext", {})
    problems.check(pod_sc.get("runAsNonRoot") is True, f"{tag}: pod securityContext.runAsNonRoot must be true")
    problems.check(pod_sc.get("seccompProfile", {}).get("type") == "RuntimeDefault", f"{tag}: seccompProfile RuntimeDefault")
    problems.check(spec.get("automountServiceAccountToken") is False, f"{tag}: automountServiceAccountToken: false")
    volumes = {v["name"]: v for v in spec.get("volumes", [])}
    for container in spec["containers"]:
        ctag = f"{tag} container {container['name']}"
        sc = container.get("securityContext", {})
        problems.check(sc.get("readOnlyRootFilesystem") is True, f"{ctag}: readOnlyRootFilesystem: true")
        problems.check(sc.get("allowPrivilegeEscalation") is False, f"{ctag}: allowPrivilegeEscalation: false")
        problems.check(sc.get("capabilities", {}).get("drop") == ["ALL"], f"{ctag}: capabilities.drop [ALL]")
        resources = container.get("resources", {})
        for section in ("requests", "limits"):
            for resource in ("cpu", "memory"):
                problems.check(resource in resources.get(section, {}), f"{ctag}: resources.{section}.{resource} missing")
        mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
        problems.check("/tmp" in mounts and "emptyDir" in volumes.get(mounts.get("/tmp", ""), {}),
                       f"{ctag}: read-only root needs an emptyDir on /tmp")
        image = container.get("image", "")
        problems.check(re.fullmatch(r"ghcr\.io/[^:@\s]+/(backend|frontend):[A-Za-z0-9_.-]+", image),
                       f"{ctag}: image {image!r} is not a pinned ghcr.io/<repo>/(backend|frontend):<tag>")
        problems.check(not image.endswith(":latest"), f"{ctag}: image uses :latest")
        for env in container.get("env", []):
            ref = env.get("valueFrom", {}).get("secretKeyRef")
            if ref:
                problems.check(ref.get("name") == SECRET_NAME, f"{ctag}: secretKeyRef to {ref.get('name')}")
                problems.check(not ref.get("optional"), f"{ctag}: secret {ref.get('key')} must not be optional")
                problems.check(ref.get("key") in secret_template_keys(),
                               f"{ctag}: secret key {ref.get('key')} is not in secret.example.yaml")


def kustomization_base() -> dict[str, Any]:
    return load_yaml(K8S / "base" / "kustomization.yaml")


def secret_template_keys() -> set[str]:
    secret = load_yaml(K8S / "base" / "secret.example.yaml")
    return set(secret.get("stringData", {}))


def _labels_match(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in selector.items())


def check_k8s_rules() -> str:
    problems = Problems()
    settings = app_setting_names() | PENDING_APP_SETTINGS
    kustomization = load_yaml(K8S / "base" / "kustomization.yaml")
    problems.check("secret.example.yaml" not in kustomization.get("resources", []),
                   "secret.example.yaml must not be a kustomization resource")
    secret = load_yaml(K8S / "base" / "secret.example.yaml")
    for key, value in secret.get("stringData", {}).items():
        problems.check("REPLACE_ME" in value, f"secret.example.yaml: {key} must be a REPLACE_ME placeholder")
    problems.check({"MULTIDESK_DATABASE_URL", "MULTIDESK_REDIS_URL", "MULTIDESK_JWT_SECRET",
                    "MULTIDESK_ENCRYPTION_KEYS"} <= set(secret.get("stringData", {})),
                   "secret.example.yaml must template DATABASE_URL, REDIS_URL, JWT_SECRET, ENCRYPTION_KEYS")
    deploy_script = (K8S / "deploy.sh").read_text()

    for target in OVERLAYS:
        r = render(target)
        tag = target
        problems.check(not r.find("Secret"), f"{tag}: renders a Secret; real secrets are created by hand")
        for doc in r.docs:
            if doc["kind"] != "Namespace":
                problems.check(doc["metadata"].get("namespace") == NAMESPACE,
                               f"{tag}: {doc['kind']}/{doc['metadata']['name']} not in namespace {NAMESPACE}")
        ns = r.one("Namespace")
        problems.check(ns["metadata"]["name"] == NAMESPACE, f"{tag}: namespace is {ns['metadata']['name']}")
        config = r.one("ConfigMap")
        data = config.get("data", {})
        problems.check(data.get("MULTIDESK_DEMO_MODE") == "false", f"{tag}: ConfigMap MULTIDESK_DEMO_MODE must be \"false\"")
        problems.check(data.get("MULTIDESK_MIGRATE_ON_START") == "false", f"{tag}: ConfigMap MULTIDESK_MIGRATE_ON_START must be \"false\"")
        unknown = sorted(k for k in data if k not in settings | SERVER_ENV_NAMES)
        problems.check(not unknown, f"{tag}: ConfigMap keys the app does not read: {', '.join(unknown)}")
        problems.check(not set(data) & secret_template_keys(), f"{tag}: secrets in the ConfigMap")
        for phase_obj in (ns, config, r.one("Job", "multidesk-migrate")):
            problems.check(phase_obj["metadata"].get("labels", {}).get("multidesk.io/deploy-phase") == "pre",
                           f"{tag}: {phase_obj['kind']} needs label multidesk.io/deploy-phase=pre (infra/k8s/deploy.sh)")
        problems.check("multidesk.io/deploy-phase=pre" in deploy_script, "deploy.sh does not apply the pre phase")

        for where, spec in _pod_specs(r):
            _check_pod(r, where, spec, problems)
            for container in spec["containers"]:
                for source in container.get("envFrom", []):
                    if "configMapRef" in source:
                        problems.check(source["configMapRef"]["name"] == config["metadata"]["name"],
                                       f"{tag}: {where} envFrom a ConfigMap that is not rendered")

        backend = r.one("Deployment", "multidesk-backend")
        frontend = r.one("Deployment", "multidesk-frontend")
        bc = backend["spec"]["template"]["spec"]["containers"][0]
        problems.check(bc.get("readinessProbe", {}).get("httpGet", {}).get("path") == "/health/ready", f"{tag}: backend readiness /health/ready")
        problems.check(bc.get("livenessProbe", {}).get("httpGet", {}).get("path") == "/health/live", f"{tag}: backend liveness /health/live")
        env_names = {e["name"] for e in bc.get("env", [])}
        problems.check({"MULTIDESK_DATABASE_URL", "MULTIDESK_REDIS_URL", "MULTIDESK_JWT_SECRET",
                        "MULTIDESK_ENCRYPTION_KEYS"} <= env_names,
                       f"{tag}: backend must require DATABASE_URL, REDIS_URL (shared Socket.IO rooms), JWT_SECRET, ENCRYPTION_KEYS")
        data_dir = data.get("MULTIDESK_DATA_DIR")
        problems.check(data_dir in {m["mountPath"] for m in bc.get("volumeMounts", [])},
                       f"{tag}: MULTIDESK_DATA_DIR {data_dir} is not a mounted volume (the root filesystem is read-only)")
        problems.check("replicas" not in backend["spec"], f"{tag}: backend Deployment sets replicas; the HPA owns them")
        problems.check(frontend["spec"].get("replicas", 1) >= 2, f"{tag}: frontend needs 2+ replicas")
        for deployment in (backend, frontend):
            container = deployment["spec"]["template"]["spec"]["containers"][0]
            problems.check("readinessProbe" in container and "livenessProbe" in container,
                           f"{tag}: {deployment['metadata']['name']} needs readiness and liveness probes")
            problems.check(deployment["spec"]["strategy"].get("rollingUpdate", {}).get("maxUnavailable") == 0,
                           f"{tag}: {deployment['metadata']['name']} rollingUpdate.maxUnavailable should be 0")
        fc = frontend["spec"]["template"]["spec"]["containers"][0]
        fenv = {e["name"]: e.get("value") for e in fc.get("env", [])}
        problems.check(fenv.get("MULTIDESK_BACKEND_ADDR") == "multidesk-backend:8000",
                       f"{tag}: frontend MULTIDESK_BACKEND_ADDR must be multidesk-backend:8000")
        problems.check("/etc/nginx/conf.d" in {m["mountPath"] for m in fc.get("volumeMounts", [])},
                       f"{tag}: frontend needs a writable /etc/nginx/conf.d (the template is rendered there)")

        hpa = r.one("HorizontalPodAutoscaler")
        problems.check(hpa["apiVersion"] == "autoscaling/v2", f"{tag}: HPA must be autoscaling/v2")
        problems.check(hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "multidesk-backend"},
                       f"{tag}: HPA must target the backend Deployment")
        problems.check(hpa["spec"].get("minReplicas", 1) >= 2, f"{tag}: HPA minReplicas must be 2+")
        problems.check(any(m.get("resource", {}).get("name") == "cpu" for m in hpa["spec"].get("metrics", [])),
                       f"{tag}: HPA scales on CPU")

        job = r.one("Job", "multidesk-migrate")
        jspec = job["spec"]["template"]["spec"]
        jc = jspec["containers"][0]
        problems.check(jc.get("command") == ["python", "-m", "app.cli", "migrate"], f"{tag}: Job must run python -m app.cli migrate")
        problems.check(jc.get("image") == bc.get("image"), f"{tag}: migration Job and backend must use the same image")
        problems.check(jspec.get("restartPolicy") == "Never", f"{tag}: Job restartPolicy Never")
        problems.check("backoffLimit" in job["spec"] and "activeDeadlineSeconds" in job["spec"], f"{tag}: Job needs backoffLimit and activeDeadlineSeconds")

        _check_k8s_venue(r, data, bc, problems)

        deployments = r.find("Deployment")
        services = {s["metadata"]["name"]: s for s in r.find("Service")}
        for name, svc in services.items():
            selected = [d for d in deployments if _labels_match(svc["spec"]["selector"], d["spec"]["template"]["metadata"]["labels"])]
            problems.check(len(selected) == 1, f"{tag}: Service {name} selects {len(selected)} Deployments")
            for port in svc["spec"]["ports"]:
                if selected and isinstance(port.get("targetPort"), str):
                    names = {p.get("name") for c in selected[0]["spec"]["template"]["spec"]["containers"] for p in c.get("ports", [])}
                    problems.check(port["targetPort"] in names, f"{tag}: Service {name} targetPort {port['targetPort']} not a container port")
        for pdb in r.find("PodDisruptionBudget"):
            selected = [d for d in deployments if _labels_match(pdb["spec"]["selector"]["matchLabels"], d["spec"]["template"]["metadata"]["labels"])]
            problems.check(len(selected) == 1, f"{tag}: PDB {pdb['metadata']['name']} selects {len(selected)} Deployments")
        problems.check({p["spec"]["selector"]["matchLabels"].get("app.kubernetes.io/name") for p in r.find("PodDisruptionBudget")}
                       == {"multidesk-backend", "multidesk-frontend"}, f"{tag}: a PDB for backend and frontend")

        ingress = r.one("Ingress")
        annotations = ingress["metadata"].get("annotations", {})
        problems.check(ingress["spec"].get("ingressClassName") == "nginx", f"{tag}: ingressClassName nginx")
        problems.check("nginx.ingress.kubernetes.io/affinity" not in annotations,
                       f"{tag}: no ingress session affinity (Socket.IO is WebSocket-only; it would not reach a worker)")
        for key in ("proxy-read-timeout", "proxy-send-timeout"):
            problems.check(annotations.get(f"nginx.ingress.kubernetes.io/{key}") == "3600", f"{tag}: ingress {key} 3600 (WebSocket)")
        rules = ingress["spec"]["rules"]
        tls = ingress["spec"].get("tls", [])
        problems.check(tls and tls[0].get("secretName"), f"{tag}: ingress TLS secretName")
        problems.check(tls and set(tls[0].get("hosts", [])) == {rule["host"] for rule in rules}, f"{tag}: TLS hosts = rule hosts")
        routes = {p["path"]: p["backend"]["service"] for rule in rules for p in rule["http"]["paths"]}
        for path, service in (("/api", "multidesk-backend"), ("/socket.io", "multidesk-backend"), ("/", "multidesk-frontend")):
            problems.check(routes.get(path, {}).get("name") == service, f"{tag}: ingress {path} must go to {service}")
        for path, backend_ref in routes.items():
            svc = services.get(backend_ref["name"])
            problems.check(svc is not None, f"{tag}: ingress {path} → missing Service {backend_ref['name']}")
            if svc:
                port_names = {p.get("name") for p in svc["spec"]["ports"]}
                problems.check(backend_ref["port"].get("name") in port_names, f"{tag}: ingress {path} → unknown port")

    for target in OVERLAYS:
        # The overlay's `images:` (what `kustomize edit set image` rewrites at deploy time) must be what renders.
        kustomization = load_yaml(K8S / "overlays" / target / "kustomization.yaml")
        pinned = {i["name"]: f"{i['newName']}:{i['newTag']}" for i in kustomization.get("images", [])}
        problems.check(set(pinned) == {"multidesk-backend", "multidesk-frontend"}, f"{target}: overlay must set both images")
        rendered_images = {
            c["image"] for _, spec in _pod_specs(render(target)) for c in spec["containers"]
        }
        problems.check(rendered_images == set(pinned.values()),
                       f"{target}: renders images {sorted(rendered_images)}, but the overlay pins {sorted(pinned.values())}")
    problems.check("images" not in kustomization_base(), "base kustomization must not map images (overlays do)")

    staging, production = render("staging"), render("production")
    hosts = {t: render(t).one("Ingress")["spec"]["rules"][0]["host"] for t in OVERLAYS}
    problems.check(hosts["staging"] != hosts["production"], "staging and production share an ingress host")
    problems.check(production.one("HorizontalPodAutoscaler")["spec"]["minReplicas"] >= 3, "production HPA minReplicas must be 3+")
    problems.check(production.one("HorizontalPodAutoscaler")["spec"]["minReplicas"]
                   >= staging.one("HorizontalPodAutoscaler")["spec"]["minReplicas"], "production must not run fewer backends than staging")
    problems.raise_if_any()
    return "security contexts, probes, resources, secrets, selectors, ingress, HPA, PDB, migration Job: " + ", ".join(
        f"{t} host {h}" for t, h in hosts.items()
    )


def _check_k8s_venue(r: Rendered, data: dict[str, str], backend: dict[str, Any], problems: Problems) -> None:
    """Two workers per backend pod, all of them calling ONE simulator venue that keeps its journal on a volume."""
    tag = r.name
    workers = data.get("MULTIDESK_WORKERS", "1")
    problems.check(workers.isdigit() and int(workers) >= 2, f"{tag}: ConfigMap MULTIDESK_WORKERS must be 2+ (per pod)")
    problems.check(not {"UVICORN_WORKERS", "WEB_CONCURRENCY"} & set(data),
                   f"{tag}: the worker count is MULTIDESK_WORKERS (app.cli serve), not UVICORN_WORKERS/WEB_CONCURRENCY")
    problems.check(backend.get("command") is None, f"{tag}: backend must run the image's CMD (python -m app.cli serve)")
    venue = r.one("Deployment", "multidesk-simulator")
    vspec = venue["spec"]
    problems.check(vspec.get("replicas") == 1, f"{tag}: the simulator venue runs exactly one replica")
    problems.check(vspec.get("strategy", {}).get("type") == "Recreate",
                   f"{tag}: the simulator venue must be replaced with Recreate (never two venues at once)")
    problems.check(not [h for h in r.find("HorizontalPodAutoscaler") if h["spec"]["scaleTargetRef"]["name"] == "multidesk-simulator"],
                   f"{tag}: the simulator venue must not be autoscaled")
    pod = vspec["template"]["spec"]
    pod_labels = vspec["template"]["metadata"]["labels"]
    container = pod["containers"][0]
    problems.check(container.get("command") == VENUE_COMMAND, f"{tag}: the venue must run {' '.join(VENUE_COMMAND)}")
    problems.check(container.get("image") == backend.get("image"), f"{tag}: the venue runs the backend image")
    problems.check(VENUE_PORT in {p.get("containerPort") for p in container.get("ports", [])}, f"{tag}: venue port {VENUE_PORT}")
    for probe in ("readinessProbe", "livenessProbe"):
        problems.check(container.get(probe, {}).get("httpGet", {}).get("path") == "/health", f"{tag}: venue {probe} on /health")
    claims = {v["name"]: v["persistentVolumeClaim"]["claimName"] for v in pod.get("volumes", []) if "persistentVolumeClaim" in v}
    mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
    journal_dir = data.get("MULTIDESK_DATA_DIR")
    claim = claims.get(mounts.get(journal_dir or "", ""))
    problems.check(claim is not None, f"{tag}: the venue's MULTIDESK_DATA_DIR {journal_dir} (its journal) must be a PersistentVolumeClaim")
    problems.check(claim in {p["metadata"]["name"] for p in r.find("PersistentVolumeClaim")},
                   f"{tag}: the venue's journal claim {claim} is not rendered")
    url = data.get("MULTIDESK_SIMULATOR_URL", "")
    services = {s["metadata"]["name"]: s for s in r.find("Service")}
    match = re.fullmatch(r"http://([a-z0-9-]+):(\d+)", url)
    service = services.get(match.group(1)) if match else None
    problems.check(service is not None and _labels_match(service["spec"]["selector"], pod_labels)
                   and int(match.group(2)) in {p["port"] for p in service["spec"]["ports"]},
                   f"{tag}: ConfigMap MULTIDESK_SIMULATOR_URL {url!r} must name the venue's Service and port")
    problems.check(not _labels_match(services["multidesk-backend"]["spec"]["selector"], pod_labels),
                   f"{tag}: the backend Service must not select the venue's pods")


def check_k8s_settings_values() -> str:
    """The rendered ConfigMap plus the secret template make a Settings the app accepts, in production mode."""
    results = []
    for target in OVERLAYS:
        data = dict(render(target).one("ConfigMap").get("data", {}))
        data.update({k: "placeholder" for k in secret_template_keys()})
        data["MULTIDESK_ENCRYPTION_KEYS"] = "bW9jay1rZXktbW9jay1rZXktbW9jay1rZXktbW9jay0="
        parsed = settings_probe(data)
        problems = Problems()
        problems.check(parsed["demo_mode"] is False, f"{target}: demo mode on")
        problems.check(parsed["redis_url"], f"{target}: no Redis URL")
        problems.check(parsed["workers"] >= 2, f"{target}: Settings.workers {parsed['workers']}, 2+ expected")
        problems.check(parsed["tokens_csv"] == "/app/data/tokens.csv", f"{target}: tokens csv {parsed['tokens_csv']}")
        problems.raise_if_any()
        results.append(target)
    return "app.config.Settings accepts the " + " and ".join(results) + " ConfigMaps (demo off, Redis set)"


# ------------------------------------------------------------------------------------------------ compose


def _volume_target(entry: Any) -> str:
    if isinstance(entry, dict):
        return entry["target"]
    parts = str(entry).split(":")
    return parts[1] if len(parts) >= 2 else parts[0]


def _env_dict(value: Any) -> dict[str, str]:
    if isinstance(value, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in value)
    return dict(value or {})


def merge_compose(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Merges an override file the way `docker compose -f a -f b` does, for the keys these files use."""
    merged = json.loads(json.dumps(base))
    for name, service in override.get("services", {}).items():
        target = merged.setdefault("services", {}).setdefault(name, {})
        for key, value in service.items():
            if key == "environment":
                target[key] = {**_env_dict(target.get(key)), **_env_dict(value)}
            elif key == "volumes":
                by_target = {_volume_target(v): v for v in target.get(key, [])}
                by_target.update({_volume_target(v): v for v in value})
                target[key] = list(by_target.values())
            elif key == "ports":
                target[key] = [*target.get(key, []), *value]
            elif isinstance(value, dict) and isinstance(target.get(key), dict):
                target[key] = _deep_merge(target[key], value)
            else:
                target[key] = value
    for key in ("volumes", "networks"):
        if key in override:
            merged.setdefault(key, {}).update(override[key] or {})
    return merged


def _deep_merge(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    out = dict(a)
    for key, value in b.items():
        out[key] = _deep_merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


COMPOSE = ROOT / "docker-compose.yml"
COMPOSE_PROD = DOCKER / "docker-compose.prod.yml"


def check_compose_schema() -> str:
    run([tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(COMPOSE), str(COMPOSE_PROD)])
    return "docker-compose.yml and infra/docker/docker-compose.prod.yml match the compose-spec schema"


def check_compose_rules() -> str:
    problems = Problems()
    base = load_yaml(COMPOSE)
    prod = merge_compose(base, load_yaml(COMPOSE_PROD))
    services = base.get("services", {})
    problems.check(set(services) == {"postgres", "redis", "migrate", "simulator", "backend", "frontend"}, f"services are {sorted(services)}")
    for name, service in services.items():
        build = service.get("build")
        if isinstance(build, dict):
            dockerfile = ROOT / build.get("context", ".") / build.get("dockerfile", "Dockerfile")
            problems.check(dockerfile.is_file(), f"{name}: build dockerfile {rel(dockerfile)} missing")
        problems.check("container_name" not in service, f"{name}: container_name prevents replicas")
    pg = services.get("postgres", {})
    problems.check("healthcheck" in pg, "postgres needs a healthcheck")
    problems.check(any(_volume_target(v) == "/var/lib/postgresql/data" for v in pg.get("volumes", [])), "postgres data volume")
    problems.check("healthcheck" in services.get("redis", {}), "redis needs a healthcheck")
    migrate = services.get("migrate", {})
    problems.check(migrate.get("command") == ["python", "-m", "app.cli", "migrate"], "migrate runs python -m app.cli migrate")
    problems.check(migrate.get("depends_on", {}).get("postgres", {}).get("condition") == "service_healthy", "migrate waits for a healthy postgres")
    problems.check(migrate.get("restart") == "no", "migrate is one-shot (restart: \"no\")")
    backend = services.get("backend", {})
    depends = backend.get("depends_on", {})
    for dep, condition in (("postgres", "service_healthy"), ("redis", "service_healthy"), ("migrate", "service_completed_successfully")):
        problems.check(depends.get(dep, {}).get("condition") == condition, f"backend depends on {dep}: {condition}")
    problems.check(".env" in (backend.get("env_file") or []), "backend reads .env")
    problems.check(migrate.get("image") == backend.get("image"), "migrate and backend share one image")
    problems.check(_env_dict(backend.get("environment")).get("MULTIDESK_MIGRATE_ON_START") == "false", "backend: MULTIDESK_MIGRATE_ON_START false")
    problems.check("ports" not in backend, "backend publishes no port (nginx proxies it)")
    benv = _env_dict(backend.get("environment"))
    problems.check(benv.get("MULTIDESK_WORKERS", "1").isdigit() and int(benv.get("MULTIDESK_WORKERS", "1")) >= 2,
                   "backend: MULTIDESK_WORKERS 2+ (server processes per container)")
    venue = services.get("simulator", {})
    problems.check(venue.get("command") == VENUE_COMMAND, f"simulator runs {' '.join(VENUE_COMMAND)}")
    problems.check(venue.get("image") == backend.get("image"), "simulator and backend share one image")
    problems.check("healthcheck" in venue and "/health" in json.dumps(venue.get("healthcheck")), "simulator needs a /health healthcheck")
    problems.check(any(_volume_target(v) == "/var/lib/multidesk" and isinstance(v, str) and ":" in v
                       and v.split(":")[0] in (base.get("volumes") or {}) for v in venue.get("volumes", [])),
                   "simulator: its data dir (the journal) must be a named volume")
    problems.check("ports" not in venue, "simulator publishes no port (only the backends call it)")
    problems.check(benv.get("MULTIDESK_SIMULATOR_URL") == f"http://simulator:{VENUE_PORT}",
                   f"backend: MULTIDESK_SIMULATOR_URL http://simulator:{VENUE_PORT}")
    problems.check(depends.get("simulator", {}).get("condition") == "service_healthy", "backend depends on simulator: service_healthy")
    frontend = services.get("frontend", {})
    problems.check(any(str(p).endswith(":8080") and "3000" in str(p) for p in frontend.get("ports", [])), "frontend on :3000 → 8080")
    problems.check(_env_dict(frontend.get("environment")).get("MULTIDESK_BACKEND_ADDR") == "backend:8000", "frontend proxies to backend:8000")

    pservices = prod["services"]
    penv = _env_dict(pservices["backend"].get("environment"))
    problems.check(penv.get("MULTIDESK_DEMO_MODE") == "false", "prod: backend demo mode off")
    problems.check(_env_dict(pservices["migrate"].get("environment")).get("MULTIDESK_DEMO_MODE") == "false", "prod: migrate demo mode off")
    problems.check(penv.get("MULTIDESK_MIGRATE_ON_START") == "false", "prod: no migration at start")
    problems.check(":?" in penv.get("MULTIDESK_REDIS_URL", ""), "prod: MULTIDESK_REDIS_URL must be required (${...:?message})")
    problems.check(pservices["backend"].get("deploy", {}).get("replicas", 1) >= 2, "prod: 2+ backend replicas")
    problems.check(pservices["simulator"].get("deploy", {}).get("replicas", 1) == 1, "prod: exactly one simulator venue")
    problems.check(_env_dict(pservices["simulator"].get("environment")).get("MULTIDESK_DEMO_MODE") == "false",
                   "prod: simulator demo mode off (NSE hours, as the backends)")
    problems.check(int(penv.get("MULTIDESK_WORKERS", "1")) >= 2, "prod: MULTIDESK_WORKERS 2+")
    problems.check("ports" not in pservices["backend"], "prod: backend replicas cannot publish a host port")
    problems.check(all(_volume_target(v) != "/var/lib/multidesk" or (isinstance(v, str) and ":" not in v)
                       for v in pservices["backend"].get("volumes", [])),
                   "prod: backend replicas must not share one data volume (simulator journal)")
    for name, service in pservices.items():
        if name == "migrate":
            continue
        problems.check(service.get("restart") == "always", f"prod: {name} restart: always")
        problems.check(service.get("deploy", {}).get("resources", {}).get("limits", {}).get("memory"), f"prod: {name} memory limit")
    problems.raise_if_any()
    return ("services, dependencies, one-shot migrate, one simulator venue with its journal volume, 2 workers, "
            "prod overlay (demo off, Redis required, 2 replicas, limits, restarts)")


def check_compose_settings_values() -> str:
    """.env.example (secrets filled in) + the prod overlay's environment make a Settings the app accepts."""
    env = parse_env_file(ROOT / ".env.example")
    env.update({"MULTIDESK_JWT_SECRET": "x" * 48, "MULTIDESK_ENCRYPTION_KEYS": "bW9jay1rZXktbW9jay1rZXktbW9jay1rZXktbW9jay0="})
    prod = merge_compose(load_yaml(COMPOSE), load_yaml(COMPOSE_PROD))
    for key, value in _env_dict(prod["services"]["backend"].get("environment")).items():
        env[key] = re.sub(r"\$\{[A-Z_]+:\?[^}]*\}", "redis://redis:6379/0", value)
    parsed = settings_probe({k: v for k, v in env.items() if k.startswith(("MULTIDESK_", "UVICORN_"))})
    if parsed["demo_mode"] is not False or not parsed["redis_url"]:
        raise CheckFailed(f"compose prod settings: {parsed}")
    return "app.config.Settings accepts .env.example + the prod overlay (demo off, Redis set)"


# ------------------------------------------------------------------------------------------------ Dockerfiles


@dataclass
class Instruction:
    line: int
    keyword: str
    args: str


def parse_dockerfile(path: Path) -> list[list[Instruction]]:
    """Instructions grouped by stage (continuations joined, comments dropped)."""
    stages: list[list[Instruction]] = []
    pending = ""
    start = 0
    for number, raw in enumerate(path.read_text().splitlines(), 1):
        stripped = raw.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue
        if not pending:
            start = number
        pending += " " + stripped.rstrip("\\").strip()
        if stripped.endswith("\\"):
            continue
        keyword, _, args = pending.strip().partition(" ")
        instruction = Instruction(start, keyword.upper(), args.strip())
        pending = ""
        if instruction.keyword == "FROM":
            stages.append([])
        if stages:
            stages[-1].append(instruction)
    return stages


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    out = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            out += ".*"
            i += 2
        elif pattern[i] == "*":
            out += "[^/]*"
            i += 1
        elif pattern[i] == "?":
            out += "[^/]"
            i += 1
        else:
            out += re.escape(pattern[i])
            i += 1
    return re.compile(out)


def dockerignore_excludes(ignore_file: Path, path: str) -> bool:
    """Docker's rule: the last pattern matching the path or one of its parent directories decides."""
    excluded = False
    parts = path.strip("/").split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for raw in ignore_file.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        pattern = _pattern_regex(line.lstrip("!").strip("/"))
        if any(pattern.fullmatch(c) for c in candidates):
            excluded = not negate
    return excluded


def _copy_sources(instruction: Instruction) -> list[str]:
    words = [w for w in instruction.args.split() if not w.startswith("--")]
    if any(w.startswith("--from") for w in instruction.args.split()):
        return []
    if words and words[0].startswith("["):
        words = json.loads(instruction.args)
    return words[:-1]


def check_dockerfile_rules() -> str:
    problems = Problems()
    for name in ("backend", "frontend"):
        path = DOCKER / f"{name}.Dockerfile"
        ignore = DOCKER / f"{name}.Dockerfile.dockerignore"
        problems.check(ignore.is_file(), f"{rel(ignore)} missing (the build context is the repository root)")
        stages = parse_dockerfile(path)
        problems.check(len(stages) >= 2, f"{name}: must be multi-stage")
        final = stages[-1] if stages else []
        keywords = [i.keyword for i in final]
        users = [i.args for i in final if i.keyword == "USER"]
        problems.check(users and users[-1].split(":")[0] not in {"0", "root"}, f"{name}: final stage must end as a non-root USER")
        problems.check("HEALTHCHECK" in keywords, f"{name}: final stage needs a HEALTHCHECK")
        for stage in stages:
            for instruction in stage:
                if instruction.keyword in {"COPY", "ADD"}:
                    for source in _copy_sources(instruction):
                        problems.check((ROOT / source).exists(), f"{name}:{instruction.line}: COPY source {source} does not exist")
                        if ignore.is_file():
                            problems.check(not dockerignore_excludes(ignore, source),
                                           f"{name}:{instruction.line}: COPY source {source} is excluded by {ignore.name}")
        text = path.read_text()
        if name == "backend":
            problems.check("[dev]" not in text and "'dev'" not in text, "backend: the dev extra must not be installed")
            problems.check(not any(i.keyword == "RUN" and "pip install" in i.args for i in final), "backend: no pip install in the final stage")
            problems.check(any(i.keyword == "COPY" and "--from=build" in i.args and "/opt/venv" in i.args for i in final),
                           "backend: final stage copies the venv from the build stage")
            for source in ("data/tokens.csv", "backend/app", "backend/migrations", "backend/alembic.ini"):
                problems.check(source in text, f"backend: must copy {source}")
            healthcheck = " ".join(i.args for i in final if i.keyword == "HEALTHCHECK")
            problems.check("/health/live" in healthcheck and "urllib" in healthcheck, "backend: HEALTHCHECK on /health/live with urllib")
            cmd = " ".join(i.args for i in final if i.keyword == "CMD")
            problems.check(cmd == '["python", "-m", "app.cli", "serve"]',
                           "backend: CMD runs python -m app.cli serve (uvicorn workers of app.main:create_app)")
            env = " ".join(i.args for i in final if i.keyword == "ENV")
            problems.check("MULTIDESK_WORKERS=2" in env, "backend: ENV MULTIDESK_WORKERS=2 (two server processes per container)")
            problems.check("PYTHON_IMAGE=python:3.11-slim" in text, "backend: slim Python 3.11 base")
            # no migration at container start: the image must not run alembic/migrate by default
            problems.check("migrate" not in cmd, "backend: CMD must not migrate")
        else:
            problems.check(stages and stages[0][0].args.startswith("node:20"), "frontend: build stage on node:20")
            problems.check("npm ci" in text and "npm run build" in text, "frontend: npm ci && npm run build")
            problems.check(final and "nginx" in final[0].args, "frontend: final stage is nginx")
            problems.check("infra/docker/nginx.conf /etc/nginx/templates/default.conf.template" in text,
                           "frontend: nginx.conf goes in as the envsubst template")
            problems.check("NGINX_ENVSUBST_FILTER=^MULTIDESK_" in text, "frontend: envsubst limited to MULTIDESK_* variables")
            problems.check("/src/frontend/out /usr/share/nginx/html" in text, "frontend: serves the export")
    problems.raise_if_any()
    return "multi-stage, non-root, HEALTHCHECK, runtime deps only, COPY sources exist and pass .dockerignore"


def check_hadolint() -> str:
    files = [str(DOCKER / "backend.Dockerfile"), str(DOCKER / "frontend.Dockerfile")]
    run([tool("hadolint"), "--no-color", *files])
    version = run([tool("hadolint"), "--version"]).strip()
    return f"{version}: no findings"


# ------------------------------------------------------------------------------------------------ workflows, scripts


def makefile_targets() -> set[str]:
    return set(re.findall(r"^([A-Za-z0-9_.-]+):", (ROOT / "Makefile").read_text(), flags=re.M))


def check_workflows() -> str:
    files = sorted(WORKFLOWS.glob("*.yml"))
    if {f.name for f in files} != {"ci.yml", "deploy.yml"}:
        raise CheckFailed(f"expected ci.yml and deploy.yml in .github/workflows, found {[f.name for f in files]}")
    run([tool("actionlint"), "-no-color", *map(str, files)])
    run([tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *map(str, files)])
    problems = Problems()
    targets = makefile_targets()
    for path in files:
        text = path.read_text()
        # `make a b` where make is the command (line start, `run:`, after && ; ||), not a word in a package list
        for target in re.findall(r"(?:^|run:|&&|;|\|\|)[ \t]*make((?:[ \t]+[a-z][a-z0-9-]*)+)", text, flags=re.M):
            for name in target.split():
                problems.check(name in targets, f"{path.name}: `make {name}`: no such Makefile target")
        for ref in re.findall(r"\b((?:infra|scripts)/[A-Za-z0-9_./-]+\.(?:Dockerfile|sh|yml|yaml))", text):
            problems.check((ROOT / ref).exists(), f"{path.name}: {ref} does not exist")
    ci = load_yaml(WORKFLOWS / "ci.yml")
    jobs = ci["jobs"]
    problems.check({"backend", "frontend", "lint", "infra", "images"} <= set(jobs), f"ci.yml jobs: {sorted(jobs)}")
    pg = jobs.get("backend", {}).get("services", {}).get("postgres", {})
    problems.check(pg.get("env", {}).get("POSTGRES_HOST_AUTH_METHOD") == "trust" and pg.get("env", {}).get("POSTGRES_DB") == "test",
                   "ci.yml: postgres service with trust auth and database test")
    problems.check("5432:5432" in pg.get("ports", []), "ci.yml: postgres on 127.0.0.1:5432")
    problems.check("6379:6379" in jobs.get("backend", {}).get("services", {}).get("redis", {}).get("ports", []), "ci.yml: redis on 6379")
    ci_text = (WORKFLOWS / "ci.yml").read_text()
    problems.check("refs/heads/main" in ci_text and "docker/build-push-action" in ci_text, "ci.yml: images built, pushed only from main")
    for needle in ("make test-backend", "make test-frontend test-e2e", "make lint", "make test-infra"):
        problems.check(needle in ci_text, f"ci.yml must run `{needle}`")
    deploy = load_yaml(WORKFLOWS / "deploy.yml")
    triggers = deploy.get(True, deploy.get("on", {}))  # YAML 1.1 reads the key `on` as True
    problems.check("v*" in triggers.get("push", {}).get("tags", []), "deploy.yml: production on tags v*")
    problems.check("workflow_run" in triggers, "deploy.yml: staging after CI on main")
    environments = {name: (job.get("environment") or {}).get("name") for name, job in deploy["jobs"].items()}
    problems.check(environments == {"staging": "staging", "production": "production"}, f"deploy.yml environments: {environments}")
    deploy_text = (WORKFLOWS / "deploy.yml").read_text()
    for needle in ("infra/k8s/deploy.sh staging", "infra/k8s/deploy.sh production", "github.sha"):
        problems.check(needle in deploy_text, f"deploy.yml must contain `{needle}`")
    script = (K8S / "deploy.sh").read_text()
    for needle in ("kustomize edit set image", "kubectl apply -k", "rollout status", "rollout undo", "job/multidesk-migrate"):
        problems.check(needle in script, f"infra/k8s/deploy.sh must use `{needle}`")
    problems.raise_if_any()
    return "actionlint + GitHub workflow schema clean; make targets, paths, services, environments, deploy steps"


def check_shellcheck() -> str:
    scripts = [ROOT / "scripts" / "check-infra.sh", K8S / "deploy.sh"]
    for script in scripts:
        if not os.access(script, os.X_OK):
            raise CheckFailed(f"{rel(script)} is not executable")
    run([tool("shellcheck"), *map(str, scripts)])
    return ", ".join(rel(s) for s in scripts)


KUBECTL_STUB = """#!/usr/bin/env bash
echo "kubectl $*" >> "$STUB_LOG"
case "$*" in
  *"get job multidesk-migrate"*)
    if [ "$STUB_SCENARIO" = migrate-fails ]; then printf 'FailureTarget Failed '; else printf 'SuccessCriteriaMet Complete '; fi ;;
  *"rollout status deployment/multidesk-backend"*)
    if [ "$STUB_SCENARIO" = rollout-fails ] && [ ! -f "$STUB_LOG.undone" ]; then exit 1; fi ;;
  *"rollout undo"*) touch "$STUB_LOG.undone" ;;
esac
exit 0
"""
KUSTOMIZE_STUB = """#!/usr/bin/env bash
echo "kustomize $* (in ${PWD##*/})" >> "$STUB_LOG"
"""


def check_deploy_script() -> str:
    """infra/k8s/deploy.sh against stub kubectl/kustomize: order of steps, failure handling, rollback."""
    problems = Problems()
    with tempfile.TemporaryDirectory(prefix="md-deploy-") as tmp:
        stubs = Path(tmp)
        for name, body in (("kubectl", KUBECTL_STUB), ("kustomize", KUSTOMIZE_STUB)):
            (stubs / name).write_text(body)
            (stubs / name).chmod(0o755)

        def deploy(scenario: str) -> tuple[int, list[str]]:
            log = stubs / f"{scenario}.log"
            env = {**os.environ, "PATH": f"{stubs}:{os.environ['PATH']}", "STUB_LOG": str(log), "STUB_SCENARIO": scenario,
                   "IMAGE_PREFIX": "ghcr.io/acme/multidesk"}
            result = subprocess.run(["bash", str(K8S / "deploy.sh"), "staging", "0123abc"], env=env, capture_output=True,
                                    text=True, timeout=60, check=False)
            return result.returncode, log.read_text().splitlines() if log.exists() else []

        def index(calls: list[str], needle: str) -> int:
            return next((i for i, call in enumerate(calls) if needle in call), -1)

        code, calls = deploy("ok")
        problems.check(code == 0, f"successful deploy exited {code}")
        order = [
            "kustomize edit set image multidesk-backend=ghcr.io/acme/multidesk/backend:0123abc multidesk-frontend=ghcr.io/acme/multidesk/frontend:0123abc (in staging)",
            "get secret multidesk-secrets",
            "delete job multidesk-migrate",
            "-l multidesk.io/deploy-phase=pre",
            "get job multidesk-migrate",
            "rollout status deployment/multidesk-backend",
            "rollout status deployment/multidesk-frontend",
        ]
        positions = [index(calls, needle) for needle in order]
        problems.check(-1 not in positions and positions == sorted(positions), f"deploy steps out of order or missing: {calls}")
        full_apply = [i for i, c in enumerate(calls) if "apply -k" in c and "-l " not in c]
        problems.check(len(full_apply) == 1 and positions[4] < full_apply[0] < positions[5], "full apply must follow the migration")
        problems.check(index(calls, "rollout undo") == -1, "a good deploy rolled back")

        code, calls = deploy("migrate-fails")
        problems.check(code != 0, "a failed migration did not fail the deploy")
        problems.check(not any("apply -k" in c and "-l " not in c for c in calls), "the app was applied after a failed migration")

        code, calls = deploy("rollout-fails")
        problems.check(code != 0, "a failed rollout did not fail the deploy")
        problems.check(index(calls, "rollout undo deployment/multidesk-backend") != -1
                       and index(calls, "rollout undo deployment/multidesk-frontend") != -1, f"no rollback: {calls}")
    problems.raise_if_any()
    return "step order, migration gate, rollout undo on a failed rollout (stub kubectl/kustomize)"


def check_validators_bite() -> str:
    """Each validator must reject a known-bad input, so a silently broken tool cannot pass everything."""
    import kubernetes_validate

    problems = Problems()
    bad_service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "x"}, "spec": {"selectr": {}}}
    try:
        kubernetes_validate.validate(bad_service, K8S_VERSIONS[-1], strict=True)
        problems.append("kubernetes-validate accepted a Service with an unknown field")
    except Exception:  # noqa: S110 - the rejection is the expected outcome
        pass
    with tempfile.TemporaryDirectory() as tmp:
        cases = {
            "compose.yml": ("services:\n  web:\n    image: x\n    restart: 5\n    depends_on: {db: {condition: sometimes}}\n",
                            [tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec"]),
            "workflow.yml": ("on: push\njobs:\n  a:\n    runs_on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n",
                             [tool("actionlint"), "-no-color"]),
            "Dockerfile": ("FROM ubuntu:latest\nRUN apt-get install curl\n", [tool("hadolint"), "--no-color"]),
            "bad.sh": ("#!/bin/bash\nrm -rf $1/*\n", [tool("shellcheck")]),
        }
        for filename, (content, cmd) in cases.items():
            path = Path(tmp) / filename
            path.write_text(content)
            result = subprocess.run([*cmd, str(path)], capture_output=True, text=True, check=False, timeout=60)
            problems.check(result.returncode != 0, f"{Path(cmd[0]).name} accepted a broken {filename}")
    problems.raise_if_any()
    return "kubernetes-validate, check-jsonschema, actionlint, hadolint, shellcheck each reject a broken sample"


# ------------------------------------------------------------------------------------------------ nginx


class FakeBackend(BaseHTTPRequestHandler):
    """Answers every proxied request with what it received; answers a WebSocket upgrade with 101."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def _answer(self) -> None:
        if self.headers.get("Upgrade", "").lower() == "websocket":
            self.send_response(101)
            self.send_header("Upgrade", "websocket")
            self.send_header("Connection", "Upgrade")
            self.send_header("X-Seen-Connection", self.headers.get("Connection", ""))
            self.end_headers()
            self.wfile.flush()
            self.close_connection = True
            return
        body = json.dumps({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_HEAD = _answer


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


FIXTURE_FILES = {
    # mirrors the layout of `next build` with output: 'export' (frontend/out)
    "index.html": "<html>PAGE:index<script>self.__next_f=[1]</script><script src=\"/_next/static/chunks/app-0a1b2c.js\"></script></html>",
    "404.html": "<html>PAGE:404</html>",
    "login.html": "<html>PAGE:login</html>",
    "orders.html": "<html>PAGE:orders</html>",
    "orders.txt": "RSC:orders",
    "orders/__next._tree.txt": "RSC:orders/tree",
    "clients.html": "<html>PAGE:clients</html>",
    "clients/_.html": "<html>PAGE:clients/_</html>",
    "clients/_.txt": "RSC:clients/_",
    "clients/_/__next._full.txt": "RSC:clients/_/full",
    "exit/_.html": "<html>PAGE:exit/_</html>",
    "exit/_.txt": "RSC:exit/_",
    "exit/_/__next._tree.txt": "RSC:exit/_/tree",
    "exit/_/__next.!KGRlc2sp.exit.$d$tokenId.__PAGE__.txt": "RSC:exit/_/page",
    "icon.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
    "_next/static/chunks/app-0a1b2c.js": "console.log('APP');\n" * 200,
}


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode(errors="replace")


def http_get(port: int, path: str, headers: dict[str, str] | None = None) -> Response:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - loopback only
            return Response(response.status, {k.lower(): v for k, v in response.headers.items()}, response.read())
    except urllib.error.HTTPError as error:
        return Response(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())


# Written at image build by frontend/scripts/csp-nginx.mjs from the export (infra/docker/frontend.Dockerfile).
CSP_INCLUDE = "/etc/nginx/multidesk-csp.conf"


def csp_include(root: Path) -> str:
    """The CSP line the image build writes for the export at `root`, by the same script."""
    node = shutil.which("node")
    if node is None:
        raise CheckFailed("node not found: it writes the CSP include for nginx (frontend/scripts/csp-nginx.mjs)")
    result = subprocess.run([node, str(ROOT / "frontend" / "scripts" / "csp-nginx.mjs"), str(root)],
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise CheckFailed(f"csp-nginx.mjs failed:\n{result.stderr}")
    return result.stdout


def inline_script_sources(html: str) -> list[str]:
    """The CSP hash source of each inline script of a page."""
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for attributes, body in re.findall(r"<script\b([^>]*)>(.*?)</script\s*>", html, re.IGNORECASE | re.DOTALL)
        if not re.search(r"\ssrc\s*=", f" {attributes}", re.IGNORECASE)
    ]


def render_nginx_template(backend_addr: str, listen_port: int, root: Path) -> str:
    text = (DOCKER / "nginx.conf").read_text()
    variables = set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", text))
    if variables != {"MULTIDESK_BACKEND_ADDR"}:
        raise CheckFailed(f"nginx.conf template variables are {sorted(variables)}; the image substitutes MULTIDESK_* only")
    for needle in ("listen 8080;", "root /usr/share/nginx/html;", f"include {CSP_INCLUDE};"):
        if text.count(needle) != 1:
            raise CheckFailed(f"nginx.conf: expected `{needle}` exactly once (the image and this harness rely on it)")
    text = text.replace("${MULTIDESK_BACKEND_ADDR}", backend_addr)
    text = text.replace("listen 8080;", f"listen 127.0.0.1:{listen_port};")
    return text.replace("root /usr/share/nginx/html;", f"root {root};")


@contextmanager
def nginx_serving(root: Path, backend_port: int) -> Iterator[int]:
    nginx = os.environ.get("MULTIDESK_INFRA_NGINX") or ""
    mime = os.environ.get("MULTIDESK_INFRA_MIME_TYPES") or ""
    if not (nginx and Path(nginx).exists() and Path(mime).exists()):
        raise CheckFailed("nginx or mime.types missing (MULTIDESK_INFRA_NGINX / MULTIDESK_INFRA_MIME_TYPES)")
    with tempfile.TemporaryDirectory(prefix="md-nginx-") as tmp:
        work = Path(tmp)
        port = free_port()
        (work / "csp.conf").write_text(csp_include(root))
        rendered = render_nginx_template(f"127.0.0.1:{backend_port}", port, root)
        (work / "default.conf").write_text(rendered.replace(f"include {CSP_INCLUDE};", f"include {work}/csp.conf;"))
        user = "user root;\n" if os.geteuid() == 0 else ""
        temp_paths = "".join(f"    {d}_temp_path {work}/{d};\n" for d in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        (work / "nginx.conf").write_text(
            f"{user}worker_processes 1;\nerror_log stderr warn;\npid {work}/nginx.pid;\n"
            "events { worker_connections 64; }\n"
            f"http {{\n    include {mime};\n    default_type application/octet-stream;\n    access_log off;\n"
            f"    sendfile on;\n{temp_paths}    include {work}/default.conf;\n}}\n"
        )
        run([nginx, "-t", "-q", "-p", str(work), "-c", str(work / "nginx.conf")])
        process = subprocess.Popen(
            [nginx, "-p", str(work), "-c", str(work / "nginx.conf"), "-g", "daemon off;"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        try:
            deadline = time.monotonic() + 10
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        output = process.stdout.read() if process.stdout else ""
                        raise CheckFailed(f"nginx did not start:\n{output}") from None
                    time.sleep(0.05)
            yield port
        finally:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def fake_backend() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeBackend)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def websocket_handshake(port: int, path: str) -> tuple[str, dict[str, str]]:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(
            f"GET {path} HTTP/1.1\r\nHost: desk.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    head = data.split(b"\r\n\r\n")[0].decode(errors="replace").split("\r\n")
    headers = {}
    for line in head[1:]:
        key, _, value = line.partition(":")
        headers[key.strip().lower()] = value.strip()
    return head[0], headers


SECURITY_HEADERS = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
}


def check_nginx() -> str:
    problems = Problems()
    with tempfile.TemporaryDirectory(prefix="md-out-") as tmp:
        root = Path(tmp)
        root.chmod(0o755)
        for name, content in FIXTURE_FILES.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content)
        with fake_backend() as backend_port, nginx_serving(root, backend_port) as port:

            def expect(path: str, status: int, body: str | None = None, **headers: str) -> Response:
                response = http_get(port, path)
                ok = problems.check(response.status == status, f"GET {path}: {response.status}, expected {status}")
                if ok and body is not None:
                    problems.check(body in response.text, f"GET {path}: body {response.text[:60]!r}, expected {body!r}")
                for key, value in headers.items():
                    key = key.replace("_", "-")
                    problems.check(value in response.headers.get(key, ""), f"GET {path}: {key}={response.headers.get(key)!r}, expected {value!r}")
                return response

            home = expect("/", 200, "PAGE:index", cache_control="no-cache", content_type="text/html")
            csp = home.headers.get("content-security-policy", "")
            for directive in ("default-src 'self'", "connect-src 'self';", "frame-ancestors 'none'", "object-src 'none'"):
                problems.check(directive in csp, f"CSP lacks {directive!r}: {csp!r}")
            script_src = re.search(r"script-src ([^;]*)", csp)
            script_sources = script_src.group(1).split() if script_src else []
            problems.check("'unsafe-inline'" not in script_sources, f"CSP allows inline scripts: {csp!r}")
            problems.check(
                sorted(script_sources) == sorted(["'self'", *inline_script_sources(FIXTURE_FILES["index.html"])]),
                f"CSP script-src is not 'self' plus the hash of the page's inline script: {script_sources}",
            )
            for key, value in SECURITY_HEADERS.items():
                problems.check(home.headers.get(key) == value, f"GET /: {key}={home.headers.get(key)!r}")
            problems.check("strict-transport-security" not in home.headers, "HSTS sent over plain HTTP")
            problems.check("server" not in home.headers or "/" not in home.headers["server"], "nginx version disclosed")
            expect("/orders", 200, "PAGE:orders")
            expect("/orders.txt", 200, "RSC:orders", content_type="text/plain")
            expect("/orders/__next._tree.txt", 200, "RSC:orders/tree")
            expect("/login", 200, "PAGE:login")
            expect("/clients", 200, "PAGE:clients")
            # dynamic routes → the `_` placeholder export
            expect("/exit/2885", 200, "PAGE:exit/_", content_type="text/html", cache_control="no-cache")
            expect("/exit/2885.txt", 200, "RSC:exit/_", content_type="text/plain")
            expect("/exit/2885/__next._tree.txt", 200, "RSC:exit/_/tree")
            expect("/exit/2885/__next.!KGRlc2sp.exit.$d$tokenId.__PAGE__.txt", 200, "RSC:exit/_/page")
            expect("/exit/2885/__next.%21KGRlc2sp.exit.%24d%24tokenId.__PAGE__.txt", 200, "RSC:exit/_/page")
            expect("/clients/42", 200, "PAGE:clients/_")
            expect("/clients/42.txt", 200, "RSC:clients/_")
            expect("/clients/42/__next._full.txt", 200, "RSC:clients/_/full")
            expect("/exit/_", 200, "PAGE:exit/_")
            # hashed assets: long cache, gzip
            asset = "/_next/static/chunks/app-0a1b2c.js"
            expect(asset, 200, "APP", cache_control="immutable")
            problems.check("max-age=31536000" in http_get(port, asset).headers.get("cache-control", ""), "assets: max-age 1 year")
            gz = http_get(port, asset, {"Accept-Encoding": "gzip"})
            problems.check(gz.headers.get("content-encoding") == "gzip", "assets are not gzipped")
            # misses: plain 404 for files, the app's 404 page for pages
            missing_asset = expect("/_next/static/chunks/missing.js", 404)
            problems.check("<html" not in missing_asset.text, "missing /_next asset answered with HTML")
            problems.check(missing_asset.headers.get("x-content-type-options") == "nosniff", "404s lack security headers")
            problems.check("immutable" not in missing_asset.headers.get("cache-control", ""), "a 404 is cached as immutable")
            missing_file = expect("/favicon.ico", 404)
            problems.check("<html" not in missing_file.text, "missing file answered with HTML")
            expect("/exit/2885/missing.txt", 404)
            expect("/no-such-page", 404, "PAGE:404")
            expect("/admin/7", 404, "PAGE:404")
            expect("/no/such/deep/page", 404, "PAGE:404")
            expect("/metrics", 404)
            expect("/healthz", 200, "ok")
            # the backend: /api, /health, /socket.io proxied with forwarding headers
            api = expect("/api/v1/auth/me?x=1", 200, '"path": "/api/v1/auth/me?x=1"')
            if api.status == 200:
                seen = json.loads(api.body)["headers"]
                problems.check(seen.get("x-forwarded-for") == "127.0.0.1", f"X-Forwarded-For {seen.get('x-forwarded-for')!r}")
                problems.check(seen.get("x-forwarded-proto") == "http", f"X-Forwarded-Proto {seen.get('x-forwarded-proto')!r}")
                problems.check(seen.get("host", "").startswith("127.0.0.1"), f"Host {seen.get('host')!r}")
                problems.check("cache-control" not in api.headers, "nginx added Cache-Control to an API response")
            expect("/health/ready", 200, '"path": "/health/ready"')
            expect("/socket.io/?EIO=4&transport=polling", 200, '"path": "/socket.io/?EIO=4&transport=polling"')
            status_line, ws_headers = websocket_handshake(port, "/socket.io/?EIO=4&transport=websocket")
            problems.check(" 101 " in status_line + " ", f"WebSocket upgrade through nginx: {status_line!r}")
            problems.check(ws_headers.get("x-seen-connection", "").lower() == "upgrade",
                           f"backend saw Connection {ws_headers.get('x-seen-connection')!r}, expected upgrade")

        # the real export, when it has been built (make test builds it for the e2e tests first)
        real = ROOT / "frontend" / "out"
        real_note = "frontend/out not built: layout checked on the fixture only"
        if (real / "index.html").is_file():
            for placeholder in ("exit/_.html", "exit/_.txt", "clients/_.html"):
                problems.check((real / placeholder).is_file(),
                               f"frontend/out/{placeholder} missing: the export's dynamic-route layout changed; update nginx.conf")
            with fake_backend() as backend_port, nginx_serving(real, backend_port) as port:
                for path in ("/", "/exit/2885", "/clients/7", "/orders", "/login"):
                    response = http_get(port, path)
                    problems.check(response.status == 200 and "<html" in response.text.lower(), f"real export: GET {path} → {response.status}")
                    allowed = response.headers.get("content-security-policy", "")
                    missing = [source for source in inline_script_sources(response.text) if source not in allowed]
                    problems.check(not missing, f"real export: GET {path}: inline scripts not in the CSP: {missing}")
                for script in re.findall(r'src="(/_next/static/[^"]+\.js)"', http_get(port, "/").text)[:3]:
                    response = http_get(port, script)
                    problems.check(response.status == 200 and "immutable" in response.headers.get("cache-control", ""),
                                   f"real export: {script} → {response.status}")
            real_note = "and the real frontend/out"
    problems.raise_if_any()
    version = subprocess.run([os.environ["MULTIDESK_INFRA_NGINX"], "-v"], capture_output=True, text=True, check=False).stderr.strip()
    return f"{version}: nginx -t, SPA fallback, `_` placeholders, caching, headers, gzip, proxy + WebSocket on a fixture {real_note}"


# ------------------------------------------------------------------------------------------------ main

CHECKS: list[tuple[str, Callable[[], str]]] = [
    ("yaml-parses", check_yaml_parses),
    ("env-example", check_env_example),
    ("k8s-render", check_k8s_render),
    ("k8s-schema", check_k8s_schema),
    ("k8s-rules", check_k8s_rules),
    ("k8s-settings", check_k8s_settings_values),
    ("compose-schema", check_compose_schema),
    ("compose-rules", check_compose_rules),
    ("compose-settings", check_compose_settings_values),
    ("dockerfile-rules", check_dockerfile_rules),
    ("hadolint", check_hadolint),
    ("workflows", check_workflows),
    ("shellcheck", check_shellcheck),
    ("deploy-script", check_deploy_script),
    ("nginx", check_nginx),
    ("validators-bite", check_validators_bite),
]


def main(argv: list[str]) -> int:
    selected = [c for c in CHECKS if not argv or c[0] in argv]
    unknown = set(argv) - {name for name, _ in CHECKS}
    if unknown:
        print(f"unknown checks: {', '.join(sorted(unknown))}; known: {', '.join(n for n, _ in CHECKS)}", file=sys.stderr)
        return 2
    passed = failed = 0
    started = time.monotonic()
    for name, check in selected:
        t0 = time.monotonic()
        try:
            detail = check()
            passed += 1
            print(f"PASS {name} ({time.monotonic() - t0:.1f}s): {detail}", flush=True)
        except CheckFailed as exc:
            failed += 1
            print(f"FAIL {name} ({time.monotonic() - t0:.1f}s):", flush=True)
            for problem in exc.problems:
                print("  - " + problem.replace("\n", "\n    "), flush=True)
        except Exception as exc:  # a crash in a check is a failure, never a skip
            failed += 1
            print(f"FAIL {name}: {type(exc).__name__}: {exc}", flush=True)
    print(f"infra checks took {time.monotonic() - started:.1f}s")
    print(f"infra: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
