"""Broadcasts: who gets what, in which language, when; refusals; stop; the report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from babel import Locale
from sqlalchemy import select

from bot.services.messaging import broadcasts
from bot.services.messaging.broadcasts import BroadcastRefused, Draft
from storage.models import (
    BroadcastState,
    Group,
    GroupKind,
    Organisation,
    Outbox,
    OutboxState,
    Participant,
)
from tests.helpers.people import CHATS, link_demo_people
from tests.helpers.phone import said


@pytest.fixture
def world(runtime, demo_codes, session_factory, clock):
    ids = link_demo_people(session_factory, clock.now())
    with session_factory() as session:
        groups = {g.name: g.id for g in session.scalars(select(Group))}
        org = session.scalars(select(Organisation)).one().id
    return {"people": ids, "groups": groups, "org": org}


def start_due(runtime, now) -> list[int]:
    settings = runtime.settings
    with runtime.session_factory() as session:
        return broadcasts.materialise_due(session, now, settings.zone, settings.quiet)


def rows(session_factory) -> dict[int, Outbox]:
    with session_factory() as session:
        return {r.chat_id: r for r in session.scalars(select(Outbox))}


def test_each_reader_gets_their_language_or_the_dutch_text_with_a_note(
    world, runtime, session_factory, clock
):
    draft = Draft(
        organisation_id=world["org"],
        group_ids=[world["groups"]["Groep Noord"]],
        texts={"nl": "Morgen is het atelier dicht.", "ar": "الورشة مغلقة غدًا."},
        with_ack=True,
    )
    with session_factory() as session:
        broadcast = broadcasts.create(session, draft, clock.now())
    assert start_due(runtime, clock.now()) == [broadcast.id]
    queued = rows(session_factory)
    assert set(queued) == {CHATS["Yonas"], CHATS["Rami"]}  # Noord: Yonas (ti), Rami (ar)
    assert queued[CHATS["Rami"]].text == "الورشة مغلقة غدًا."
    dutch_in_tigrinya = Locale.parse("nl").get_display_name("ti")  # CLDR: ዳች
    note = said("ti", "This message is only available in {language}.", language=dutch_in_tigrinya)
    assert queued[CHATS["Yonas"]].text == f"{note}\n\nMorgen is het atelier dicht."
    assert queued[CHATS["Yonas"]].buttons[0][0]["data"] == f"ack:{broadcast.id}"
    assert start_due(runtime, clock.now()) == []  # started once


def test_stopped_and_unreachable_are_skipped_and_counted(world, runtime, session_factory, clock):
    with session_factory() as session, session.begin():
        session.get(Participant, world["people"]["Yonas"]).stopped_at = clock.now()
        session.get(Participant, world["people"]["Amina"]).unreachable_at = clock.now()
    with session_factory() as session:
        broadcast = broadcasts.create(
            session,
            Draft(organisation_id=world["org"], everyone=True, texts={"nl": "Hallo"}),
            clock.now(),
        )
    start_due(runtime, clock.now())
    assert set(rows(session_factory)) == {CHATS["Rami"], CHATS["Fatima"]}
    with session_factory() as session:
        report = broadcasts.report(session, broadcast.id, world["org"])
    assert report.skipped == {"stopped": 1, "unreachable": 1}
    assert report.by_state["queued"] == 2


def test_quiet_hours_move_bulk_to_the_morning_unless_insisted(world, runtime, session_factory):
    night = datetime(2026, 11, 23, 21, 30, tzinfo=UTC)  # 22:30 in Amsterdam
    with session_factory() as session:
        calm = broadcasts.create(
            session, Draft(organisation_id=world["org"], everyone=True, texts={"nl": "Calm"}), night
        )
        urgent = broadcasts.create(
            session,
            Draft(organisation_id=world["org"], everyone=True, texts={"nl": "Urgent"}, insist=True),
            night,
        )
    start_due(runtime, night)
    with session_factory() as session:
        by_broadcast = {r.broadcast_id: r for r in session.scalars(select(Outbox))}
    assert by_broadcast[calm.id].not_before == datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
    assert by_broadcast[calm.id].respect_quiet_hours
    assert by_broadcast[urgent.id].not_before == night
    assert not by_broadcast[urgent.id].respect_quiet_hours


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"texts": {"nl": "   "}}, "empty"),
        ({"texts": {"ar": "only Arabic"}}, "empty"),
        ({"texts": {"nl": "x" * 3801}}, "too_long"),
        ({"texts": {"nl": "ok", "de": "Hallo"}}, "language"),
        ({"group_ids": [], "everyone": False}, "no_group"),
        ({"scheduled_for": datetime(2026, 11, 22, 9, 0, tzinfo=UTC)}, "in_the_past"),
    ],
)
def test_bad_drafts_are_refused_and_nothing_is_queued(
    world, session_factory, clock, change, reason
):
    fields = {
        "organisation_id": world["org"],
        "texts": {"nl": "ok"},
        "group_ids": [world["groups"]["Groep Noord"]],
        **change,
    }
    with session_factory() as session, pytest.raises(BroadcastRefused) as refused:
        broadcasts.create(session, Draft(**fields), clock.now())
    assert refused.value.reason == reason
    assert rows(session_factory) == {}


def test_another_organisations_group_is_refused(world, session_factory, clock):
    with session_factory() as session, session.begin():
        other = Organisation(slug="other", name="Other", created_at=clock.now())
        session.add(other)
        session.flush()
        theirs = Group(organisation_id=other.id, name="Theirs", kind=GroupKind.CUSTOM)
        session.add(theirs)
        session.flush()
        theirs_id = theirs.id
    with session_factory() as session, pytest.raises(BroadcastRefused, match="unknown_group"):
        broadcasts.create(
            session,
            Draft(organisation_id=world["org"], group_ids=[theirs_id], texts={"nl": "x"}),
            clock.now(),
        )
    with session_factory() as session, pytest.raises(BroadcastRefused, match="unknown_group"):
        broadcasts.group_ids_by_name(session, world["org"], ["Theirs"])


def test_cancel_before_start_and_stop_during_sending(world, runtime, session_factory, clock):
    later = clock.now() + timedelta(hours=2)
    with session_factory() as session:
        scheduled = broadcasts.create(
            session,
            Draft(
                organisation_id=world["org"],
                everyone=True,
                texts={"nl": "Later"},
                scheduled_for=later,
            ),
            clock.now(),
        )
        running = broadcasts.create(
            session,
            Draft(organisation_id=world["org"], everyone=True, texts={"nl": "Now"}),
            clock.now(),
        )
    start_due(runtime, clock.now())
    with session_factory() as session:
        assert broadcasts.cancel_or_stop(session, scheduled.id, world["org"], clock.now()) == (
            BroadcastState.CANCELLED,
            0,
        )
        assert broadcasts.cancel_or_stop(session, running.id, world["org"], clock.now()) == (
            BroadcastState.STOPPED,
            4,
        )
        with pytest.raises(BroadcastRefused, match="already_over"):
            broadcasts.cancel_or_stop(session, running.id, world["org"], clock.now())
        with pytest.raises(BroadcastRefused, match="unknown_broadcast"):
            broadcasts.report(session, running.id, world["org"] + 1)
    assert start_due(runtime, later) == []
    assert {r.state for r in rows(session_factory).values()} == {OutboxState.CANCELLED}


def test_understood_is_counted_per_language(world, runtime, session_factory, clock):
    with session_factory() as session:
        broadcast = broadcasts.create(
            session,
            Draft(organisation_id=world["org"], everyone=True, texts={"nl": "Hoi"}, with_ack=True),
            clock.now(),
        )
    start_due(runtime, clock.now())
    with session_factory() as session, session.begin():
        for row in session.scalars(select(Outbox)):
            row.state = OutboxState.SENT
    with session_factory() as session:
        assert broadcasts.acknowledge(session, broadcast.id, CHATS["Rami"], clock.now())
        assert not broadcasts.acknowledge(session, broadcast.id, CHATS["Rami"], clock.now())
        report = broadcasts.report(session, broadcast.id, world["org"])
    assert report.by_language["ar"]["understood"] == 1
    assert report.by_language["ti"]["understood"] == 0
    assert report.by_state["sent"] == 4
