"""Evidence file responses: never rendered by the browser as a page of ours, never cached."""

from __future__ import annotations

from pathlib import Path

from fastapi.responses import FileResponse

from scoring.services.admin.upload_names import stored_name
from scoring.store.models import Attachment

# Downloads: nothing in them may run or load anything, whatever a browser makes of the bytes.
DOWNLOAD_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'"
# PDF previews: Chromium refuses to start its PDF viewer in a document under CSP `sandbox`, so the
# preview relies on the type (application/pdf, nosniff: never parsed as HTML) and on the viewer's
# own isolation; it still may load nothing and be framed by nobody.
PREVIEW_CSP = (
    "default-src 'none'; object-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def file_response(att: Attachment, path: Path, *, preview: bool) -> FileResponse:
    """`preview`: a PDF opens in the browser's viewer; everything else is always a download."""
    inline = preview and att.content_type == "application/pdf"
    return FileResponse(
        path,
        media_type=att.content_type,
        filename=stored_name(att.original_name, att.content_type),
        content_disposition_type="inline" if inline else "attachment",
        headers={
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
            "Content-Security-Policy": PREVIEW_CSP if inline else DOWNLOAD_CSP,
        },
    )
