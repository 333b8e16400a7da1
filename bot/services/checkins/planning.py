"""When each participant is invited to a check-in: the organisation's weekday and time, never
just before an appointment or at night; rows due first, sent by the tick, reminded once."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.callbacks import CheckinInvite
from bot.i18n import N_, _, use_locale
from bot.services.appointments.recurrence import occurrences
from bot.services.checkins.invitations import WEEKDAYS, plan_of
from bot.services.messaging import outbox
from storage.models import (
    PRIORITY_BULK,
    Appointment,
    CheckinInvitation,
    Organisation,
    OutboxKind,
    Participant,
    ParticipantStatus,
    Signal,
)

BUSY_MARGIN = timedelta(minutes=30)  # not just before an appointment either

START, LATER = N_("▶️ Start"), N_("⏰ Not now")


CHUNK = 2000


INVITE = {
    "weekly": N_("How are you doing? I have a few short questions for you. It takes 2 minutes."),
    "monthly": N_(
        "How are you doing? It is time for the monthly check-in. It takes about 5 minutes."
    ),
}


REMIND = N_("Yesterday I asked how you are doing. Do you have 2 minutes now?")


def slot(plan: dict[str, Any], week_of: date, zone: ZoneInfo) -> tuple[str, str, datetime]:
    """(period, kind, due) of the invitation in the week of `week_of`."""
    monday = week_of - timedelta(days=week_of.weekday())
    day = monday + timedelta(days=WEEKDAYS.index(plan["weekday"]))
    year, week, _weekday = day.isocalendar()
    kind = "monthly" if plan["monthly"] and day.day <= 7 else "weekly"
    due = datetime.combine(day, time.fromisoformat(plan["at"]), tzinfo=zone).astimezone(UTC)
    return f"{year}-W{week:02d}", kind, due


def free_moment(
    due: datetime, busy: list[tuple[datetime, datetime]], zone: ZoneInfo, quiet: tuple[time, time]
) -> datetime:
    """`due`, or the first moment after it that is outside an appointment (with a margin before
    it) and outside the quiet hours."""
    moment = outbox.after_quiet(due, zone, quiet)
    for _round in range(12):
        clash = next((b for b in busy if b[0] - BUSY_MARGIN <= moment < b[1]), None)
        if clash is None:
            return moment
        moment = outbox.after_quiet(clash[1] + timedelta(minutes=15), zone, quiet)
    return moment


def _audience(session: Session, low: int, high: int) -> list[Participant]:
    """Who gets invitations: active (they agreed to the consent), reachable, not stopped."""
    return list(
        session.scalars(
            select(Participant).where(
                Participant.id >= low,
                Participant.id < high,
                Participant.status == ParticipantStatus.ACTIVE,
                Participant.chat_id.is_not(None),
                Participant.stopped_at.is_(None),
                Participant.unreachable_at.is_(None),
            )
        )
    )


def plan_all(session: Session, now: datetime, zone: ZoneInfo, quiet: tuple[time, time]) -> int:
    """Plan each participant's next invitation (this week's if it is still ahead, else next
    week's); safe to run again. Returns how many rows are new."""
    with session.begin():
        top = session.scalar(select(func.max(Participant.id))) or 0
        plans = {o.id: plan_of(o) for o in session.scalars(select(Organisation))}
    added = 0
    for low in range(0, top + 1, CHUNK):
        with session.begin():
            people = _audience(session, low, low + CHUNK)
            busy = _busy(session, [p.id for p in people], now, zone)
            rows = []
            for person in people:
                plan = plans.get(person.organisation_id or -1)
                if plan is None or not plan["enabled"]:
                    continue
                row = _next_row(person, plan, busy.get(person.id, []), now, zone, quiet)
                if row is not None:
                    rows.append(row)
            if rows:
                added += outbox.insert_ignoring_duplicates(
                    session, CheckinInvitation, rows, ["participant_id", "period"]
                )
    return added


def _next_row(
    person: Participant,
    plan: dict[str, Any],
    busy: list[tuple[datetime, datetime]],
    now: datetime,
    zone: ZoneInfo,
    quiet: tuple[time, time],
) -> dict[str, Any] | None:
    today = now.astimezone(zone).date()
    for week_of in (today, today + timedelta(days=7)):
        period, kind, due = slot(plan, week_of, zone)
        if due < now:
            continue
        due = free_moment(due, busy, zone, quiet)
        remind = free_moment(due + timedelta(hours=plan["remind_after_hours"]), busy, zone, quiet)
        return {
            "organisation_id": person.organisation_id,
            "participant_id": person.id,
            "kind": kind,
            "period": period,
            "due_at": due,
            "remind_at": remind,
            "expires_at": max(remind, due + timedelta(hours=plan["expire_after_hours"])),
            "state": "planned",
            "domains": None,
            "instance": None,
            "created_at": now,
            "sent_at": None,
            "started_at": None,
            "done_at": None,
        }
    return None


