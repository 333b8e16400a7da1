"""An admin sets up their own organisation on the web: staff (invite, admin or coach, remove),
locations, groups, programmes and every setting. Each form calls the same use case as the
command line (bot/services/organisations), so both refuse the same things; a refusal is shown
next to its field and changes nothing. Without JavaScript a form posts and the page comes back
(303 after a change, 400 with the error); with htmx only the form's own section is replaced."""

from __future__ import annotations

from typing import Annotated, Any

from babel import Locale
from babel.dates import get_day_names
from babel.lists import format_list
from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from bot.i18n import N_, _, current_locale, format_when, use_locale
from bot.refusals import explain
from bot.services.access.logins import Staffer
from bot.services.appointments.reminder_texts import KINDS
from bot.services.appointments.reminders import DEFAULT_OFFSETS
from bot.services.checkins.invitations import DEFAULT_PLAN, WEEKDAYS
from bot.services.checkins.signals import DOMAIN_NAMES
from bot.services.coaching.disengagement import DEFAULT_RULES
from bot.services.errors import Refused
from bot.services.organisations import listing, setup, staff
from bot.services.organisations.checks import LONGEST_NAME, REMINDER_KINDS
from bot.services.people.participants import PHASE_NAMES
from bot.web.admin import Admin, CheckedAdmin
from bot.web.render import page
from bot.web.security import runtime_of

router = APIRouter()

# Which field a refusal is about, so the sentence stands next to it.
FIELDS = {
    "name_missing": "name",
    "name_too_long": "name",
    "location_exists": "name",
    "group_exists": "name",
    "bad_opening": "opening",
    "unknown_coach": "coach",
    "bad_group_kind": "kind",
    "unknown_location": "location",
    "bad_phase": "phase",
    "language": "language",
    "bad_slug": "slug",
    "programme_exists": "slug",
}
SECTIONS = ("staff", "locations", "groups", "programmes", "settings")
GROUP_KINDS = {
    "location": N_("Everyone at a location"),
    "phase": N_("Everyone in a phase"),
    "language": N_("Everyone who speaks a language"),
    "custom": N_("A list of people"),
}
RULE_LABELS = {
    "absences_in_a_row": N_("Alert after this many absences in a row"),
    "days_without_attendance": N_("Alert after this many days without coming"),
    "unanswered_in_a_row": N_("Alert after this many unanswered reminders in a row"),
}
PLAN_LABELS = {
    "enabled": N_("Send check-ins"),
    "weekday": N_("Day of the weekly check-in"),
    "at": N_("Time of the weekly check-in"),
    "size": N_("Number of topics in a weekly check-in"),
    "domains": N_("Topics the check-ins ask about"),
    "monthly": N_("Ask every topic in the first check-in of the month"),
    "remind_after_hours": N_("Remind after this many hours without an answer"),
    "expire_after_hours": N_("The check-in closes after this many hours"),
}


def field_id(setting: str, key: str = "") -> str:
    """The id of one setting's form on the page ("*", all appointments, is "all")."""
    return f"setting-{setting}-{'all' if key == '*' else key}" if key else f"setting-{setting}"


def weekday_name(day: int) -> str:
    """Monday (0) … Sunday (6) in the reader's language (CLDR)."""
    return str(get_day_names("wide", locale=Locale.parse(current_locale()))[day])


def weekday_names(days: tuple[int, ...]) -> str:
    """ "Tuesday and Thursday": CLDR's list pattern of the reader's language."""
    locale = Locale.parse(current_locale())
    return format_list([weekday_name(day) for day in days], locale=locale)


def _htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def _errors(staffer: Staffer, error: Refused) -> dict[str, str]:
    """The refusal's kind sentence, under the name of the field it is about."""
    with use_locale(staffer.language):
        return {FIELDS.get(error.reason, "form"): explain(error)}


