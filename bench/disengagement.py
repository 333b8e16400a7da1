"""Disengagement: does the detector find silent dropouts early, without crying wolf, and fast?

Quality: 600 participants of 12 coaches, workshop days on Tuesday and Thursday, over 16 weeks.
Patterns from the seeds' picture: most keep coming (now and then absent or sick); some drop out
silently after a few weeks; some have an excused gap of one or two weeks for illness; some come
irregularly but stay. Coaches fill in the day list on most days (not all: unknown stays
unknown), participants answer some reminders. Every evening the detector runs on the simulated
clock; a coach resolves an alert about someone who did not drop out the next day.
Reports recall (dropouts alerted within 7 days of their first missed day), the median and worst
lead time in days, false alerts per coach per week, and the time of one daily run over
`--scale` participants (100,000 by default) on SQLite.
Usage: python -m bench.disengagement [--scale N] [--seed S]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select, update

from bot.services.coaching import disengagement
from storage.db import make_engine, make_session_factory, upgrade
from storage.models import (
    Alert,
    AlertState,
    Appointment,
    AppointmentAnswer,
    AppointmentKind,
    Attendance,
    AttendanceSource,
    AttendanceStatus,
    Organisation,
    Participant,
    ParticipantStatus,
    Reminder,
    ReminderState,
    StaffMember,
    StaffRole,
)

AMS = ZoneInfo("Europe/Amsterdam")
START = date(2026, 9, 7)  # a Monday
WEEKS = 16
COACHES = 12
PEOPLE = 600


@dataclass
class Person:
    id: int
    pattern: str  # stayer, dropout, sick_gap, irregular
    drop_day: date | None = None  # first missed day of a dropout
    gap: tuple[date, date] | None = None
    first_alert: date | None = None
    alerts: int = 0


def seed_people(factory: Any, count: int, coaches: int, now: datetime) -> tuple[int, list[int]]:
    """An organisation, its coaches, and `count` participants with a Tuesday-and-Thursday
    workshop series starting on START; returns (organisation id, participant ids)."""
    first = datetime(START.year, START.month, START.day, 9, 30, tzinfo=AMS) + timedelta(days=1)
    with factory() as session, session.begin():
        org = Organisation(slug="bench", name="Bench", created_at=now)
        session.add(org)
        session.flush()
        staff = [
            StaffMember(
                organisation_id=org.id, name=f"Coach {c}", role=StaffRole.COACH, created_at=now
            )
            for c in range(coaches)
        ]
        session.add_all(staff)
        session.flush()
        org_id, coach_ids = org.id, [s.id for s in staff]
    ids: list[int] = []
    for start in range(0, count, 10_000):
        with factory() as session, session.begin():
            rows = session.execute(
                insert(Participant).returning(Participant.id),
                [
                    {
                        "display_name": f"P{i}",
                        "language": "nl",
                        "organisation_id": org_id,
                        "coach_id": coach_ids[i % coaches],
                        "status": ParticipantStatus.ACTIVE,
                        "created_at": now,
                    }
                    for i in range(start, min(start + 10_000, count))
                ],
            ).scalars()
            chunk = list(rows)
            session.execute(
                insert(Appointment),
                [
                    {
                        "organisation_id": org_id,
                        "participant_id": pid,
                        "kind": AppointmentKind.WORKSHOP_DAY,
                        "starts_at": first.astimezone(UTC),
                        "ends_at": (first + timedelta(hours=3)).astimezone(UTC),
                        "rrule": "FREQ=WEEKLY;BYDAY=TU,TH",
                        "skipped": [],
                        "notes": "",
                        "created_at": now,
                    }
                    for pid in chunk
                ],
            )
            ids += chunk
    return org_id, ids


def workshop_days() -> list[date]:
    return [
        START + timedelta(days=7 * week + weekday) for week in range(WEEKS) for weekday in (1, 3)
    ]


def outcome(person: Person, day: date, rng: random.Random) -> tuple[str | None, bool]:
    """(attendance status or None for no record, answered the reminder) for one workshop day."""
    recorded = rng.random() < 0.9  # the coach fills in the list on most days
    if person.pattern == "dropout" and person.drop_day and day >= person.drop_day:
        return ("absent" if recorded else None), False
    if person.gap and person.gap[0] <= day <= person.gap[1]:
        return "excused", True  # "I can't come: sick" on the reminder
    roll = rng.random()
    if person.pattern == "irregular":
        status = "present" if roll < 0.72 else "late" if roll < 0.80 else "absent"
    else:
        status = "present" if roll < 0.9 else "late" if roll < 0.95 else "absent"
    if status == "absent" and rng.random() < 0.4:
        status = "excused"  # many let us know
    answered = status == "excused" or rng.random() < 0.5
    return (status if recorded or status == "excused" else None), answered


def record_day(
    factory: Any, org_id: int, people: list[Person], day: date, rng: random.Random, now: datetime
) -> None:
    start = datetime(day.year, day.month, day.day, 9, 30, tzinfo=AMS).astimezone(UTC)
    marks, answers, reminded = [], [], []
    with factory() as session:
        series = dict(
            session.execute(
                select(Appointment.participant_id, Appointment.id).where(
                    Appointment.participant_id.in_([p.id for p in people])
                )
            ).all()
        )
    for person in people:
        status, answered = outcome(person, day, rng)
        appointment = series[person.id]
        reminded.append(
            {
                "appointment_id": appointment,
                "participant_id": person.id,
                "occurrence_start": start,
                "offset": "-1d@18:00",
                "due_at": start - timedelta(hours=15),
                "state": ReminderState.QUEUED,
                "created_at": now,
                "queued_at": start - timedelta(hours=15),
            }
        )
        if answered:
            answers.append(
                {
                    "appointment_id": appointment,
                    "participant_id": person.id,
                    "occurrence_start": start,
                    "answer": "not_coming" if status == "excused" else "coming",
                    "reason": "sick" if status == "excused" else None,
                    "answered_at": start - timedelta(hours=14),
                }
            )
        if status is not None:
            marks.append(
                {
                    "organisation_id": org_id,
                    "participant_id": person.id,
                    "appointment_id": appointment,
                    "occurrence_start": start,
                    "day": day,
                    "status": AttendanceStatus(status),
                    "source": AttendanceSource.COACH,
                    "recorded_at": now,
                }
            )
    with factory() as session, session.begin():
        session.execute(insert(Reminder), reminded)
        if answers:
            session.execute(insert(AppointmentAnswer), answers)
        if marks:
            session.execute(insert(Attendance), marks)


def quality(seed: int) -> dict[str, float]:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'quality.sqlite3'}"
        upgrade(url)
        factory = make_session_factory(make_engine(url))
        now = datetime(START.year, START.month, START.day, 8, tzinfo=AMS).astimezone(UTC)
        org_id, ids = seed_people(factory, PEOPLE, COACHES, now)
        days = workshop_days()
        people = []
        for pid in ids:
            roll = rng.random()
            person = Person(pid, "stayer")
            if roll < 0.15:
                person.pattern = "dropout"
                person.drop_day = days[rng.randrange(4, len(days) - 6)]
            elif roll < 0.25:
                person.pattern = "sick_gap"
                first = rng.randrange(2, len(days) - 6)
                person.gap = (days[first], days[first + rng.choice((1, 3))])
            elif roll < 0.35:
                person.pattern = "irregular"
            people.append(person)
        by_id = {p.id: p for p in people}
        run_s = []
        day = START
        while day < START + timedelta(weeks=WEEKS):
            evening = datetime(day.year, day.month, day.day, 18, 30, tzinfo=AMS).astimezone(UTC)
            if day in days:
                record_day(factory, org_id, people, day, rng, evening)
                with factory() as session, session.begin():
                    came = session.scalars(
                        select(Attendance.participant_id).where(
                            Attendance.day == day,
                            Attendance.status.in_(
                                [AttendanceStatus.PRESENT, AttendanceStatus.LATE]
                            ),
                        )
                    ).all()
                    for pid in came:
                        disengagement.came_back(session, pid, evening)
            started = time.perf_counter()
            with factory() as session:
                disengagement.run(session, evening, AMS)
            run_s.append(time.perf_counter() - started)
            with factory() as session, session.begin():
                for alert in session.scalars(
                    select(Alert).where(Alert.kind == "disengaged", Alert.created_at == evening)
                ):
                    person = by_id[alert.participant_id]
                    person.alerts += 1
                    person.first_alert = person.first_alert or day
                # the coach calls and resolves alerts about people who did not drop out
                session.execute(
                    update(Alert)
                    .where(
                        Alert.kind == "disengaged",
                        Alert.state == AlertState.OPEN,
                        Alert.created_at < evening,
                        Alert.participant_id.in_([p.id for p in people if p.pattern != "dropout"]),
                    )
                    .values(state=AlertState.RESOLVED, closed_at=evening)
                )
            day += timedelta(days=1)
    dropouts = [p for p in people if p.pattern == "dropout"]
    leads = [
        (p.first_alert - p.drop_day).days
        for p in dropouts
        if p.first_alert and p.drop_day and p.first_alert >= p.drop_day
    ]
    caught = [lead for lead in leads if lead <= 7]
    false = sum(p.alerts for p in people if p.pattern != "dropout") + sum(
        1 for p in dropouts if p.first_alert and p.drop_day and p.first_alert < p.drop_day
    )
    print(
        f"{len(people)} participants, {len(dropouts)} silent dropouts, "
        f"{sum(p.pattern == 'sick_gap' for p in people)} with a sick gap, "
        f"{sum(p.pattern == 'irregular' for p in people)} irregular"
    )
    print(
        f"recall within 7 days {len(caught)}/{len(dropouts)}; lead days median "
        f"{statistics.median(leads) if leads else None}, worst {max(leads) if leads else None}; "
        f"false alerts {false} ({false / COACHES / WEEKS:.2f} per coach per week); "
        f"daily run over {PEOPLE}: median {statistics.median(run_s) * 1000:.0f} ms"
    )
    return {
        "recall": round(len(caught) / len(dropouts), 3) if dropouts else 1.0,
        "lead_days_median": statistics.median(leads) if leads else None,
        "lead_days_max": max(leads) if leads else None,
        "false_alerts_per_coach_week": round(false / COACHES / WEEKS, 3),
        "dropouts": len(dropouts),
    }


def scale(participants: int, seed: int) -> float:
    """One daily run over `participants`, each with three weeks of history behind it."""
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'scale.sqlite3'}"
        upgrade(url)
        factory = make_session_factory(make_engine(url))
        now = datetime(START.year, START.month, START.day, 8, tzinfo=AMS).astimezone(UTC)
        org_id, ids = seed_people(factory, participants, max(1, participants // 50), now)
        days = workshop_days()[:6]
        for first in range(0, len(ids), 10_000):
            people = [Person(pid, "stayer") for pid in ids[first : first + 10_000]]
            for day in days:
                record_day(factory, org_id, people, day, rng, now)
        evening = datetime(days[-1].year, days[-1].month, days[-1].day, 18, 30, tzinfo=AMS)
        started = time.perf_counter()
        with factory() as session:
            raised = disengagement.run(session, evening.astimezone(UTC), AMS)
        took = time.perf_counter() - started
    print(f"daily run over {participants} participants: {took:.1f} s ({raised} alerts)")
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=100_000, help="participants for the timing")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    figures = quality(args.seed)
    took = scale(args.scale, args.seed)
    print(
        json.dumps(
            {
                "bench": "disengagement",
                **figures,
                "daily_run_s_100k": round(took, 2),
                "scale_participants": args.scale,
            }
        )
    )


if __name__ == "__main__":
    main()
