"""What an organisation brings along for its impact report: the professionals' ZRM scores
(`zrm import`) and phase steps with their own dates (`phases import`). All rows or none, one
line per bad row, like the other imports; a score or step already stored is refused, so a
file imported twice changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from bot.i18n import N_
from bot.services import audit, csvfiles
from bot.services.errors import Refused
from bot.services.impact.rules import MATRICES
from bot.services.organisations.roster import ROW_ERRORS as ROSTER_ERRORS
from bot.services.organisations.roster import BadRow, day_of, programme_id
from bot.services.organisations.setup import organisation
from bot.services.text import kept
from nlu.normalise import ascii_digits
from storage.db import Database
from storage.models import (
    Location,
    Participant,
    Phase,
    PhaseChange,
    Programme,
    Referral,
    Target,
    ZrmMeasurement,
)

ZRM_COLUMNS = ("participant", "location", "measured_on", "domain", "score")
PHASE_COLUMNS = ("participant", "programme", "phase", "since")
REFERRAL_COLUMNS = ("participant", "partner", "referred_on", "started_on")
FUNNEL_STEPS = ("selected", "talk", "referred", "active", "left_benefit")
ROW_ERRORS = {
    **ROSTER_ERRORS,
    "unknown": N_("Line {line}: no participant called {value} in this organisation."),
    "ambiguous": N_("Line {line}: more than one participant is called {value}; use the number."),
    "location": N_("Line {line}: no location called {value}."),
    "domain": N_("Line {line}: {value} is not a domain of the ZRM {matrix}."),
    "score": N_("Line {line}: a ZRM score is 1 to 5, not {value}."),
    "stored": N_("Line {line}: this is already in Wegwijzer."),
    "matrix": N_("The ZRM matrix is 2013 or 2017, not {value}."),
    "partner": N_("Line {line}: the partner organisation is missing."),
    "started_before": N_("Line {line}: they started on {value}, before they were referred."),
}


@dataclass
class HistoryReport:
    created: int = 0
    errors: list[tuple[str, dict[str, object]]] = field(default_factory=list)


def import_zrm(
    db: Database, slug: str, matrix: str, text: str, now: datetime, skip_errors: bool = False
) -> HistoryReport:
    """The professionals' ZRM scores, one domain per row."""
    if matrix not in MATRICES:
        return HistoryReport(errors=[("matrix", {"value": matrix})])
    seen: set[tuple[int, date, str]] = set()

    def read(session: Session, org: int, line: int, cells: dict[str, str], today: date) -> Any:
        row = _measurement(session, org, matrix, line, cells, today, now)
        key = (row.participant_id, row.measured_on, row.domain)
        if key in seen:
            raise BadRow("twice", line, cells.get("domain", ""))
        seen.add(key)
        return row

    return _import(db, slug, text, ZRM_COLUMNS, read, _add_all, "zrm_imported", now, skip_errors)


def import_phases(
    db: Database, slug: str, text: str, now: datetime, skip_errors: bool = False
) -> HistoryReport:
    """Phase steps with their own dates; the latest becomes the participant's phase now."""

    def read(session: Session, org: int, line: int, cells: dict[str, str], today: date) -> Any:
        person = _participant(session, org, cells.get("participant", ""), line)
        try:
            phase = Phase((cells.get("phase") or "").lower())
        except ValueError:
            raise BadRow("phase", line, cells.get("phase", "")) from None
        since = _day(cells.get("since", ""), line, today)
        if _step_stored(session, person, phase, since):
            raise BadRow("stored", line)
        return (person, phase, since, cells.get("programme", ""))

    def store(session: Session, org: int, steps: list[Any]) -> None:
        for person, phase, since, programme in sorted(steps, key=lambda s: (s[0], s[2])):
            _step(session, org, person, phase, since, programme, now)

    return _import(db, slug, text, PHASE_COLUMNS, read, store, "phases_imported", now, skip_errors)


def import_referrals(
    db: Database, slug: str, text: str, now: datetime, skip_errors: bool = False
) -> HistoryReport:
    """Referrals to partner organisations, and the day each person started there (if so)."""

    def read(session: Session, org: int, line: int, cells: dict[str, str], today: date) -> Any:
        return _referral(session, org, line, cells, today, now)

    return _import(
        db, slug, text, REFERRAL_COLUMNS, read, _add_all, "referrals_imported", now, skip_errors
    )


