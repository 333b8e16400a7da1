"""The funder's report of one organisation, read from the data: who entered which programme
when, their phase steps with their dates, one outflow category when they left, the
professionals' ZRM scores, the reach of broadcasts per language and the contacts. The rules
(rules.py) and the figure modules decide what counts; this module only reads, so the CLI, the
web page and the PDF show the same numbers."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from bot.services.impact.funnel import Path, funnel
from bot.services.impact.outflow import outflow
from bot.services.impact.phases import Trajectory, phases
from bot.services.impact.records import TALKS
from bot.services.impact.rules import Measured
from bot.services.impact.zrm import zrm
from bot.services.organisations.setup import organisation
from storage.db import Database
from storage.models import (
    Appointment,
    Attendance,
    AttendanceStatus,
    ImpactRecord,
    Location,
    Outbox,
    OutboxKind,
    Outflow,
    Participant,
    Phase,
    PhaseChange,
    Programme,
    Question,
    Referral,
    Target,
    ZrmMeasurement,
)
from storage.models.base import utc_day

NO_PROGRAMME = "-"  # people the organisation did not put in a programme


@dataclass(frozen=True)
class Period:
    """From and to, both included; None: open on that side (no period: all time)."""

    start: date | None = None
    end: date | None = None

    def holds(self, day: date | None) -> bool:
        return (
            day is not None
            and (self.start is None or day >= self.start)
            and (self.end is None or day <= self.end)
        )

    def moments(self) -> tuple[datetime, datetime]:
        begin = datetime.combine(self.start or date(1970, 1, 1), time(), tzinfo=UTC)
        end = datetime.combine(self.end or date(9999, 12, 30), time.max, tzinfo=UTC)
        return begin, end


def impact(db: Database, slug: str, period: Period, programme: str | None = None) -> dict[str, Any]:
    """Every figure of the report, with its count and base, for the organisation `slug`."""
    with db.read() as session:
        org = organisation(session, slug)
        names: dict[int, str] = {
            pid: slug
            for pid, slug in session.execute(
                select(Programme.id, Programme.slug).where(Programme.organisation_id == org.id)
            )
        }
        people = [
            Person(pid, names.get(programme_id or -1, NO_PROGRAMME), started_on)
            for pid, programme_id, started_on in session.execute(
                select(Participant.id, Participant.programme_id, Participant.started_on).where(
                    Participant.organisation_id == org.id
                )
            )
            if programme is None or names.get(programme_id or -1) == programme
        ]
        kept = _kept(session, org.id, names, programme)
        people += [person for person, _, _ in kept]
        ids = {p.id for p in people}
        entered = [p for p in people if period.holds(p.started_on)]
        steps = _steps(session, org.id, ids) | {person.id: done for person, done, _ in kept}
        scores = [
            score for _, _, found in kept for score in found if period.holds(score.measured_on)
        ]
        return {
            "organisation": org.slug,
            "period": {
                "from": period.start.isoformat() if period.start else None,
                "to": period.end.isoformat() if period.end else None,
            },
            "programme": programme,
            "zrm": _zrm(session, org.id, ids, period, scores),
            "outflow": _outflow(entered, steps),
            "phases": phases(
                Trajectory(p.programme, p.started_on or date.min, _reached(steps.get(p.id, [])))
                for p in entered
            ),
            "funnel": _funnel(session, org.id, entered, steps, period, programme, names),
            "reach": _reach(session, org.id, _members(org.id, programme, names), period),
            "contacts": _contacts(session, ids, period),
        }


def _members(
    organisation_id: int, programme: str | None, names: dict[int, str]
) -> Select[tuple[int]]:
    """The report's participants as a subquery (the organisation's, or one programme's)."""
    query = select(Participant.id).where(Participant.organisation_id == organisation_id)
    if programme is not None:
        chosen = [pid for pid, slug in names.items() if slug == programme]
        query = query.where(Participant.programme_id.in_(chosen))
    return query


@dataclass(frozen=True)
class Person:
    id: int
    programme: str
    started_on: date | None


@dataclass(frozen=True)
class Step:
    to_phase: Phase | None
    outflow: Outflow | None
    on: date


