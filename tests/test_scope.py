"""Nobody sees across organisations, and a coach only their own participants: every service
function that takes a scope and a participant, alert, appointment or location, and every
button of the application, is tried with objects that are not the caller's. Each is refused
with a clear sentence, nothing changes, and no name or answer of theirs reaches the reply or
the log. New functions and new buttons must join these tables (the enumeration fails first)."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import logging
import pkgutil
import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from telegram.ext import CallbackQueryHandler, CommandHandler

import bot.services
from bot.refusals import REFUSALS
from bot.services.appointments import reminders, scanning
from bot.services.coaching import alerts, questions
from bot.services.errors import Refused
from bot.services.messaging import broadcasts
from bot.services.messaging.broadcasts import Draft
from bot.services.people.scope import Scope
from bot.telegram.appointments import NOT_CONNECTED as NO_APPOINTMENTS_KNOWN
from bot.telegram.checkins import NOT_CONNECTED
from nlu.understand import Understood
from storage.models import (
    Alert,
    Appointment,
    AttendanceStatus,
    AuditEvent,
    Location,
    Organisation,
    Outbox,
    Participant,
    Phase,
    Question,
    Reminder,
    Signal,
    StaffMember,
)
from tests.helpers.people import (
    CHATS,
    OTHER_COACH_CHAT,
    STRANGER_CHAT,
    add_colleagues,
    link_demo_people,
)
from tests.helpers.phone import Phone, said

NAMES = ("Rami", "Yonas", "Amina", "Fatima")
STALE = "This button is no longer active."


@pytest.fixture
def world(runtime, demo_codes, session_factory, clock) -> dict[str, Any]:
    """The demo organisation with Rami's appointment, reminder, alert, broadcast and answer;
    another coach (Kees) in it, and another organisation's admin (Vreemd)."""
    now = clock.now()
    ids = link_demo_people(session_factory, now)
    add_colleagues(session_factory, now)
    zone, quiet = runtime.settings.zone, runtime.settings.quiet
    with session_factory() as session:
        reminders.extend_all(session, now, zone, quiet)
    with session_factory() as session, session.begin():
        org = session.scalars(select(Organisation).where(Organisation.slug != "elders")).one()
        rami = session.get(Participant, ids["Rami"])
        appointment = session.scalars(
            select(Appointment).where(Appointment.participant_id == rami.id)
        ).first()
        alert = alerts.raise_alert(session, now, rami, "checkin_drop", message="x {name}")
        session.add(
            Signal(
                organisation_id=org.id,
                participant_id=rami.id,
                domain="financien",
                level=1,
                source="self",
                question="q",
                checkin="c",
                at=now,
            )
        )
        reminder = session.scalars(
            select(Reminder).where(Reminder.participant_id == rami.id)
        ).first()
        location = session.scalars(
            select(Location).where(Location.organisation_id == org.id)
        ).first()
        found = {
            "org": org.id,
            "participant": rami.id,
            "appointment": appointment.id,
            "start": appointment.starts_at,
            "alert": alert.id,
            "reminder": reminder.id,
            "location": location.id,
            "book": runtime.answers,
        }
    with session_factory() as session:  # a question of Rami's for his coach, and one answered
        guess = Understood(None, 0.3, False, "low_confidence", ("volunteer_allowance",))
        asked = questions.ask(
            session, CHATS["Rami"], "Rami vraagt iets", guess, now, runtime.answers
        )
        found["question"] = asked.question_id
        found["answered"] = questions.answered_by_bot(session, CHATS["Rami"], "Rami", guess, now)
    with session_factory() as session:
        found["question_alert"] = session.get(Question, found["question"]).alert_id
    with session_factory() as session:
        found["broadcast"] = broadcasts.create(
            session,
            Draft(organisation_id=found["org"], everyone=True, texts={"nl": "Rami"}),
            now + timedelta(hours=3),
        ).id
    return found


def snapshot(session_factory) -> tuple:
    """What a refused action must not change."""
    with session_factory() as session:
        counts = tuple(
            session.scalar(select(func.count()).select_from(model))
            for model in (Appointment, Outbox, Signal, Alert, Reminder, Question)
        )
        phases = tuple(session.scalars(select(Participant.phase).order_by(Participant.id)))
        coaches = tuple(session.scalars(select(Participant.coach_id).order_by(Participant.id)))
        states = tuple(session.scalars(select(Alert.state).order_by(Alert.id)))
        asked = tuple(
            session.execute(
                select(Question.handled, Question.alert_id, Question.marked_intent).order_by(
                    Question.id
                )
            )
        )
        return counts, phases, coaches, states, asked


