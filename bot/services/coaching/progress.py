"""What the check-ins add up to: per domain the participant's last answer and the one before,
and the coach's own score after a talk, side by side. The coach (in scope) sees them with their
history for the chart; the participant sees their own answers. Self-reports are the
participant's voice, never an official ZRM score; where they differ from the coach's score is
the next talk's agenda. Every view and score by staff is audited."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from bot.services import audit
from bot.services.errors import NotAParticipant, Refused
from bot.services.people import scope
from bot.services.people.scope import Scope
from flows.steps.scale import DOMAINS
from storage import repositories as repo
from storage.db import Database
from storage.models import Location, Participant, ParticipantStatus, Signal, StaffMember

DIFFERENT = 2  # a coach's score this far from the participant's own last answer is agenda


@dataclass
class DomainRow:
    domain: str
    level: int | None = None  # the participant's last answer (None: never answered)
    at: datetime | None = None
    before: int | None = None  # the answer before that
    coach_level: int | None = None
    coach_at: datetime | None = None

    @property
    def change(self) -> int:
        return 0 if self.level is None or self.before is None else self.level - self.before

    @property
    def differs(self) -> bool:
        return (
            self.level is not None
            and self.coach_level is not None
            and abs(self.level - self.coach_level) >= DIFFERENT
        )


@dataclass
class Progress:
    name: str
    language: str | None
    rows: list[DomainRow] = field(default_factory=list)  # domains with anything, ZRM order
    history: list[tuple[str, str, datetime, int]] = field(default_factory=list)
    last_checkin: datetime | None = None

    @property
    def agenda(self) -> list[str]:
        return [row.domain for row in self.rows if row.differs]


def _collect(session: Session, participant_id: int, with_coach: bool) -> Progress:
    rows: dict[str, DomainRow] = {}
    progress = Progress(name="", language=None)
    query = select(Signal.domain, Signal.level, Signal.source, Signal.at).where(
        Signal.participant_id == participant_id
    )
    if not with_coach:
        query = query.where(Signal.source == "self")
    for domain, level, source, at in session.execute(
        query.order_by(Signal.at.desc(), Signal.id.desc())
    ):
        if source == "self":
            progress.last_checkin = progress.last_checkin or at
        if level is None or domain not in DOMAINS:
            continue
        row = rows.setdefault(domain, DomainRow(domain))
        progress.history.append((domain, source, at, level))
        if source == "coach":
            if row.coach_level is None:
                row.coach_level, row.coach_at = level, at
        elif row.level is None:
            row.level, row.at = level, at
        elif row.before is None:
            row.before = level
    progress.rows = [rows[d] for d in DOMAINS if d in rows]
    progress.history.reverse()
    return progress


def for_staff(session: Session, mine: Scope, participant_id: int, now: datetime) -> Progress:
    """A participant's answers and the coach's scores, for their coach or their organisation's
    admin only; refused for anyone else. The view is audited."""
    with session.begin():
        person = scope.participant(session, mine, participant_id)
        progress = _collect(session, person.id, with_coach=True)
        progress.name, progress.language = person.display_name or "?", person.language
        audit.record(
            session,
            now,
            "signals_viewed",
            participant_id=person.id,
            staff_id=mine.staff_id,
            actor="staff",
        )
    return progress


def for_participant(session: Session, chat_id: int) -> Progress:
    """The participant's own answers (not the coach's scores)."""
    with session.begin():
        person = repo.participant_by_chat(session, chat_id)
        if person is None or person.status != ParticipantStatus.ACTIVE:
            raise NotAParticipant(chat_id)
        progress = _collect(session, person.id, with_coach=False)
        progress.name, progress.language = person.display_name or "?", person.language
    return progress


def record_score(
    session: Session, mine: Scope, participant_id: int, domain: str, level: int, now: datetime
) -> DomainRow:
    """The coach's own 1–5 score on one domain after a talk, beside the participant's answers."""
    if domain not in DOMAINS or not 1 <= level <= 5:
        raise Refused("unknown_domain")
    with session.begin():
        person = scope.participant(session, mine, participant_id)
        session.add(
            Signal(
                organisation_id=person.organisation_id,
                participant_id=person.id,
                domain=domain,
                level=level,
                source="coach",
                question="",
                checkin="",
                staff_id=mine.staff_id,
                at=now,
            )
        )
        audit.record(
            session,
            now,
            "coach_score",
            participant_id=person.id,
            staff_id=mine.staff_id,
            actor="staff",
            domain=domain,
        )
        session.flush()
        found = _collect(session, person.id, with_coach=True)
    return next(row for row in found.rows if row.domain == domain)


EXPORT_COLUMNS = (
    "signal",
    "participant",
    "name",
    "location",
    "coach",
    "phase",
    "domain",
    "level",
    "source",
    "scored_by",
    "question",
    "checkin",
    "at",
)


def own(db: Database, chat_id: int) -> Progress | None:
    """/voortgang as a use case: the participant's own answers; None for a chat that is none."""
    with db.read() as session:
        try:
            return for_participant(session, chat_id)
        except NotAParticipant:
            return None