def _steps(session: Session, organisation_id: int, ids: set[int]) -> dict[int, list[Step]]:
    """Each person's phase steps in order, read as plain rows (the report's hot path)."""
    found: dict[int, list[Step]] = {}
    for pid, to_phase, category, on in session.execute(
        select(
            PhaseChange.participant_id, PhaseChange.to_phase, PhaseChange.outflow, PhaseChange.on
        )
        .where(PhaseChange.organisation_id == organisation_id)
        .order_by(PhaseChange.on, PhaseChange.id)
    ):
        if pid in ids:
            found.setdefault(pid, []).append(Step(to_phase, category, on))
    return found


def _reached(steps: list[Step]) -> dict[str, date]:
    first: dict[str, date] = {}
    for step in steps:
        if step.to_phase is not None:
            first.setdefault(step.to_phase.value, step.on)
    return first


def _outflow(entered: list[Person], steps: dict[int, list[Step]]) -> dict[str, Any]:
    """Everyone who entered in the period and left, with the category of their leaving."""
    left = []
    still = 0
    for person in entered:
        leaving = [s.outflow for s in steps.get(person.id, []) if s.to_phase is None and s.outflow]
        if not leaving or leaving[-1] is None:
            still += 1
            continue
        left.append((person.programme, leaving[-1].value))
    return {**outflow(left), "in_trajectory": still}


@dataclass(frozen=True)
class Score:
    participant_id: int
    measured_on: date
    matrix: str
    domain: str
    score: int
    location_id: int | None


def _funnel(
    session: Session,
    organisation_id: int,
    entered: list[Person],
    steps: dict[int, list[Step]],
    period: Period,
    programme: str | None,
    names: dict[int, str],
) -> dict[str, Any]:
    """Over the list of those who entered in the period: talks held, referrals and starts per
    partner, and leaving for paid work (the benefit ends); targets of the period's year."""
    ids = {p.id for p in entered}
    talks: Counter[int] = Counter()
    held = (
        select(Attendance.participant_id, func.count())
        .where(  # from the organisation's talk appointments (indexed), not all its attendance
            Attendance.status.in_([AttendanceStatus.PRESENT, AttendanceStatus.LATE]),
            Attendance.appointment_id.in_(
                select(Appointment.id).where(
                    Appointment.organisation_id == organisation_id, Appointment.kind.in_(TALKS)
                )
            ),
        )
        .group_by(Attendance.participant_id)
    )
    if period.start is not None:
        held = held.where(Attendance.day >= period.start)
    if period.end is not None:
        held = held.where(Attendance.day <= period.end)
    for pid, count in session.execute(held):
        if pid in ids:
            talks[pid] = count
    referred: dict[int, dict[str, bool]] = {}
    for pid, partner, started_on in session.execute(
        select(Referral.participant_id, Referral.partner, Referral.started_on).where(
            Referral.organisation_id == organisation_id
        )
    ):
        if pid in ids:
            referred.setdefault(pid, {})[partner] = started_on is not None
    for record in session.scalars(
        select(ImpactRecord).where(ImpactRecord.organisation_id == organisation_id)
    ):
        if -record.id in ids:
            talks[-record.id] = sum(period.holds(date.fromisoformat(d)) for d in record.talks)
            referred[-record.id] = {p: started is not None for p, _, started in record.referrals}
    paths = [
        Path(talks[p.id], referred.get(p.id, {}), _left_for_work(steps.get(p.id, [])))
        for p in entered
    ]
    return funnel(paths, _targets(session, organisation_id, period, programme, names))


def _left_for_work(steps: list[Step]) -> bool:
    """Left the trajectory for paid work: where the funnel counts the benefit as ended."""
    return any(s.to_phase is None and s.outflow == Outflow.BETAALD_WERK for s in steps)


def _targets(
    session: Session,
    organisation_id: int,
    period: Period,
    programme: str | None,
    names: dict[int, str],
) -> dict[tuple[str, str], int]:
    """The targets of the period's year (a period within one year), for the programme asked."""
    if period.start is None or period.end is None or period.start.year != period.end.year:
        return {}
    found = {}
    for target in session.scalars(
        select(Target).where(
            Target.organisation_id == organisation_id, Target.year == period.start.year
        )
    ):
        if names.get(target.programme_id or -1) == programme or (
            programme is None and target.programme_id is None
        ):
            found[(target.step, target.branch)] = target.value
    return found


