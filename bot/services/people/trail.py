"""The audit trail: of one participant, for their organisation (the command line's `audit`),
and of the whole organisation, filtered and a page at a time, for its admins (the web app)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, aliased

from bot.i18n import N_
from bot.services import audit
from storage.db import Database
from storage.models import AuditEvent, Organisation, Participant, StaffMember


@dataclass(frozen=True)
class Trail:
    """How many participants matched, and when exactly one did, who viewed or changed their
    data: (when, actor, staff name, action, detail), oldest first."""

    matches: int
    events: list[tuple[datetime, str, str, str, dict[str, Any]]] = field(default_factory=list)


def of_participant(db: Database, organisation_id: int, wanted: str) -> Trail:
    """The trail of the organisation's participant with this number, or this exact name."""
    wanted = wanted.strip()
    with db.write() as session:
        found = _participants(session, organisation_id, wanted)
        if len(found) != 1:
            return Trail(len(found))
        return Trail(1, audit.trail(session, organisation_id, found[0]))


# The organisation's whole trail, for its admins (the web app's audit page and its CSV).

PAGE = 100
EXPORT_MOST = 50_000  # rows in one CSV file, newest first
SYSTEM = "system"

# What each kind of event means, as an admin reads it (who did it is shown beside it).
ACTION_NAMES: dict[str, str] = {
    "participant_viewed": N_("Looked at the participant's page"),
    "signals_viewed": N_("Looked at the check-in answers"),
    "alert_viewed": N_("Looked at an alert"),
    "caseload_viewed": N_("Looked at the list of participants"),
    "caseload_exported": N_("Downloaded the list of participants"),
    "signals_exported": N_("Downloaded the check-in answers"),
    "report_viewed": N_("Looked at the impact report"),
    "report_pdf": N_("Downloaded the impact report as PDF"),
    "report_csv": N_("Downloaded the impact report as a spreadsheet"),
    "audit_viewed": N_("Looked at the audit trail"),
    "audit_exported": N_("Downloaded the audit trail"),
    "data_exported": N_("Asked for a copy of their own data"),
    "coach_score": N_("Gave a ZRM score"),
    "attendance_corrected": N_("Changed the attendance"),
    "phase_changed": N_("Moved them to another phase"),
    "left_trajectory": N_("Noted that they left the trajectory"),
    "handed_over": N_("Handed them over to another coach"),
    "invited": N_("Made a personal code"),
    "alert_called": N_("Called them about an alert"),
    "alert_snooze": N_("Put an alert away for two days"),
    "alert_resolve": N_("Resolved an alert"),
    "alert_miss_you": N_("Sent a “we miss you” message"),
    "alert_escalated": N_("Told the admins about an urgent alert"),
    "question_asked": N_("Asked a question"),
    "question_answered": N_("Answered a question"),
    "question_marked": N_("Noted the topic of a question"),
    "crisis_answered": N_("Gave the crisis answer with the emergency numbers"),
    "linked": N_("Connected to the bot"),
    "consent_given": N_("Agreed to the privacy terms"),
    "consent_declined": N_("Did not agree to the privacy terms"),
    "consent_renewed": N_("Agreed to the new privacy terms"),
    "language_changed": N_("Changed the language"),
    "messages_stopped": N_("Stopped the bot's messages"),
    "messages_resumed": N_("Started the bot's messages again"),
    "participant_erased": N_("Erased a participant's data"),
    "staff_invited": N_("Invited a staff member"),
    "staff_linked": N_("Connected their Telegram to Wegwijzer"),
    "staff_removed": N_("Removed a staff member"),
    "web_link_issued": N_("Made a login link for the web app"),
    "web_login": N_("Logged in to the web app"),
    "web_logout": N_("Logged out of the web app"),
    "group_connected": N_("Connected a Telegram group"),
    "broadcast_created": N_("Wrote a broadcast"),
    "location_added": N_("Added a location"),
    "group_added": N_("Added a group"),
    "programme_added": N_("Added a programme"),
    "location_changed": N_("Changed a location"),
    "setting_changed": N_("Changed a setting"),
    "staff_role_changed": N_("Made a staff member admin or coach"),
    "appointment_made": N_("Made an appointment"),
    "appointment_moved": N_("Moved an appointment"),
    "appointment_cancelled": N_("Cancelled an appointment"),
    "attendance_viewed": N_("Looked at the attendance list"),
    "broadcast_cancelled": N_("Cancelled a broadcast before it was sent"),
    "broadcast_stopped": N_("Stopped a broadcast while it was being sent"),
    "organisation_created": N_("Created the organisation"),
    "roster_imported": N_("Imported participants"),
    "zrm_imported": N_("Imported ZRM scores"),
    "phases_imported": N_("Imported phase history"),
    "referrals_imported": N_("Imported referrals"),
}


