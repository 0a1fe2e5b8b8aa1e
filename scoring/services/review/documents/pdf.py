"""A PDF of an issued document, converted from its recorded DOCX by LibreOffice when it is installed.

The DOCX stays the record (its hash is what was issued); the PDF is a rendering of those exact bytes,
made on request in a private temporary directory (its own LibreOffice profile, so conversions never
share state) with a timeout, and remembered by the DOCX's hash for the life of the process.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path

from scoring.core.errors import Conflict, NotFound
from scoring.core.i18n import msg

RENDERERS = ("soffice", "libreoffice")
TIMEOUT_SECONDS = 90
_KEEP = 32  # PDFs remembered, by the hash of their DOCX

_lock = threading.Lock()
_made: OrderedDict[str, bytes] = OrderedDict()


def renderer() -> str | None:
    """The LibreOffice executable on this server, or None when none is installed."""
    for name in RENDERERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def available() -> bool:
    return renderer() is not None


def to_pdf(docx: bytes, sha256: str) -> bytes:
    """The PDF of the DOCX whose hash is given; NotFound without a renderer, Conflict when it fails."""
    with _lock:
        hit = _made.get(sha256)
        if hit is not None:
            _made.move_to_end(sha256)
            return hit
    program = renderer()
    if program is None:
        raise NotFound(msg("No PDF renderer is installed on this server; download the DOCX instead."))
    with tempfile.TemporaryDirectory(prefix="sc-pdf-") as tmp:
        folder = Path(tmp)
        source = folder / "document.docx"
        source.write_bytes(docx)
        command = [
            program,
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(source),
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=TIMEOUT_SECONDS, check=False, cwd=folder)
        except (subprocess.TimeoutExpired, OSError):
            raise _failed() from None
        target = folder / "document.pdf"
        content = target.read_bytes() if target.exists() else b""
    if not content.startswith(b"%PDF"):
        raise _failed()
    with _lock:
        _made[sha256] = content
        while len(_made) > _KEEP:
            _made.popitem(last=False)
    return content


def _failed() -> Conflict:
    return Conflict(msg("The PDF could not be made; download the DOCX instead."), code="pdf_failed")
