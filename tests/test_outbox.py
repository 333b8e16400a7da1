"""The outbox as a table: idempotent, ordered, claimed once, recovered after a crash."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.services.messaging import outbox
from storage.models import (
    PRIORITY_ALERT,
    PRIORITY_BULK,
    PRIORITY_PERSONAL,
    Outbox,
    OutboxKind,
    OutboxState,
)

AMS = ZoneInfo("Europe/Amsterdam")
QUIET = (time(21), time(8))


def queue(session_factory, now, items) -> int:
    with session_factory() as session, session.begin():
        return outbox.enqueue_many(
            session,
            [
                outbox.message(
                    now,
                    key=key,
                    chat_id=chat,
                    text=f"text {key}",
                    kind=OutboxKind.BROADCAST,
                    priority=priority,
                )
                for key, chat, priority in items
            ],
        )


def test_the_same_key_is_queued_once(session_factory, clock) -> None:
    assert queue(session_factory, clock.now(), [("a", 1, 9), ("b", 2, 9)]) == 2
    assert queue(session_factory, clock.now(), [("a", 1, 9), ("c", 3, 9)]) == 1
    with session_factory() as session:
        assert len(session.scalars(select(Outbox)).all()) == 3


def test_claims_go_by_priority_and_no_row_twice(session_factory, clock) -> None:
    queue(
        session_factory,
        clock.now(),
        [
            ("bulk1", 1, PRIORITY_BULK),
            ("alert", 2, PRIORITY_ALERT),
            ("bulk2", 3, PRIORITY_BULK),
            ("reminder", 4, PRIORITY_PERSONAL),
        ],
    )
    with session_factory() as session:
        first = outbox.claim(session, "one", clock.now(), 2)
        second = outbox.claim(session, "two", clock.now(), 10)
        third = outbox.claim(session, "three", clock.now(), 10)
    assert [c.text for c in first] == ["text alert", "text reminder"]
    assert [c.text for c in second] == ["text bulk1", "text bulk2"]
    assert third == []
    assert all(c.attempts == 1 for c in first + second)


def test_not_before_is_respected(session_factory, clock) -> None:
    with session_factory() as session, session.begin():
        outbox.enqueue_many(
            session,
            [
                outbox.message(
                    clock.now(),
                    key="later",
                    chat_id=1,
                    text="x",
                    kind=OutboxKind.REMINDER,
                    priority=5,
                    not_before=clock.now() + timedelta(hours=1),
                )
            ],
        )
    with session_factory() as session:
        assert outbox.claim(session, "s", clock.now(), 5) == []
        assert len(outbox.claim(session, "s", clock.now() + timedelta(hours=1), 5)) == 1


def test_in_flight_rows_come_back_after_the_lease(session_factory, clock) -> None:
    queue(session_factory, clock.now(), [("a", 1, 9)])
    with session_factory() as session:
        outbox.claim(session, "dead", clock.now(), 5)
        assert (
            outbox.recover(session, clock.now() + timedelta(seconds=30), timedelta(seconds=60)) == 0
        )
        assert (
            outbox.recover(session, clock.now() + timedelta(seconds=61), timedelta(seconds=60)) == 1
        )
        again = outbox.claim(session, "alive", clock.now() + timedelta(seconds=61), 5)
    assert [c.attempts for c in again] == [2]


def test_retries_run_out_into_failed(session_factory, clock) -> None:
    queue(session_factory, clock.now(), [("a", 1, 9)])
    with session_factory() as session:
        for attempt in range(1, 4):
            (item,) = outbox.claim(session, "s", clock.now(), 5)
            assert item.attempts == attempt
            requeued = outbox.retry_later(session, item, "timed out", clock.now(), max_attempts=3)
            assert requeued == (attempt < 3)
        row = session.scalars(select(Outbox)).one()
    assert row.state == OutboxState.FAILED and "gave up after 3 attempts" in row.last_error


def test_quiet_hours_hold_bulk_but_not_alerts(session_factory) -> None:
    night = datetime(2026, 11, 23, 22, 0, tzinfo=AMS).astimezone(UTC)
    with session_factory() as session, session.begin():
        outbox.enqueue_many(
            session,
            [
                outbox.message(
                    night,
                    key="bulk",
                    chat_id=1,
                    text="x",
                    kind=OutboxKind.BROADCAST,
                    priority=PRIORITY_BULK,
                    respect_quiet_hours=True,
                ),
                outbox.message(
                    night,
                    key="alert",
                    chat_id=2,
                    text="y",
                    kind=OutboxKind.ALERT,
                    priority=PRIORITY_ALERT,
                ),
            ],
        )
    assert outbox.is_quiet(night, AMS, QUIET)
    with session_factory() as session:
        claimed = outbox.claim(session, "s", night, 5, quiet=True)
    assert [c.text for c in claimed] == ["y"]


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        (datetime(2026, 11, 23, 22, 30), datetime(2026, 11, 24, 8, 0)),
        (datetime(2026, 11, 24, 6, 0), datetime(2026, 11, 24, 8, 0)),
        (datetime(2026, 11, 24, 12, 0), datetime(2026, 11, 24, 12, 0)),
        (datetime(2026, 3, 28, 23, 0), datetime(2026, 3, 29, 8, 0)),  # the night clocks go forward
    ],
)
def test_after_quiet_hours(local, expected) -> None:
    moment = local.replace(tzinfo=AMS)
    assert outbox.after_quiet(moment, AMS, QUIET) == expected.replace(tzinfo=AMS)


def test_message_text_limits() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    for bad in ("", "   ", "x" * 4097):
        with pytest.raises(ValueError, match="4,096"):
            outbox.message(now, key="k", chat_id=1, text=bad, kind=OutboxKind.ALERT, priority=0)
