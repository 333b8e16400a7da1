"""Pages for an organisation's admins beside the impact report: the overview, broadcasts
(write, preview, schedule, follow, cancel or stop) and the audit trail with its CSV. The same
services as the /bericht flow and the command line; the outbox does the sending."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response

from bot.i18n import LANGUAGES, N_, _, format_when, use_locale
from bot.refusals import explain
from bot.services import csvfiles
from bot.services.access.logins import Staffer
from bot.services.errors import Refused
from bot.services.messaging import broadcast_commands
from bot.services.messaging.broadcasts import Draft
from bot.services.organisations.overview import overview
from bot.services.people import trail
from bot.services.people.participants import PHASE_NAMES
from bot.web.admin import Admin, NotAdmin
from bot.web.charts import bar
from bot.web.render import page
from bot.web.security import Checked, runtime_of

router = APIRouter()
ONCE = re.compile(r"[A-Za-z0-9_-]{16,64}")
DEFAULT = "nl"  # as in /bericht: a Dutch text is needed; other readers fall back on it
KINDS = {
    "location": N_("a location"),
    "phase": N_("a phase"),
    "language": N_("a language"),
    "custom": N_("a list"),
    "chat": N_("a Telegram group"),
}
STATES = {
    "scheduled": N_("Scheduled"),
    "sending": N_("Being sent"),
    "done": N_("Sent"),
    "cancelled": N_("Cancelled"),
    "stopped": N_("Stopped"),
}
# Which field a refusal belongs next to.
FIELDS = {
    "empty": "text-nl",
    "too_long": "text",
    "language": "text-nl",
    "no_group": "audience",
    "unknown_group": "audience",
    "in_the_past": "when",
    "bad_when": "when",
}


def checked_admin(staffer: Checked) -> Staffer:
    """A POST from our own pages, by an admin."""
    if not staffer.admin:
        raise NotAdmin()
    return staffer


CheckedAdmin = Annotated[Staffer, Depends(checked_admin)]


def _htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


# The overview


@router.get("/admin")
def organisation_overview(request: Request, staffer: Admin) -> Response:
    """Participants per phase, location and language; broadcast reach; alert response."""
    runtime = runtime_of(request)
    found = overview(runtime.db, staffer.organisation_id, runtime.clock.now())
    most = max(found.participants, 1)
    return page(
        "overview.html",
        staffer,
        o=found,
        phases=PHASE_NAMES,
        bar=lambda count: bar(count / most),
        share=lambda part, whole: bar(part / whole if whole else None),
    )


# Broadcasts


@dataclass
class Composed:
    """A broadcast as the form holds it, carried from the form to the preview and back."""

    texts: dict[str, str] = field(default_factory=dict)
    groups: list[str] = field(default_factory=list)
    everyone: bool = False
    ack: bool = False
    when: str = "now"
    day: str = ""
    hour: str = ""
    insist: bool = False
    once: str = ""  # the preview's token: confirming twice makes one broadcast

    def group_ids(self) -> list[int]:
        """Chosen groups; something that is no number is a group nobody has (refused)."""
        return [int(g) if g.isdigit() and len(g) < 12 else -1 for g in self.groups]

    def hidden(self) -> list[tuple[str, str]]:
        """The fields that carry the draft through the preview."""
        kept = [(f"text_{lang}", text) for lang, text in self.texts.items()]
        kept += [("group", g) for g in self.groups]
        kept += [(name, "1") for name in ("everyone", "ack") if getattr(self, name)]
        return kept


async def composed(request: Request) -> Composed:
    """The posted form as a draft; a browser's CRLF line ends become Telegram's LF."""
    form = await request.form()

    def text(name: str) -> str:
        value = form.get(name)
        return value.replace("\r\n", "\n") if isinstance(value, str) else ""

    return Composed(
        texts={lang: text(f"text_{lang}") for lang in LANGUAGES if text(f"text_{lang}").strip()},
        groups=[g for g in form.getlist("group") if isinstance(g, str)][:200],
        everyone=text("everyone") == "1",
        ack=text("ack") == "1",
        when="later" if text("when") == "later" else "now",
        day=text("day")[:20],
        hour=text("hour")[:10],
        insist=text("insist") == "1",
        once=text("once") if ONCE.fullmatch(text("once")) else "",
    )


Composition = Annotated[Composed, Depends(composed)]


def _draft(staffer: Staffer, form: Composed) -> Draft:
    return Draft(
        organisation_id=staffer.organisation_id,
        texts=dict(form.texts),
        group_ids=form.group_ids(),
        everyone=form.everyone,
        default_language=DEFAULT,
        with_ack=form.ack,
        insist=form.insist,
        staff_id=staffer.staff_id,
        once=form.once,
    )


def _errors(staffer: Staffer, refused: Refused) -> dict[str, str]:
    """The refusal's kind sentence, keyed by the field it belongs next to."""
    with use_locale(staffer.language):
        said = explain(refused)
    where = FIELDS.get(refused.reason, "audience")
    if where == "text":
        where = f"text-{refused.details.get('language', DEFAULT)}"
    return {where: said}