Reader = Callable[[Session, int, int, dict[str, str], date], Any]
Storer = Callable[[Session, int, list[Any]], None]


def _import(
    db: Database,
    slug: str,
    text: str,
    columns: tuple[str, ...],
    read: Reader,
    store: Storer,
    action: str,
    now: datetime,
    skip_errors: bool,
) -> HistoryReport:
    """Every row read and checked first; with any bad row nothing is stored unless
    `skip_errors`. One transaction, one audit line."""
    report = HistoryReport()
    reader = csvfiles.reader(text)
    if not _has_columns(reader, columns, report):
        return report
    with db.write() as session:
        org = organisation(session, slug)
        today = now.astimezone(ZoneInfo(org.timezone)).date()
        rows = []
        for line, cells in _lines(reader):
            try:
                rows.append(read(session, org.id, line, cells, today))
            except BadRow as bad:
                report.errors.append((bad.reason, bad.details))
        if report.errors and not skip_errors:
            return report
        store(session, org.id, rows)
        report.created = len(rows)
        audit.record(session, now, action, actor="system", slug=slug, rows=len(rows))
    return report


def _add_all(session: Session, org: int, rows: list[Any]) -> None:
    session.add_all(rows)


def set_target(
    db: Database, slug: str, year: int, step: str, branch: str, value: int, programme: str = ""
) -> None:
    """What the organisation aims for in `year` at a funnel step (and partner)."""
    if step not in FUNNEL_STEPS:
        raise Refused("bad_setting", key="step", value=step)
    if not 2000 <= year <= 2100 or value < 0:
        raise Refused("bad_setting", key="year" if value >= 0 else "value", value=year)
    with db.write() as session:
        org = organisation(session, slug)
        programme_id = None
        if programme:
            programme_id = session.scalars(
                select(Programme.id).where(
                    Programme.organisation_id == org.id, Programme.slug == programme
                )
            ).first()
            if programme_id is None:
                raise Refused("bad_setting", key="programme", value=programme)
        found = session.scalars(
            select(Target).where(
                Target.organisation_id == org.id,
                Target.programme_id.is_(None)
                if programme_id is None
                else Target.programme_id == programme_id,
                Target.year == year,
                Target.step == step,
                Target.branch == (branch or "total"),
            )
        ).first()
        if found is None:
            found = Target(
                organisation_id=org.id,
                programme_id=programme_id,
                year=year,
                step=step,
                branch=branch or "total",
                value=value,
            )
            session.add(found)
        found.value = value


def _referral(
    session: Session,
    organisation_id: int,
    line: int,
    cells: dict[str, str],
    today: date,
    now: datetime,
) -> Referral:
    person = _participant(session, organisation_id, cells.get("participant", ""), line)
    partner = " ".join(cells.get("partner", "").split())[:100]
    if not partner:
        raise BadRow("partner", line)
    referred_on = _day(cells.get("referred_on", ""), line, today)
    started_on = day_of(cells.get("started_on", ""), line, today)
    if started_on is not None and started_on < referred_on:
        raise BadRow("started_before", line, started_on.isoformat())
    stored = session.scalars(
        select(Referral.id).where(
            Referral.participant_id == person,
            Referral.partner == partner,
            Referral.referred_on == referred_on,
        )
    ).first()
    if stored is not None:
        raise BadRow("stored", line)
    return Referral(
        organisation_id=organisation_id,
        participant_id=person,
        partner=partner,
        referred_on=referred_on,
        started_on=started_on,
        recorded_at=now,
    )


def _has_columns(
    reader: csvfiles.csv.DictReader[str], columns: tuple[str, ...], report: HistoryReport
) -> bool:
    present = {(c or "").strip().lower() for c in reader.fieldnames or []}
    if set(columns) - {"location", "programme"} <= present:
        return True
    report.errors.append(("columns", {"value": ", ".join(columns)}))
    return False


