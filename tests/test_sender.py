"""The sender against a fake Telegram over HTTP: limits, errors, crashes, two senders."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.console.emulator import user_dict
from bot.services.messaging import outbox
from bot.telegram.app import build_application
from bot.telegram.sender import Sender
from storage.models import (
    PRIORITY_ALERT,
    PRIORITY_BULK,
    PRIORITY_PERSONAL,
    Alert,
    Group,
    GroupKind,
    Organisation,
    Outbox,
    OutboxKind,
    OutboxState,
    Participant,
    ParticipantStatus,
    StaffMember,
    StaffRole,
)
from tests.helpers.fake_bot_api import FakeBotAPI

PERSON, COACH = 9001, 9100


@pytest.fixture
async def server() -> AsyncIterator[FakeBotAPI]:
    fake = FakeBotAPI()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def live(server, runtime):
    runtime.settings = runtime.settings.model_copy(
        update={"telegram_api_base_url": server.base_url, "telegram_token": "123456:TEST"}
    )
    application = build_application(runtime)
    async with application:
        yield application, Sender(runtime, application.bot, name="test-sender")


@pytest.fixture
def atelier(session_factory, clock) -> dict[str, int]:
    """An organisation with a coach on Telegram and one linked participant."""
    now = clock.now()
    with session_factory() as session, session.begin():
        org = Organisation(slug="o", name="Atelier", created_at=now)
        session.add(org)
        session.flush()
        coach = StaffMember(
            organisation_id=org.id,
            name="Sanne",
            role=StaffRole.COACH,
            chat_id=COACH,
            language="nl",
            created_at=now,
        )
        session.add(coach)
        session.flush()
        person = Participant(
            chat_id=PERSON,
            display_name="Yonas",
            language="ti",
            organisation_id=org.id,
            coach_id=coach.id,
            status=ParticipantStatus.ACTIVE,
            created_at=now,
        )
        group = Group(
            organisation_id=org.id,
            name="Telegram groep",
            kind=GroupKind.CUSTOM,
            telegram_chat_id=-100,
        )
        session.add_all([person, group])
        session.flush()
        return {"org": org.id, "coach": coach.id, "person": person.id, "group": group.id}


def queue(session_factory, now, *rows: tuple[str, int, int], **links) -> None:
    with session_factory() as session, session.begin():
        outbox.enqueue_many(
            session,
            [
                outbox.message(
                    now,
                    key=key,
                    chat_id=chat,
                    text=f"message {key}",
                    kind=OutboxKind.BROADCAST if priority == PRIORITY_BULK else OutboxKind.REMINDER,
                    priority=priority,
                    **links,
                )
                for key, chat, priority in rows
            ],
        )


def states(session_factory) -> Counter:
    with session_factory() as session:
        return Counter(session.scalars(select(Outbox.state)).all())


async def drain(sender: Sender, rounds: int = 10) -> None:
    for _ in range(rounds):
        await sender.drain_once()


async def test_alerts_go_before_bulk_and_are_recorded(server, live, session_factory, clock):
    _, sender = live
    queue(
        session_factory,
        clock.now(),
        ("bulk", 1, PRIORITY_BULK),
        ("alert", 2, PRIORITY_ALERT),
        ("reminder", 3, PRIORITY_PERSONAL),
    )
    # One at a time: a batch goes out concurrently, so its order on the wire is a race.
    for _ in range(3):
        assert await sender.drain_once(limit=1) == 1
    assert [r.params["text"] for r in server.delivered()] == [
        "message alert",
        "message reminder",
        "message bulk",
    ]
    with session_factory() as session:
        rows = session.scalars(select(Outbox)).all()
    assert {r.state for r in rows} == {OutboxState.SENT}
    assert all(r.telegram_message_id and r.sent_at for r in rows)


async def test_blocked_bot_marks_unreachable_cancels_bulk_and_tells_the_coach(
    server, live, session_factory, clock, atelier
):
    _, sender = live
    queue(session_factory, clock.now(), ("r1", PERSON, PRIORITY_PERSONAL))
    queue(
        session_factory,
        clock.now() + timedelta(seconds=1),
        ("b1", PERSON, PRIORITY_BULK),
        ("b2", PERSON, PRIORITY_BULK),
        not_before=clock.now() + timedelta(seconds=1),
    )
    server.fail_next("sendMessage", "403", chat_id=PERSON, times=3)
    await drain(sender)
    clock.advance(seconds=2)
    await drain(sender)
    with session_factory() as session:
        person = session.get(Participant, atelier["person"])
        assert person.unreachable_at is not None
        by_key = dict(session.execute(select(Outbox.idempotency_key, Outbox.state)).all())
        assert session.scalar(select(func.count(Alert.id))) == 1
    assert by_key["r1"] == OutboxState.BLOCKED
    assert by_key["b1"] == by_key["b2"] == OutboxState.CANCELLED
    to_coach = [r.params["text"] for r in server.delivered() if r.params["chat_id"] == str(COACH)]
    assert len(to_coach) == 1 and "Yonas" in to_coach[0]
    assert not [r for r in server.delivered() if r.params["chat_id"] == str(PERSON)]


async def test_retry_after_pauses_bulk_but_a_reply_goes_first(server, live, session_factory, clock):
    application, sender = live
    for chat in (100, 101, 102):  # Telegram's flood wait hits the whole batch on the wire
        server.fail_next("sendMessage", "429", retry_after=2, chat_id=chat)
    queue(session_factory, clock.now(), *[(f"b{i}", 100 + i, PRIORITY_BULK) for i in range(3)])
    sending = asyncio.create_task(drain(sender, rounds=3))
    await asyncio.sleep(0.3)
    from telegram import Update

    reply_chat = 555
    update = server.api.message_update(reply_chat, "/help", user=user_dict(reply_chat, "nl"))
    await application.process_update(Update.de_json(update, application.bot))
    await sending
    sends = [r for r in server.records if r.method == "sendMessage"]
    assert sends[0].status == 429
    reply = next(r for r in sends if r.params["chat_id"] == str(reply_chat))
    bulk = [r for r in sends if r.status == 200 and r.params["chat_id"] != str(reply_chat)]
    assert reply.status == 200 and reply.at < bulk[0].at
    assert bulk[0].at - sends[0].at >= 2.0
    assert len(bulk) == 3


async def test_network_errors_and_5xx_are_retried_with_backoff(
    server, live, session_factory, clock
):
    _, sender = live
    server.fail_next("sendMessage", "network")
    queue(session_factory, clock.now(), ("a", 1, PRIORITY_PERSONAL))
    await sender.drain_once()
    with session_factory() as session:
        row = session.scalars(select(Outbox)).one()
        assert (row.state, row.attempts) == (OutboxState.QUEUED, 1)
        assert row.not_before >= clock.now() + timedelta(seconds=2)
    clock.advance(seconds=3)
    await sender.drain_once()
    assert states(session_factory) == Counter({OutboxState.SENT: 1})


async def test_a_permanent_error_is_kept_with_its_reason(server, live, session_factory, clock):
    _, sender = live
    server.fail_next("sendMessage", "400")
    queue(session_factory, clock.now(), ("a", 1, PRIORITY_PERSONAL))
    await drain(sender, 2)
    with session_factory() as session:
        row = session.scalars(select(Outbox)).one()
    assert row.state == OutboxState.FAILED and "chat not found" in row.last_error.lower()


async def test_a_migrated_group_is_followed(server, live, session_factory, clock, atelier):
    _, sender = live
    server.fail_next("sendMessage", "migrate", new_chat_id=-1009)
    queue(session_factory, clock.now(), ("g", -100, PRIORITY_BULK), group_id=atelier["group"])
    await drain(sender, 3)
    with session_factory() as session:
        assert session.get(Group, atelier["group"]).telegram_chat_id == -1009
    assert [r.params["chat_id"] for r in server.delivered()] == ["-1009"]


def sender_env(server: FakeBotAPI, database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "TELEGRAM"))}
    env.update(
        {
            "DATABASE_URL": database_url,
            "TELEGRAM_TOKEN": "123456:TEST",
            "TELEGRAM_API_BASE_URL": server.base_url,
            "SEND_RATE": "400",
            "SENDER_CONCURRENCY": "4",
            "OUTBOX_LEASE_SECONDS": "5",
            "LOG_LEVEL": "WARNING",
        }
    )
    env.update(extra)
    return env


async def spawn(env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(sys.executable, "-m", "bot.cli", "sender", env=env)


async def wait_until(check, seconds: float = 60.0) -> None:
    for _ in range(int(seconds * 20)):
        if check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("timed out")


def tally(server: FakeBotAPI, total: int) -> tuple[int, int]:
    """(duplicates, losses) according to what the fake Telegram accepted."""
    seen = Counter(r.params["text"] for r in server.delivered())
    duplicates = sum(count - 1 for count in seen.values())
    losses = sum(1 for i in range(total) if seen[f"message m{i}"] == 0)
    return duplicates, losses


async def test_killed_sender_restarts_without_losing_or_repeating(
    server, database_url, session_factory, clock
):
    total = 300
    server.limit_per_s = 150
    queue(session_factory, clock.now(), *[(f"m{i}", 1000 + i, PRIORITY_BULK) for i in range(total)])
    env = sender_env(server, database_url)
    first = await spawn(env)
    await wait_until(lambda: len(server.delivered()) >= total // 2)
    first.send_signal(signal.SIGKILL)
    await first.wait()
    second = await spawn(env)
    await wait_until(lambda: states(session_factory)[OutboxState.SENT] == total, 90)
    second.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(second.wait(), 20) == 0
    duplicates, losses = tally(server, total)
    assert losses == 0
    assert duplicates <= 4, "only messages on the wire at the kill may repeat"


async def test_two_senders_share_the_outbox_without_duplicates(
    server, database_url, session_factory, clock
):
    total = 400
    queue(session_factory, clock.now(), *[(f"m{i}", 2000 + i, PRIORITY_BULK) for i in range(total)])
    env = sender_env(server, database_url, SEND_RATE="60")  # slow enough for both to join
    senders = [await spawn(env)]
    # The second starts while the first has messages on the wire: it must leave those alone.
    await wait_until(lambda: len(server.delivered()) >= 50)
    senders.append(await spawn(env))
    await wait_until(lambda: states(session_factory)[OutboxState.SENT] == total, 90)
    for process in senders:
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 20) == 0
    assert tally(server, total) == (0, 0)
    with session_factory() as session:
        claimed_by = set(session.scalars(select(Outbox.claimed_by)).all())
    assert len(claimed_by) == 2, "both senders took part"
