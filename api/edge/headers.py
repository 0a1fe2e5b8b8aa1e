"""Security headers on every response: a strict CSP, no framing, nosniff, and no-store when authenticated."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.edge.docs import DOCS_PATHS

# No inline script anywhere: scripts are files under /static/; page data travels in
# <script type="application/json"> blocks, which are never executed. Inline style *attributes* stay
# allowed (bar widths, chart heights); <style> elements do not.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# Swagger UI and ReDoc inject <style> elements; ReDoc runs its search in a blob: worker.
DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), usb=(), xr-spatial-tracking=()"
)
HSTS = "max-age=31536000; includeSubDomains"
_SESSION_COOKIE = b"sc_session="


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, secure: bool) -> None:
        """`secure` (COOKIE_SECURE: served over HTTPS): HSTS, and every cookie the service sets is
        Secure, the pre-login CSRF and language cookies included."""
        self.app = app
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        authenticated = not path.startswith("/static/") and _carries_credentials(scope)
        csp = DOCS_CSP if path in DOCS_PATHS else CSP

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                # A response may bring its own, stricter policy (a PDF preview's sandbox).
                headers.setdefault("Content-Security-Policy", csp)
                headers.setdefault("X-Frame-Options", "DENY")
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "same-origin"
                headers["Permissions-Policy"] = PERMISSIONS_POLICY
                headers["Cross-Origin-Opener-Policy"] = "same-origin"
                if self.secure:
                    headers["Strict-Transport-Security"] = HSTS
                    message["headers"] = _secure_cookies(message["headers"])
                    headers = MutableHeaders(scope=message)
                if authenticated or "set-cookie" in headers:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _carries_credentials(scope: Scope) -> bool:
    for name, value in scope.get("headers") or ():
        if name == b"authorization":
            return True
        if name == b"cookie" and _SESSION_COOKIE in value:
            return True
    return False


def _secure_cookies(raw: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    out = []
    for name, value in raw:
        if name.lower() == b"set-cookie" and b"; secure" not in value.lower():
            value += b"; Secure"
        out.append((name, value))
    return out
