"""Pages in the staff member's language: Jinja2 templates whose texts go through the same
gettext catalogs as the bot's, with CLDR dates and numbers, right-to-left for Arabic."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.responses import HTMLResponse

from bot.i18n import (
    LANGUAGES,
    _,
    current_locale,
    format_day,
    format_number,
    format_when,
    is_rtl,
    language_name,
    ngettext,
    use_locale,
)
from bot.services.access.logins import Staffer

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


def _when(moment: datetime | None, zone: ZoneInfo) -> str:
    return format_when(moment, zone) if moment is not None else ""


def _day(day: date | datetime | None, zone: ZoneInfo | None = None) -> str:
    if day is None:
        return ""
    if isinstance(day, datetime):
        day = day.astimezone(zone).date() if zone is not None else day.date()
    return format_day(day, with_year=True)


environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html", "svg"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
environment.globals.update(
    _=_,
    ngettext=ngettext,
    number=format_number,
    when=_when,
    day=_day,
    language_name=language_name,
    LANGUAGES=LANGUAGES,
)


def page(
    template: str,
    staffer: Staffer | None,
    status: int = 200,
    lang: str | None = None,
    **values: Any,
) -> HTMLResponse:
    """A whole page (or an htmx fragment) in the reader's language."""
    language = lang or (staffer.language if staffer else LANGUAGES[0])
    with use_locale(language):
        html = environment.get_template(template).render(
            staffer=staffer,
            lang=current_locale(),
            rtl=is_rtl(current_locale()),
            zone=staffer.zone if staffer else ZoneInfo("Europe/Amsterdam"),
            **values,
        )
    return HTMLResponse(html, status_code=status)
