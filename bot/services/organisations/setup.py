"""An organisation sets itself up without touching the database: the organisation, its staff
(each with a one-use code to connect their Telegram), locations, groups and programmes, and
every setting that lives in a JSON column, each checked before it is stored. Every use case
opens its own transaction and refuses with a reason the adapter turns into a kind sentence."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.services import audit
from bot.services.appointments.reminders import DEFAULT_OFFSETS
from bot.services.checkins.invitations import DEFAULT_PLAN
from bot.services.coaching.disengagement import DEFAULT_RULES
from bot.services.errors import Refused
from bot.services.organisations import checks, staff
from bot.services.organisations.checks import name as _name
from bot.services.organisations.staff import StaffCode
from storage.db import Database
from storage.models import (
    Group,
    GroupKind,
    Location,
    Organisation,
    Phase,
    Programme,
    StaffMember,
)

SLUG = re.compile(r"[a-z0-9][a-z0-9-]{1,59}")
SETTINGS = ("reminders", "alerts", "checkins")


@dataclass(frozen=True)
class Made:
    """Something set up: its number, its short name and its name as people read it."""

    id: int
    slug: str
    name: str


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
    checks.timezone(timezone)
    checks.language(language)
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


def invite_staff(
    db: Database, slug: str, name: str, admin: bool, now: datetime, by: int | None = None
) -> StaffCode:
    """A staff member, and the one-use code that connects their Telegram chat (14 days)."""
    with db.write() as session:
        return staff.invite(session, organisation(session, slug), name, admin, now, by)


def remove_staff(db: Database, slug: str, name: str, now: datetime) -> str:
    """A staff member leaves, named as the command line names them (see `staff.retire`)."""
    with db.write() as session:
        org = organisation(session, slug)
        found = session.get(StaffMember, _staff_id(session, org.id, name, "unknown_staff"))
        assert found is not None
        return staff.retire(session, found, now, None)


def set_role(db: Database, slug: str, name: str, admin: bool, now: datetime) -> str:
    """`staff role`: make a staff member an admin or a coach (see `staff.make_admin`)."""
    with db.write() as session:
        org = organisation(session, slug)
        found = session.get(StaffMember, _staff_id(session, org.id, name, "unknown_staff"))
        assert found is not None
        return staff.make_admin(session, found, admin, now, None)


def add_location(
    db: Database,
    slug: str,
    name: str,
    address: str,
    opening: str,
    coach: str,
    now: datetime,
    by: int | None = None,
) -> Made:
    """A location; `opening` is when people may walk in ("2026-12-01 09:30 weekly TU").
    Audited, with the staff member `by` (None: an operator at the command line)."""
    with db.write() as session:
        org = organisation(session, slug)
        name = _name(name)
        if _exists(session, Location, org.id, name):
            raise Refused("location_exists", name=name)
        rule = checks.opening(opening) if opening.strip() else None
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
        _added(session, now, "location_added", by, org.id, made.name)
        return Made(made.id, slug_of(made.name), made.name)


def _added(
    session: Session, now: datetime | None, action: str, by: int | None, org: int, name: str
) -> None:
    """Something new in the organisation's set-up, in its audit trail."""
    if now is not None:
        actor = "staff" if by is not None else "operator"
        audit.record(session, now, action, staff_id=by, actor=actor, organisation_id=org, name=name)


def add_group(
    db: Database,
    slug: str,
    name: str,
    kind: str,
    location: str = "",
    phase: str = "",
    language: str = "",
    now: datetime | None = None,
    by: int | None = None,
) -> Made:
    """A group for broadcasts: everyone at a location, in a phase, with a language, or listed;
    audited when `now` is given."""
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
            group.language = checks.language(language)
        session.add(group)
        session.flush()
        _added(session, now, "group_added", by, org.id, group.name)
        return Made(group.id, slug_of(group.name), group.name)


def add_programme(
    db: Database, slug: str, programme: str, name: str, now: datetime, by: int | None = None
) -> Made:
    """A trajectory offer the organisation reports on separately; audited."""
    with db.write() as session:
        org = organisation(session, slug)
        made = made_programme(session, org.id, programme or slug_of(name), name, now)
        _added(session, now, "programme_added", by, org.id, made.name)
        return made


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


def change_location(
    db: Database, slug: str, location_id: int, opening: str, coach: str, now: datetime, by: int
) -> Made:
    """New walk-in hours (empty: none) or default coach (empty: none) for one location of this
    organisation, by the same rules as adding one; audited."""
    with db.write() as session:
        org = organisation(session, slug)
        place = session.get(Location, location_id)
        if place is None or place.organisation_id != org.id:
            raise Refused("unknown_location")
        rule = checks.opening(opening) if opening.strip() else None
        coach_id = _staff_id(session, org.id, coach) if coach.strip() else None
        old = (place.opening_rrule, place.default_coach_id)
        place.opening_rrule, place.default_coach_id = rule, coach_id
        if old != (rule, coach_id):
            audit.record(
                session,
                now,
                "location_changed",
                staff_id=by,
                actor="staff",
                location_id=place.id,
                old=list(old),
                new=[rule, coach_id],
            )
        return Made(place.id, slug_of(place.name), place.name)


def _settings(org: Organisation) -> dict[str, Any]:
    return {
        "timezone": org.timezone,
        "language": org.default_language,
        "reminders": {"*": list(DEFAULT_OFFSETS), **(org.reminder_offsets or {})},
        "alerts": {**DEFAULT_RULES, **(org.alert_rules or {})},
        "checkins": {**DEFAULT_PLAN, **(org.checkin_plan or {})},
    }


def show_settings(db: Database, slug: str) -> dict[str, Any]:
    """Every setting as it applies now: the organisation's own values over the defaults."""
    with db.read() as session:
        return _settings(organisation(session, slug))


def set_setting(
    db: Database,
    slug: str,
    setting: str,
    key: str,
    value: str,
    *,
    now: datetime,
    by: int | None = None,
) -> None:
    """Change one setting after checking it (checks.py); a wrong value changes nothing. Each
    change is audited: who, which setting, the value before and after."""
    with db.write() as session:
        org = organisation(session, slug)
        before = _settings(org)
        if setting == "timezone":
            org.timezone = checks.timezone(value)
        elif setting == "language":
            org.default_language = checks.language(value)
        elif setting == "reminders" and key not in ("", "*") and not value.strip():
            org.reminder_offsets = {
                k: v for k, v in (org.reminder_offsets or {}).items() if k != key
            }  # no times of its own: the general ones apply
        elif setting == "reminders":
            org.reminder_offsets = {**(org.reminder_offsets or {}), **checks.offsets(key, value)}
        elif setting == "alerts":
            org.alert_rules = {**(org.alert_rules or {}), **checks.rule(key, value)}
        elif setting == "checkins":
            org.checkin_plan = {**(org.checkin_plan or {}), **checks.plan(key, value)}
        else:
            raise Refused("unknown_setting", setting=setting)
        after = _settings(org)
        if before[setting] != after[setting]:
            old, new = before[setting], after[setting]
            if isinstance(old, dict):
                old, new = old.get(key), new.get(key)
            audit.record(
                session,
                now,
                "setting_changed",
                staff_id=by,
                actor="staff" if by else "system",
                setting=setting,
                key=key,
                old=old,
                new=new,
            )


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