def _lines(reader: csvfiles.csv.DictReader[str]) -> list[tuple[int, dict[str, str]]]:
    return [
        (line, {(k or "").strip().lower(): kept(v or "").strip() for k, v in raw.items()})
        for line, raw in enumerate(reader, start=2)
    ]


def _measurement(
    session: Session,
    organisation_id: int,
    matrix: str,
    line: int,
    cells: dict[str, str],
    today: date,
    now: datetime,
) -> ZrmMeasurement:
    person = _participant(session, organisation_id, cells.get("participant", ""), line)
    domain = cells.get("domain", "").lower()
    if domain not in MATRICES[matrix]:
        raise BadRow("domain", line, cells.get("domain", ""), matrix=matrix)
    score = ascii_digits(cells.get("score", ""))
    if score not in ("1", "2", "3", "4", "5"):
        raise BadRow("score", line, cells.get("score", ""))
    measured_on = _day(cells.get("measured_on", ""), line, today)
    stored = session.scalars(
        select(ZrmMeasurement.id).where(
            ZrmMeasurement.participant_id == person,
            ZrmMeasurement.measured_on == measured_on,
            ZrmMeasurement.domain == domain,
        )
    ).first()
    if stored is not None:
        raise BadRow("stored", line)
    return ZrmMeasurement(
        organisation_id=organisation_id,
        participant_id=person,
        location_id=_location(session, organisation_id, cells.get("location", ""), line),
        measured_on=measured_on,
        matrix=matrix,
        domain=domain,
        score=int(score),
        recorded_at=now,
    )


def _participant(session: Session, organisation_id: int, text: str, line: int) -> int:
    """By the organisation's reference, else by name (never another organisation's)."""
    text = " ".join(text.split())
    if not text:
        raise BadRow("participant", line)
    found = session.scalars(
        select(Participant.id).where(
            Participant.organisation_id == organisation_id,
            or_(
                Participant.reference == text,
                func.lower(Participant.display_name) == text.lower(),
            ),
        )
    ).all()
    if len(found) > 1:
        raise BadRow("ambiguous", line, text)
    if not found:
        raise BadRow("unknown", line, text)
    return found[0]


def _day(text: str, line: int, today: date) -> date:
    day = day_of(text, line, today)
    if day is None:
        raise BadRow("date", line, text)
    return day


def _location(session: Session, organisation_id: int, name: str, line: int) -> int | None:
    if not name:
        return None
    found = session.scalars(
        select(Location.id).where(
            Location.organisation_id == organisation_id, func.lower(Location.name) == name.lower()
        )
    ).first()
    if found is None:
        raise BadRow("location", line, name)
    return found


def _step_stored(session: Session, person: int, phase: Phase, since: date) -> bool:
    return (
        session.scalars(
            select(PhaseChange.id).where(
                PhaseChange.participant_id == person,
                PhaseChange.to_phase == phase,
                PhaseChange.on == since,
            )
        ).first()
        is not None
    )


def _step(
    session: Session,
    organisation_id: int,
    person_id: int,
    phase: Phase,
    since: date,
    programme: str,
    now: datetime,
) -> None:
    """One step, from the phase before it; the person's phase follows their latest step."""
    person = session.get(Participant, person_id)
    assert person is not None
    before = session.scalars(
        select(PhaseChange.to_phase)
        .where(PhaseChange.participant_id == person_id, PhaseChange.on <= since)
        .order_by(PhaseChange.on.desc(), PhaseChange.id.desc())
    ).first()
    session.add(
        PhaseChange(
            organisation_id=organisation_id,
            participant_id=person_id,
            from_phase=before,
            to_phase=phase,
            on=since,
            recorded_at=now,
        )
    )
    session.flush()
    latest = session.scalars(
        select(PhaseChange)
        .where(PhaseChange.participant_id == person_id)
        .order_by(PhaseChange.on.desc(), PhaseChange.id.desc())
    ).first()
    if latest is not None and latest.to_phase is not None:
        person.phase = latest.to_phase
        person.phase_since = datetime.combine(latest.on, datetime.min.time(), tzinfo=now.tzinfo)
    if programme:
        person.programme_id = programme_id(session, organisation_id, programme, now)
