"""The Content-Security-Policy of the web app: no inline script runs unless its exact text is in the policy.

Next.js' static export bootstraps each page with inline scripts (`self.__next_f.push(...)`, the RSC payload), which
differ per page and per build. Each HTML page is therefore answered with its own policy listing the sha256 of every
inline script in that file, computed when the file is first served and again whenever it changes on disk (a
deploy). Every other answer gets the same policy with no inline script allowed at all.

Styles keep 'unsafe-inline': React sets style attributes, and CSS cannot run code. connect-src 'self' also covers
ws:// and wss:// to the same origin (CSP Level 3), which Socket.IO uses.
"""

import base64
import hashlib
import re
from pathlib import Path

_DIRECTIVES = (
    "default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# A script element's opening tag and its body, up to the first closing tag (which HTML ends a script at as well).
_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
_SRC = re.compile(r"\ssrc\s*=", re.IGNORECASE)


def policy(script_hashes: list[str] | None = None) -> str:
    return _DIRECTIVES.format(scripts=" ".join(["'self'", *(script_hashes or [])]))


def inline_script_hashes(html: str) -> list[str]:
    """The CSP source of each distinct inline script, in page order: 'sha256-<base64 of the UTF-8 text>'."""
    hashes: list[str] = []
    for match in _SCRIPT.finditer(html):
        attributes, body = match.groups()
        if _SRC.search(f" {attributes}"):
            continue
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        source = f"'sha256-{digest}'"
        if source not in hashes:
            hashes.append(source)
    return hashes


DEFAULT_POLICY = policy()


class PagePolicies:
    """Per HTML file, its policy; re-read when the file's size or modification time changes."""

    def __init__(self) -> None:
        self._cache: dict[Path, tuple[tuple[int, int], str]] = {}

    def for_page(self, path: Path) -> str:
        stat = path.stat()
        key = (stat.st_mtime_ns, stat.st_size)
        cached = self._cache.get(path)
        if cached is not None and cached[0] == key:
            return cached[1]
        value = policy(inline_script_hashes(path.read_text(encoding="utf-8")))
        self._cache[path] = (key, value)
        return value