def of_participant(db: Database, staff: Scope, participant_id: int, now: datetime) -> Progress:
    """`for_staff` as a use case: a participant's check-ins for their coach (audited)."""
    with db.read() as session:
        return for_staff(session, staff, participant_id, now)


def name_to_score(
    db: Database, staff: Scope, participant_id: int, domain: str | None = None
) -> str:
    """The name of someone in scope the coach is about to score, on a domain that exists."""
    with db.read() as session, session.begin():
        name = scope.participant(session, staff, participant_id).display_name or "?"
    if domain is not None and domain not in DOMAINS:
        raise Refused("unknown_domain")
    return name


def score(
    db: Database, staff: Scope, participant_id: int, domain: str, level: int, now: datetime
) -> tuple[str, DomainRow]:
    """`record_score` as a use case: the participant's name and the domain's row after it."""
    name = name_to_score(db, staff, participant_id, domain)
    with db.read() as session:
        return name, record_score(session, staff, participant_id, domain, level, now)


def export(
    session: Session,
    organisation_id: int,
    start: datetime,
    end: datetime,
    zone: ZoneInfo,
    names: bool = False,
) -> Iterator[dict[str, object]]:
    """One row per signal of one organisation in [start, end), oldest first, for its own
    analysis; names only when asked (the participant's number is enough to follow a person).
    A skipped question has an empty level."""
    coach = aliased(StaffMember)
    scorer = aliased(StaffMember)
    query = (
        select(
            Signal,
            Participant.display_name,
            Participant.phase,
            Location.name,
            coach.name,
            scorer.name,
        )
        .join(Participant, Participant.id == Signal.participant_id)
        .outerjoin(Location, Location.id == Participant.location_id)
        .outerjoin(coach, coach.id == Participant.coach_id)
        .outerjoin(scorer, scorer.id == Signal.staff_id)
        .where(
            Signal.organisation_id == organisation_id,
            Participant.organisation_id == organisation_id,
            Signal.at >= start,
            Signal.at < end,
        )
        .order_by(Signal.at, Signal.id)
        .execution_options(yield_per=1000)
    )
    for signal, name, phase, place, coach_name, scorer_name in session.execute(query):
        yield {
            "signal": signal.id,
            "participant": signal.participant_id,
            "name": (name or "") if names else "",
            "location": place or "",
            "coach": coach_name or "",
            "phase": phase.value if phase else "",
            "domain": signal.domain,
            "level": "" if signal.level is None else signal.level,
            "source": signal.source,
            "scored_by": scorer_name or "",
            "question": signal.question,
            "checkin": signal.checkin,
            "at": signal.at.astimezone(zone).isoformat(timespec="minutes"),
        }
