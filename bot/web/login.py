"""Login links, logout and the staff member's language."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from bot.i18n import LANGUAGES
from bot.services.access import logins
from bot.web import security
from bot.web.render import page
from bot.web.security import COOKIE, Checked, runtime_of

router = APIRouter()


@router.get("/login/{token}")
def confirm(request: Request, token: str) -> Response:
    """Only shows who the link is for and a button: a link preview must not use it up."""
    runtime = runtime_of(request)
    waiting = logins.waiting(runtime.db, token, runtime.clock.now())
    if waiting is None:
        return page("link_gone.html", None, status=410)
    return page("login.html", None, lang=waiting.language, waiting=waiting, token=token)


@router.post("/login/{token}")
def log_in(request: Request, token: str) -> Response:
    """The one use of the link: a session, its cookie, and the start page."""
    if not security.same_origin(request):
        raise security.Forbidden()
    runtime = runtime_of(request)
    opened = logins.log_in(runtime.db, token, runtime.clock.now())
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        COOKIE,
        opened.token,
        max_age=int(logins.LONGEST.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=security.secure(request),
        path="/",
    )
    return response


@router.post("/logout")
def log_out(request: Request, staffer: Checked) -> Response:
    runtime = runtime_of(request)
    logins.log_out(runtime.db, request.cookies.get(COOKIE, ""), runtime.clock.now())
    response = page("logged_out.html", None, lang=staffer.language)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.post("/language")
def language(request: Request, staffer: Checked, language: Annotated[str, Form()] = "") -> Response:
    """The staff member's language, for these pages and the bot's messages to them."""
    if language in LANGUAGES:
        logins.set_language(runtime_of(request).db, staffer.staff_id, language)
    return RedirectResponse("/", status_code=303)
