"""Logging in without passwords. Staff send /web to the bot (or an operator runs `wegwijzer web
link`) and get a link that works once, for five minutes. Opening it only shows a confirm button,
so a link preview cannot use it up; confirming opens a server-side session that ends after 30
idle minutes, after 12 hours, at logout, or at once when the staff member is removed. Only
hashes of the secrets are stored: a copy of the database logs nobody in."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.services import audit
from bot.services.errors import Refused
from bot.services.organisations.setup import organisation
from bot.services.people.scope import Scope
from storage import repositories as repo
from storage.db import Database
from storage.models import Organisation, StaffMember, StaffRole, WebLogin, WebSession

LINK_VALID = timedelta(minutes=5)
IDLE = timedelta(minutes=30)
LONGEST = timedelta(hours=12)
SEEN_EVERY = timedelta(minutes=1)  # how often a busy session's last-seen time is written


@dataclass(frozen=True)
class Link:
    """A login link's secret (goes into the URL, never stored) and until when it works."""

    token: str
    expires_at: datetime
    name: str


@dataclass(frozen=True)
class Waiting:
    """Who a still-valid link would log in (shown on the confirm page)."""

    name: str
    organisation: str
    language: str


@dataclass(frozen=True)
class Staffer:
    """The logged-in staff member as every web page sees them."""

    staff_id: int
    name: str
    admin: bool
    language: str
    organisation_id: int
    organisation: str
    slug: str
    zone: ZoneInfo
    csrf: str

    @property
    def scope(self) -> Scope:
        """A coach sees their own participants, an admin the organisation's."""
        return Scope(
            organisation_id=self.organisation_id,
            coach_id=None if self.admin else self.staff_id,
            staff_id=self.staff_id,
            staff_name=self.name,
        )


@dataclass(frozen=True)
class Opened:
    """A new session: its secret for the cookie, and who it belongs to."""

    token: str
    staffer: Staffer


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _new_link(session: Session, staff: StaffMember, now: datetime, by: str) -> Link:
    token = secrets.token_urlsafe(32)
    session.add(
        WebLogin(
            token_hash=_hash(token), staff_id=staff.id, created_at=now, expires_at=now + LINK_VALID
        )
    )
    audit.record(session, now, "web_link_issued", staff_id=staff.id, actor=by)
    return Link(token, now + LINK_VALID, staff.name)


def link_for_chat(db: Database, chat_id: int, now: datetime) -> Link:
    """/web: a link for the staff member writing from this chat; refused for anyone else."""
    with db.write() as session:
        staff = repo.staff_by_chat(session, chat_id)
        if staff is None:
            raise Refused("not_staff")
        return _new_link(session, staff, now, "staff")


def link_for_operator(db: Database, slug: str, staff_name: str, now: datetime) -> Link:
    """`wegwijzer web link --org --staff`: for a staff member named exactly (any case)."""
    with db.write() as session:
        org = organisation(session, slug)
        found = session.scalars(
            select(StaffMember).where(
                StaffMember.organisation_id == org.id,
                StaffMember.removed_at.is_(None),
                func.lower(StaffMember.name) == " ".join(staff_name.split()).lower(),
            )
        ).all()
        if len(found) != 1:
            raise Refused("unknown_staff", name=staff_name)
        return _new_link(session, found[0], now, "system")


def _usable(session: Session, token: str, now: datetime) -> WebLogin | None:
    login = session.scalars(select(WebLogin).where(WebLogin.token_hash == _hash(token))).first()
    if login is None or login.used_at is not None or login.expires_at <= now:
        return None
    return login


def waiting(db: Database, token: str, now: datetime) -> Waiting | None:
    """The confirm page: whom this link would log in, or None if it cannot be used (any more).
    Looking does not use it up."""
    with db.read() as session:
        login = _usable(session, token, now)
        if login is None:
            return None
        staff = session.get(StaffMember, login.staff_id)
        if staff is None or staff.removed_at is not None:
            return None
        org = session.get(Organisation, staff.organisation_id)
        return Waiting(staff.name, org.name if org else "", staff.language)


def log_in(db: Database, token: str, now: datetime) -> Opened:
    """Use the link (once: two browsers confirming at the same moment get one session) and
    open a session."""
    with db.step() as session:
        login = _usable(session, token, now)
        if login is None:
            raise Refused("login_link_used")
        taken = session.execute(
            update(WebLogin)
            .where(WebLogin.id == login.id, WebLogin.used_at.is_(None))
            .values(used_at=now)
        )
        if getattr(taken, "rowcount", 1) != 1:
            raise Refused("login_link_used")
        secret = secrets.token_urlsafe(32)
        opened = WebSession(
            token_hash=_hash(secret),
            staff_id=login.staff_id,
            csrf=secrets.token_urlsafe(32),
            created_at=now,
            seen_at=now,
        )
        session.add(opened)
        audit.record(session, now, "web_login", staff_id=login.staff_id, actor="staff")
        session.flush()
        staffer = _staffer(session, opened)
        if staffer is None:
            raise Refused("login_link_used")
        return Opened(secret, staffer)


def _staffer(session: Session, opened: WebSession) -> Staffer | None:
    staff = session.get(StaffMember, opened.staff_id)
    if staff is None or staff.removed_at is not None:
        return None
    org = session.get(Organisation, staff.organisation_id)
    if org is None:
        return None
    return Staffer(
        staff_id=staff.id,
        name=staff.name,
        admin=staff.role == StaffRole.ADMIN,
        language=staff.language,
        organisation_id=org.id,
        organisation=org.name,
        slug=org.slug,
        zone=ZoneInfo(org.timezone),
        csrf=opened.csrf,
    )


def current(db: Database, token: str, now: datetime) -> Staffer | None:
    """The staff member of a session cookie, or None when it ended (idle, too old, logged
    out, or the staff member was removed). A live session's last-seen time moves on."""
    if not token:
        return None
    with db.write() as session:
        opened = session.scalars(
            select(WebSession).where(WebSession.token_hash == _hash(token))
        ).first()
        if opened is None or opened.ended_at is not None:
            return None
        if now - opened.seen_at >= IDLE or now - opened.created_at >= LONGEST:
            opened.ended_at = now
            return None
        if now - opened.seen_at >= SEEN_EVERY:
            opened.seen_at = now
        return _staffer(session, opened)


def log_out(db: Database, token: str, now: datetime) -> None:
    """End the session of this cookie (nothing happens for an unknown one)."""
    with db.write() as session:
        opened = session.scalars(
            select(WebSession).where(WebSession.token_hash == _hash(token))
        ).first()
        if opened is not None and opened.ended_at is None:
            opened.ended_at = now
            audit.record(session, now, "web_logout", staff_id=opened.staff_id, actor="staff")


def set_language(db: Database, staff_id: int, language: str) -> None:
    """Staff choose the language of the web app (and of the bot's messages to them)."""
    from bot.i18n import LANGUAGES

    if language not in LANGUAGES:
        raise Refused("language")
    with db.write() as session:
        staff = session.get(StaffMember, staff_id)
        if staff is not None:
            staff.language = language
