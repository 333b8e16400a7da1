"""A participant's page in the web app as one use case: the card, the coming appointments (to
change on the page), the check-ins beside the coach's scores, questions and what became of
them, the dated phase steps, and who looked at their data. Refused outside the scope; every
view is audited (by the building blocks)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.services import audit
from bot.services.appointments import changing
from bot.services.appointments.changing import Agenda
from bot.services.coaching import progress
from bot.services.coaching.progress import Progress
from bot.services.people import participants
from bot.services.people.participants import Card
from bot.services.people.scope import Scope
from storage.db import Database
from storage.models import PhaseChange, Question, StaffMember

QUESTIONS_SHOWN = 20
VIEWS_SHOWN = 30


@dataclass(frozen=True)
class Asked:
    """One question in the participant's words and who answered it, when."""

    text: str
    language: str
    asked_at: datetime
    handled: str  # bot, coach, crisis, are_you_safe
    answered_by: str | None
    answered_at: datetime | None


@dataclass(frozen=True)
class Step:
    """A phase step or leaving (outflow), on its own day."""

    on: date
    from_phase: str | None
    to_phase: str | None
    outflow: str | None
    by: str


@dataclass(frozen=True)
class Viewed:
    """Someone of staff looked at or exported this person's data."""

    at: datetime
    by: str
    action: str


@dataclass
class Dossier:
    card: Card
    progress: Progress
    agenda: Agenda
    questions: list[Asked] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    views: list[Viewed] = field(default_factory=list)


def of_participant(
    db: Database, staff: Scope, participant_id: int, now: datetime, zone: ZoneInfo
) -> Dossier:
    """Everything the participant page shows, for their coach or an admin of theirs."""
    with db.read() as session:
        card = participants.card(session, staff, participant_id, now, zone)
        signals = progress.for_staff(session, staff, participant_id, now)
        coming = changing.agenda_of(session, staff, participant_id, now, zone)
        found = Dossier(card, signals, coming)
        found.questions = [
            Asked(q.text, q.language, q.created_at, q.handled, q.answered_by, q.answered_at)
            for q in session.scalars(
                select(Question)
                .where(Question.participant_id == participant_id)
                .order_by(Question.created_at.desc(), Question.id.desc())
                .limit(QUESTIONS_SHOWN)
            )
        ]
        found.steps = [
            Step(
                change.on,
                change.from_phase.value if change.from_phase else None,
                change.to_phase.value if change.to_phase else None,
                change.outflow.value if change.outflow else None,
                name or "",
            )
            for change, name in session.execute(
                select(PhaseChange, StaffMember.name)
                .outerjoin(StaffMember, StaffMember.id == PhaseChange.staff_id)
                .where(PhaseChange.participant_id == participant_id)
                .order_by(PhaseChange.on, PhaseChange.id)
            )
        ]
        events = audit.trail(session, staff.organisation_id, participant_id)
        seen: set[tuple[datetime, str]] = set()
        for at, actor, name, action, _detail in reversed(events):
            if actor != "staff" or not action.endswith(("_viewed", "_exported")):
                continue
            minute = (at.replace(second=0, microsecond=0), name)
            if minute not in seen:  # one page shows several kinds of data: one line
                seen.add(minute)
                found.views.append(Viewed(at, name, action))
        found.views = found.views[:VIEWS_SHOWN]
        return found
