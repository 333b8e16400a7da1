"""An organisation sets itself up without touching the database: the organisation, its staff
(each with a one-use code to connect their Telegram), locations, groups and programmes, and
every setting that lives in a JSON column, each checked before it is stored. Every use case
opens its own transaction and refuses with a reason the adapter turns into a kind sentence."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from bot.i18n import LANGUAGES
from bot.services import audit
from bot.services.appointments.reminders import due_for
from bot.services.appointments.scheduling import TooOften, repeat_rule
from bot.services.checkins.invitations import DEFAULT_PLAN
from bot.services.checkins.invitations import _valid as valid_plan_value
from bot.services.coaching.disengagement import DEFAULT_RULES
from bot.services.errors import Refused
from bot.services.people import codes
from storage.db import Database
from storage.models import (
    AppointmentKind,
    Group,
    GroupKind,
    InviteKind,
    Location,
    Organisation,
    Participant,
    ParticipantStatus,
    Phase,
    Programme,
    StaffMember,
    StaffRole,
    WebLogin,
    WebSession,
)

SLUG = re.compile(r"[a-z0-9][a-z0-9-]{1,59}")
STAFF_CODE_VALID = timedelta(days=14)
SETTINGS = ("reminders", "alerts", "checkins")


@dataclass(frozen=True)
class Made:
    """Something set up: its number, its short name and its name as people read it."""

    id: int
    slug: str
    name: str


@dataclass(frozen=True)
class StaffCode:
    name: str
    admin: bool
    code: str
    expires_at: datetime


def _name(text: str) -> str:
    name = " ".join((text or "").split())[:200]
    if not name:
        raise Refused("name_missing")
    return name


def slug_of(text: str) -> str:
    """ "Natuur Talent!" → "natuur-talent": the short name a file or a command can use."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]
    return slug or "x"


def organisation(session: Session, slug: str) -> Organisation:
    found = session.scalars(select(Organisation).where(Organisation.slug == slug)).first()
    if found is None:
        raise Refused("unknown_organisation", slug=slug)
    return found


def create_organisation(
    db: Database, slug: str, name: str, timezone: str, language: str, now: datetime
) -> Made:
    """A new organisation; its short name (slug) is how every command names it."""
    slug = slug.strip().lower()
    if not SLUG.fullmatch(slug):
        raise Refused("bad_slug", slug=slug)
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise Refused("bad_timezone", timezone=timezone) from None
    if language not in LANGUAGES:
        raise Refused("language", language=language)
    with db.write() as session:
        if session.scalars(select(Organisation.id).where(Organisation.slug == slug)).first():
            raise Refused("slug_taken", slug=slug)
        made = Organisation(
            slug=slug,
            name=_name(name),
            timezone=timezone,
            default_language=language,
            created_at=now,
        )
        session.add(made)
        session.flush()
        audit.record(session, now, "organisation_created", actor="system", slug=slug)
        return Made(made.id, made.slug, made.name)


def invite_staff(db: Database, slug: str, name: str, admin: bool, now: datetime) -> StaffCode:
    """A staff member, and the one-use code that connects their Telegram chat (14 days)."""
    with db.write() as session:
        org = organisation(session, slug)
        staff = StaffMember(
            organisation_id=org.id,
            name=_name(name),
            role=StaffRole.ADMIN if admin else StaffRole.COACH,
            language=org.default_language,
            created_at=now,
        )
        session.add(staff)
        session.flush()
        invite = codes.create(
            session, now, org.id, InviteKind.STAFF, staff_id=staff.id, valid_for=STAFF_CODE_VALID
        )
        audit.record(session, now, "staff_invited", staff_id=staff.id, actor="system")
        assert invite.expires_at is not None
        return StaffCode(staff.name, admin, invite.code, invite.expires_at)