# ---- the service layer --------------------------------------------------------------------

OBJECTS = {"participant_id", "alert_id", "appointment_id", "location_id"}
# The same objects as the use cases over `db` name them.
USE_CASE_OBJECTS = {
    "participant": "participant_id",
    "appointment": "appointment_id",
    "alert": "alert_id",
    "location": "location_id",
}
SCOPE_REASONS = {"not_yours", "unknown_alert", "unknown_appointment", "unknown_location"}


def arguments(fn: Any, world: dict[str, Any], now, zone, quiet) -> dict[str, Any]:
    """Values for each parameter by its name; an unknown name fails the test, so a new
    function cannot slip past unchecked."""
    values = {
        "participant_id": world["participant"],
        "alert_id": world["alert"],
        "appointment_id": world["appointment"],
        "location_id": world["location"],
        "start": world["start"],
        "occurrence": world["start"],
        "new_start": world["start"] + timedelta(days=1),
        "now": now,
        "zone": zone,
        "quiet": quiet,
        "status": AttendanceStatus.PRESENT,
        "action": "resolve",
        "choice": "1",
        "to_phase": Phase.VRIJWILLIGER,
        "to_staff_id": 1,
        "domain": "financien",
        "level": 5,
        "at": int(world["start"].timestamp()),
        "phase": "vrijwilliger",
        "outflow": "betaald_werk",
        "coach_id": 1,
        "book": world["book"],
        "kind": "coach_talk",
    }
    found = {}
    for name, parameter in inspect.signature(fn).parameters.items():
        if name in ("session", "db", "mine", "scope", "staff"):
            continue
        name_in_table = USE_CASE_OBJECTS.get(name, name)
        if name_in_table not in values:
            if parameter.default is inspect.Parameter.empty:
                raise AssertionError(f"{fn.__module__}.{fn.__name__}: add {name!r} to the table")
            continue
        found[name] = values[name_in_table]
    return found


def scoped_functions() -> list[Any]:
    found = []
    for module_info in pkgutil.walk_packages(bot.services.__path__, "bot.services."):
        module = importlib.import_module(module_info.name)
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ != module.__name__ or name.startswith("_"):
                continue
            parameters = inspect.signature(fn).parameters
            if ({"mine", "scope"} & set(parameters)) and OBJECTS & set(parameters):
                found.append(fn)
    return found


def scoped_use_cases() -> list[Any]:
    """The use cases over `db` that act on one object for a staff member."""
    found = []
    for module_info in pkgutil.walk_packages(bot.services.__path__, "bot.services."):
        module = importlib.import_module(module_info.name)
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ != module.__name__ or name.startswith("_"):
                continue
            parameters = list(inspect.signature(fn).parameters)
            objects = {USE_CASE_OBJECTS.get(p, p) for p in parameters} & OBJECTS
            if parameters[:2] == ["db", "staff"] and objects:
                found.append(fn)
    return found


def test_every_scoped_use_case_refuses_objects_of_others(
    world, runtime, session_factory, clock, caplog
):
    functions = scoped_use_cases()
    assert len(functions) >= 15  # the enumeration finds them (it did find 21)
    zone, quiet = runtime.settings.zone, runtime.settings.quiet
    before = snapshot(session_factory)
    caplog.set_level(logging.DEBUG)
    with session_factory() as session, session.begin():
        kees = session.scalars(select(StaffMember.id).where(StaffMember.name == "Kees")).one()
        elders = session.scalars(select(Organisation.id).where(Organisation.slug == "elders")).one()
    outsiders = (
        Scope(organisation_id=elders),
        Scope(organisation_id=world["org"], coach_id=kees),
    )
    clock.moment = world["start"] + timedelta(hours=1)
    for fn in functions:
        parameters = set(inspect.signature(fn).parameters)
        objects = {USE_CASE_OBJECTS.get(p, p) for p in parameters} & OBJECTS
        who = outsiders[:1] if objects == {"location_id"} else outsiders
        for outsider in who:
            kwargs = arguments(fn, world, clock.now(), zone, quiet)
            try:
                result = fn(runtime.db, outsider, **kwargs)
            except Refused as refused:
                assert refused.reason in SCOPE_REASONS, (fn.__name__, refused.reason)
            else:  # it filters by scope instead: then it found nothing to act on
                assert _nothing(result), (fn.__name__, outsider, result)
    assert snapshot(session_factory) == before
    assert not [r for r in caplog.records if any(n in r.getMessage() for n in NAMES)]


def _nothing(result: Any) -> bool:
    """Empty, or a plain value whose every field is empty."""
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        return not any(getattr(result, f.name) for f in dataclasses.fields(result))
    return not result


