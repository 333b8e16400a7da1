"""Making, moving and cancelling appointments (and importing them), reminders kept in step."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.rrule import DAILY, rrulestr
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.i18n import N_, format_when, use_locale
from bot.services import csvfiles
from bot.services.appointments import reminders
from bot.services.appointments.reminder_texts import WHAT
from bot.services.messaging.notify import tell
from nlu.normalise import ascii_digits
from storage.models import (
    Appointment,
    AppointmentKind,
    Location,
    Participant,
    ParticipantStatus,
    StaffMember,
)

DAYS = {
    "ma": "MO",
    "di": "TU",
    "wo": "WE",
    "do": "TH",
    "vr": "FR",
    "za": "SA",
    "zo": "SU",
    "mo": "MO",
    "tu": "TU",
    "we": "WE",
    "th": "TH",
    "fr": "FR",
    "sa": "SA",
    "su": "SU",
}
COLUMNS = ("participant", "kind", "date", "start", "end", "repeat", "location", "with", "notes")

ROW_ERRORS = {
    "participant": N_("Line {line}: no participant called {value} in this organisation."),
    "ambiguous": N_("Line {line}: more than one participant is called {value}; use the number."),
    "kind": N_("Line {line}: unknown kind of appointment {value}."),
    "date": N_("Line {line}: write the date as YYYY-MM-DD, not {value}."),
    "time": N_("Line {line}: write the time as HH:MM, not {value}."),
    "end": N_("Line {line}: the end is not after the start."),
    "repeat": N_("Line {line}: unknown repeat {value} (use none, weekly:tu,th or an RRULE)."),
    "location": N_("Line {line}: no location called {value}."),
    "with": N_("Line {line}: no staff member called {value}."),
    "columns": N_("The file needs the columns {value}."),
    "past": N_("Line {line}: {value} has already passed."),
    "too_often": N_("Line {line}: {value} repeats more often than once a day."),
}


@dataclass
class Schedule:
    """What a coach decides: who, what, when, how often, where, with whom."""

    participant_id: int
    kind: AppointmentKind
    starts_at: datetime
    ends_at: datetime | None = None
    rrule: str | None = None
    location_id: int | None = None
    staff_id: int | None = None
    notes: str = ""


@dataclass
class ImportReport:
    created: int = 0
    errors: list[tuple[str, dict[str, object]]] = field(default_factory=list)


def create(
    session: Session,
    organisation_id: int,
    schedule: Schedule,
    now: datetime,
    zone: ZoneInfo,
    quiet: tuple[time, time],
    remind: bool = True,
) -> Appointment:
    """Store an appointment and plan its reminders (not for an earlier record brought along),
    in the caller's transaction."""
    if schedule.rrule:
        rrulestr(schedule.rrule, dtstart=schedule.starts_at.replace(tzinfo=None))  # valid?
    appointment = Appointment(
        organisation_id=organisation_id,
        participant_id=schedule.participant_id,
        kind=schedule.kind,
        starts_at=schedule.starts_at,
        ends_at=schedule.ends_at,
        rrule=schedule.rrule,
        location_id=schedule.location_id,
        staff_id=schedule.staff_id,
        notes=schedule.notes,
        created_at=now,
    )
    session.add(appointment)
    session.flush()
    if remind:
        reminders.sync(session, appointment, now, zone, quiet)
    return appointment


class TooOften(ValueError):
    """A repeat rule more frequent than daily."""


def repeat_rule(text: str) -> str | None:
    """ "none" → one-off; "weekly:tu,th" (Dutch or English day names) or an RFC 5545 RRULE."""
    text = text.strip()
    if text.lower() in ("", "none", "geen", "nee"):
        return None
    if text.upper().startswith(("FREQ=", "RRULE:")):
        rule = text.upper().removeprefix("RRULE:")
        parsed = rrulestr(rule, dtstart=datetime(2026, 1, 1))
        if getattr(parsed, "_freq", DAILY) > DAILY:  # hourly and faster: no appointment is
            raise TooOften(text)  # that often, and every view of the person would crawl
        return rule
    kind, _, days = text.lower().partition(":")
    if kind not in ("weekly", "wekelijks") or not days:
        raise ValueError(text)
    codes = [DAYS[day.strip()[:2]] for day in days.split(",") if day.strip()[:2] in DAYS]
    if not codes or len(codes) != len([d for d in days.split(",") if d.strip()]):
        raise ValueError(text)
    return f"FREQ=WEEKLY;BYDAY={','.join(codes)}"


def _find(session: Session, model: type[Any], organisation_id: int, name: str) -> list[int]:
    column = getattr(model, "display_name" if model is Participant else "name")
    query = select(model.id).where(
        model.organisation_id == organisation_id,
        func.lower(column) == name.strip().lower(),
    )
    if model is Participant:
        query = query.where(
            Participant.status.in_([ParticipantStatus.ACTIVE, ParticipantStatus.INVITED])
        )
    return list(session.scalars(query))


