"""Static assets: content-hashed URLs cached for a year, compressed (brotli precompressed, or gzip)."""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

STATIC_DIR = Path(__file__).parent / "static"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
_HASHED = re.compile(r"^(?P<stem>.+)\.(?P<hash>[0-9a-f]{12})(?P<ext>\.[A-Za-z0-9]+)$")
_COMPRESSIBLE = (".js", ".css", ".svg", ".json", ".txt", ".md", ".html", ".map")
_MIN_GZIP = 512


@dataclass(frozen=True)
class _Entry:
    mtime_ns: int
    digest: str
    body: bytes
    gzipped: bytes | None
    brotli: bytes | None


class Assets:
    """The files under one directory, each read once per modification and served from memory."""

    def __init__(self, directory: Path = STATIC_DIR) -> None:
        self.directory = directory.resolve()
        self._cache: dict[str, _Entry] = {}

    def _file(self, relative: str) -> Path | None:
        path = (self.directory / relative).resolve()
        if not path.is_relative_to(self.directory) or not path.is_file() or path.suffix in (".br", ".sha256"):
            return None
        return path

    def _entry(self, relative: str) -> _Entry | None:
        path = self._file(relative)
        if path is None:
            return None
        mtime = path.stat().st_mtime_ns
        cached = self._cache.get(relative)
        if cached is not None and cached.mtime_ns == mtime:
            return cached
        body = path.read_bytes()
        compressible = path.suffix in _COMPRESSIBLE and len(body) >= _MIN_GZIP
        sha256 = hashlib.sha256(body).hexdigest()
        br_path = path.with_name(path.name + ".br")
        seal = path.with_name(path.name + ".br.sha256")
        # a .br beside the file is used only while its seal names the file's current content (git
        # checkouts do not keep modification times, so they cannot tell a stale .br)
        fresh = br_path.is_file() and seal.is_file() and seal.read_text().strip() == sha256
        entry = _Entry(
            mtime_ns=mtime,
            digest=sha256[:12],
            body=body,
            gzipped=gzip.compress(body, compresslevel=9, mtime=0) if compressible else None,
            brotli=br_path.read_bytes() if fresh else None,
        )
        self._cache[relative] = entry
        return entry

    def url(self, relative: str) -> str:
        """`/static/js/api.3f2a9c0d1e4b.js`: the URL changes whenever the content does."""
        entry = self._entry(relative)
        if entry is None:
            return f"/static/{relative}"
        stem, dot, ext = relative.rpartition(".")
        return f"/static/{stem}.{entry.digest}.{ext}" if dot else f"/static/{relative}.{entry.digest}"

    def response(self, relative: str, headers: Headers) -> Response:
        immutable = False
        entry = self._entry(relative)
        if entry is None and (match := _HASHED.match(relative)):
            entry = self._entry(match["stem"] + match["ext"])
            relative = match["stem"] + match["ext"]
            # an old hash still gets the current file, but must not be cached for a year
            immutable = entry is not None and entry.digest == match["hash"]
        if entry is None:
            return Response(status_code=404, content=b"Not Found", media_type="text/plain")
        etag = f'"{entry.digest}"'
        out = {
            "Cache-Control": IMMUTABLE if immutable else REVALIDATE,
            "ETag": etag,
            "Vary": "Accept-Encoding",
            "X-Content-Type-Options": "nosniff",
        }
        if headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=out)
        media_type = mimetypes.guess_type(relative)[0] or "application/octet-stream"
        if media_type.startswith("text/") or media_type in ("application/javascript", "image/svg+xml"):
            media_type += "; charset=utf-8"
        accepted = {p.split(";")[0].strip() for p in headers.get("accept-encoding", "").split(",")}
        body = entry.body
        if entry.brotli is not None and "br" in accepted:
            body, out["Content-Encoding"] = entry.brotli, "br"
        elif entry.gzipped is not None and "gzip" in accepted:
            body, out["Content-Encoding"] = entry.gzipped, "gzip"
        return Response(content=body, headers=out, media_type=media_type)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The ASGI app mounted at /static."""
        if scope["method"] not in ("GET", "HEAD"):
            response = Response(status_code=405, headers={"Allow": "GET, HEAD"})
        else:
            path, root = scope["path"], scope.get("root_path", "")
            relative = (path[len(root) :] if root and path.startswith(root) else path).lstrip("/")
            response = self.response(relative, Headers(scope=scope))
        if scope["method"] == "HEAD":
            response.body = b""
        await response(scope, receive, send)


assets = Assets()