def _shown(
    request: Request, staffer: Staffer, template: str, section: str, **values: Any
) -> Response:
    """A set-up page; with errors 400 (htmx: 200, or it would not swap the form in)."""
    status = 400 if values.get("errors") and not _htmx(request) else 200
    values.setdefault("done", request.query_params.get("done", ""))
    values.setdefault("errors", {})
    values.setdefault("asked", {})
    return page(
        template,
        staffer,
        status=status,
        section=section,
        sections=SECTIONS,
        longest=LONGEST_NAME,
        field_id=field_id,
        weekday_name=weekday_name,
        weekday_names=weekday_names,
        **values,
    )


def _changed(
    request: Request, staffer: Staffer, section: str, done: str, **values: Any
) -> Response:
    """After a change: back to the page (303), or, for htmx, the page with "Saved." in place."""
    if not _htmx(request):
        return RedirectResponse(f"/admin/{section}?done={done}#{done}", status_code=303)
    return _show(request, staffer, section, done=done, **values)


def _show(request: Request, staffer: Staffer, section: str, **values: Any) -> Response:
    return {
        "staff": _staff_page,
        "locations": _locations_page,
        "groups": _groups_page,
        "programmes": _programmes_page,
        "settings": _settings_page,
    }[section](request, staffer, **values)


# Staff -----------------------------------------------------------------------------------


def _staff_page(request: Request, staffer: Staffer, **values: Any) -> Response:
    runtime = runtime_of(request)
    lines = staff.roster(runtime.db, staffer.organisation_id)
    return _shown(request, staffer, "setup_staff.html", "staff", lines=lines, **values)


@router.get("/admin/staff")
def staff_list(request: Request, staffer: Admin) -> Response:
    """Who works here: admin or coach, how many participants, Telegram, last web login."""
    return _staff_page(request, staffer)


@router.post("/admin/staff")
def invite(
    request: Request,
    staffer: CheckedAdmin,
    name: Annotated[str, Form()] = "",
    admin: Annotated[str, Form()] = "",
) -> Response:
    """A new colleague: their one-use code (and its link) is shown this once."""
    runtime = runtime_of(request)
    try:
        made = staff.invite_member(
            runtime.db,
            staffer.organisation_id,
            name,
            admin == "1",
            runtime.clock.now(),
            staffer.staff_id,
        )
    except Refused as error:
        asked = {"name": name, "admin": admin == "1"}
        return _staff_page(request, staffer, errors=_errors(staffer, error), asked=asked)
    bot = runtime.settings.bot_username
    with use_locale(staffer.language):
        until = format_when(made.expires_at, staffer.zone, with_year=True)
    return _staff_page(
        request,
        staffer,
        made=made,
        until=until,
        link=f"https://t.me/{bot}?start={made.code}" if bot else None,
    )


@router.post("/admin/staff/{staff_id}/role")
def change_role(
    request: Request,
    staff_id: int,
    staffer: CheckedAdmin,
    role: Annotated[str, Form()] = "",
) -> Response:
    """Make a colleague an admin or a coach; the organisation always keeps an admin."""
    runtime = runtime_of(request)
    if role not in ("admin", "coach"):
        with use_locale(staffer.language):
            said = _("Choose admin or coach.")
        return _staff_page(request, staffer, errors={f"role-{staff_id}": said})
    try:
        staff.set_admin(
            runtime.db,
            staffer.organisation_id,
            staff_id,
            role == "admin",
            runtime.clock.now(),
            staffer.staff_id,
        )
    except Refused as error:
        if error.reason == "no_such_staff":
            raise
        with use_locale(staffer.language):
            said = explain(error)
        return _staff_page(request, staffer, errors={f"role-{staff_id}": said})
    if staff_id == staffer.staff_id and role == "coach":  # no admin pages for them any more
        if _htmx(request):
            return Response(status_code=200, headers={"HX-Redirect": "/"})
        return RedirectResponse("/", status_code=303)
    return _changed(request, staffer, "staff", f"staff-{staff_id}")


@router.get("/admin/staff/{staff_id}/remove")
def confirm_removal(request: Request, staff_id: int, staffer: Admin) -> Response:
    """Are you sure? Says what happens, or why it cannot happen yet."""
    line = staff.member(runtime_of(request).db, staffer.organisation_id, staff_id)
    return _shown(request, staffer, "setup_remove.html", "staff", line=line)


