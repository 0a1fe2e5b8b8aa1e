"""Static assets: hashed URLs cached for a year, compressed on request, the favicon, the ECharts build."""

from __future__ import annotations

import gzip
import hashlib
import re
from typing import Any

from web.assets import IMMUTABLE, STATIC_DIR, assets

HASHED_URL = re.compile(r"^/static/css/app\.[0-9a-f]{12}\.css$")


def test_the_url_carries_the_content_hash_and_is_cached_for_a_year(client: Any) -> None:
    url = assets.url("css/app.css")
    assert HASHED_URL.match(url), url
    body = (STATIC_DIR / "css/app.css").read_bytes()
    assert url == f"/static/css/app.{hashlib.sha256(body).hexdigest()[:12]}.css"
    resp = client.get(url, headers={"Accept-Encoding": "identity"})
    assert resp.status_code == 200
    assert resp.headers["cache-control"] == IMMUTABLE
    assert resp.headers["content-type"] == "text/css; charset=utf-8"
    assert resp.content == body


def test_a_stale_hash_or_a_plain_name_gets_the_file_but_must_revalidate(client: Any) -> None:
    stale = client.get("/static/css/app.000000000000.css", headers={"Accept-Encoding": "identity"})
    plain = client.get("/static/css/app.css", headers={"Accept-Encoding": "identity"})
    assert (stale.status_code, plain.status_code) == (200, 200)
    assert stale.headers["cache-control"] == plain.headers["cache-control"] == "no-cache"
    again = client.get("/static/css/app.css", headers={"If-None-Match": plain.headers["etag"]})
    assert again.status_code == 304


def test_text_assets_are_gzipped_when_asked_and_plain_otherwise(client: Any) -> None:
    body = (STATIC_DIR / "js/scoresheet.js").read_bytes()
    zipped = client.get(assets.url("js/scoresheet.js"), headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.headers["vary"] == "Accept-Encoding"
    assert int(zipped.headers["content-length"]) < len(body) // 2
    assert zipped.content == body  # httpx decodes it: the same bytes arrive
    plain = client.get(assets.url("js/scoresheet.js"), headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert int(plain.headers["content-length"]) == len(body)
    assert gzip.decompress(gzip.compress(body)) == body


def test_echarts_is_the_custom_build_sent_brotli_compressed_under_160_kb(client: Any) -> None:
    resp = client.get(assets.url("vendor/echarts.min.js"), headers={"Accept-Encoding": "br"})
    assert resp.headers["content-encoding"] == "br"
    assert int(resp.headers["content-length"]) < 160_000
    source = (STATIC_DIR / "vendor/echarts.min.js").read_bytes()
    seal = (STATIC_DIR / "vendor/echarts.min.js.br.sha256").read_text().strip()
    assert seal == hashlib.sha256(source).hexdigest()  # the .br was built from this very file
    assert source.startswith(b"/*! Apache ECharts 5.6.0")
    assert len(source) < 600_000  # the full build is 1,034,102 bytes


def test_paths_outside_the_directory_and_unknown_files_are_404(client: Any) -> None:
    assert client.get("/static/../api/app.py").status_code == 404
    assert client.get("/static/%2e%2e/web/assets.py").status_code == 404
    assert client.get("/static/js/nothing.js").status_code == 404
    assert client.get("/static/vendor/echarts.min.js.br").status_code == 404
    assert client.get("/static/vendor/echarts.min.js.br.sha256").status_code == 404
    assert client.post("/static/css/app.css").status_code == 405


def test_the_favicon_is_served_at_the_root_and_linked_from_every_page(client: Any) -> None:
    resp = client.get("/favicon.ico")
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "image/svg+xml; charset=utf-8"
    assert resp.content.startswith(b"<svg")
    home = client.get("/login").text
    assert f'<link rel="icon" href="{assets.url("favicon.svg")}" type="image/svg+xml">' in home
    assert f'href="{assets.url("css/app.css")}"' in home
