"""A coach's participants: the one-glance list, one person's card, a personal invite, a step to
the next phase (or leaving, with one outflow category), and handing someone to another coach.

Phase changes are stored with their day in `phase_change`: the organisation's impact figures
(time from start to course, outflow per category) are read from there later. Every function
takes a Scope and refuses what is outside it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.i18n import N_
from bot.services import audit
from bot.services.appointments import upcoming
from bot.services.appointments.upcoming import Occurrence
from bot.services.coaching import alerts
from bot.services.errors import Refused
from bot.services.messaging import outbox
from bot.services.messaging.notify import tell
from bot.services.people import codes, scope
from bot.services.people.scope import Scope
from storage.models import (
    Alert,
    AlertState,
    Attendance,
    AttendanceStatus,
    InviteKind,
    Outbox,
    Outflow,
    Participant,
    ParticipantStatus,
    Phase,
    PhaseChange,
    Signal,
    StaffMember,
    StaffRole,
)

RECENT = timedelta(weeks=4)
INVITE_VALID = timedelta(days=30)
PHASES = {
    Phase.ACTIVERING: N_("Activation"),
    Phase.VRIJWILLIGER: N_("Volunteer"),
    Phase.OPLEIDING: N_("Education"),
    Phase.WERK: N_("Work"),
}
OUTFLOWS = {
    Outflow.BETAALD_WERK: N_("Paid work"),
    Outflow.REGULIERE_OPLEIDING: N_("Regular education"),
    Outflow.LEER_WERKTRAJECT: N_("Learning-and-working programme"),
    Outflow.WERKERVARINGSPLAATS: N_("Work experience placement"),
    Outflow.VRIJWILLIGERSWERK: N_("Volunteer work"),
    Outflow.ANDER_PROJECT: N_("Another project or course"),
    Outflow.CERTIFICAAT: N_("Certificate obtained"),
    Outflow.GEEN_WERK: N_("No work"),
    Outflow.VOORTIJDIGE_UITVAL: N_("Dropped out early"),
    Outflow.KAN_NIET_WERKEN: N_("Cannot work (for now)"),
    Outflow.ONBEKEND: N_("Unknown"),
}
PHASE_NAMES: dict[str, str] = {phase.value: label for phase, label in PHASES.items()}
OUTFLOW_NAMES: dict[str, str] = {outflow.value: label for outflow, label in OUTFLOWS.items()}
NEW_COACH = N_("From now on, {coach} is your coach. You can ask them anything.")
HANDED_TO_YOU = N_("{name} is now one of your participants. {previous} handed them over to you.")


@dataclass(frozen=True)
class Glance:
    """One line of /deelnemers."""

    participant_id: int
    name: str
    phase: Phase | None
    status: ParticipantStatus
    came: int  # present or late, last four weeks
    absent: int
    excused: int
    open_alerts: int
    reachable: bool


@dataclass
class Card:
    """One participant in full, for /deelnemer."""

    participant_id: int
    name: str
    language: str | None
    phase: Phase | None
    phase_since: datetime | None
    status: ParticipantStatus
    coach: str
    stopped: bool
    unreachable: bool
    coming: list[Occurrence] = field(default_factory=list)
    attendance: list[tuple[date, AttendanceStatus]] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)  # in the current language
    last_checkin: datetime | None = None


def overview(session: Session, mine: Scope, now: datetime) -> list[Glance]:
    """Everyone in scope by name, with four weeks of attendance and open alerts counted."""
    people = session.scalars(scope.participants(mine)).all()
    ids = [p.id for p in people]
    if not ids:
        return []
    counts: dict[int, Counter[AttendanceStatus]] = {pid: Counter() for pid in ids}
    for pid, status, n in session.execute(
        select(Attendance.participant_id, Attendance.status, func.count())
        .where(Attendance.participant_id.in_(ids), Attendance.occurrence_start >= now - RECENT)
        .group_by(Attendance.participant_id, Attendance.status)
    ):
        counts[pid][status] = n
    open_alerts: dict[int, int] = {
        pid: n
        for pid, n in session.execute(
            select(Alert.participant_id, func.count())
            .where(Alert.participant_id.in_(ids), Alert.state != AlertState.RESOLVED)
            .group_by(Alert.participant_id)
        )
    }
    return [
        Glance(
            participant_id=p.id,
            name=p.display_name or "?",
            phase=p.phase,
            status=p.status,
            came=counts[p.id][AttendanceStatus.PRESENT] + counts[p.id][AttendanceStatus.LATE],
            absent=counts[p.id][AttendanceStatus.ABSENT],
            excused=counts[p.id][AttendanceStatus.EXCUSED],
            open_alerts=open_alerts.get(p.id, 0),
            reachable=p.stopped_at is None and p.unreachable_at is None,
        )
        for p in people
    ]


def find(session: Session, mine: Scope, name: str) -> list[Participant]:
    """Participants in scope whose name contains `name` (any case); an exact match wins."""
    wanted = name.strip().casefold()
    if not wanted:
        return []
    found = [
        p
        for p in session.scalars(scope.participants(mine))
        if wanted in (p.display_name or "").casefold()
    ]
    exact = [p for p in found if (p.display_name or "").casefold() == wanted]
    return exact or found


def card(session: Session, mine: Scope, participant_id: int, now: datetime, zone: ZoneInfo) -> Card:
    """Appointments to come, attendance of the last four weeks, open alerts (read in its own
    transactions; the view is audited: it shows attendance and alerts)."""
    with session.begin():
        person = scope.participant(session, mine, participant_id)
        coach = session.get(StaffMember, person.coach_id or -1)
        found = Card(
            participant_id=person.id,
            name=person.display_name or "?",
            language=person.language,
            phase=person.phase,
            phase_since=person.phase_since,
            status=person.status,
            coach=coach.name if coach else "",
            stopped=person.stopped_at is not None,
            unreachable=person.unreachable_at is not None,
        )
        found.attendance = [
            (row.day, row.status)
            for row in session.scalars(
                select(Attendance)
                .where(
                    Attendance.participant_id == person.id,
                    Attendance.occurrence_start >= now - RECENT,
                )
                .order_by(Attendance.occurrence_start)
            )
        ]
        found.alerts = [
            alerts.describe(alert, person)
            for alert in session.scalars(
                select(Alert)
                .where(Alert.participant_id == person.id, Alert.state != AlertState.RESOLVED)
                .order_by(Alert.urgent.desc(), Alert.created_at)
            )
        ]
        found.last_checkin = session.scalar(
            select(func.max(Signal.at)).where(
                Signal.participant_id == person.id, Signal.source == "self"
            )
        )
        audit.record(
            session,
            now,
            "participant_viewed",
            participant_id=person.id,
            staff_id=mine.staff_id,
            actor="staff",
        )
    found.coming = upcoming.coming(session, participant_id, now, zone, limit=3)
    return found


def change_phase(
    session: Session,
    mine: Scope,
    participant_id: int,
    to_phase: Phase | None,
    now: datetime,
    zone: ZoneInfo,
    outflow: Outflow | None = None,
) -> PhaseChange:
    """The next step (or leaving with one outflow category), dated today; in the caller's
    transaction. Leaving stops every message and closes their open alerts."""
    person = scope.participant(session, mine, participant_id)
    if to_phase is None and outflow is None:
        raise Refused("outflow_needed")
    if to_phase is not None and to_phase == person.phase:
        raise Refused("same_phase")
    change = PhaseChange(
        organisation_id=person.organisation_id,
        participant_id=person.id,
        from_phase=person.phase,
        to_phase=to_phase,
        outflow=outflow if to_phase is None else None,
        on=now.astimezone(zone).date(),
        staff_id=mine.staff_id,
        recorded_at=now,
    )
    session.add(change)
    if to_phase is None:
        person.status = ParticipantStatus.LEFT
        outbox.cancel(session, Outbox.participant_id == person.id)
        for alert in session.scalars(
            select(Alert).where(
                Alert.participant_id == person.id, Alert.state != AlertState.RESOLVED
            )
        ):
            alert.state, alert.closed_at = AlertState.RESOLVED, now
            alert.detail = {**alert.detail, "closed_by": "left"}
    else:
        person.phase, person.phase_since = to_phase, now
    audit.record(
        session,
        now,
        "phase_changed" if to_phase else "left_trajectory",
        participant_id=person.id,
        staff_id=mine.staff_id,
        actor="staff",
        to=to_phase.value if to_phase else None,
        outflow=change.outflow.value if change.outflow else None,
    )
    session.flush()
    return change


def coaches(session: Session, mine: Scope) -> list[StaffMember]:
    """The organisation's coaches someone can be handed to."""
    return list(
        session.scalars(
            select(StaffMember)
            .where(
                StaffMember.organisation_id == mine.organisation_id,
                StaffMember.role == StaffRole.COACH,
                StaffMember.removed_at.is_(None),
            )
            .order_by(StaffMember.name)
        )
    )