@router.get("/admin/broadcasts")
def broadcasts_page(request: Request, staffer: Admin) -> Response:
    """The organisation's broadcasts, newest first, each with its state and report."""
    listed = broadcast_commands.listing(runtime_of(request).db, staffer.organisation_id)
    return page("broadcasts.html", staffer, listed=listed, states=STATES)


def _form(
    request: Request, staffer: Staffer, form: Composed, errors: dict[str, str], status: int = 200
) -> Response:
    runtime = runtime_of(request)
    targets = broadcast_commands.targets(runtime.db, staffer.organisation_id)
    chosen = form.everyone or bool(form.groups)
    audience = (
        broadcast_commands.audience(
            runtime.db, staffer.organisation_id, form.group_ids(), form.everyone
        )
        if chosen
        else None
    )
    return page(
        "broadcast_new.html",
        staffer,
        status=status,
        form=form,
        targets=targets,
        kinds=KINDS,
        audience=audience,
        errors=errors,
        default=DEFAULT,
    )


@router.get("/admin/broadcasts/new")
def new_broadcast(request: Request, staffer: Admin) -> Response:
    return _form(request, staffer, Composed(), {})


@router.post("/admin/broadcasts/new")
def change_broadcast(request: Request, staffer: CheckedAdmin, form: Composition) -> Response:
    """Back from the preview to the form, with what was written."""
    return _form(request, staffer, form, {})


@router.get("/admin/broadcasts/audience")
def audience_of(request: Request, staffer: Admin) -> Response:
    """Which languages the chosen groups read, and how many people each (htmx, in place)."""
    form = Composed(
        groups=request.query_params.getlist("group")[:200],
        everyone=request.query_params.get("everyone") == "1",
    )
    found = None
    if form.everyone or form.groups:
        found = broadcast_commands.audience(
            runtime_of(request).db, staffer.organisation_id, form.group_ids(), form.everyone
        )
    return page("_audience.html", staffer, audience=found, default=DEFAULT)


def _preview(
    request: Request, staffer: Staffer, form: Composed, errors: dict[str, str], status: int = 200
) -> Response:
    runtime = runtime_of(request)
    try:
        with use_locale(staffer.language):
            audience, seen = broadcast_commands.preview(
                runtime.db, _draft(staffer, form), runtime.clock.now()
            )
    except Refused as refused:
        return _form(request, staffer, form, _errors(staffer, refused), status=400)
    local = runtime.clock.now().astimezone(staffer.zone)
    return page(
        "broadcast_preview.html",
        staffer,
        status=status,
        form=form,
        audience=audience,
        seen=seen,
        errors=errors,
        default=DEFAULT,
        today=local.date().isoformat(),
        once=form.once or secrets.token_urlsafe(16),
        zone_name=staffer.zone.key,
    )


@router.post("/admin/broadcasts/preview")
def preview_broadcast(request: Request, staffer: CheckedAdmin, form: Composition) -> Response:
    """Each text as its readers will see it, who gets it, and when to send it."""
    return _preview(request, staffer, form, {})


@router.post("/admin/broadcasts")
def create_broadcast(request: Request, staffer: CheckedAdmin, form: Composition) -> Response:
    """Confirmed: store it (checked again); the outbox sends it at its time."""
    runtime = runtime_of(request)
    draft = _draft(staffer, form)
    try:
        if form.when == "later":
            draft.scheduled_for = broadcast_commands.moment(form.day, form.hour, staffer.zone)
        made = broadcast_commands.create_once(runtime.db, draft, runtime.clock.now())
    except Refused as refused:
        return _preview(request, staffer, form, _errors(staffer, refused), status=400)
    return RedirectResponse(f"/admin/broadcasts/{made}", status_code=303)


def _report(
    request: Request,
    staffer: Staffer,
    broadcast_id: int,
    template: str,
    said: str = "",
    status: int = 200,
) -> Response:
    runtime = runtime_of(request)
    shown = broadcast_commands.shown(
        runtime.db, broadcast_id, staffer.organisation_id, runtime.clock.now()
    )
    report = shown.report
    waiting = report.by_state["queued"] + report.by_state["sending"]
    progress = report.state.value
    if progress == "sending" and waiting == 0:
        progress = "done"
    return page(
        template,
        staffer,
        status=status,
        s=shown,
        r=report,
        status_name=STATES[progress],
        progress=progress,
        said=said,
    )


