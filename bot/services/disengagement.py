"""Nobody drops out silently: daily (and after each new record) the rules look at the last weeks
of each participant and alert their own coach the day a pattern starts.

Every expected occurrence that has ended gets an outcome: came (present or late), excused,
absent (recorded), silent (no record, and its reminder went unanswered) or unknown (no record,
and they answered or were not reminded). Unknown is never absent. The rules, tunable per
organisation:
- `absences_in_a_row`: the last N outcomes that say anything (came or absent) are all absent;
- `days_without_attendance`: expected on two or more days in the last N days, came on none,
  and every one of them absent or silent;
- `unanswered_in_a_row`: the last N occurrences (not excused) were silent: reminded, no
  answer, no record.
One alert per episode: nothing new while one is open; after the coach resolves it, only what
happened after that counts; coming back closes it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.i18n import N_, format_days, use_locale
from bot.services import alerts, reminders
from storage.models import (
    Alert,
    AlertState,
    Appointment,
    AppointmentAnswer,
    Attendance,
    AttendanceStatus,
    Organisation,
    Participant,
    ParticipantStatus,
    Reminder,
    ReminderState,
    StaffMember,
)

KIND = "disengaged"
DEFAULT_RULES = {"absences_in_a_row": 2, "days_without_attendance": 7, "unanswered_in_a_row": 2}
LOOK_BACK = timedelta(days=21)
CHUNK = 2000
REASONS = {
    "absences_in_a_row": N_("{name} was absent on {days}, without letting us know."),
    "days_without_attendance": N_(
        "{name} did not come on any expected day since {since} ({days})."
    ),
    "unanswered_in_a_row": N_("{name} did not answer the reminders for {days}, and did not come."),
}
CAME = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)


@dataclass(frozen=True)
class Outcome:
    start: datetime
    day: date
    what: str  # came, excused, absent, silent, unknown
    reminded: bool


@dataclass(frozen=True)
class Finding:
    rule: str
    days: list[date]
    since: date | None = None


def rules_of(organisation: Organisation | None) -> dict[str, int]:
    tuned = (organisation.alert_rules if organisation else None) or {}
    return {key: int(tuned.get(key, value)) for key, value in DEFAULT_RULES.items()}


def judge(outcomes: list[Outcome], rules: dict[str, int], today: date) -> Finding | None:
    """The first rule that fires on these outcomes (oldest first), or None. Pure: the bench
    and the tests call it directly."""
    telling = [o for o in outcomes if o.what in ("came", "absent")]
    n = rules["absences_in_a_row"]
    if n and len(telling) >= n and all(o.what == "absent" for o in telling[-n:]):
        return Finding("absences_in_a_row", [o.day for o in telling[-n:]])
    days = rules["days_without_attendance"]
    recent = [o for o in outcomes if o.day > today - timedelta(days=days) and o.what != "excused"]
    older = [o for o in outcomes if o.day <= today - timedelta(days=days)]
    if (
        days
        and len(recent) >= 2
        and older  # expected for that whole span, not just started
        and all(o.what in ("absent", "silent") for o in recent)
    ):
        return Finding("days_without_attendance", [o.day for o in recent], recent[0].day)
    n = rules["unanswered_in_a_row"]
    counted = [o for o in outcomes if o.what != "excused"]
    if n and len(counted) >= n and all(o.what == "silent" for o in counted[-n:]):
        return Finding("unanswered_in_a_row", [o.day for o in counted[-n:]])
    return None


def run(
    session: Session, now: datetime, zone: ZoneInfo, participant_ids: list[int] | None = None
) -> int:
    """Check every active participant (or these); returns how many alerts were raised.

    Works in chunks with a few set-based queries per chunk, so 100,000 participants fit."""
    with session.begin():
        query = select(Participant.id).where(Participant.status == ParticipantStatus.ACTIVE)
        if participant_ids is not None:
            query = query.where(Participant.id.in_(participant_ids))
        ids = list(session.scalars(query.order_by(Participant.id)))
        organisations = {o.id: o for o in session.scalars(select(Organisation))}
    raised = 0
    for first in range(0, len(ids), CHUNK):
        with session.begin():
            raised += _chunk(session, ids[first : first + CHUNK], organisations, now, zone)
        session.expunge_all()
    return raised


def _chunk(
    session: Session,
    ids: list[int],
    organisations: dict[int, Organisation],
    now: datetime,
    zone: ZoneInfo,
) -> int:
    since = now - LOOK_BACK
    # Plain rows, not ORM objects: this runs over every participant every day.
    people = {
        row.id: row
        for row in session.execute(
            select(Participant.id, Participant.organisation_id).where(Participant.id.in_(ids))
        )
    }
    episodes: dict[int, list[Any]] = defaultdict(list)
    for alert in session.execute(
        select(Alert.participant_id, Alert.state, Alert.closed_at).where(
            Alert.participant_id.in_(ids), Alert.kind == KIND
        )
    ):
        episodes[alert.participant_id or 0].append(alert)
    appointments: dict[int, list[Any]] = defaultdict(list)
    for appointment in session.execute(
        select(
            Appointment.participant_id,
            Appointment.starts_at,
            Appointment.ends_at,
            Appointment.rrule,
            Appointment.skipped,
        ).where(Appointment.participant_id.in_(ids), Appointment.cancelled_at.is_(None))
    ):
        appointments[appointment.participant_id].append(appointment)
    marks = {
        (row.participant_id, row.occurrence_start): row.status
        for row in session.execute(
            select(Attendance.participant_id, Attendance.occurrence_start, Attendance.status).where(
                Attendance.participant_id.in_(ids), Attendance.occurrence_start >= since
            )
        )
    }
    # Only occurrences without a mark can be silent: ask for their reminders and answers only
    # (with most days filled in, a tenth of the rows).
    open_keys = select(Reminder.participant_id, Reminder.occurrence_start, AppointmentAnswer.id)
    open_keys = (
        open_keys.outerjoin(
            Attendance,
            (Attendance.participant_id == Reminder.participant_id)
            & (Attendance.occurrence_start == Reminder.occurrence_start),
        )
        .outerjoin(
            AppointmentAnswer,
            (AppointmentAnswer.participant_id == Reminder.participant_id)
            & (AppointmentAnswer.occurrence_start == Reminder.occurrence_start),
        )
        .where(
            Reminder.participant_id.in_(ids),
            Reminder.occurrence_start >= since,
            Reminder.state == ReminderState.QUEUED,
            Attendance.id.is_(None),
        )
    )
    reminded, answered = set(), set()
    for row in session.execute(open_keys):
        key = (row.participant_id, row.occurrence_start)
        reminded.add(key)
        if row.id is not None:
            answered.add(key)
    today = now.astimezone(zone).date()
    starts: dict[tuple[Any, ...], list[datetime]] = {}  # groups share their schedules
    raised = 0
    for pid, person in people.items():
        history = episodes.get(pid, [])
        if any(alert.state != AlertState.RESOLVED for alert in history):
            continue  # one alert per episode
        start = max([since, *(a.closed_at for a in history if a.closed_at)])
        outcomes = _outcomes(
            pid, appointments.get(pid, []), start, now, zone, marks, reminded, answered, starts
        )
        finding = judge(outcomes, rules_of(organisations.get(person.organisation_id or -1)), today)
        if finding is not None and _alert(session, now, session.get(Participant, pid), finding):
            raised += 1
    return raised


def _outcomes(
    pid: int,
    appointments: list[Any],
    start: datetime,
    now: datetime,
    zone: ZoneInfo,
    marks: dict[tuple[int, datetime], AttendanceStatus],
    reminded: set[tuple[int, datetime]],
    answered: set[tuple[int, datetime]],
    starts: dict[tuple[Any, ...], list[datetime]],
) -> list[Outcome]:
    found = []
    for appointment in appointments:
        length = (
            appointment.ends_at - appointment.starts_at
            if appointment.ends_at
            else timedelta(hours=1)
        )
        schedule = (
            appointment.rrule,
            appointment.starts_at,
            tuple(appointment.skipped or ()),
            start,
        )
        if schedule not in starts:
            starts[schedule] = reminders.occurrences(appointment, start, now, zone)
        for moment in starts[schedule]:
            if moment + length > now:
                continue  # not over yet
            key = (pid, moment)
            status = marks.get(key)
            if status in CAME:
                what = "came"
            elif status == AttendanceStatus.EXCUSED:
                what = "excused"
            elif status == AttendanceStatus.ABSENT:
                what = "absent"
            else:
                what = "silent" if key in reminded and key not in answered else "unknown"
            found.append(Outcome(moment, moment.astimezone(zone).date(), what, key in reminded))
    return sorted(found, key=lambda o: o.start)


def _alert(session: Session, now: datetime, person: Participant, finding: Finding) -> bool:
    coach = session.get(StaffMember, person.coach_id or -1)
    with use_locale(coach.language if coach else "nl"):
        params: dict[str, Any] = {"days": format_days(finding.days)}
        if finding.since is not None:
            params["since"] = format_days([finding.since])
    return (
        alerts.raise_alert(
            session,
            now,
            person,
            KIND,
            message=REASONS[finding.rule],
            params=params,
            rule=finding.rule,
            days=[day.isoformat() for day in finding.days],
        )
        is not None
    )


def came_back(session: Session, participant_id: int, now: datetime) -> None:
    """They came: the open episode is over (in the caller's transaction)."""
    for alert in session.scalars(
        select(Alert).where(
            Alert.participant_id == participant_id,
            Alert.kind == KIND,
            Alert.state != AlertState.RESOLVED,
        )
    ):
        alert.state, alert.closed_at = AlertState.RESOLVED, now
        alert.detail = {**alert.detail, "closed_by": "came_back"}