def remove_staff(db: Database, slug: str, name: str, now: datetime) -> str:
    """A staff member leaves: their Telegram chat is no staff chat any more, their web sessions
    and unused login links end at once. Refused while they still coach someone (hand those
    over first, so nobody is left without a coach); the row stays for the audit trail."""
    with db.write() as session:
        org = organisation(session, slug)
        staff = session.get(StaffMember, _staff_id(session, org.id, name, "unknown_staff"))
        assert staff is not None
        coached = session.scalar(
            select(func.count(Participant.id)).where(
                Participant.coach_id == staff.id,
                Participant.status.in_([ParticipantStatus.ACTIVE, ParticipantStatus.INVITED]),
            )
        )
        if coached:
            raise Refused("still_coaching", name=staff.name, n=coached)
        staff.removed_at, staff.chat_id = now, None
        session.execute(
            update(WebSession)
            .where(WebSession.staff_id == staff.id, WebSession.ended_at.is_(None))
            .values(ended_at=now)
        )
        session.execute(
            delete(WebLogin).where(WebLogin.staff_id == staff.id, WebLogin.used_at.is_(None))
        )
        audit.record(session, now, "staff_removed", staff_id=staff.id, actor="system")
        return staff.name


def add_location(
    db: Database, slug: str, name: str, address: str, opening: str, coach: str, now: datetime
) -> Made:
    """A location; `opening` is when people may walk in ("2026-12-01 09:30 weekly TU")."""
    with db.write() as session:
        org = organisation(session, slug)
        name = _name(name)
        if _exists(session, Location, org.id, name):
            raise Refused("location_exists", name=name)
        rule = _opening(opening, ZoneInfo(org.timezone)) if opening.strip() else None
        coach_id = _staff_id(session, org.id, coach) if coach.strip() else None
        made = Location(
            organisation_id=org.id,
            name=name,
            address=" ".join(address.split())[:300],
            opening_rrule=rule,
            default_coach_id=coach_id,
        )
        session.add(made)
        session.flush()
        return Made(made.id, slug_of(made.name), made.name)


def add_group(
    db: Database,
    slug: str,
    name: str,
    kind: str,
    location: str = "",
    phase: str = "",
    language: str = "",
) -> Made:
    """A group for broadcasts: everyone at a location, in a phase, with a language, or listed."""
    with db.write() as session:
        org = organisation(session, slug)
        name = _name(name)
        if _exists(session, Group, org.id, name):
            raise Refused("group_exists", name=name)
        try:
            group_kind = GroupKind(kind)
        except ValueError:
            raise Refused("bad_group_kind", kind=kind) from None
        group = Group(organisation_id=org.id, name=name, kind=group_kind)
        if group_kind == GroupKind.LOCATION:
            found = _find(session, Location, org.id, location)
            if found is None:
                raise Refused("unknown_location")
            group.location_id = found
        elif group_kind == GroupKind.PHASE:
            try:
                group.phase = Phase(phase)
            except ValueError:
                raise Refused("bad_phase", phase=phase) from None
        elif group_kind == GroupKind.LANGUAGE:
            if language not in LANGUAGES:
                raise Refused("language", language=language)
            group.language = language
        session.add(group)
        session.flush()
        return Made(group.id, slug_of(group.name), group.name)


def add_programme(db: Database, slug: str, programme: str, name: str, now: datetime) -> Made:
    """A trajectory offer the organisation reports on separately."""
    with db.write() as session:
        org = organisation(session, slug)
        return made_programme(session, org.id, programme or slug_of(name), name, now)


def made_programme(
    session: Session, organisation_id: int, programme: str, name: str, now: datetime
) -> Made:
    programme = programme.strip().lower()
    if not SLUG.fullmatch(programme):
        raise Refused("bad_slug", slug=programme)
    found = session.scalars(
        select(Programme).where(
            Programme.organisation_id == organisation_id, Programme.slug == programme
        )
    ).first()
    if found is not None:
        raise Refused("programme_exists", name=found.name)
    made = Programme(
        organisation_id=organisation_id, slug=programme, name=_name(name), created_at=now
    )
    session.add(made)
    session.flush()
    return Made(made.id, made.slug, made.name)


def show_settings(db: Database, slug: str) -> dict[str, Any]:
    """Every setting as it applies now: the organisation's own values over the defaults."""
    with db.read() as session:
        org = organisation(session, slug)
        return {
            "timezone": org.timezone,
            "language": org.default_language,
            "reminders": dict(org.reminder_offsets or {}) or {"*": ["-1d@18:00", "-2h"]},
            "alerts": {**DEFAULT_RULES, **(org.alert_rules or {})},
            "checkins": {**DEFAULT_PLAN, **(org.checkin_plan or {})},
        }


