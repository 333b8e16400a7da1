"""Attendance per expected occurrence, from the coach's day list, a QR scan, an RSVP or a file.

An occurrence of an appointment is an expected day. A record says present, late, excused or
absent; no record after the day means unknown. Changing a record made by someone else is a
correction and goes to the audit trail with the old and new status.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.i18n import N_
from bot.services import audit, csvfiles
from bot.services.appointments import recurrence
from bot.services.coaching import disengagement
from bot.services.errors import Refused
from bot.services.people import scope
from bot.services.people.scope import Scope
from storage.models import (
    Appointment,
    Attendance,
    AttendanceSource,
    AttendanceStatus,
    Location,
    Participant,
    ParticipantStatus,
)

CAME = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)
STATUS_NAMES = {  # how a day's attendance is shown to staff (chat and web)
    "present": N_("✅ present"),
    "late": N_("⏰ late"),
    "excused": N_("📝 excused"),
    "absent": N_("❌ absent"),
}
IMPORT_ERRORS = {
    "columns": N_("The file needs the columns {value}."),
    "participant": N_("Line {line}: no participant called {value} in this organisation."),
    "date": N_("Line {line}: write the date as YYYY-MM-DD, not {value}."),
    "time": N_("Line {line}: write the time as HH:MM, not {value}."),
    "status": N_("Line {line}: unknown status {value} (use present, late, excused or absent)."),
    "not_expected": N_("Line {line}: {value} was not expected on that day."),
    "future": N_("Line {line}: {value} is still to come."),
}
STATUS_WORDS = {
    "present": AttendanceStatus.PRESENT,
    "aanwezig": AttendanceStatus.PRESENT,
    "late": AttendanceStatus.LATE,
    "te laat": AttendanceStatus.LATE,
    "excused": AttendanceStatus.EXCUSED,
    "afgemeld": AttendanceStatus.EXCUSED,
    "absent": AttendanceStatus.ABSENT,
    "afwezig": AttendanceStatus.ABSENT,
}


@dataclass(frozen=True)
class Expected:
    """One person expected at one occurrence, with what is recorded so far (None: nothing)."""

    participant_id: int
    name: str
    appointment_id: int
    start: datetime
    kind: str
    location_id: int | None
    location: str
    status: AttendanceStatus | None


@dataclass
class ImportReport:
    recorded: int = 0
    errors: list[tuple[str, dict[str, object]]] = field(default_factory=list)


def _day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)


def expected_on(session: Session, mine: Scope, day: date, zone: ZoneInfo) -> list[Expected]:
    """Who is expected on this local day, by time, place and name (the coach's day list)."""
    begin, end = _day_bounds(day, zone)
    active = scope.participants(mine).where(Participant.status == ParticipantStatus.ACTIVE)
    with session.begin():
        rows = session.execute(  # what can fall on the day: a series begun, a one-off on it
            select(
                Appointment.id,
                Appointment.participant_id,
                Participant.display_name,
                Appointment.kind,
                Appointment.location_id,
                Appointment.starts_at,
                Appointment.rrule,
                Appointment.skipped,
            )
            .join(Participant, Participant.id == Appointment.participant_id)
            .where(
                Appointment.participant_id.in_(active.with_only_columns(Participant.id)),
                Appointment.cancelled_at.is_(None),
                Appointment.starts_at < end,
                or_(Appointment.rrule.is_not(None), Appointment.starts_at >= begin),
            )
        ).all()
        if not rows:
            return []
        people = {row.participant_id for row in rows}
        recorded = {
            (row.participant_id, row.occurrence_start): row.status
            for row in session.scalars(
                select(Attendance).where(
                    Attendance.organisation_id == mine.organisation_id, Attendance.day == day
                )
            )
            if row.participant_id in people
        }
        places = {
            place.id: place.name
            for place in session.scalars(
                select(Location).where(Location.organisation_id == mine.organisation_id)
            )
        }
        found = [
            Expected(
                participant_id=appointment.participant_id,
                name=appointment.display_name or "?",
                appointment_id=appointment.id,
                start=start,
                kind=appointment.kind.value,
                location_id=appointment.location_id,
                location=places.get(appointment.location_id or -1, ""),
                status=recorded.get((appointment.participant_id, start)),
            )
            for appointment in rows
            for start in recurrence.occurrences(appointment, begin, end, zone)
        ]
    return sorted(found, key=lambda e: (e.start, e.location, e.name.lower(), e.participant_id))


def _upsert(
    session: Session,
    person: Participant,
    appointment_id: int | None,
    start: datetime,
    status: AttendanceStatus,
    source: AttendanceSource,
    now: datetime,
    zone: ZoneInfo,
    staff_id: int | None = None,
    reason: str | None = None,
    minutes_late: int | None = None,
) -> Attendance:
    """Write the record in the caller's transaction; a change to an existing one is audited."""
    row = session.scalars(
        select(Attendance).where(
            Attendance.participant_id == person.id, Attendance.occurrence_start == start
        )
    ).first()
    if row is None:
        row = Attendance(
            organisation_id=person.organisation_id,
            participant_id=person.id,
            appointment_id=appointment_id,
            occurrence_start=start,
            day=start.astimezone(zone).date(),
            status=status,
            source=source,
            recorded_at=now,
        )
        session.add(row)
    elif row.status != status:
        audit.record(
            session,
            now,
            "attendance_corrected",
            participant_id=person.id,
            staff_id=staff_id,
            actor="staff" if staff_id else source.value,
            occurrence=start.isoformat(),
            before=row.status.value,
            after=status.value,
            before_source=row.source.value,
        )
    row.status, row.source, row.staff_id, row.recorded_at = status, source, staff_id, now
    if status in (AttendanceStatus.PRESENT, AttendanceStatus.LATE):
        disengagement.came_back(session, person.id, now)
    row.reason = reason if status == AttendanceStatus.EXCUSED else None
    row.minutes_late = minutes_late if status == AttendanceStatus.LATE else None
    session.flush()
    return row


def _real_occurrence(appointment: Appointment, start: datetime, zone: ZoneInfo) -> None:
    if appointment.cancelled_at is not None or start not in recurrence.occurrences(
        appointment, start, start + timedelta(seconds=1), zone
    ):
        raise Refused("unknown_appointment")


def mark(
    session: Session,
    mine: Scope,
    appointment_id: int,
    start: datetime,
    status: AttendanceStatus,
    now: datetime,
    zone: ZoneInfo,
) -> int:
    """The coach's tap on the day list (present, late and absent only for today or earlier);
    then that participant's rules run at once. Returns the participant's id."""
    with session.begin():
        appointment = scope.appointment(session, mine, appointment_id)
        person = scope.participant(session, mine, appointment.participant_id)
        _real_occurrence(appointment, start, zone)
        if start.astimezone(zone).date() > now.astimezone(zone).date():
            raise Refused("not_yet")
        row = _upsert(
            session,
            person,
            appointment.id,
            start,
            status,
            AttendanceSource.COACH,
            now,
            zone,
            staff_id=mine.staff_id,
        )
        participant_id = row.participant_id
    disengagement.run(session, now, zone, [participant_id])  # a pattern may start today
    return participant_id


def everyone_present(
    session: Session,
    mine: Scope,
    location_id: int | None,
    start: datetime,
    now: datetime,
    zone: ZoneInfo,
) -> int:
    """ "Everyone present" for one group (a place and a starting time): everyone expected there
    who has no record yet is marked present; what was already marked stays. Returns how many."""
    day = start.astimezone(zone).date()
    if day > now.astimezone(zone).date():
        raise Refused("not_yet")
    open_ones = [
        e
        for e in expected_on(session, mine, day, zone)
        if e.start == start and e.location_id == location_id and e.status is None
    ]
    with session.begin():
        for item in open_ones:
            person = scope.participant(session, mine, item.participant_id)
            _upsert(
                session,
                person,
                item.appointment_id,
                start,
                AttendanceStatus.PRESENT,
                AttendanceSource.COACH,
                now,
                zone,
                staff_id=mine.staff_id,
            )
    return len(open_ones)


def from_answer(
    session: Session,
    person: Participant,
    appointment_id: int,
    start: datetime,
    answer: str,
    reason: str | None,
    now: datetime,
    zone: ZoneInfo,
) -> None:
    """A reminder's answer, in the caller's transaction: "I can't come" (with why) is excused;
    "I'll come" after that takes the excuse back. A coach's own record is never overwritten."""
    row = session.scalars(
        select(Attendance).where(
            Attendance.participant_id == person.id, Attendance.occurrence_start == start
        )
    ).first()
    if row is not None and row.source != AttendanceSource.RSVP:
        return
    if answer == "not_coming" and reason:
        _upsert(
            session,
            person,
            appointment_id,
            start,
            AttendanceStatus.EXCUSED,
            AttendanceSource.RSVP,
            now,
            zone,
            reason=reason,
        )
    elif row is not None and answer != "not_coming":
        session.delete(row)


def import_csv(
    session: Session,
    organisation_id: int,
    text: str,
    now: datetime,
    zone: ZoneInfo,
    skip_errors: bool = False,
) -> ImportReport:
    """Columns participant, date, status (and start, reason): each row matched to the
    participant's occurrence that day. With any bad row nothing is stored unless `skip_errors`."""
    report = ImportReport()
    reader = csvfiles.reader(text)
    needed = {"participant", "date", "status"}
    if needed - {c.strip().lower() for c in reader.fieldnames or []}:
        report.errors.append(("columns", {"value": "participant, date, start, status, reason"}))
        return report
    mine = Scope(organisation_id=organisation_id)
    rows: list[tuple[Participant, int, datetime, AttendanceStatus, str | None]] = []
    with session.begin():
        for line, raw in enumerate(reader, start=2):
            row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
            try:
                rows.append(
                    (*_import_row(session, mine, row, now, zone), row.get("reason") or None)
                )
            except ValueError as error:
                reason, value = error.args
                report.errors.append((reason, {"line": line, "value": value}))
        if report.errors and not skip_errors:
            return report
        for person, appointment_id, start, status, reason in rows:
            _upsert(
                session,
                person,
                appointment_id,
                start,
                status,
                AttendanceSource.IMPORT,
                now,
                zone,
                reason=reason,
            )
            report.recorded += 1
    return report


def _import_row(
    session: Session, mine: Scope, row: dict[str, str], now: datetime, zone: ZoneInfo
) -> tuple[Participant, int, datetime, AttendanceStatus]:
    name = row.get("participant", "")
    people = [
        p
        for p in session.scalars(scope.participants(mine))
        if (p.display_name or "").lower() == name.lower() or str(p.id) == name
    ]
    if len(people) != 1:
        raise ValueError("participant", name)
    try:
        day = date.fromisoformat(row.get("date", ""))
    except ValueError:
        raise ValueError("date", row.get("date", "")) from None
    at: time | None = None
    if row.get("start"):
        try:
            at = time.fromisoformat(row["start"])
        except ValueError:
            raise ValueError("time", row["start"]) from None
    status = STATUS_WORDS.get(row.get("status", "").lower())
    if status is None:
        raise ValueError("status", row.get("status", ""))
    begin, end = _day_bounds(day, zone)
    person = people[0]
    matches = [
        (appointment.id, start)
        for appointment in session.scalars(
            select(Appointment).where(
                Appointment.participant_id == person.id, Appointment.cancelled_at.is_(None)
            )
        )
        for start in recurrence.occurrences(appointment, begin, end, zone)
        if at is None or start.astimezone(zone).time() == at
    ]
    if len(matches) != 1:
        raise ValueError("not_expected", person.display_name or name)
    appointment_id, start = matches[0]
    if status != AttendanceStatus.EXCUSED and start > now:
        raise ValueError("future", row.get("date", ""))
    return person, appointment_id, start, status


# ---- QR check-in at the location ---------------------------------------------------------
