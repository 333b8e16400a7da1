"""After "I can't come", the coach proposes a new time; the participant says yes (the
appointment moves) or no (the coach is told)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.callbacks import NewTime, ProposalReply
from bot.i18n import N_, _, use_locale
from bot.services.appointments.reminder_texts import render
from bot.services.appointments.rescheduling import Changed, _local, _one_off_copy, _place
from bot.services.errors import DomainError, Refused
from bot.services.messaging import outbox
from bot.services.messaging.notify import staff_message, tell
from bot.services.people import scope
from bot.services.people.scope import Scope
from storage import repositories as repo
from storage.db import Database
from storage.models import (
    PRIORITY_PERSONAL,
    Alert,
    AlertState,
    Appointment,
    Location,
    Participant,
    ProposalState,
    StaffMember,
    TimeProposal,
)

PROPOSAL = N_("{coach} proposes a new time: {when}, at {place}. Is that good for you?")

PROPOSAL_YES, PROPOSAL_NO = N_("✅ Yes, that is good"), N_("❌ No, that does not work")


CONFIRMED = N_("{name} said yes to the new time: {when}.")


DECLINED = N_("{name} cannot come at the new time you proposed ({when}).")


PROPOSE_AGAIN = N_("📅 Propose another time")


class ProposalClosed(DomainError):
    """The proposal was answered already, replaced by a newer one, or its time has passed."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why  # "answered", "withdrawn", "passed", "unknown"


@dataclass(frozen=True)
class ProposalAnswer:
    accepted: bool
    text: str  # the participant's reply, in their language
    coach: str


def _not_coming(session: Session, mine: Scope, alert_id: int) -> tuple[Alert, Appointment]:
    """The "cannot come" alert and its appointment, if this staff member may act on it."""
    alert = scope.alert(session, mine, alert_id)
    detail = alert.detail or {}
    if alert.kind != "not_coming" or "appointment_id" not in detail:
        raise Refused("unknown_alert")
    appointment = scope.appointment(session, mine, int(detail["appointment_id"]))
    return alert, appointment


def proposal_start(session: Session, mine: Scope, alert_id: int) -> dict[str, object]:
    """What the coach's "new time" conversation needs to know, checked before it starts."""
    with session.begin():
        alert, appointment = _not_coming(session, mine, alert_id)
        person = scope.participant(session, mine, appointment.participant_id)
        return {"mode": "propose", "alert": alert.id, "name": person.display_name or "?"}


def proposal_text(
    session: Session, mine: Scope, alert_id: int, new_start: datetime, zone: ZoneInfo
) -> tuple[str, str]:
    """The participant's name and what they will read, in their language (for a preview)."""
    with session.begin():
        _alert, appointment = _not_coming(session, mine, alert_id)
        person = scope.participant(session, mine, appointment.participant_id)
        with use_locale(person.language or "nl"):
            text = _(
                PROPOSAL,
                coach=_coach_name(session, mine, person),
                when=_local(new_start, zone),
                place=_place(session, appointment),
            )
        return person.display_name or "?", text


def _coach_name(session: Session, mine: Scope, person: Participant) -> str:
    coach = session.get(StaffMember, person.coach_id or -1)
    return mine.staff_name or (coach.name if coach else "")


def propose(
    session: Session,
    mine: Scope,
    alert_id: int,
    new_start: datetime,
    now: datetime,
    zone: ZoneInfo,
) -> Changed:
    """Send the participant the new time with two buttons; an earlier open proposal for the
    same missed appointment is withdrawn, so only the newest can be confirmed."""
    if new_start <= now:
        raise Refused("in_the_past")
    with session.begin():
        alert, appointment = _not_coming(session, mine, alert_id)
        person = scope.participant(session, mine, appointment.participant_id)
        session.execute(
            update(TimeProposal)
            .where(
                TimeProposal.alert_id == alert.id,
                TimeProposal.state == ProposalState.PROPOSED,
            )
            .values(state=ProposalState.WITHDRAWN, answered_at=now)
        )
        proposal = TimeProposal(
            appointment_id=appointment.id,
            participant_id=person.id,
            staff_id=mine.staff_id,
            alert_id=alert.id,
            occurrence_start=datetime.fromisoformat(str(alert.detail["occurrence"])),
            proposed_start=new_start,
            state=ProposalState.PROPOSED,
            created_at=now,
        )
        session.add(proposal)
        session.flush()
        alert.state = AlertState.ACKNOWLEDGED
        with use_locale(person.language or "nl"):
            buttons = [
                [{"text": _(PROPOSAL_YES), "data": ProposalReply(proposal.id, "yes").pack()}],
                [{"text": _(PROPOSAL_NO), "data": ProposalReply(proposal.id, "no").pack()}],
            ]
            when = _local(new_start, zone)
        told = tell(
            session,
            person,
            f"proposal:{proposal.id}",
            now,
            PROPOSAL,
            buttons,
            coach=_coach_name(session, mine, person),
            when=when,
            place=_place(session, appointment),
        )
        return Changed(person.display_name or "?", told)


