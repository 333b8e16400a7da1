"""Pages for an organisation's admins: the impact report with its charts, and its PDF and
CSV. The figures come from the one module the command line and the PDF share."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from bot.i18n import use_locale
from bot.reporting import formats
from bot.services import audit, organisations
from bot.services.access.logins import Staffer
from bot.services.impact.report import Period, impact
from bot.services.impact.rules import SMALLEST_BASE
from bot.web.charts import bar
from bot.web.render import page
from bot.web.security import Checked, Me, runtime_of

router = APIRouter()


class NotAdmin(Exception):
    """A coach asked for an admin page."""


def admin(staffer: Me) -> Staffer:
    if not staffer.admin:
        raise NotAdmin()
    return staffer


Admin = Annotated[Staffer, Depends(admin)]


def checked_admin(staffer: Checked) -> Staffer:
    """`admin`, for a POST: from our own pages (Origin and CSRF) and by an admin."""
    if not staffer.admin:
        raise NotAdmin()
    return staffer


CheckedAdmin = Annotated[Staffer, Depends(checked_admin)]


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _asked(request: Request, staffer: Staffer) -> tuple[Period, str | None, list[tuple[str, str]]]:
    query = request.query_params
    known = organisations.programmes(runtime_of(request).db, staffer.organisation_id)
    programme = query.get("programme") or None
    if programme not in {slug for slug, _name in known}:
        programme = None
    start, end = _day(query.get("from")), _day(query.get("to"))
    if start and end and start > end:
        start, end = end, start
    return Period(start, end), programme, known


@router.get("/report")
def report(request: Request, staffer: Admin) -> Response:
    runtime = runtime_of(request)
    period, programme, known = _asked(request, staffer)
    figures = impact(runtime.db, staffer.slug, period, programme)
    audit.noted(runtime.db, runtime.clock.now(), "report_viewed", staffer.staff_id)
    with use_locale(staffer.language):
        rows = formats.rows(figures)
    charted = [(*row, bar(row[3] / row[4] if row[4] >= SMALLEST_BASE else None)) for row in rows]
    return page(
        "report.html",
        staffer,
        rows=charted,
        headers=formats.HEADERS,
        period=period,
        programme=programme,
        programmes=known,
        query=request.url.query,
        smallest=SMALLEST_BASE,
    )


@router.get("/report.{kind}")
def download(request: Request, kind: str, staffer: Admin) -> Response:
    """The same figures as PDF or CSV (Dutch Excel), for the funder."""
    if kind not in ("pdf", "csv"):
        return page("error.html", staffer, status=404, said=None)
    runtime = runtime_of(request)
    period, programme, _known = _asked(request, staffer)
    figures = impact(runtime.db, staffer.slug, period, programme)
    audit.noted(runtime.db, runtime.clock.now(), f"report_{kind}", staffer.staff_id)
    with use_locale(staffer.language):
        if kind == "pdf":
            body: bytes | str = formats.as_pdf(figures)
            media = "application/pdf"
        else:
            body, media = formats.as_csv(figures), "text/csv; charset=utf-8"
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="impact.{kind}"'},
    )