@dataclass(frozen=True)
class Wanted:
    """The audit page's filter: a staff member, a kind of event, a participant (number or
    exact name), and the page."""

    staff_id: int | None = None
    action: str = ""
    participant: str = ""
    page: int = 1


@dataclass(frozen=True)
class Line:
    """One event: when, who did it (a staff member, the participant, or the system), what,
    and about whom."""

    at: datetime
    actor: str  # staff, participant or system
    who: str
    action: str
    whom: str
    participant_id: int | None


@dataclass(frozen=True)
class Page:
    lines: list[Line]
    page: int
    more: bool  # there is a next page
    unknown_participant: bool  # the participant asked for is not in the organisation


def staff_names(db: Database, organisation_id: int) -> list[tuple[int, str]]:
    """Everyone who worked for the organisation (the removed too: the trail names them)."""
    with db.read() as session:
        rows = session.execute(
            select(StaffMember.id, StaffMember.name)
            .where(StaffMember.organisation_id == organisation_id)
            .order_by(StaffMember.name)
        )
        return [(staff_id, name) for staff_id, name in rows]


def _participants(session: Session, organisation_id: int, wanted: str) -> list[int]:
    query = select(Participant.id).where(Participant.organisation_id == organisation_id)
    query = query.where(
        Participant.id == int(wanted) if wanted.isdigit() else Participant.display_name == wanted
    )
    return list(session.scalars(query))


def _events(session: Session, organisation_id: int, wanted: Wanted) -> Select[Any] | None:
    """The organisation's events, newest first: by its staff, about its participants, or
    the system's work on it (named by slug or number in the event); None: nobody matches."""
    slug = session.scalar(select(Organisation.slug).where(Organisation.id == organisation_id))
    doer = aliased(StaffMember)
    person = aliased(Participant)
    query = (
        select(AuditEvent, doer.name, person.display_name)
        .outerjoin(doer, doer.id == AuditEvent.staff_id)
        .outerjoin(person, person.id == AuditEvent.participant_id)
        .where(
            or_(
                doer.organisation_id == organisation_id,
                person.organisation_id == organisation_id,
                AuditEvent.detail["slug"].as_string() == slug,
                AuditEvent.detail["organisation_id"].as_integer() == organisation_id,
            )
        )
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )
    if wanted.staff_id is not None:
        query = query.where(AuditEvent.staff_id == wanted.staff_id, AuditEvent.actor == "staff")
    if wanted.action:
        query = query.where(AuditEvent.action == wanted.action)
    if wanted.participant.strip():
        found = _participants(session, organisation_id, wanted.participant.strip())
        if not found:
            return None
        query = query.where(AuditEvent.participant_id.in_(found))
    return query


def _line(event: AuditEvent, staff: str | None, person: str | None) -> Line:
    if event.actor == "staff":
        who, whom = staff or "", person or ""
    elif event.actor == "participant":
        who, whom = person or "", ""
    else:
        who, whom = SYSTEM, person or staff or ""
    return Line(event.at, event.actor, who, event.action, whom, event.participant_id)


def of_organisation(
    db: Database, organisation_id: int, staff_id: int, wanted: Wanted, now: datetime
) -> Page:
    """A page (100 lines) of the organisation's trail; looking at it is itself audited."""
    with db.write() as session:
        query = _events(session, organisation_id, wanted)
        audit.record(
            session,
            now,
            "audit_viewed",
            staff_id=staff_id,
            actor="staff",
            page=wanted.page,
            **_asked(wanted),
        )
        if query is None:
            return Page([], wanted.page, False, True)
        rows = session.execute(query.offset((wanted.page - 1) * PAGE).limit(PAGE + 1)).all()
        lines = [_line(event, staff, person) for event, staff, person in rows[:PAGE]]
        return Page(lines, wanted.page, len(rows) > PAGE, False)


def exported(
    db: Database, organisation_id: int, staff_id: int, wanted: Wanted, now: datetime
) -> list[Line]:
    """Every line the filter keeps (the newest 50,000), for a CSV file; audited as an export."""
    with db.write() as session:
        query = _events(session, organisation_id, wanted)
        audit.record(
            session, now, "audit_exported", staff_id=staff_id, actor="staff", **_asked(wanted)
        )
        if query is None:
            return []
        return [_line(e, s, p) for e, s, p in session.execute(query.limit(EXPORT_MOST))]


def _asked(wanted: Wanted) -> dict[str, Any]:
    """The filter as the audit event keeps it (the participant asked for by number only: a
    name typed into the filter is not written down)."""
    kept: dict[str, Any] = {}
    if wanted.staff_id is not None:
        kept["staff"] = wanted.staff_id
    if wanted.action:
        kept["kind"] = wanted.action
    if wanted.participant.strip():
        kept["participant"] = (
            wanted.participant.strip() if wanted.participant.strip().isdigit() else "name"
        )
    return kept
