"""Serves the built Next.js export from the same port as the API, including deep links to dynamic pages.

Dynamic routes (e.g. /exit/[tokenId]) are exported once with the placeholder segment `_`
(out/exit/_.html, out/exit/_.txt, out/exit/_/...); a request for /exit/2885 is answered with that file
and the page reads the real value from the URL.
"""

import re
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse

from app.api.errors import error_response
from app.security.csp import PagePolicies

_NOT_SPA = ("api/", "health/", "socket.io/", "metrics")
_PLACEHOLDER = "_"
# No file of the export has a path this long or a name past the filesystem's limit: such a request is a 404
# before it reaches the filesystem (which would raise on it, as it does on a NUL byte).
_MAX_PATH = 1024
_MAX_NAME = 255


def _shown(path: str) -> str:
    """The path as quoted back in a 404: a hostile one is not echoed whole."""
    return path if len(path) <= 200 else f"{path[:200]}..."


class SpaFiles:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._dynamic = self._placeholder_routes() if self.root.is_dir() else []

    def _placeholder_routes(self) -> list[tuple[re.Pattern[str], Path]]:
        routes = []
        for path in sorted(self.root.rglob("*")):
            parts = path.relative_to(self.root).parts
            is_placeholder = [part == _PLACEHOLDER or part.startswith(f"{_PLACEHOLDER}.") for part in parts]
            if path.is_file() and any(is_placeholder):
                pattern = "/".join(
                    "[^/.]+" + re.escape(part[1:]) if placeholder else re.escape(part)
                    for part, placeholder in zip(parts, is_placeholder, strict=True)
                )
                routes.append((re.compile(pattern), path))
        return routes

    def find(self, path: str) -> Path | None:
        if len(path) > _MAX_PATH or "\x00" in path or any(len(part) > _MAX_NAME for part in path.split("/")):
            return None
        candidates = (path, f"{path}.html", f"{path}/index.html")
        for candidate in candidates:
            try:
                resolved = (self.root / candidate).resolve()
                found = resolved.is_file() and resolved.is_relative_to(self.root)
            except (OSError, ValueError):
                # Whatever else the filesystem refuses to look up is not a file we serve.
                continue
            if found:
                return resolved
        for candidate in candidates:
            for pattern, file in self._dynamic:
                if pattern.fullmatch(candidate):
                    return file
        return None


def mount_spa(app: FastAPI, static_dir: Path) -> None:
    files = SpaFiles(static_dir)
    policies = PagePolicies()

    def page_headers(page: Path) -> dict[str, str]:
        # Each page allows exactly its own inline bootstrap scripts (app/security/csp.py).
        return {"Content-Security-Policy": policies.for_page(page)} if page.suffix == ".html" else {}

    @app.api_route("/{path:path}", methods=["GET", "HEAD"], include_in_schema=False, response_model=None)
    async def spa(path: str, request: Request) -> FileResponse | JSONResponse:
        if path.startswith(_NOT_SPA):
            return error_response(404, "NOT_FOUND", f"No such endpoint: /{_shown(path)}")
        index = files.root / "index.html"
        if not index.is_file():
            return error_response(
                503, "FRONTEND_NOT_BUILT", "The web app is not built; run `make run` (or `npm run build` in frontend/)."
            )
        found = files.find(path.strip("/")) if path.strip("/") else index
        if found is None:
            # A missing script or asset must not be answered with an HTML page.
            if path.startswith("_next/") or Path(path).suffix:
                return error_response(404, "NOT_FOUND", f"No such file: /{_shown(path)}")
            not_found = files.root / "404.html"
            page = not_found if not_found.is_file() else index
            return FileResponse(page, status_code=404, headers=page_headers(page))
        # Hashed build assets never change; pages must be re-read so a deploy shows at once.
        cache = "public, max-age=31536000, immutable" if path.startswith("_next/static/") else "no-cache"
        media_type = "text/plain; charset=utf-8" if found.suffix == ".txt" else None
        return FileResponse(found, headers={"Cache-Control": cache, **page_headers(found)}, media_type=media_type)
