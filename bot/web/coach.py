"""The coach's pages: the triage board, the caseload table (and its CSV) and a participant's
page. Every figure comes from the same services as Telegram, in the coach's scope."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from bot.i18n import _, format_when, use_locale
from bot.services import csvfiles
from bot.services.access.logins import Staffer
from bot.services.appointments.attendance import STATUS_NAMES
from bot.services.appointments.reminder_texts import KINDS
from bot.services.appointments.rescheduling import Changed
from bot.services.checkins.signals import DOMAIN_NAMES
from bot.services.coaching import alert_handling, inbox, replies
from bot.services.coaching.questions import TOPICS
from bot.services.people import caseload_table, dossier
from bot.services.people.caseload_table import Filter
from bot.services.people.participants import OUTFLOW_NAMES, PHASE_NAMES
from bot.web.charts import HEIGHT, WIDTH, panels, y_of
from bot.web.render import page
from bot.web.security import Checked, Me, runtime_of

router = APIRouter()
BOARD = 100  # alerts on the board, urgent and longest waiting first; the rest is counted
QUESTIONS = ("question", "crisis")  # alerts a coach answers with a message
DONE = ("make", "move", "cancel")  # what `?done=` after a change to an appointment may say


def _htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


@router.get("/")
def board(request: Request, staffer: Me) -> Response:
    """Who needs attention today and why: urgent first, then longest waiting."""
    runtime = runtime_of(request)
    with use_locale(staffer.language):
        found = alert_handling.open_alerts(runtime.db, staffer.scope, runtime.clock.now(), BOARD)
    return page(
        "board.html",
        staffer,
        inbox=found,
        miss_you=inbox.MISS_YOU,
        topics=_topics(request, staffer, found),
    )


def _topics(
    request: Request, staffer: Staffer, found: alert_handling.Inbox
) -> list[tuple[str, str]]:
    """The organisation's answers a coach can send under a question, (topic, label): only
    looked up when the board shows a question."""
    if not any(item.kind in QUESTIONS for item in found.items):
        return []
    runtime = runtime_of(request)
    with use_locale(staffer.language):
        return [
            (topic, _(TOPICS[topic]))
            for topic in replies.answer_topics(runtime.db, staffer.scope, runtime.answers)
        ]


@router.post("/alerts/{alert_id}/answer")
def answer(
    request: Request,
    alert_id: int,
    staffer: Checked,
    topic: Annotated[str, Form()] = "",
    words: Annotated[str, Form(max_length=10_000)] = "",
) -> Response:
    """Answer a question from the board: one of the organisation's answers (it goes out in the
    participant's own language) or the coach's own words."""
    runtime = runtime_of(request)
    with use_locale(staffer.language):
        name = replies.answer_open_question(
            runtime.db,
            staffer.scope,
            alert_id,
            runtime.clock.now(),
            words=words,
            topic=topic,
            book=runtime.answers,
            zone=staffer.zone,
        )
        said = _("Your answer to {name} is on its way.", name=name)
    if not _htmx(request):
        return RedirectResponse("/", status_code=303)
    return page("_done.html", staffer, said=said)


@router.post("/alerts/{alert_id}/act")
def act(
    request: Request,
    alert_id: int,
    staffer: Checked,
    action: Annotated[str, Form()] = "",
) -> Response:
    """I called them, snooze two days, or resolve: in place on the board."""
    runtime = runtime_of(request)
    if action not in inbox.ACTIONS:
        return page("_done.html", staffer, status=400, said=_("Choose one of the buttons."))
    with use_locale(staffer.language):
        acted = alert_handling.act(runtime.db, staffer.scope, alert_id, action, runtime.clock.now())
        said = {
            "called": _("Noted: you called {name}.", name=acted.item.name),
            "snooze": _(
                "{name} is back on the board on {when}.",
                name=acted.item.name,
                when=format_when(acted.snoozed_until, staffer.zone) if acted.snoozed_until else "",
            ),
            "resolve": _("Resolved: {name}.", name=acted.item.name),
        }[action]
    if not _htmx(request):
        return RedirectResponse("/", status_code=303)
    return page("_done.html", staffer, said=said, item=acted.item)


@router.post("/alerts/{alert_id}/miss-you")
def miss_you(
    request: Request,
    alert_id: int,
    staffer: Checked,
    choice: Annotated[str, Form()] = "",
) -> Response:
    """Send one of the organisation's kind "we miss you" texts in the participant's language."""
    runtime = runtime_of(request)
    if choice not in inbox.MISS_YOU:
        return page("_done.html", staffer, status=400, said=_("Choose one of the texts."))
    with use_locale(staffer.language):
        name = alert_handling.send_miss_you(
            runtime.db, staffer.scope, alert_id, choice, runtime.clock.now()
        )
        said = _("Your message to {name} is on its way.", name=name)
    if not _htmx(request):
        return RedirectResponse("/", status_code=303)
    return page("_done.html", staffer, said=said)


def _filter(request: Request) -> Filter:
    query = request.query_params
    page = query.get("page", "1")
    return Filter(
        text=query.get("q", "")[:100],
        phase=query.get("phase", "") if query.get("phase", "") in PHASE_NAMES else "",
        alerts_only=query.get("alerts") == "1",
        sort=query.get("sort", "name") if query.get("sort") in caseload_table.SORTS else "name",
        page=int(page) if page.isdigit() and 0 < len(page) < 7 else 1,
    )


@router.get("/participants")
def caseload(request: Request, staffer: Me) -> Response:
    runtime = runtime_of(request)
    wanted = _filter(request)
    table = caseload_table.table(
        runtime.db, staffer.scope, runtime.clock.now(), staffer.zone, wanted
    )
    return page(
        "caseload.html",
        staffer,
        table=table,
        wanted=wanted,
        phases=PHASE_NAMES,
        query=request.url.query,
        week_names=_week_names,
        paged=_paged(request),
    )


def _paged(request: Request) -> Callable[[int], str]:
    """The address of another page of the table, with the same filter and sort."""

    def address(page: int) -> str:
        kept = [(k, v) for k, v in request.query_params.multi_items() if k != "page"]
        return "/participants?" + urlencode([*kept, ("page", str(page))])

    return address


@router.get("/participants.csv")
def caseload_csv(request: Request, staffer: Me) -> Response:
    """The table as a spreadsheet (`;`, a byte-order mark, cells made safe); audited."""
    runtime = runtime_of(request)
    table = caseload_table.exported(
        runtime.db, staffer.scope, runtime.clock.now(), staffer.zone, _filter(request)
    )
    with use_locale(staffer.language):
        header = [
            _("Name"),
            _("Language"),
            _("Phase"),
            _("In this phase since"),
            *[_("Week of {day}", day=monday.isoformat()) for monday in table.weeks],
            _("Last check-in"),
            _("Check-ins"),
            _("Open alerts"),
            _("Next appointment"),
        ]
        weeks = _week_names()
        trends = {1: _("rising"), 0: _("level"), -1: _("falling"), None: ""}
        rows = [
            [
                line.name,
                line.language or "",
                _(PHASE_NAMES[line.phase]) if line.phase else "",
                line.phase_since.astimezone(staffer.zone).date().isoformat()
                if line.phase_since
                else "",
                *[weeks[state] for _monday, state in line.weeks],
                line.last_checkin.astimezone(staffer.zone).date().isoformat()
                if line.last_checkin
                else "",
                trends[line.trend],
                str(line.open_alerts),
                line.next_at.astimezone(staffer.zone).strftime("%Y-%m-%d %H:%M")
                if line.next_at
                else "",
            ]
            for line in table.lines
        ]
    body = csvfiles.spreadsheet([header, *rows])
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="caseload.csv"'},
    )


def _week_names() -> dict[str, str]:
    return {
        "came": _("came"),
        "mixed": _("came and missed"),
        "missed": _("missed"),
        "excused": _("excused"),
        "unknown": _("no appointment"),
    }


@router.get("/participants/{participant_id}")
def participant(request: Request, participant_id: int, staffer: Me) -> Response:
    """A participant's page; after a change to their appointments (without htmx) it says what
    became of it."""
    query = request.query_params
    done = query.get("done", "")
    if done not in DONE:
        return participant_page(request, staffer, participant_id)
    return participant_page(request, staffer, participant_id, done=(done, query.get("told") != "0"))


def participant_page(
    request: Request,
    staffer: Staffer,
    participant_id: int,
    status: int = 200,
    done: tuple[str, bool] | None = None,
    **agenda: Any,
) -> Response:
    """The whole page; `done`: an appointment was made, moved or cancelled, and whether the
    participant was told; `agenda`: what the appointments part must say or keep."""
    runtime = runtime_of(request)
    with use_locale(staffer.language):
        found = dossier.of_participant(
            runtime.db, staffer.scope, participant_id, runtime.clock.now(), staffer.zone
        )
        if done is not None:
            agenda["said"] = Changed(found.card.name, done[1]).said(done[0])
    return page(
        "participant.html",
        staffer,
        status=status,
        d=found,
        card=found.card,
        a=found.agenda,
        panels=panels(found.progress),
        domains=DOMAIN_NAMES,
        phases=PHASE_NAMES,
        outflows=OUTFLOW_NAMES,
        width=WIDTH,
        height=HEIGHT,
        y_of=y_of,
        week_names=_week_names,
        attendance=STATUS_NAMES,
        kinds=KINDS,
        today=runtime.clock.now().astimezone(staffer.zone).date(),
        **agenda,
    )