def answer_proposal(
    session: Session,
    chat_id: int,
    proposal_id: int,
    accepted: bool,
    now: datetime,
    zone: ZoneInfo,
    quiet: tuple[time, time],
) -> ProposalAnswer:
    """The participant's one tap: yes makes the new appointment (with reminders) and closes
    the alert; no asks the coach for another time. Either way the coach hears it."""
    with session.begin():
        person = repo.participant_by_chat(session, chat_id)
        proposal = session.get(TimeProposal, proposal_id)
        if person is None or proposal is None or proposal.participant_id != person.id:
            raise ProposalClosed("unknown")
        if proposal.state == ProposalState.WITHDRAWN:
            raise ProposalClosed("withdrawn")
        if proposal.state != ProposalState.PROPOSED:
            raise ProposalClosed("answered")
        if proposal.proposed_start <= now:
            raise ProposalClosed("passed")
        proposal.answered_at = now
        original = session.get(Appointment, proposal.appointment_id)
        assert original is not None
        coach = session.get(StaffMember, proposal.staff_id or person.coach_id or -1)
        coach_name = coach.name if coach else ""
        location = session.get(Location, original.location_id or -1)
        alert = session.get(Alert, proposal.alert_id or -1)
        if accepted:
            proposal.state = ProposalState.ACCEPTED
            made = _one_off_copy(session, original, proposal.proposed_start, now, zone, quiet)
            proposal.new_appointment_id = made.id
            if alert is not None:
                alert.state, alert.closed_at = AlertState.RESOLVED, now
        else:
            proposal.state = ProposalState.DECLINED
            if alert is not None:
                alert.state = AlertState.OPEN
        if coach is not None and coach.chat_id is not None:
            with use_locale(coach.language):
                text = _(
                    CONFIRMED if accepted else DECLINED,
                    name=person.display_name or "?",
                    when=_local(proposal.proposed_start, zone),
                )
                buttons = (
                    None
                    if accepted or alert is None
                    else [[{"text": _(PROPOSE_AGAIN), "data": NewTime(alert.id).pack()}]]
                )
            outbox.enqueue_many(
                session,
                [
                    staff_message(
                        now,
                        f"proposal:{proposal.id}:answer",
                        coach,
                        text,
                        person,
                        buttons,
                        PRIORITY_PERSONAL,
                    )
                ],
            )
        if accepted:
            reply = render(
                original.kind,
                _local(proposal.proposed_start, zone),
                location.name if location else "",
                coach_name,
                location.address if location else "",
                "",
            )
        elif coach_name:
            reply = _("OK. I will tell {coach}. You will get another time.", coach=coach_name)
        else:
            reply = _("OK. I will tell your coach. You will get another time.")
        return ProposalAnswer(accepted, reply, coach_name)


@dataclass(frozen=True)
class Closed:
    """Why the proposal cannot be answered: "answered", "withdrawn", "passed" or "unknown"."""

    why: str


def answer(
    db: Database,
    chat_id: int,
    proposal: int,
    accepted: bool,
    now: datetime,
    zone: ZoneInfo,
    quiet: tuple[time, time],
) -> ProposalAnswer | Closed:
    """The participant's one tap on a proposed time (see `answer_proposal`)."""
    with db.read() as session:
        try:
            return answer_proposal(session, chat_id, proposal, accepted, now, zone, quiet)
        except ProposalClosed as closed:
            return Closed(closed.why)


def start_proposing(db: Database, staff: Scope, alert: int) -> dict[str, object]:
    """What the coach's "new time" flow starts with under this alert; refused when the alert
    is not a "cannot come" of someone in scope (`proposal_start` checks)."""
    with db.read() as session:
        return proposal_start(session, staff, alert)