@router.get("/admin/broadcasts/{broadcast_id}")
def broadcast_page(request: Request, broadcast_id: int, staffer: Admin) -> Response:
    """One broadcast's report per language; it refreshes itself while it is on its way."""
    return _report(request, staffer, broadcast_id, "broadcast.html")


@router.get("/admin/broadcasts/{broadcast_id}/report")
def broadcast_report(request: Request, broadcast_id: int, staffer: Admin) -> Response:
    """The report part alone, for htmx's refresh every 10 seconds."""
    return _report(request, staffer, broadcast_id, "_broadcast_report.html")


@router.post("/admin/broadcasts/{broadcast_id}/end")
def end_broadcast(request: Request, broadcast_id: int, staffer: CheckedAdmin) -> Response:
    """Cancel a scheduled broadcast, or stop one that is being sent."""
    runtime = runtime_of(request)
    try:
        broadcast_commands.cancel_or_stop(
            runtime.db,
            broadcast_id,
            staffer.organisation_id,
            runtime.clock.now(),
            staffer.staff_id,
        )
    except Refused as refused:
        if refused.reason == "unknown_broadcast":
            raise  # another organisation's: nobody's (404)
        with use_locale(staffer.language):
            said = explain(refused)  # already over: the report as it is, with why
        if _htmx(request):
            return _report(request, staffer, broadcast_id, "_broadcast_report.html", said)
        return _report(request, staffer, broadcast_id, "broadcast.html", said, status=409)
    if _htmx(request):
        return _report(request, staffer, broadcast_id, "_broadcast_report.html")
    return RedirectResponse(f"/admin/broadcasts/{broadcast_id}", status_code=303)


# The audit trail


def _wanted(request: Request, staff: list[tuple[int, str]]) -> trail.Wanted:
    query = request.query_params
    staff_id = query.get("staff", "")
    number = query.get("page", "1")
    return trail.Wanted(
        staff_id=int(staff_id) if staff_id in {str(s) for s, _n in staff} else None,
        action=query.get("kind", "") if query.get("kind") in trail.ACTION_NAMES else "",
        participant=query.get("participant", "")[:200],
        page=int(number) if number.isdigit() and 0 < len(number) < 7 and int(number) > 0 else 1,
    )


@router.get("/admin/audit")
def audit_page(request: Request, staffer: Admin) -> Response:
    """Who did what, about whom, when: newest first, 100 a page; looking is audited."""
    runtime = runtime_of(request)
    staff = trail.staff_names(runtime.db, staffer.organisation_id)
    wanted = _wanted(request, staff)
    found = trail.of_organisation(
        runtime.db, staffer.organisation_id, staffer.staff_id, wanted, runtime.clock.now()
    )
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "page"]
    with use_locale(staffer.language):
        kinds = sorted(trail.ACTION_NAMES.items(), key=lambda item: _(item[1]))
    return page(
        "audit.html",
        staffer,
        found=found,
        wanted=wanted,
        staff=staff,
        kinds=kinds,
        names=trail.ACTION_NAMES,
        query=urlencode(kept),
        paged=lambda number: "/admin/audit?" + urlencode([*kept, ("page", str(number))]),
        full=lambda moment: format_when(moment, staffer.zone, with_year=True),
        system=trail.SYSTEM,
    )


@router.get("/admin/audit.csv")
def audit_csv(request: Request, staffer: Admin) -> Response:
    """The filtered trail as a spreadsheet (`;`, a byte-order mark, cells made safe); audited."""
    runtime = runtime_of(request)
    staff = trail.staff_names(runtime.db, staffer.organisation_id)
    lines = trail.exported(
        runtime.db,
        staffer.organisation_id,
        staffer.staff_id,
        _wanted(request, staff),
        runtime.clock.now(),
    )
    with use_locale(staffer.language):
        rows = [
            [_("When"), _("Who"), _("What"), _("About whom"), _("Participant number")],
            *[
                [
                    line.at.astimezone(staffer.zone).strftime("%Y-%m-%d %H:%M"),
                    _("Wegwijzer (automatic)") if line.who == trail.SYSTEM else line.who,
                    _(trail.ACTION_NAMES[line.action])
                    if line.action in trail.ACTION_NAMES
                    else line.action,
                    line.whom,
                    str(line.participant_id or ""),
                ]
                for line in lines
            ],
        ]
    return Response(
        csvfiles.spreadsheet(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
    )
