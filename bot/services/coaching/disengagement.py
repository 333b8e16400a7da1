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

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.i18n import N_, format_days, use_locale
from bot.services.appointments import reminders
from bot.services.coaching import alerts
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
        chunk = ids[first : first + CHUNK]
        with session.begin():
            raised += _chunk(session, chunk, participant_ids is None, organisations, now, zone)
        session.expunge_all()
    return raised


def _chunk(
    session: Session,
    ids: list[int],
    ranged: bool,
    organisations: dict[int, Organisation],
    now: datetime,
    zone: ZoneInfo,
) -> int:
    since = now - LOOK_BACK

    def within(column: Any) -> Any:
        # A whole run takes consecutive ids: a range is much cheaper than a list of 2,000.
        return column.between(ids[0], ids[-1]) if ranged else column.in_(ids)

    wanted = set(ids)
    # Plain rows, not ORM objects: this runs over every participant every day.
    people = {
        row.id: row
        for row in session.execute(
            select(Participant.id, Participant.organisation_id).where(within(Participant.id))
        )
        if row.id in wanted
    }
    episodes: dict[int, list[Any]] = defaultdict(list)
    for alert in session.execute(
        select(Alert.participant_id, Alert.state, Alert.closed_at).where(
            within(Alert.participant_id), Alert.kind == KIND
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
        ).where(within(Appointment.participant_id), Appointment.cancelled_at.is_(None))
    ):
        appointments[appointment.participant_id].append(appointment)
    # Every rule needs the outcomes after the last time they came, and nothing before it: ask
    # for that one moment per person, and only for the marks that did not say "came".
    last_came: dict[int, datetime] = {
        pid: moment
        for pid, moment in session.execute(
            select(Attendance.participant_id, func.max(Attendance.occurrence_start))
            .where(
                within(Attendance.participant_id),
                Attendance.occurrence_start >= since,
                Attendance.status.in_(CAME),
            )
            .group_by(Attendance.participant_id)
        )
    }
    marks = {
        (row.participant_id, row.occurrence_start): row.status
        for row in session.execute(
            select(Attendance.participant_id, Attendance.occurrence_start, Attendance.status).where(
                within(Attendance.participant_id),
                Attendance.occurrence_start >= since,
                Attendance.status.not_in(CAME),
            )
        )
    }
    # Only occurrences without a mark can be silent: ask for their reminders and answers only.
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
            within(Reminder.participant_id),
            Reminder.occurrence_start >= since,
            Reminder.occurrence_start < now,
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
    ended: dict[tuple[Any, ...], list[datetime]] = {}  # groups share their schedules
    raised = 0
    for pid, person in people.items():
        history = episodes.get(pid, [])
        if any(alert.state != AlertState.RESOLVED for alert in history):
            continue  # one alert per episode
        start = max([since, *(a.closed_at for a in history if a.closed_at)])
        came = last_came.get(pid)
        outcomes = _outcomes(
            pid,
            appointments.get(pid, []),
            max(start, came + timedelta(seconds=1)) if came else start,
            now,
            zone,
            marks,
            reminded,
            answered,
            ended,
        )
        if not outcomes:
            continue  # came at the last occurrence, or nothing expected: nothing can fire
        if came and came >= start:
            # Stands for everything up to the last time they came: judge only needs that.
            day = came.astimezone(zone).date()
            outcomes.insert(0, Outcome(came, day, "came", (pid, came) in reminded))
        finding = judge(outcomes, rules_of(organisations.get(person.organisation_id or -1)), today)
        participant = session.get(Participant, pid)
        if (
            finding is not None
            and participant is not None
            and _alert(session, now, participant, finding)
        ):
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
    ended: dict[tuple[Any, ...], list[datetime]],
) -> list[Outcome]:
    """What happened at each expected occurrence that started at or after `start` and is over;
    a mark that says they came is not looked for here (the caller knows the last one)."""
    found = []
    for appointment in appointments:
        schedule = (
            appointment.rrule,
            appointment.starts_at,
            appointment.ends_at,
            tuple(appointment.skipped or ()),
        )
        if schedule not in ended:
            length = (
                appointment.ends_at - appointment.starts_at
                if appointment.ends_at
                else timedelta(hours=1)
            )
            ended[schedule] = [
                moment
                for moment in reminders.occurrences(appointment, now - LOOK_BACK, now, zone)
                if moment + length <= now
            ]
        moments = ended[schedule]
        for moment in moments[bisect_left(moments, start) :]:
            key = (pid, moment)
            status = marks.get(key)
            if status == AttendanceStatus.EXCUSED:
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