def hand_over(
    session: Session, mine: Scope, participant_id: int, to_staff_id: int, now: datetime
) -> StaffMember:
    """Another coach of the organisation takes over: the participant and their open alerts
    move, the new coach and the participant are told (in their languages)."""
    person = scope.participant(session, mine, participant_id)
    new = session.get(StaffMember, to_staff_id)
    if new is None or new.organisation_id != mine.organisation_id or new.role != StaffRole.COACH:
        raise Refused("unknown_coach")
    if new.id == person.coach_id:
        raise Refused("same_coach", coach=new.name)
    previous = session.get(StaffMember, person.coach_id or -1)
    person.coach_id = new.id
    for alert in session.scalars(
        select(Alert).where(Alert.participant_id == person.id, Alert.state != AlertState.RESOLVED)
    ):
        alert.coach_id = new.id
    audit.record(
        session,
        now,
        "handed_over",
        participant_id=person.id,
        staff_id=mine.staff_id,
        actor="staff",
        from_coach=previous.id if previous else None,
        to_coach=new.id,
    )
    key = f"handover:{person.id}:{new.id}:{now.isoformat()}"
    tell(session, person, key, now, NEW_COACH, coach=new.name)
    alerts.tell_staff(
        session,
        now,
        new,
        f"{key}:coach",
        HANDED_TO_YOU,
        person,
        name=person.display_name or "?",
        previous=mine.staff_name or (previous.name if previous else "?"),
    )
    return new


def invite(
    session: Session, mine: Scope, name: str, now: datetime
) -> tuple[str, datetime, Participant]:
    """A personal, single-use code for someone new; they become the inviting coach's (or,
    for an admin, the least busy coach's) participant once they start with it."""
    name = " ".join(name.split())[:200]
    if not name:
        raise Refused("name_needed")
    if mine.staff_id is None:
        raise Refused("not_staff")
    staff = session.get(StaffMember, mine.staff_id)
    assert staff is not None
    coach_id = staff.id if staff.role == StaffRole.COACH else None
    person = Participant(
        display_name=name,
        organisation_id=mine.organisation_id,
        coach_id=coach_id,
        status=ParticipantStatus.INVITED,
        created_at=now,
    )
    session.add(person)
    session.flush()
    made = codes.create(
        session,
        now,
        mine.organisation_id,
        InviteKind.PERSONAL,
        valid_for=INVITE_VALID,
        coach_id=coach_id,
        participant_id=person.id,
    )
    audit.record(
        session, now, "invited", participant_id=person.id, staff_id=staff.id, actor="staff"
    )
    return made.code, now + INVITE_VALID, person
