"""Reminders at scale: N participants with two recurring appointments each, four weeks ahead.

Reports the time to materialise the reminders, the database size, the cost of one tick with
nothing due and with 1,000 due, peak memory, and over one simulated day (a tick every minute)
the worst delay between a reminder's due time and its row in the outbox. SQLite.
Usage: python -m bench.reminders [--participants N]
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update

from bot.services.appointments import reminders
from storage.db import make_engine, make_session_factory, upgrade
from storage.models import (
    Appointment,
    AppointmentKind,
    Location,
    Organisation,
    Outbox,
    Participant,
    ParticipantStatus,
    Reminder,
    ReminderState,
    StaffMember,
    StaffRole,
)

AMS = ZoneInfo("Europe/Amsterdam")
QUIET = (datetime.strptime("21:00", "%H:%M").time(), datetime.strptime("08:00", "%H:%M").time())
LANGS = ["nl", "ar", "ti", "so", "en"]


def seed(factory, participants: int, now: datetime) -> None:
    monday = (now.astimezone(AMS) - timedelta(days=now.astimezone(AMS).weekday())).date()
    workshop = datetime.combine(monday, datetime.min.time(), AMS).replace(hour=9, minute=30)
    school = workshop + timedelta(days=2)
    with factory() as session, session.begin():
        org = Organisation(slug="bench", name="Bench", created_at=now)
        session.add(org)
        session.flush()
        coach = StaffMember(
            organisation_id=org.id, name="Coach", role=StaffRole.COACH, created_at=now
        )
        place = Location(organisation_id=org.id, name="Atelier", address="Straat 1")
        session.add_all([coach, place])
        session.flush()
        ids = {"org": org.id, "coach": coach.id, "place": place.id}
    for start in range(0, participants, 10_000):
        with factory() as session, session.begin():
            people = [
                Participant(
                    chat_id=10_000_000 + i,
                    language=LANGS[i % 5],
                    display_name=f"P{i}",
                    organisation_id=ids["org"],
                    coach_id=ids["coach"],
                    status=ParticipantStatus.ACTIVE,
                    created_at=now,
                )
                for i in range(start, min(start + 10_000, participants))
            ]
            session.add_all(people)
            session.flush()
            session.add_all(
                Appointment(
                    organisation_id=ids["org"],
                    participant_id=p.id,
                    kind=kind,
                    starts_at=first.astimezone(UTC),
                    rrule=rule,
                    location_id=ids["place"],
                    staff_id=ids["coach"],
                    created_at=now,
                )
                for p in people
                for kind, first, rule in (
                    (AppointmentKind.WORKSHOP_DAY, workshop, "FREQ=WEEKLY;BYDAY=TU,TH"),
                    (AppointmentKind.SCHOOL_DAY, school, "FREQ=WEEKLY;BYDAY=WE"),
                )
            )


def tick_ms(factory, at: datetime) -> tuple[float, int]:
    started = time.perf_counter()
    with factory() as session:
        queued = reminders.tick(session, at, AMS, QUIET)
    return (time.perf_counter() - started) * 1000, queued


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--participants", type=int, default=100_000)
    args = parser.parse_args()
    now = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # Monday 08:00 in Amsterdam
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "reminders.sqlite3"
        url = f"sqlite:///{path}"
        upgrade(url)
        factory = make_session_factory(make_engine(url))
        seed(factory, args.participants, now)
        started = time.perf_counter()
        with factory() as session:
            made = reminders.extend_all(session, now, AMS, QUIET, timedelta(days=28))
        materialise_s = time.perf_counter() - started
        db_mb = path.stat().st_size / 2**20 + (
            Path(f"{path}-wal").stat().st_size / 2**20 if Path(f"{path}-wal").exists() else 0
        )
        empty_ms, _ = tick_ms(factory, now)
        # 1,000 due: bring forward the first 1,000 of Tuesday evening's reminders
        with factory() as session, session.begin():
            first = session.scalars(
                select(Reminder.id)
                .where(Reminder.state == ReminderState.PENDING)
                .order_by(Reminder.due_at)
                .limit(1000)
            ).all()
            session.execute(
                update(Reminder)
                .where(Reminder.id.in_(first))
                .values(due_at=now - timedelta(seconds=30))
            )
        busy_ms, busy_count = tick_ms(factory, now)
        # one simulated day, a tick every minute; the delay is tick time minus due time
        worst = 0.0
        moment = now
        for _ in range(24 * 60):
            moment += timedelta(minutes=1)
            with factory() as session, session.begin():
                oldest = session.scalar(
                    select(func.min(Reminder.due_at)).where(
                        Reminder.state == ReminderState.PENDING, Reminder.due_at <= moment
                    )
                )
            if oldest is None:
                continue
            spent, _ = tick_ms(factory, moment)
            worst = max(worst, (moment - oldest).total_seconds() + spent / 1000)
        with factory() as session:
            outboxed = session.scalar(select(func.count(Outbox.id)))
    result = {
        "bench": "reminders",
        "participants": args.participants,
        "reminders": made,
        "materialise_s": round(materialise_s, 2),
        "db_mb": round(db_mb, 1),
        "tick_empty_ms": round(empty_ms, 2),
        "tick_1000_ms": round(busy_ms, 1),
        "tick_1000_queued": busy_count,
        "worst_delay_s": round(worst, 1),
        "day_outboxed": outboxed,
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print(
        f"{made} reminders for {args.participants} participants in {materialise_s:.1f} s, "
        f"{db_mb:.0f} MB; tick empty {empty_ms:.1f} ms, with {busy_count} due "
        f"{busy_ms:.0f} ms; worst delay over a day {worst:.0f} s"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