def parse_row(
    session: Session, organisation_id: int, line: int, row: dict[str, str], zone: ZoneInfo
) -> Schedule:
    def fail(reason: str, value: object = "") -> ValueError:
        return ValueError(reason, {"line": line, "value": value})

    row = {  # ٢٠٢٦-١٢-٠٢ from an Arabic keyboard is 2026-12-02
        key: ascii_digits(value or "") if key in ("date", "start", "end") else value
        for key, value in row.items()
    }

    name = (row.get("participant") or "").strip()
    people = [int(name)] if name.isdigit() else _find(session, Participant, organisation_id, name)
    if len(people) > 1:
        raise fail("ambiguous", name)
    person = session.get(Participant, people[0]) if people else None
    if person is None or person.organisation_id != organisation_id:  # never another org's
        raise fail("participant", name)
    try:
        kind = AppointmentKind((row.get("kind") or "").strip().lower())
    except ValueError:
        raise fail("kind", row.get("kind", "")) from None
    try:
        day = date.fromisoformat((row.get("date") or "").strip())
    except ValueError:
        raise fail("date", row.get("date", "")) from None
    clock = {}
    for key in ("start", "end"):
        value = (row.get(key) or "").strip()
        if key == "end" and not value:
            continue
        try:
            clock[key] = time.fromisoformat(value)
        except ValueError:
            raise fail("time", value) from None
    starts = datetime.combine(day, clock["start"], tzinfo=zone)
    ends = datetime.combine(day, clock["end"], tzinfo=zone) if "end" in clock else None
    if ends is not None and ends <= starts:
        raise fail("end")
    try:
        rule = repeat_rule(row.get("repeat") or "")
    except TooOften:
        raise fail("too_often", row.get("repeat", "")) from None
    except (ValueError, KeyError):
        raise fail("repeat", row.get("repeat", "")) from None
    places = (
        _find(session, Location, organisation_id, row["location"])
        if (row.get("location") or "").strip()
        else [None]
    )
    if not places:
        raise fail("location", row.get("location", ""))
    staff = (
        _find(session, StaffMember, organisation_id, row["with"])
        if (row.get("with") or "").strip()
        else [None]
    )
    if not staff:
        raise fail("with", row.get("with", ""))
    return Schedule(
        participant_id=people[0],
        kind=kind,
        starts_at=starts,
        ends_at=ends,
        rrule=rule,
        location_id=places[0],
        staff_id=staff[0],
        notes=(row.get("notes") or "").strip(),
    )


def import_csv(
    session: Session,
    organisation_id: int,
    text: str,
    now: datetime,
    zone: ZoneInfo,
    quiet: tuple[time, time],
    skip_errors: bool = False,
    history: bool = False,
) -> ImportReport:
    """Import appointments; with any bad row nothing is stored unless `skip_errors`. A date that
    has passed is refused (as `add` refuses it) unless the file brings an organisation's
    earlier records along (`history`): then nothing is reminded or announced."""
    report = ImportReport()
    reader = csvfiles.reader(text)
    missing = set(COLUMNS[:4]) - {c.strip().lower() for c in reader.fieldnames or []}
    if missing:
        report.errors.append(("columns", {"value": ", ".join(COLUMNS)}))
        return report
    with session.begin():
        schedules = []
        for line, raw in enumerate(reader, start=2):
            row = {(k or "").strip().lower(): v for k, v in raw.items()}
            try:
                schedule = parse_row(session, organisation_id, line, row, zone)
                if schedule.starts_at <= now and not history:
                    raise ValueError("past", {"line": line, "value": row.get("date", "")})
                schedules.append(schedule)
            except ValueError as error:
                reason, details = error.args if len(error.args) == 2 else ("date", {})
                report.errors.append((reason, details))
        if report.errors and not skip_errors:
            return report
        for schedule in schedules:
            create(session, organisation_id, schedule, now, zone, quiet, remind=not history)
            report.created += 1
    return report


@dataclass(frozen=True)
class Made:
    id: int
    name: str
    starts_at: datetime


def add(
    session: Session,
    organisation_id: int,
    row: dict[str, str],
    now: datetime,
    zone: ZoneInfo,
    quiet: tuple[time, time],
) -> Made:
    """One appointment from the command line, checked like a CSV row; the participant is told
    once, as after /afspraak. Raises ValueError(reason, details) like `parse_row`."""
    with session.begin():
        schedule = parse_row(session, organisation_id, 1, row, zone)
        if schedule.starts_at <= now:
            raise ValueError("past", {"value": row.get("date", "")})
        appointment = create(session, organisation_id, schedule, now, zone, quiet)
        person = session.get(Participant, schedule.participant_id)
        place = session.get(Location, schedule.location_id or -1)
        assert person is not None
        with use_locale(person.language or "nl"):
            when = format_when(schedule.starts_at, zone)
        tell(
            session,
            person,
            f"appointment:{appointment.id}:new",
            now,
            WHAT[schedule.kind],
            when=when,
            place=place.name if place else "?",
        )
        return Made(appointment.id, person.display_name or "?", schedule.starts_at)
