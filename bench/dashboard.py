"""The web app under an organisation of 10,000 participants and 200 coaches with 16 weeks of
attendance, check-ins and alerts, on SQLite, while a separate bot process answers participants
on the same database.

Coach pages (the board, the caseload table, a participant's page, the day's attendance) and
organisation pages (an admin's board, caseload, attendance of the whole organisation, overview,
broadcasts, audit trail and impact report) are requested in turn, each timed; the bot process
handles participants' messages at a steady rate and times each reply. The last line is JSON with
`bench`, `participants`, `coach_p95_ms`, `org_p95_ms`, `reply_p99_s` (targets: 150 ms, 500 ms,
2 s). Usage: python -m bench.dashboard [--participants N] [--coaches N] [--rounds N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient
from telegram import Update

from bot.clock import FixedClock
from bot.console.emulator import BotAPIEmulator, EmulatedRequest, user_dict
from bot.runtime import bootstrap
from bot.services.access import logins
from bot.services.organisations import setup
from bot.services.people.onboarding import CONSENT_VERSION
from bot.settings import Settings
from bot.telegram.app import build_application
from bot.web.app import create_app
from bot.web.security import COOKIE
from flows.steps.scale import DOMAINS
from storage.db import upgrade
from storage.models import (
    Alert,
    AlertState,
    Appointment,
    AppointmentKind,
    Attendance,
    AttendanceSource,
    AttendanceStatus,
    Broadcast,
    BroadcastState,
    ConsentRecord,
    Location,
    Outbox,
    OutboxKind,
    OutboxState,
    Participant,
    ParticipantStatus,
    Phase,
    Signal,
    StaffMember,
    StaffRole,
)

NOW = datetime(2026, 12, 7, 10, tzinfo=UTC)
WEEKS = 16
BROADCASTS = 6
TEXTS = ["hallo", "Wanneer is mijn afspraak?", "krijg ik reiskosten", "ok", "/help", "👍"]


def settings_for(url: str) -> Settings:
    return Settings(_env_file=None, database_url=url, send_rate=1000)  # type: ignore[call-arg]


def seed(url: str, participants: int, coaches: int) -> None:
    """The organisation in bulk: rows as the services leave them."""
    runtime = bootstrap(settings_for(url), clock=FixedClock(NOW))
    setup.create_organisation(runtime.db, "groot", "Groot", "Europe/Amsterdam", "nl", NOW)
    rng = random.Random(5)
    with runtime.session_factory() as session, session.begin():
        places = [Location(organisation_id=1, name=f"Locatie {i}") for i in range(6)]
        session.add_all(places)
        staff = [
            StaffMember(
                organisation_id=1,
                name=f"Coach {i}",
                role=StaffRole.COACH,
                chat_id=50_000 + i,
                language="nl",
                created_at=NOW,
            )
            for i in range(coaches)
        ]
        staff.append(
            StaffMember(
                organisation_id=1,
                name="Admin",
                role=StaffRole.ADMIN,
                chat_id=49_999,
                language="nl",
                created_at=NOW,
            )
        )
        session.add_all(staff)
        session.flush()
        session.execute(
            insert(Participant),
            [
                {
                    "chat_id": 100_000 + i,
                    "display_name": f"Deelnemer {i}",
                    "language": ("nl", "ar", "ti", "so", "en")[i % 5],
                    "organisation_id": 1,
                    "location_id": places[i % 6].id,
                    "coach_id": staff[i % coaches].id,
                    "phase": list(Phase)[i % 4],
                    "phase_since": NOW - timedelta(days=i % 200),
                    "status": ParticipantStatus.ACTIVE,
                    "created_at": NOW - timedelta(weeks=30),
                    "linked_at": NOW - timedelta(weeks=30),
                }
                for i in range(participants)
            ],
        )
        ids = list(session.scalars(select(Participant.id).order_by(Participant.id)))
        session.execute(
            insert(ConsentRecord),
            [
                {"participant_id": p, "version": CONSENT_VERSION, "accepted": True, "at": NOW}
                for p in ids
            ],
        )
        weekly = session.execute(
            insert(Appointment).returning(Appointment.participant_id, Appointment.id),
            [
                {
                    "organisation_id": 1,
                    "participant_id": p,
                    "kind": AppointmentKind.WORKSHOP_DAY,
                    "starts_at": NOW - timedelta(weeks=WEEKS) + timedelta(hours=p % 7 * 24),
                    "ends_at": None,
                    "rrule": "FREQ=WEEKLY",
                    "location_id": places[p % 6].id,
                    "notes": "",
                    "skipped": [],
                    "created_at": NOW - timedelta(weeks=WEEKS),
                }
                for p in ids
            ],
        ).all()
        workshop = dict(weekly)
        statuses = [AttendanceStatus.PRESENT] * 6 + [
            AttendanceStatus.ABSENT,
            AttendanceStatus.EXCUSED,
        ]
        rows, signals = [], []
        intake = NOW - timedelta(weeks=WEEKS + 1)
        talks = session.execute(
            insert(Appointment).returning(Appointment.id, Appointment.participant_id),
            [
                {
                    "organisation_id": 1,
                    "participant_id": p,
                    "kind": AppointmentKind.INTAKE,
                    "starts_at": intake,
                    "ends_at": None,
                    "rrule": None,
                    "location_id": places[p % 6].id,
                    "notes": "",
                    "skipped": [],
                    "created_at": intake - timedelta(days=7),
                }
                for p in ids
            ],
        ).all()
        for appointment_id, p in talks:  # every intake was held: the report counts the talks
            rows.append(
                {
                    "organisation_id": 1,
                    "participant_id": p,
                    "appointment_id": appointment_id,
                    "occurrence_start": intake,
                    "day": intake.date(),
                    "status": AttendanceStatus.PRESENT,
                    "source": AttendanceSource.COACH,
                    "recorded_at": intake,
                }
            )
        for p in ids:
            for week in range(WEEKS):
                moment = NOW - timedelta(weeks=WEEKS - week, hours=p % 7 * 24)
                rows.append(
                    {
                        "organisation_id": 1,
                        "participant_id": p,
                        "appointment_id": workshop[p],
                        "occurrence_start": moment,
                        "day": moment.date(),
                        "status": rng.choice(statuses),
                        "source": AttendanceSource.COACH,
                        "recorded_at": moment,
                    }
                )
                if week % 2 == 0:
                    for domain in DOMAINS[:5]:
                        signals.append(
                            {
                                "organisation_id": 1,
                                "participant_id": p,
                                "domain": domain,
                                "level": rng.randint(1, 5),
                                "source": "self",
                                "question": "q",
                                "checkin": f"run-{week}",
                                "at": moment,
                            }
                        )
        session.execute(insert(Attendance), rows)
        session.execute(insert(Signal), signals)
        _broadcasts(session, ids, rng)
        session.execute(
            insert(Alert),
            [
                {
                    "organisation_id": 1,
                    "participant_id": p,
                    "coach_id": staff[i % coaches].id,
                    "kind": "disengaged",
                    "urgent": i % 7 == 0,
                    "detail": {"message": "{name} missed two days in a row.", "params": {}},
                    "state": AlertState.OPEN,
                    "created_at": NOW - timedelta(hours=i % 300),
                }
                for i, p in enumerate(ids)
                if i % 10 == 0
            ],
        )


def _broadcasts(session: Session, ids: list[int], rng: random.Random) -> None:
    """Six broadcasts to everyone over the weeks, sent, a third of them acknowledged: the
    report's and the overview's reach per language read these rows."""
    languages = ("nl", "ar", "ti", "so", "en")
    for number in range(BROADCASTS):
        sent = NOW - timedelta(weeks=WEEKS - 1 - number * 2, hours=3)
        made = session.execute(
            insert(Broadcast).returning(Broadcast.id),
            [
                {
                    "organisation_id": 1,
                    "texts": {language: "Het atelier is morgen open." for language in languages},
                    "default_language": "nl",
                    "everyone": True,
                    "with_ack": True,
                    "scheduled_for": sent,
                    "state": BroadcastState.SENDING,  # materialised; the outbox did the rest
                    "skipped": {},
                    "created_at": sent,
                    "started_at": sent,
                }
            ],
        ).scalar_one()
        session.execute(
            insert(Outbox),
            [
                {
                    "idempotency_key": f"broadcast:{made}:p{p}",
                    "chat_id": 100_000 + p,
                    "organisation_id": 1,
                    "participant_id": p,
                    "broadcast_id": made,
                    "kind": OutboxKind.BROADCAST,
                    "priority": 1,
                    "language": languages[(p - 1) % 5],
                    "text": "Het atelier is morgen open.",
                    "not_before": sent,
                    "state": OutboxState.SENT,
                    "attempts": 1,
                    "created_at": sent,
                    "sent_at": sent,
                    "acked_at": sent + timedelta(hours=1) if rng.random() < 0.33 else None,
                }
                for p in ids
            ],
        )


def bot_process(url: str, participants: int, seconds: float, queue: multiprocessing.Queue) -> None:
    """The bot on the same database: participants write at a steady rate; each reply timed."""

    async def answer() -> list[float]:
        runtime = bootstrap(settings_for(url), clock=FixedClock(NOW))
        await asyncio.to_thread(runtime.nlu)
        api = BotAPIEmulator(record_calls=False)
        app = build_application(runtime, request=EmulatedRequest(api))
        rng = random.Random(9)
        timings: list[float] = []
        async with app:
            ends = time.perf_counter() + seconds
            while time.perf_counter() < ends:
                chat = 100_000 + rng.randrange(participants)
                data = api.message_update(chat, rng.choice(TEXTS), user=user_dict(chat, "nl"))
                started = time.perf_counter()
                await app.process_update(Update.de_json(data, app.bot))
                timings.append(time.perf_counter() - started)
                await asyncio.sleep(0.05)  # about 20 messages a second
        return timings

    queue.put(asyncio.run(answer()))


def p95_ms(timings: list[float]) -> float:
    if len(timings) < 2:
        return round(max(timings, default=0.0) * 1000, 1)
    return round(statistics.quantiles(timings, n=100)[94] * 1000, 1)


def measure(url: str, participants: int, coaches: int, rounds: int) -> dict[str, object]:
    runtime = bootstrap(settings_for(url), clock=FixedClock(NOW))
    app = create_app(runtime)
    rng = random.Random(3)
    coach_pages: dict[str, list[float]] = {
        "board": [],
        "caseload": [],
        "participant": [],
        "today": [],
    }
    org_pages: dict[str, list[float]] = {
        "board": [],
        "caseload": [],
        "today": [],
        "overview": [],
        "broadcasts": [],
        "audit": [],
        "report": [],
    }
    admin = logins.log_in(
        runtime.db, logins.link_for_chat(runtime.db, 49_999, NOW).token, NOW
    ).token

    def timed(client: TestClient, path: str, into: list[float]) -> None:
        started = time.perf_counter()
        answer = client.get(path)
        into.append(time.perf_counter() - started)
        assert answer.status_code == 200, (path, answer.status_code)

    with TestClient(app, base_url="http://testserver") as client:
        for _round in range(rounds):
            coach = rng.randrange(coaches)
            token = logins.log_in(
                runtime.db, logins.link_for_chat(runtime.db, 50_000 + coach, NOW).token, NOW
            ).token
            client.cookies.set(COOKIE, token)
            person = rng.randrange(participants // coaches) * coaches + coach + 1  # one of theirs
            timed(client, "/", coach_pages["board"])
            timed(client, "/participants", coach_pages["caseload"])
            timed(client, f"/participants/{person}", coach_pages["participant"])
            timed(client, "/today", coach_pages["today"])
            client.cookies.set(COOKIE, admin)
            timed(client, "/", org_pages["board"])
            timed(client, "/participants", org_pages["caseload"])
            timed(client, "/today", org_pages["today"])
            timed(client, "/admin", org_pages["overview"])
            timed(client, "/admin/broadcasts", org_pages["broadcasts"])
            timed(client, "/admin/audit", org_pages["audit"])
            if _round % 5 == 0:
                timed(client, "/report", org_pages["report"])
    every_coach = [t for ts in coach_pages.values() for t in ts]
    every_org = [t for ts in org_pages.values() for t in ts]
    return {
        "coach_p95_ms": p95_ms(every_coach),
        "org_p95_ms": p95_ms(every_org),
        "pages_p95_ms": {
            **{f"coach_{k}": p95_ms(v) for k, v in coach_pages.items()},
            **{f"org_{k}": p95_ms(v) for k, v in org_pages.items()},
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--coaches", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        upgrade(url)
        started = time.perf_counter()
        seed(url, args.participants, args.coaches)
        print(f"seeded in {time.perf_counter() - started:.1f} s")
        measure(url, args.participants, args.coaches, 1)  # warm the file cache first
        spawn = multiprocessing.get_context("spawn")
        result_queue: multiprocessing.Queue = spawn.Queue()
        seconds = max(20.0, args.rounds * 1.5)
        bot = spawn.Process(
            target=bot_process, args=(url, args.participants, seconds, result_queue)
        )
        bot.start()
        time.sleep(8)  # the bot loads its language model first
        pages = measure(url, args.participants, args.coaches, args.rounds)
        replies = result_queue.get()
        bot.join()
    result = {
        "bench": "dashboard",
        "participants": args.participants,
        "coaches": args.coaches,
        **pages,
        "replies": len(replies),
        "reply_p99_s": round(statistics.quantiles(replies, n=100)[98], 3),
        "database": "sqlite",
    }
    print(
        f"coach pages p95 {result['coach_p95_ms']} ms (target 150), organisation pages p95 "
        f"{result['org_p95_ms']} ms (target 500), bot reply p99 {result['reply_p99_s']} s "
        f"over {len(replies)} replies (target 2)"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