def _kept(
    session: Session, organisation_id: int, names: dict[int, str], programme: str | None
) -> list[tuple[Person, list[Step], list[Score]]]:
    """The de-identified records of people erased since (records.py), as people of the report;
    their numbers are negative, so they can never meet a participant's."""
    found = []
    for record in session.scalars(
        select(ImpactRecord).where(ImpactRecord.organisation_id == organisation_id)
    ):
        group = names.get(record.programme_id or -1, NO_PROGRAMME)
        if programme is not None and group != programme:
            continue
        pid = -record.id
        steps = [
            Step(Phase(to) if to else None, Outflow(out) if out else None, date.fromisoformat(on))
            for to, out, on in record.steps
        ]
        scores = [
            Score(pid, date.fromisoformat(on), matrix, domain, score, location)
            for on, matrix, domain, score, location in record.zrm
        ]
        found.append((Person(pid, group, record.started_on), steps, scores))
    return found


def _zrm(
    session: Session,
    organisation_id: int,
    ids: set[int],
    period: Period,
    kept: list[Score] | None = None,
) -> dict[str, Any]:
    query = select(
        ZrmMeasurement.participant_id,
        ZrmMeasurement.measured_on,
        ZrmMeasurement.matrix,
        ZrmMeasurement.domain,
        ZrmMeasurement.score,
        ZrmMeasurement.location_id,
    ).where(ZrmMeasurement.organisation_id == organisation_id)
    if period.start is not None:
        query = query.where(ZrmMeasurement.measured_on >= period.start)
    if period.end is not None:
        query = query.where(ZrmMeasurement.measured_on <= period.end)
    rows = [Score(*row) for row in session.execute(query) if row[0] in ids] + (kept or [])
    matrices = Counter(m.matrix for m in rows)
    matrix = matrices.most_common(1)[0][0] if matrices else "2017"
    places: dict[int, str] = {
        lid: name for lid, name in session.execute(select(Location.id, Location.name))
    }
    latest: dict[int, tuple[date, str]] = {}
    for m in rows:
        place = places.get(m.location_id or -1, "")
        if m.participant_id not in latest or m.measured_on >= latest[m.participant_id][0]:
            latest[m.participant_id] = (m.measured_on, place)
    measured = [
        Measured(m.participant_id, m.measured_on, m.domain, m.score)
        for m in rows
        if m.matrix == matrix
    ]
    figures = zrm(measured, matrix, {pid: place for pid, (_, place) in latest.items()})
    return {"matrix": matrix, **figures}


def _reach(
    session: Session, organisation_id: int, people: Select[tuple[int]], period: Period
) -> dict[str, Any]:
    """Per language: broadcast messages that reached someone, "👍 understood" taps, and how
    many of those people came to an appointment within a week after the message. Counted by
    the database (one grouped query): reading every attendance row and message of a large
    organisation into Python took most of the report's time."""
    begin, end = period.moments()
    came = (
        select(Attendance.id)
        .where(
            Attendance.participant_id == Outbox.participant_id,
            Attendance.status.in_([AttendanceStatus.PRESENT, AttendanceStatus.LATE]),
            Attendance.day >= utc_day(Outbox.sent_at),
            Attendance.day <= utc_day(Outbox.sent_at, 7),
        )
        .exists()
    )
    rows = session.execute(
        select(
            Outbox.language,
            func.count(),
            func.count(Outbox.acked_at),
            func.sum(case((came, 1), else_=0)),
        )
        .where(
            Outbox.organisation_id == organisation_id,
            Outbox.kind == OutboxKind.BROADCAST,
            Outbox.sent_at.is_not(None),
            Outbox.sent_at >= begin,
            Outbox.sent_at <= end,
            Outbox.participant_id.in_(people),
        )
        .group_by(Outbox.language)
    ).all()
    return {
        language or "?": {
            "sent": sent,
            "understood": understood,
            "came_within_a_week": int(came_after or 0),
        }
        for language, sent, understood, came_after in sorted(rows, key=lambda r: r[0] or "?")
    }


def _contacts(session: Session, ids: set[int], period: Period) -> dict[str, int]:
    """Contacts counted apart from persons: questions a coach answered in the period."""
    begin, end = period.moments()
    answered = session.execute(
        select(Question.participant_id, func.count())
        .where(
            Question.answered_by.in_(("coach_words", "coach_answer")),
            Question.answered_at >= begin,
            Question.answered_at <= end,
        )
        .group_by(Question.participant_id)
    ).all()
    mine = [(pid, n) for pid, n in answered if pid in ids]
    return {
        "questions_answered_by_coach": sum(n for _, n in mine),
        "persons": len(mine),
    }