def _busy(
    session: Session, ids: list[int], now: datetime, zone: ZoneInfo
) -> dict[int, list[tuple[datetime, datetime]]]:
    """Each participant's appointments of the coming 15 days, as (start, end)."""
    found: dict[int, list[tuple[datetime, datetime]]] = {}
    if not ids:
        return found
    until = now + timedelta(days=15)
    for appointment in session.scalars(
        select(Appointment).where(
            Appointment.participant_id.in_(ids), Appointment.cancelled_at.is_(None)
        )
    ):
        length = (
            appointment.ends_at - appointment.starts_at
            if appointment.ends_at
            else timedelta(hours=2)
        )
        for start in occurrences(appointment, now, until, zone):
            found.setdefault(appointment.participant_id, []).append((start, start + length))
    return found


def tick(session: Session, now: datetime) -> int:
    """Send what is due to the outbox, remind once, and let old ones expire. Returns how many
    messages were queued."""
    queued = 0
    with session.begin():
        session.execute(
            update(CheckinInvitation)
            .where(
                CheckinInvitation.state.in_(["planned", "sent", "reminded"]),
                CheckinInvitation.expires_at <= now,
            )
            .values(state="expired")
        )
    for state, column in (
        ("planned", CheckinInvitation.due_at),
        ("sent", CheckinInvitation.remind_at),
    ):
        while True:
            with session.begin():
                due = session.scalars(
                    select(CheckinInvitation)
                    .where(CheckinInvitation.state == state, column <= now)
                    .order_by(CheckinInvitation.id)
                    .limit(CHUNK)
                ).all()
                if not due:
                    break
                queued += _send(session, list(due), now, reminder=state == "sent")
    return queued


def _send(session: Session, due: list[CheckinInvitation], now: datetime, reminder: bool) -> int:
    people = {
        p.id: p
        for p in session.scalars(
            select(Participant).where(Participant.id.in_({i.participant_id for i in due}))
        )
    }
    answered = _answered_since(session, due)
    rows, texts = [], {}
    for invitation in due:
        person = people.get(invitation.participant_id)
        if person is None or not _reachable(person):
            invitation.state = "cancelled"
            continue
        if answered.get(person.id, False) and not reminder:
            invitation.state = "cancelled"  # they checked in by themselves this week
            continue
        key = (person.language or "nl", invitation.kind, reminder)
        if key not in texts:
            with use_locale(key[0]):
                texts[key] = (
                    _(REMIND if reminder else INVITE[invitation.kind]),
                    _(START),
                    _(LATER),
                )
        text, start, later = texts[key]
        rows.append(
            outbox.message(
                now,
                key=f"checkin-{'reminder' if reminder else 'invite'}:{invitation.id}",
                chat_id=person.chat_id,
                text=text,
                kind=OutboxKind.INVITATION,
                priority=PRIORITY_BULK,
                respect_quiet_hours=True,
                buttons=[
                    [{"text": start, "data": CheckinInvite("start", invitation.id).pack()}],
                    [{"text": later, "data": CheckinInvite("later", invitation.id).pack()}],
                ],
                participant_id=person.id,
                organisation_id=person.organisation_id,
                language=person.language,
            )
        )
        invitation.state = "reminded" if reminder else "sent"
        invitation.sent_at = invitation.sent_at or now
    return outbox.enqueue_many(session, rows)


def _answered_since(session: Session, due: list[CheckinInvitation]) -> dict[int, bool]:
    """Who already answered a check-in in the three days before their invitation was due."""
    earliest = min(i.due_at for i in due) - timedelta(days=3)
    last: dict[int, datetime] = {
        pid: at
        for pid, at in session.execute(
            select(Signal.participant_id, func.max(Signal.at))
            .where(
                Signal.participant_id.in_({i.participant_id for i in due}),
                Signal.source == "self",
                Signal.at >= earliest,
            )
            .group_by(Signal.participant_id)
        )
    }
    return {
        i.participant_id: i.participant_id in last
        and last[i.participant_id] >= i.due_at - timedelta(days=3)
        for i in due
    }


def _reachable(person: Participant) -> bool:
    return (
        person.status == ParticipantStatus.ACTIVE
        and person.chat_id is not None
        and person.stopped_at is None
        and person.unreachable_at is None
    )
