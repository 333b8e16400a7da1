"""Appointments and attendance on the web: make, move and cancel a participant's appointments
on their page (the same use cases as /afspraak and /afspraken: reminders follow, the
participant is told once, in their language), and a day's attendance per place (/today, as
/vandaag) with came, did not come and excused. Each form works without JavaScript; htmx swaps
the changed part in place."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from bot.i18n import use_locale
from bot.refusals import explain
from bot.services.access.logins import Staffer
from bot.services.appointments import booking, changing, day_list
from bot.services.appointments.attendance import STATUS_NAMES
from bot.services.appointments.reminder_texts import KINDS
from bot.services.appointments.rescheduling import Changed
from bot.services.errors import Refused
from bot.web.coach import participant_page
from bot.web.render import page
from bot.web.security import Checked, Me, runtime_of

router = APIRouter()
MARKS: dict[str, Literal["present", "absent", "excused"]] = {
    "present": "present",
    "absent": "absent",
    "excused": "excused",
}


def _htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def _agenda(
    request: Request, staffer: Staffer, participant_id: int, status: int = 200, **said: Any
) -> Response:
    """The appointments part of the participant's page (htmx), or the whole page."""
    if not _htmx(request):
        return participant_page(request, staffer, participant_id, status=status, **said)
    runtime = runtime_of(request)
    now = runtime.clock.now()
    found = changing.agenda(runtime.db, staffer.scope, participant_id, now, staffer.zone)
    today = now.astimezone(staffer.zone).date()
    return page("_agenda.html", staffer, a=found, kinds=KINDS, today=today, **said)


def _done(
    request: Request, staffer: Staffer, participant_id: int, action: str, done: Changed
) -> Response:
    """After a change: the part in place (htmx), or back to the page, which says what happened."""
    if _htmx(request):
        with use_locale(staffer.language):
            said = done.said(action)
        return _agenda(request, staffer, participant_id, said=said)
    told = "1" if done.told else "0"
    address = f"/participants/{participant_id}?done={action}&told={told}#agenda"
    return RedirectResponse(address, status_code=303)


def _refused(
    request: Request, staffer: Staffer, participant_id: int, error: Refused, **kept: Any
) -> Response:
    """A refusal, said kindly above the form that was sent, which keeps what was typed; htmx
    only swaps a 200."""
    with use_locale(staffer.language):
        said = explain(error)
    status = 200 if _htmx(request) else 400
    return _agenda(request, staffer, participant_id, status=status, refused=said, **kept)


@router.post("/participants/{participant_id}/appointments")
def make(
    request: Request,
    participant_id: int,
    staffer: Checked,
    day: Annotated[str, Form()] = "",
    time: Annotated[str, Form()] = "",
    location: Annotated[int, Form()] = 0,
    kind: Annotated[str, Form()] = "",
    notes: Annotated[str, Form()] = "",
) -> Response:
    """A new appointment: saved with its reminders, and the participant is told once."""
    runtime = runtime_of(request)
    kept = {"day": day, "time": time, "location": location, "kind": kind, "notes": notes}
    try:
        start = booking.local_moment(day, time, staffer.zone)
        done = booking.make(
            runtime.db,
            staffer.scope,
            participant_id,
            kind,
            start,
            location,
            runtime.clock.now(),
            staffer.zone,
            runtime.settings.quiet,
            notes,
        )
    except Refused as error:
        return _refused(request, staffer, participant_id, error, opened="new", kept=kept)
    return _done(request, staffer, participant_id, "make", done)


@router.post("/participants/{participant_id}/appointments/{appointment_id}/move")
def move(
    request: Request,
    participant_id: int,
    appointment_id: int,
    staffer: Checked,
    at: Annotated[int, Form()] = 0,
    day: Annotated[str, Form()] = "",
    time: Annotated[str, Form()] = "",
) -> Response:
    """One occurrence to a new day and time: its reminders are timed anew."""
    runtime = runtime_of(request)
    try:
        start = booking.local_moment(day, time, staffer.zone)
        done = changing.move(
            runtime.db,
            staffer.scope,
            appointment_id,
            at,
            start,
            runtime.clock.now(),
            staffer.zone,
            runtime.settings.quiet,
        )
    except Refused as error:
        opened = f"{appointment_id}-{at}"
        kept = {"day": day, "time": time}
        return _refused(request, staffer, participant_id, error, opened=opened, kept=kept)
    return _done(request, staffer, participant_id, "move", done)


@router.post("/participants/{participant_id}/appointments/{appointment_id}/cancel")
def cancel(
    request: Request,
    participant_id: int,
    appointment_id: int,
    staffer: Checked,
    at: Annotated[int, Form()] = 0,
) -> Response:
    """One occurrence cancelled (after the question on the page): its reminders go."""
    runtime = runtime_of(request)
    try:
        done = changing.cancel(
            runtime.db,
            staffer.scope,
            appointment_id,
            at,
            runtime.clock.now(),
            staffer.zone,
            runtime.settings.quiet,
        )
    except Refused as error:
        return _refused(request, staffer, participant_id, error)
    return _done(request, staffer, participant_id, "cancel", done)


def _day(text: str | None, today: date) -> date:
    """`?day=YYYY-MM-DD`; today when absent or not a day."""
    try:
        return date.fromisoformat(text) if text else today
    except ValueError:
        return today


@router.get("/today")
def today(request: Request, staffer: Me) -> Response:
    """A day's attendance per place, in time order (today unless `?day=` says another)."""
    runtime = runtime_of(request)
    now = runtime.clock.now()
    day = _day(request.query_params.get("day"), now.astimezone(staffer.zone).date())
    sheet = day_list.sheet(runtime.db, staffer.scope, day, now, staffer.zone)
    return page("today.html", staffer, sheet=sheet, kinds=KINDS, statuses=STATUS_NAMES)


@router.post("/today/mark")
def mark(
    request: Request,
    staffer: Checked,
    appointment: Annotated[int, Form()] = 0,
    at: Annotated[int, Form()] = 0,
    status: Annotated[str, Form()] = "",
) -> Response:
    """Came, did not come or excused for one person; changing a mark is a correction."""
    runtime = runtime_of(request)
    if status not in MARKS:
        return page("error.html", staffer, status=400, said=None)
    now = runtime.clock.now()
    try:
        row = day_list.mark_row(
            runtime.db, staffer.scope, appointment, at, MARKS[status], now, staffer.zone
        )
    except Refused as error:
        if not _htmx(request):
            raise
        with use_locale(staffer.language):
            said = explain(error)
        return page("_mark_refused.html", staffer, said=said, appointment=appointment, at=at)
    day = (row.expected.start if row else now).astimezone(staffer.zone).date()
    if row is None or not _htmx(request):
        anchor = f"#row-{appointment}-{at}" if row else ""
        return RedirectResponse(f"/today?day={day.isoformat()}{anchor}", status_code=303)
    return page("_mark_row.html", staffer, r=row, markable=True, kinds=KINDS, statuses=STATUS_NAMES)