def test_every_scoped_service_function_refuses_objects_of_others(
    world, runtime, session_factory, clock, caplog
):
    functions = scoped_functions()
    assert len(functions) >= 20  # the enumeration finds them (it did find 22)
    zone, quiet = runtime.settings.zone, runtime.settings.quiet
    before = snapshot(session_factory)
    caplog.set_level(logging.DEBUG)
    with session_factory() as session, session.begin():
        kees = session.scalars(select(StaffMember.id).where(StaffMember.name == "Kees")).one()
        elders = session.scalars(select(Organisation.id).where(Organisation.slug == "elders")).one()
    outsiders = (
        Scope(organisation_id=elders),  # another organisation's admin
        Scope(organisation_id=world["org"], coach_id=kees),  # a coach of the same one, not theirs
    )
    clock.moment = world["start"] + timedelta(hours=1)  # marking that day is allowed now
    for fn in functions:
        parameters = inspect.signature(fn).parameters
        name = "scope" if "scope" in parameters else "mine"
        # A location belongs to the whole organisation: only outsiders of it are refused.
        who = outsiders[:1] if OBJECTS & set(parameters) == {"location_id"} else outsiders
        for outsider in who:
            kwargs = arguments(fn, world, clock.now(), zone, quiet)
            with session_factory() as session:
                try:
                    result = fn(session, **{name: outsider}, **kwargs)
                except Refused as refused:
                    assert refused.reason in SCOPE_REASONS, (
                        fn.__name__,
                        refused.reason,
                    )
                else:  # it filters by scope instead: then it found nothing to act on
                    assert not result, (fn.__name__, outsider, result)
    assert snapshot(session_factory) == before
    assert not [r for r in caplog.records if any(n in r.getMessage() for n in NAMES)]


def test_lists_show_nothing_of_another_organisation(world, runtime, session_factory, clock):
    from bot.services.appointments import attendance
    from bot.services.coaching import inbox
    from bot.services.people import participants

    other = Scope(organisation_id=world["org"] + 1)
    now, zone = clock.now(), runtime.settings.zone
    tomorrow = (now + timedelta(days=1)).date()
    for call, empty in (
        (lambda s: participants.overview(s, other, now), []),
        (lambda s: participants.find(s, other, "Rami"), []),
        (lambda s: inbox.open_items(s, other, now), ([], 0)),
        (lambda s: inbox.unreachable(s, other), []),
        (lambda s: attendance.expected_on(s, other, tomorrow, zone), []),
        (lambda s: scanning.checkin_locations(s, other), []),
        (lambda s: participants.coaches(s, other), []),
    ):
        with session_factory() as session:
            assert call(session) == empty


# ---- the buttons of the application -------------------------------------------------------


# Participant-only buttons check that the tapping chat owns the object; staff buttons go
# through the scope. Both lists are tried from another organisation's admin.
def taps(world: dict[str, Any]) -> list[str]:
    p, a, ap, r, b, loc = (
        world["participant"],
        world["alert"],
        world["appointment"],
        world["reminder"],
        world["broadcast"],
        world["location"],
    )
    ts = int(world["start"].timestamp())
    return [
        f"dn:{p}",
        f"dn:ph:{p}",
        f"dn:to:{p}:vrijwilliger",
        f"dn:out:{p}",
        f"dn:left:{p}:geen_werk",
        f"dn:ho:{p}",
        f"dn:hoto:{p}:1",
        f"pg:{p}",
        f"pgs:{p}",
        f"pg:{p}:financien",
        f"pg:{p}:financien:5",
        f"al:called:{a}",
        f"al:snooze:{a}",
        f"al:resolve:{a}",
        f"al:miss:{a}",
        f"alm:{a}:1",
        f"newtime:{a}",
        f"ap:p:{p}",
        f"ap:o:{ap}:{ts}",
        f"ap:m:{ap}:{ts}",
        f"ap:c:{ap}:{ts}",
        f"ap:s:{ap}",
        f"ap:cy:{ap}:{ts}",
        f"ap:sy:{ap}",
        f"ap:n:{ap}",
        f"at:{ap}:{ts}:p",
        f"at:all:{loc}:{ts}",
        f"qr:{loc}",
        f"bc:report:{b}",
        f"bc:stop:{b}",
        # a participant's own buttons, tapped by someone else
        f"rsvp:{r}:yes",
        f"rsvp:{r}:why:sick",
        f"tp:{a}:yes",
        f"mu:{a}:back",
        f"ack:{b}",
        f"ci:go:{a}",
        f"an:coach:{world['answered']}",
        "an:appts",
        f"an:pick:volunteer_allowance:{world['answered']}",
        # a coach's buttons under a question of someone else's participant
        f"qa:volunteer_allowance:{world['question_alert']}",
        f"qm:paid_work:{world['question_alert']}",
        f"qt:{world['question_alert']}",
        f"qa:volunteer_allowance:{a}",
    ]


