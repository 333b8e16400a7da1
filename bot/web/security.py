"""Who is asking, and may they: the session cookie, the Origin and CSRF checks every POST
passes, and the security headers every answer carries."""

from __future__ import annotations

import hmac
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.responses import Response

from bot.runtime import Runtime
from bot.services.access import logins
from bot.services.access.logins import Staffer

COOKIE = "wegwijzer_session"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    # Not "no-referrer": Chromium then sends `Origin: null` on our own form posts.
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


class LoggedOut(Exception):
    """No live session: the page says how to get a login link."""


class Forbidden(Exception):
    """A POST from another site, or without this session's CSRF token."""


class SecurityHeaders(BaseHTTPMiddleware):
    """Every answer: the headers above; pages are never cached (they show people's data)."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def base_origin(request: Request) -> str:
    """scheme://host[:port] of WEB_BASE_URL, or of the request when that is not set."""
    configured = runtime_of(request).settings.web_base_url
    parts = urlsplit(configured or str(request.base_url))
    return f"{parts.scheme}://{parts.netloc}".lower()


def secure(request: Request) -> bool:
    """The cookie gets Secure when the app is reached over https."""
    return base_origin(request).startswith("https://")


def same_origin(request: Request) -> bool:
    """A POST must come from our own pages: Origin (or, failing that, Referer) is ours."""
    sent = request.headers.get("origin") or request.headers.get("referer") or ""
    if not sent or sent == "null":
        return False
    parts = urlsplit(sent)
    return f"{parts.scheme}://{parts.netloc}".lower() == base_origin(request)


def current(request: Request) -> Staffer:
    """The logged-in staff member (a dependency of every staff page)."""
    runtime = runtime_of(request)
    found = logins.current(runtime.db, request.cookies.get(COOKIE, ""), runtime.clock.now())
    if found is None:
        raise LoggedOut()
    return found


async def checked(request: Request) -> Staffer:
    """`current`, for a POST: from our own origin and with this session's CSRF token (a form
    field `csrf` or the header htmx sends)."""
    staffer = current(request)
    if not same_origin(request):
        raise Forbidden()
    sent = request.headers.get("x-csrf-token")
    if sent is None:
        form = await request.form()
        value = form.get("csrf")
        sent = value if isinstance(value, str) else ""
    if not hmac.compare_digest(sent.encode(), staffer.csrf.encode()):
        raise Forbidden()
    return staffer


Me = Annotated[Staffer, Depends(current)]  # a page for any logged-in staff member
Checked = Annotated[Staffer, Depends(checked)]  # a POST from one of our own pages