@router.post("/admin/staff/{staff_id}/remove")
def remove(request: Request, staff_id: int, staffer: CheckedAdmin) -> Response:
    """They leave: their sessions end at once (refused while they coach anyone)."""
    runtime = runtime_of(request)
    line = staff.member(runtime.db, staffer.organisation_id, staff_id)
    try:
        staff.remove_member(
            runtime.db, staffer.organisation_id, staff_id, runtime.clock.now(), staffer.staff_id
        )
    except Refused as error:
        errors = _errors(staffer, error)
        return _shown(request, staffer, "setup_remove.html", "staff", line=line, errors=errors)
    if staff_id == staffer.staff_id:  # they removed themselves: their session is gone
        return RedirectResponse("/", status_code=303)
    return RedirectResponse("/admin/staff?done=removed", status_code=303)


# Locations ---------------------------------------------------------------------------------


def _locations_page(request: Request, staffer: Staffer, **values: Any) -> Response:
    db = runtime_of(request).db
    return _shown(
        request,
        staffer,
        "setup_locations.html",
        "locations",
        lines=listing.locations(db, staffer.organisation_id),
        coaches=listing.staff_names(db, staffer.organisation_id),
        **values,
    )


@router.get("/admin/locations")
def locations(request: Request, staffer: Admin) -> Response:
    return _locations_page(request, staffer)


@router.post("/admin/locations")
def add_location(
    request: Request,
    staffer: CheckedAdmin,
    name: Annotated[str, Form()] = "",
    address: Annotated[str, Form()] = "",
    opening: Annotated[str, Form()] = "",
    coach: Annotated[str, Form()] = "",
) -> Response:
    runtime = runtime_of(request)
    try:
        now = runtime.clock.now()
        setup.add_location(
            runtime.db, staffer.slug, name, address, opening, coach, now, staffer.staff_id
        )
    except Refused as error:
        asked = {"name": name, "address": address, "opening": opening, "coach": coach}
        return _locations_page(request, staffer, errors=_errors(staffer, error), asked=asked)
    return _changed(request, staffer, "locations", "add-location")


@router.get("/admin/locations/{location_id}")
def location(request: Request, location_id: int, staffer: Admin) -> Response:
    """One location: its walk-in hours and default coach can change."""
    db = runtime_of(request).db
    return _location_page(
        request, staffer, listing.location(db, staffer.organisation_id, location_id)
    )


def _location_page(
    request: Request, staffer: Staffer, line: listing.LocationLine, **values: Any
) -> Response:
    coaches = listing.staff_names(runtime_of(request).db, staffer.organisation_id)
    return _shown(
        request, staffer, "setup_location.html", "locations", line=line, coaches=coaches, **values
    )


@router.post("/admin/locations/{location_id}")
def change_location(
    request: Request,
    location_id: int,
    staffer: CheckedAdmin,
    opening: Annotated[str, Form()] = "",
    coach: Annotated[str, Form()] = "",
) -> Response:
    runtime = runtime_of(request)
    line = listing.location(runtime.db, staffer.organisation_id, location_id)
    try:
        setup.change_location(
            runtime.db,
            staffer.slug,
            location_id,
            opening,
            coach,
            runtime.clock.now(),
            staffer.staff_id,
        )
    except Refused as error:
        asked = {"opening": opening, "coach": coach}
        return _location_page(request, staffer, line, errors=_errors(staffer, error), asked=asked)
    if not _htmx(request):
        return RedirectResponse(f"/admin/locations?done=location-{location_id}", status_code=303)
    line = listing.location(runtime.db, staffer.organisation_id, location_id)
    return _location_page(request, staffer, line, done="change-location")


# Groups and programmes ---------------------------------------------------------------------


def _groups_page(request: Request, staffer: Staffer, **values: Any) -> Response:
    db = runtime_of(request).db
    return _shown(
        request,
        staffer,
        "setup_groups.html",
        "groups",
        lines=listing.groups(db, staffer.organisation_id),
        places=[line.name for line in listing.locations(db, staffer.organisation_id)],
        kinds=GROUP_KINDS,
        phases=PHASE_NAMES,
        **values,
    )