ORG_WIDE = ("qr:", "at:all:", "bc:")  # a location's or the organisation's, not one person's
# buttons that act only on the tapping chat itself
OWN_CHAT_ONLY = ("fl:", "menu:", "pv:", "safe:", "mydata_file:", "forget_me")


def test_every_button_is_in_the_table(app, world):
    patterns = [
        handler.pattern
        for handlers in app.handlers.values()
        for handler in handlers
        if isinstance(handler, CallbackQueryHandler) and handler.pattern is not None
    ]
    data = taps(world)
    for pattern in patterns:
        if callable(pattern):  # a typed button family's `matches` (or a test of several)
            family = getattr(pattern, "__self__", None)
            prefix = f"{family.prefix}:" if family is not None else ""
            covered = any(pattern(d) for d in data) or prefix.startswith(OWN_CHAT_ONLY)
            assert covered, f"no tap in the table for {family or pattern}"
            continue
        compiled = re.compile(pattern) if isinstance(pattern, str) else pattern
        covered = any(compiled.match(d) for d in data) or compiled.pattern.lstrip("^").startswith(
            OWN_CHAT_ONLY
        )
        assert covered, f"no tap in the table for {compiled.pattern}"


@pytest.mark.parametrize("chat", [STRANGER_CHAT, OTHER_COACH_CHAT])
async def test_every_button_refuses_someone_elses_objects(
    app, api, runtime, world, session_factory, chat, caplog
):
    caplog.set_level(logging.DEBUG)
    allowed = {said("nl", text) for text in REFUSALS.values()} | {said("nl", STALE)}
    allowed |= {said("nl", "OK, nothing was changed.")}  # "no" to a change: harmless
    allowed |= {said("nl", NOT_CONNECTED)}  # a participant's button tapped by staff
    allowed |= {said("nl", NO_APPOINTMENTS_KNOWN)}  # 📅 under an answer: the tapper's own
    before = snapshot(session_factory)
    outsider = Phone(app, api, chat, "nl")
    message = {"message_id": 1, "chat": {"id": chat, "type": "private"}, "date": 0}
    for data in taps(world):
        if chat == OTHER_COACH_CHAT and data.startswith(ORG_WIDE):
            continue  # the organisation's own: a colleague may use them
        seen = await outsider.deliver(api.callback_update(chat, data, message, outsider.user))
        toast = outsider.last_toast
        for text in [*seen, toast]:
            assert not any(name in text for name in NAMES), (data, text)
        assert all(text in allowed for text in seen), (data, seen)
    assert snapshot(session_factory) == before
    assert not [r for r in caplog.records if any(n in r.getMessage() for n in NAMES)]
    assert all("photo" not in m and "document" not in m for m in api.sent(chat))
    with session_factory() as session:  # nothing was viewed in their name either
        viewed = session.scalars(
            select(AuditEvent.action).where(AuditEvent.action.in_(["signals_viewed"]))
        ).all()
        assert viewed == []
    assert all(api.sent(c) == [] for c in CHATS.values())


STAFF_COMMANDS = (
    "/deelnemers",
    "/deelnemer Ram",  # part of a name of theirs: a match would show "Rami"
    "/meldingen",
    "/vandaag",
    "/vandaag 23-11",
    "/afspraken",
    "/afspraak",
    "/qr",
    "/berichten",
    "/uitnodigen Nieuw Persoon",
    "/bericht",
    "/web",  # a link for their own organisation's pages
)


async def test_every_staff_command_shows_nothing_of_another_organisation(
    app, api, runtime, world, session_factory, caplog
):
    caplog.set_level(logging.DEBUG)
    registered = {
        command
        for handlers in app.handlers.values()
        for handler in handlers
        if isinstance(handler, CommandHandler)
        for command in handler.commands
    }
    from bot.telegram.menu import COMMANDS

    staff = {name for name, _text in COMMANDS["staff"]} - {"help", "taal"}
    assert staff <= {c.split()[0].lstrip("/") for c in STAFF_COMMANDS} <= registered
    stranger = Phone(app, api, STRANGER_CHAT, "nl")
    for command in STAFF_COMMANDS:
        seen = await stranger.send(command)
        for text in seen:
            assert not any(name in text for name in NAMES), (command, text)
    assert not [r for r in caplog.records if any(n in r.getMessage() for n in NAMES)]
