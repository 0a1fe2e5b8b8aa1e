"""Stored names of evidence files: a safe stem and the extension of the type sniffed from the content."""

from __future__ import annotations

import re

EXTENSIONS = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,16}$")
_NOT_STEM = re.compile(r"[^\w\-() （）]+")


def stored_name(clean: str, content_type: str) -> str:
    """`clean` (already without directories or control characters) with whatever extension the
    client gave replaced by the sniffed type's, and no other dot left in the stem: an HTML file with
    a PDF header is kept as `x.pdf`, never `x.html` or `x.html.pdf`."""
    extension = EXTENSIONS.get(content_type, ".bin")
    stem = _EXTENSION.sub("", clean)
    stem = _NOT_STEM.sub("_", stem).strip(" _") or "file"
    return stem[: 255 - len(extension)] + extension
