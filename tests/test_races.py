"""Two processes on one database tap the same button at the same moment (a double tap from two
devices, or two bot replicas): one answer each time, never two (SQLite ignores FOR UPDATE, so
the step takes the write lock first)."""

from __future__ import annotations

import multiprocessing
from datetime import datetime

import pytest
from sqlalchemy import func, select

from bot.runtime import load_flows
from bot.services import conversations
from bot.services.actions import Actor
from flows.model import Tap
from storage.db import make_engine, make_session_factory
from storage.models import Signal
from tests.helpers.people import CHATS, link_demo_people
from tests.helpers.phone import Phone

ROUNDS = 12


def tap(url: str, chat_id: int, data: str, now: datetime, start, answers) -> None:
    """One process: its own engine, then the tap, as soon as both are ready."""
    _fl, instance, step, option = data.split(":")
    flows = load_flows()
    factory = make_session_factory(make_engine(url))
    start.wait()
    with factory() as session:
        outcome = conversations.handle(
            session, flows, chat_id, Tap(instance, step, int(option)), now, Actor()
        )
    answers.put(outcome is not None and outcome.error is None)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_double_tap_from_two_processes_answers_once(
    app, api, runtime, demo_codes, session_factory, clock, database_url
):
    link_demo_people(session_factory, clock.now())
    yonas = Phone(app, api, CHATS["Yonas"], "ti")
    context = multiprocessing.get_context("fork")
    for _ in range(ROUNDS):
        await yonas.send("/hoegaathet")
        data = api.buttons(CHATS["Yonas"])[0][1]
        start, answers = context.Barrier(2), context.Queue()
        workers = [
            context.Process(
                target=tap, args=(database_url, CHATS["Yonas"], data, clock.now(), start, answers)
            )
            for _ in range(2)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(60)
            assert worker.exitcode == 0
    with session_factory() as session:
        money = session.scalar(
            select(func.count()).select_from(Signal).where(Signal.domain == "financien")
        )
    assert money == ROUNDS  # one answer per round, not two


async def test_a_step_whose_action_fails_does_not_move_on(
    app, api, runtime, demo_codes, session_factory, clock, monkeypatch
):
    """The step and its action are one transaction: a crash in the action leaves the flow
    where it was, so the same tap works once the fault is gone."""
    link_demo_people(session_factory, clock.now())
    yonas = Phone(app, api, CHATS["Yonas"], "ti")
    await yonas.send("/hoegaathet")
    _fl, instance, step, option = api.buttons(CHATS["Yonas"])[0][1].split(":")
    event = Tap(instance, step, int(option))

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setitem(runtime.flows.actions, "record_signal", broken)
    with session_factory() as session, pytest.raises(RuntimeError):
        conversations.handle(session, runtime.flows, CHATS["Yonas"], event, clock.now(), Actor())
    monkeypatch.undo()
    with session_factory() as session:
        outcome = conversations.handle(
            session, runtime.flows, CHATS["Yonas"], event, clock.now(), Actor()
        )
        assert outcome is not None and outcome.error is None
        assert session.scalar(select(func.count()).select_from(Signal)) == 1