@router.get("/admin/groups")
def groups(request: Request, staffer: Admin) -> Response:
    return _groups_page(request, staffer)


@router.post("/admin/groups")
def add_group(
    request: Request,
    staffer: CheckedAdmin,
    name: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "",
    location: Annotated[str, Form()] = "",
    phase: Annotated[str, Form()] = "",
    language: Annotated[str, Form()] = "",
) -> Response:
    runtime = runtime_of(request)
    try:
        setup.add_group(
            runtime.db,
            staffer.slug,
            name,
            kind,
            location,
            phase,
            language,
            now=runtime.clock.now(),
            by=staffer.staff_id,
        )
    except Refused as error:
        asked = {"name": name, "kind": kind, "location": location, "phase": phase}
        asked["language"] = language
        return _groups_page(request, staffer, errors=_errors(staffer, error), asked=asked)
    return _changed(request, staffer, "groups", "add-group")


def _programmes_page(request: Request, staffer: Staffer, **values: Any) -> Response:
    lines = listing.programmes(runtime_of(request).db, staffer.organisation_id)
    return _shown(request, staffer, "setup_programmes.html", "programmes", lines=lines, **values)


@router.get("/admin/programmes")
def programmes(request: Request, staffer: Admin) -> Response:
    return _programmes_page(request, staffer)


@router.post("/admin/programmes")
def add_programme(
    request: Request,
    staffer: CheckedAdmin,
    name: Annotated[str, Form()] = "",
    slug: Annotated[str, Form()] = "",
) -> Response:
    runtime = runtime_of(request)
    try:
        now = runtime.clock.now()
        setup.add_programme(runtime.db, staffer.slug, slug, name, now, staffer.staff_id)
    except Refused as error:
        asked = {"name": name, "slug": slug}
        return _programmes_page(request, staffer, errors=_errors(staffer, error), asked=asked)
    return _changed(request, staffer, "programmes", "add-programme")


# Settings ----------------------------------------------------------------------------------


def _settings_page(request: Request, staffer: Staffer, **values: Any) -> Response:
    current = setup.show_settings(runtime_of(request).db, staffer.slug)
    return _shown(
        request,
        staffer,
        "setup_settings.html",
        "settings",
        current=current,
        reminder_kinds=REMINDER_KINDS,
        kinds=KINDS,
        rules=RULE_LABELS,
        default_rules=DEFAULT_RULES,
        default_plan=DEFAULT_PLAN,
        default_offsets=", ".join(DEFAULT_OFFSETS),
        plan=PLAN_LABELS,
        weekdays=WEEKDAYS,
        domains=DOMAIN_NAMES,
        **values,
    )


@router.get("/admin/settings")
def settings(request: Request, staffer: Admin) -> Response:
    """Every setting with its current value; each one saved on its own."""
    return _settings_page(request, staffer)


@router.post("/admin/settings/{setting}")
async def change_setting(request: Request, setting: str, staffer: CheckedAdmin) -> Response:
    """One setting, checked by the rule the feature itself uses; audited (old → new)."""
    form = await request.form()
    key = str(form.get("key", ""))
    values = [str(v) for v in form.getlist("value")]
    value = ",".join(values) if setting == "checkins" and key == "domains" else "".join(values)
    field = field_id(setting, key)
    runtime = runtime_of(request)
    try:
        setup.set_setting(
            runtime.db,
            staffer.slug,
            setting,
            key,
            value,
            now=runtime.clock.now(),
            by=staffer.staff_id,
        )
    except Refused as error:
        if error.reason in ("unknown_setting", "bad_setting"):  # no such field on the page
            raise
        with use_locale(staffer.language):
            said = explain(error)
        typed: str | list[str] = values if key == "domains" else value
        return _settings_page(request, staffer, errors={field: said}, asked={field: typed})
    return _changed(request, staffer, "settings", field)