def set_setting(db: Database, slug: str, setting: str, key: str, value: str) -> None:
    """Change one setting after checking it; a wrong value changes nothing."""
    with db.write() as session:
        org = organisation(session, slug)
        if setting == "timezone":
            _set_timezone(org, value)
        elif setting == "language":
            if value not in LANGUAGES:
                raise Refused("language", language=value)
            org.default_language = value
        elif setting == "reminders":
            org.reminder_offsets = {**(org.reminder_offsets or {}), **_offsets(key, value)}
        elif setting == "alerts":
            org.alert_rules = {**(org.alert_rules or {}), **_rule(key, value)}
        elif setting == "checkins":
            org.checkin_plan = {**(org.checkin_plan or {}), **_plan(key, value)}
        else:
            raise Refused("unknown_setting", setting=setting)


def _set_timezone(org: Organisation, value: str) -> None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise Refused("bad_timezone", timezone=value) from None
    org.timezone = value


def _offsets(kind: str, value: str) -> dict[str, list[str]]:
    """ "intake" "-1d@18:00,-2h": when reminders go before that kind of appointment."""
    if kind != "*" and kind not in {k.value for k in AppointmentKind}:
        raise Refused("bad_setting", key=kind, value=value)
    offsets = [part.strip() for part in value.split(",") if part.strip()]
    if not offsets or len(offsets) > 5 or not all(_offset(o) for o in offsets):
        raise Refused("bad_setting", key=kind, value=value)
    return {kind: offsets}


def _offset(text: str) -> bool:
    """An offset the reminders can use: read by the same function that plans them."""
    try:
        due = due_for(datetime(2026, 1, 15, 12, tzinfo=ZoneInfo("UTC")), text, ZoneInfo("UTC"))
    except (ValueError, TypeError):
        return False
    return due < datetime(2026, 1, 15, 12, tzinfo=ZoneInfo("UTC"))


def _rule(key: str, value: str) -> dict[str, int]:
    """A disengagement rule's number; 0 turns the rule off."""
    if key not in DEFAULT_RULES or not value.isdigit() or int(value) > 365:
        raise Refused("bad_setting", key=key, value=value)
    return {key: int(value)}


def _plan(key: str, value: str) -> dict[str, Any]:
    """A check-in setting, read as the plan stores it and checked by the same rule."""
    parsed: Any = value
    if key in ("monthly", "enabled"):
        parsed = {"yes": True, "true": True, "no": False, "false": False}.get(value.lower())
    elif key == "domains":
        parsed = [d.strip() for d in value.split(",") if d.strip()]
    elif key == "weekday":
        parsed = value.lower()
    elif key == "at":
        parsed = value if _clock(value) else None
    elif value.isdigit():
        parsed = int(value)
    if key not in DEFAULT_PLAN or parsed is None or not valid_plan_value(key, parsed):
        raise Refused("bad_setting", key=key, value=value)
    return {key: parsed}


def _clock(value: str) -> bool:
    try:
        time.fromisoformat(value)
    except ValueError:
        return False
    return True


def _opening(text: str, zone: ZoneInfo) -> str:
    """ "2026-12-01 09:30 weekly TU" → an RFC 5545 rule in local wall-clock time."""
    parts = text.split(maxsplit=2)
    try:
        first = datetime.fromisoformat(f"{parts[0]} {parts[1]}")
        rule = repeat_rule(parts[2] if len(parts) > 2 else "")
    except (IndexError, ValueError, KeyError, TooOften):
        raise Refused("bad_opening", value=text) from None
    if rule is None:
        raise Refused("bad_opening", value=text)
    return f"DTSTART:{first:%Y%m%dT%H%M%S}\n{rule}"


def _exists(session: Session, model: type[Location] | type[Group], org: int, name: str) -> bool:
    return (
        session.scalars(
            select(model.id).where(
                model.organisation_id == org, func.lower(model.name) == name.lower()
            )
        ).first()
        is not None
    )


def _find(session: Session, model: type[Location], org: int, name: str) -> int | None:
    return session.scalars(
        select(model.id).where(
            model.organisation_id == org, func.lower(model.name) == name.strip().lower()
        )
    ).first()


def _staff_id(session: Session, org: int, name: str, unknown: str = "unknown_coach") -> int:
    found = session.scalars(
        select(StaffMember.id).where(
            StaffMember.organisation_id == org,
            StaffMember.removed_at.is_(None),
            func.lower(StaffMember.name) == name.strip().lower(),
        )
    ).all()
    if len(found) != 1:
        raise Refused(unknown, name=name)
    return found[0]
