"""Stored names of evidence files: a safe stem and the extension of the type sniffed from the content."""

from __future__ import annotations

import re
import unicodedata

EXTENSIONS = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,16}$")
_NOT_STEM = re.compile(r"[^\w\-() （）]+")
_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')


def clean_name(original: str) -> str:
    """The uploader's file name without directories or control characters, at most 255 characters."""
    name = unicodedata.normalize("NFC", original).replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_NAME.sub("_", name).strip(" .")
    if len(name) > 255:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 255 - len(ext) - 1] + dot + ext) if dot and len(ext) <= 16 else name[:255]
    return name or "file"


def stored_name(clean: str, content_type: str) -> str:
    """`clean` (already without directories or control characters) with whatever extension the
    client gave replaced by the sniffed type's, and no other dot left in the stem: an HTML file with
    a PDF header is kept as `x.pdf`, never `x.html` or `x.html.pdf`."""
    extension = EXTENSIONS.get(content_type, ".bin")
    stem = _EXTENSION.sub("", clean)
    stem = _NOT_STEM.sub("_", stem).strip(" _") or "file"
    return stem[: 255 - len(extension)] + extension
