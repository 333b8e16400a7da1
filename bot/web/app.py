"""The web app: FastAPI with Jinja2 pages and htmx (served from our own files, never a CDN).
`wegwijzer web` runs it as its own process on the same database as the bot."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.responses import Response

from bot.i18n import _, use_locale
from bot.refusals import explain
from bot.runtime import Runtime
from bot.services.errors import DomainError
from bot.web import admin, agenda, coach, login, organisation
from bot.web import setup as organisation_setup
from bot.web.render import STATIC, page
from bot.web.security import Forbidden, LoggedOut, SecurityHeaders, current


def _reader(request: Request) -> str:
    """The language of an error page: the staff member's if they are logged in."""
    try:
        return current(request).language
    except LoggedOut:
        return "nl"


@asynccontextmanager
async def _lifespan(_app: FastAPI) -> AsyncIterator[None]:
    """At start-up, move everything imported so far (SQLAlchemy, Jinja2, Babel, dateutil: the
    long-lived bulk of the heap) out of the garbage collector's reach. Otherwise every full
    collection walks it again, and the page that triggers one, often right after an admin's
    large page, paid 100 ms and more for it (bench.dashboard: coach p95 139 → 36 ms). At
    shutdown they are handed back, so an app made and stopped in-process leaks nothing."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def create_app(runtime: Runtime) -> FastAPI:
    app = FastAPI(
        title="Wegwijzer", docs_url=None, redoc_url=None, openapi_url=None, lifespan=_lifespan
    )
    app.state.runtime = runtime
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(login.router)
    app.include_router(coach.router)
    app.include_router(agenda.router)
    app.include_router(admin.router)
    app.include_router(organisation.router)
    app.include_router(organisation_setup.router)

    @app.exception_handler(LoggedOut)
    def logged_out(request: Request, _error: LoggedOut) -> Response:
        response = page("login_needed.html", None, status=401)
        if request.headers.get("hx-request") == "true":
            response.headers["HX-Redirect"] = "/"
        return response

    @app.exception_handler(Forbidden)
    def forbidden(request: Request, _error: Forbidden) -> Response:
        with use_locale(_reader(request)):
            said = _("This page was out of date. Please open it again and try once more.")
        return page("error.html", None, status=403, lang=_reader(request), said=said)

    @app.exception_handler(admin.NotAdmin)
    def not_admin(request: Request, _error: admin.NotAdmin) -> Response:
        staffer = current(request)
        with use_locale(staffer.language):
            said = _("Only an admin of your organisation can open this page.")
        return page("error.html", staffer, status=403, said=said)

    @app.exception_handler(DomainError)
    def refused(request: Request, error: DomainError) -> Response:
        """A refusal from a service, in the reader's language (another organisation's
        participant looks like nobody: 404)."""
        try:
            staffer = current(request)
        except LoggedOut:
            staffer = None
        with use_locale(staffer.language if staffer else "nl"):
            said = explain(error)
        status = 410 if request.url.path.startswith("/login/") else 404
        if request.headers.get("hx-request") == "true":
            return page("_done.html", staffer, status=200, said=said)
        return page("error.html", staffer, status=status, said=said)

    @app.exception_handler(HTTPException)
    def not_found(request: Request, error: HTTPException) -> Response:
        lang = _reader(request)
        with use_locale(lang):
            said = _("This page does not exist.") if error.status_code == 404 else None
        return page("error.html", None, status=error.status_code, lang=lang, said=said)

    @app.exception_handler(RequestValidationError)
    def bad_request(request: Request, _error: RequestValidationError) -> Response:
        lang = _reader(request)
        with use_locale(lang):
            said = _("This page does not exist.")
        return page("error.html", None, status=404, lang=lang, said=said)

    return app
