"""An organisation brings its people along: one CSV row per participant, with the trajectory's
start, their location and programme, and (for those who already left) the day they left and
one outflow category. All rows or none, one line per bad row, like the other imports. People
still in a trajectory get a personal invite code each, to connect their Telegram later."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.i18n import LANGUAGES, N_
from bot.services import audit, csvfiles
from bot.services.organisations.setup import made_programme, organisation, slug_of
from bot.services.people import codes
from bot.services.people.participants import INVITE_VALID
from bot.services.text import kept
from nlu.normalise import ascii_digits
from storage.db import Database
from storage.models import (
    Group,
    GroupKind,
    GroupMembership,
    InviteKind,
    Location,
    Outflow,
    Participant,
    ParticipantStatus,
    Phase,
    PhaseChange,
    Programme,
    StaffMember,
)

COLUMNS = ("participant", "location", "programme", "started_on", "left_on", "outflow")
OPTIONAL = ("language", "coach", "phase", "groups", "reference")
REQUIRED = ("participant", "started_on")
ROW_ERRORS = {
    "columns": N_("The file needs the columns {value}."),
    "participant": N_("Line {line}: the participant has no name or reference."),
    "exists": N_("Line {line}: {value} is already in Wegwijzer."),
    "twice": N_("Line {line}: {value} is in the file twice."),
    "date": N_("Line {line}: write the date as YYYY-MM-DD, not {value}."),
    "future": N_("Line {line}: {value} is in the future."),
    "left_before": N_("Line {line}: they left on {value}, before they started."),
    "outflow": N_("Line {line}: unknown outflow category {value}."),
    "outflow_needed": N_("Line {line}: someone who left needs an outflow category."),
    "left_needed": N_("Line {line}: an outflow category needs the day they left (left_on)."),
    "language": N_("Line {line}: Wegwijzer does not speak {value}."),
    "coach": N_("Line {line}: no staff member called {value}."),
    "phase": N_("Line {line}: unknown phase {value}."),
    "group": N_("Line {line}: no group called {value} to add people to."),
}


@dataclass(frozen=True)
class Row:
    line: int
    name: str
    reference: str | None
    started_on: date
    left_on: date | None
    outflow: Outflow | None
    phase: Phase | None
    language: str | None
    location: str
    programme: str
    coach_id: int | None
    groups: tuple[int, ...]


@dataclass(frozen=True)
class PersonalCode:
    name: str
    reference: str
    code: str
    expires_at: datetime


@dataclass
class RosterReport:
    created: int = 0
    left: int = 0
    codes: list[PersonalCode] = field(default_factory=list)
    errors: list[tuple[str, dict[str, object]]] = field(default_factory=list)


class BadRow(ValueError):
    """One bad line of an import: the reason (a key of ROW_ERRORS) and what to fill in."""

    def __init__(self, reason: str, line: int, value: object = "", **more: object) -> None:
        super().__init__(reason)
        self.reason, self.details = reason, {"line": line, "value": value, **more}


def import_roster(
    db: Database, slug: str, text: str, now: datetime, skip_errors: bool = False
) -> RosterReport:
    """Read every row first; with any bad row nothing is stored unless `skip_errors`."""
    report = RosterReport()
    reader = csvfiles.reader(text)
    present = {(c or "").strip().lower() for c in reader.fieldnames or []}
    if not set(REQUIRED) <= present:
        report.errors.append(("columns", {"value": ", ".join(COLUMNS)}))
        return report
    with db.write() as session:
        org = organisation(session, slug)
        today = now.astimezone(ZoneInfo(org.timezone)).date()
        rows = _read(session, org.id, reader, today, report)
        if report.errors and not skip_errors:
            return report
        for row in rows:
            _store(session, org.id, ZoneInfo(org.timezone), row, now, report)
        audit.record(session, now, "roster_imported", actor="system", slug=slug, rows=len(rows))
    return report


def _read(
    session: Session,
    organisation_id: int,
    reader: csvfiles.csv.DictReader[str],
    today: date,
    report: RosterReport,
) -> list[Row]:
    rows: list[Row] = []
    seen: set[str] = set()
    for line, raw in enumerate(reader, start=2):
        cells = {(k or "").strip().lower(): kept(v or "").strip() for k, v in raw.items()}
        try:
            row = _row(session, organisation_id, line, cells, today)
            key = (row.reference or row.name).lower()
            if key in seen:
                raise BadRow("twice", line, row.reference or row.name)
            seen.add(key)
            rows.append(row)
        except BadRow as bad:
            report.errors.append((bad.reason, bad.details))
    return rows


def _row(
    session: Session, organisation_id: int, line: int, cells: dict[str, str], today: date
) -> Row:
    name = " ".join(cells.get("participant", "").split())[:200]
    reference = cells.get("reference", "")[:100] or None
    if not name:
        raise BadRow("participant", line)
    if reference is None and not any(ch.isalpha() for ch in name):
        reference = name  # a number is the organisation's own reference
    if _known(session, organisation_id, name, reference):
        raise BadRow("exists", line, reference or name)
    started = day_of(cells.get("started_on", ""), line, today)
    if started is None:
        raise BadRow("date", line, cells.get("started_on", ""))
    left = day_of(cells.get("left_on", ""), line, today)
    if left is not None and left < started:
        raise BadRow("left_before", line, left.isoformat())
    return Row(
        line=line,
        name=name,
        reference=reference,
        started_on=started,
        left_on=left,
        outflow=_outflow(cells.get("outflow", ""), left, line),
        phase=_phase(cells.get("phase", ""), line),
        language=_language(cells.get("language", ""), line),
        location=cells.get("location", ""),
        programme=cells.get("programme", ""),
        coach_id=_coach(session, organisation_id, cells.get("coach", ""), line),
        groups=_groups(session, organisation_id, cells.get("groups", ""), line),
    )


def day_of(text: str, line: int, today: date) -> date | None:
    """A YYYY-MM-DD cell (any script's digits), not after today; None when empty."""
    text = ascii_digits(text).strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise BadRow("date", line, text) from None
    if day > today:
        raise BadRow("future", line, text)
    return day


def _outflow(text: str, left: date | None, line: int) -> Outflow | None:
    if not text:
        if left is not None:
            raise BadRow("outflow_needed", line)
        return None
    try:
        outflow = Outflow(text.lower())
    except ValueError:
        raise BadRow("outflow", line, text) from None
    if left is None:
        raise BadRow("left_needed", line)
    return outflow


def _phase(text: str, line: int) -> Phase | None:
    try:
        return Phase(text.lower()) if text else None
    except ValueError:
        raise BadRow("phase", line, text) from None


def _language(text: str, line: int) -> str | None:
    if text and text.lower() not in LANGUAGES:
        raise BadRow("language", line, text)
    return text.lower() or None


def _coach(session: Session, organisation_id: int, name: str, line: int) -> int | None:
    if not name:
        return None
    found = session.scalars(
        select(StaffMember.id).where(
            StaffMember.organisation_id == organisation_id,
            StaffMember.removed_at.is_(None),
            func.lower(StaffMember.name) == name.lower(),
        )
    ).all()
    if len(found) != 1:
        raise BadRow("coach", line, name)
    return found[0]


def _groups(session: Session, organisation_id: int, text: str, line: int) -> tuple[int, ...]:
    ids = []
    for name in (part.strip() for part in text.split("|")):
        if not name:
            continue
        found = session.scalars(
            select(Group.id).where(
                Group.organisation_id == organisation_id,
                Group.kind == GroupKind.CUSTOM,
                func.lower(Group.name) == name.lower(),
            )
        ).first()
        if found is None:
            raise BadRow("group", line, name)
        ids.append(found)
    return tuple(ids)


def _known(session: Session, organisation_id: int, name: str, reference: str | None) -> bool:
    query = select(Participant.id).where(Participant.organisation_id == organisation_id)
    if reference is not None:
        query = query.where(Participant.reference == reference)
    else:
        query = query.where(func.lower(Participant.display_name) == name.lower())
    return session.scalars(query).first() is not None


def _store(
    session: Session,
    organisation_id: int,
    zone: ZoneInfo,
    row: Row,
    now: datetime,
    report: RosterReport,
) -> None:
    """One person, their phase steps with their own dates, and (if still here) a code."""
    started_at = datetime.combine(row.started_on, time(9), tzinfo=zone)
    person = Participant(
        display_name=row.name,
        reference=row.reference,
        organisation_id=organisation_id,
        location_id=_location(session, organisation_id, row.location),
        programme_id=programme_id(session, organisation_id, row.programme, now),
        coach_id=row.coach_id,
        language=row.language,
        phase=row.phase if row.left_on is None else None,
        phase_since=started_at if row.phase is not None and row.left_on is None else None,
        started_on=row.started_on,
        status=ParticipantStatus.LEFT if row.left_on else ParticipantStatus.INVITED,
        created_at=now,
    )
    session.add(person)
    session.flush()
    for group_id in row.groups:
        session.add(GroupMembership(group_id=group_id, participant_id=person.id))
    if row.phase is not None:
        session.add(_step(organisation_id, person.id, None, row.phase, None, row.started_on, now))
    if row.left_on is not None:
        session.add(
            _step(organisation_id, person.id, row.phase, None, row.outflow, row.left_on, now)
        )
        report.left += 1
    else:
        made = codes.create(
            session,
            now,
            organisation_id,
            InviteKind.PERSONAL,
            valid_for=INVITE_VALID,
            coach_id=row.coach_id,
            participant_id=person.id,
        )
        assert made.expires_at is not None
        report.codes.append(PersonalCode(row.name, row.reference or "", made.code, made.expires_at))
    report.created += 1


def _step(
    organisation_id: int,
    participant_id: int,
    from_phase: Phase | None,
    to_phase: Phase | None,
    outflow: Outflow | None,
    on: date,
    now: datetime,
) -> PhaseChange:
    return PhaseChange(
        organisation_id=organisation_id,
        participant_id=participant_id,
        from_phase=from_phase,
        to_phase=to_phase,
        outflow=outflow,
        on=on,
        recorded_at=now,
    )


def _location(session: Session, organisation_id: int, name: str) -> int | None:
    """The location of that name; a new one when the organisation has none yet."""
    name = " ".join(name.split())[:200]
    if not name:
        return None
    found = session.scalars(
        select(Location.id).where(
            Location.organisation_id == organisation_id, func.lower(Location.name) == name.lower()
        )
    ).first()
    if found is not None:
        return found
    location = Location(organisation_id=organisation_id, name=name)
    session.add(location)
    session.flush()
    return location.id


def programme_id(session: Session, organisation_id: int, text: str, now: datetime) -> int | None:
    """The programme by its short name or its name; a new one when there is none yet."""
    text = " ".join(text.split())[:200]
    if not text:
        return None
    found = session.scalars(
        select(Programme.id).where(
            Programme.organisation_id == organisation_id,
            (Programme.slug == text.lower()) | (func.lower(Programme.name) == text.lower()),
        )
    ).first()
    if found is not None:
        return found
    return made_programme(session, organisation_id, slug_of(text), text, now).id
