"""Check-ins: "How are you doing?" in the participant's language, answered with picture buttons;
every answer a signal at once (half a check-in survives a restart); a worst answer on a safety
domain shows where to get help and alerts the coach urgently; a drop alerts them too."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from bot.console.emulator import EmulatedRequest
from bot.services.checkins.signals import DROP, HELP_NOW, URGENT
from bot.telegram.app import build_application
from bot.telegram.sender import Sender
from flows.loader import DEFINITIONS, load_flow
from flows.model import FlowError
from flows.steps.scale import SKIP, YES_NO
from storage.models import Alert, AuditEvent, Organisation, Signal
from tests.helpers.dialog import Tap, assert_dialog
from tests.helpers.people import CHATS, COACH_CHAT
from tests.helpers.phone import Phone, said

FLOW = load_flow(DEFINITIONS / "checkin.yaml")
QUESTION = {
    step.spec["domain"]: step.spec["text"] for step in FLOW.steps.values() if step.type == "scale"
}
INTRO = FLOW.steps["intro_weekly"].spec["text"]
THANKS = FLOW.steps["thanks"].spec["text"]
MONEY, WORK, DAYS, HOME = (
    QUESTION[d] for d in ("financien", "werk_opleiding", "tijdsbesteding", "huisvesting")
)


def ask_everything(session_factory, **plan) -> None:
    """The organisation's weekly check-in asks every domain (so each test can reach any)."""
    with session_factory() as session, session.begin():
        demo = session.scalars(select(Organisation).where(Organisation.slug != "elders")).one()
        demo.checkin_plan = {"size": 13, **plan}


def signals(session_factory) -> list[tuple[str, int | None]]:
    with session_factory() as session:
        return [(s.domain, s.level) for s in session.scalars(select(Signal).order_by(Signal.id))]


async def test_a_whole_check_in_in_tigrinya(app, api, runtime, people, session_factory):
    enough_money = [said("ti", label) for label in (*YES_NO, SKIP)]
    await assert_dialog(
        Phone(app, api, CHATS["Yonas"], "ti"),
        [
            ("/hoegaathet", [said("ti", INTRO), said("ti", MONEY)], enough_money),
            (4, [said("ti", WORK)]),
            (5, [said("ti", DAYS)]),
            (Tap(said("ti", SKIP)), [said("ti", HOME)]),
            (3, [said("ti", THANKS)]),
        ],
    )
    assert signals(session_factory) == [
        ("financien", 4),
        ("werk_opleiding", 5),
        ("tijdsbesteding", None),
        ("huisvesting", 3),
    ]
    with session_factory() as session:
        assert session.scalars(select(Alert)).all() == []


async def test_half_a_check_in_survives_a_restart(api, runtime, people, session_factory):
    first = build_application(runtime, request=EmulatedRequest(api))
    async with first:
        rami = Phone(first, api, CHATS["Rami"], "ar")
        await rami.send("/hoegaathet")
        await rami.tap(2)
    assert signals(session_factory) == [("financien", 2)]
    second = build_application(runtime, request=EmulatedRequest(api))
    async with second:
        rami = Phone(second, api, CHATS["Rami"], "ar")
        assert await rami.tap(4) == [said("ar", DAYS)]
    assert signals(session_factory) == [("financien", 2), ("werk_opleiding", 4)]


async def test_the_worst_answer_about_home_gives_help_now_and_an_urgent_alert(
    app, api, runtime, people, session_factory
):
    amina = Phone(app, api, CHATS["Amina"], "so")
    await amina.send("/hoegaathet")
    for _question in (MONEY, WORK, DAYS):
        await amina.tap(3)
    seen = await amina.tap(1)
    assert seen == [said("so", HELP_NOW["huisvesting"]), said("so", THANKS)]
    await Sender(runtime, app.bot, name="t").drain_once()
    assert api.texts(COACH_CHAT)[-1] == said("nl", URGENT, name="Amina", domain="huisvesting")
    coach = Phone(app, api, COACH_CHAT, "nl")
    shown = await coach.send("/meldingen")
    assert shown[1].startswith("🔴 " + said("nl", URGENT, name="Amina", domain="huisvesting"))
    with session_factory() as session:
        alert = session.scalars(select(Alert)).one()
        assert (alert.kind, alert.urgent) == ("checkin_urgent", True)
        viewed = session.scalars(select(AuditEvent).where(AuditEvent.action == "alert_viewed"))
        assert [(e.participant_id, e.detail["alert_id"]) for e in viewed] == [
            (alert.participant_id, alert.id)
        ]


async def test_a_drop_of_two_levels_alerts_the_coach_once(
    app, api, runtime, people, session_factory, clock
):
    ask_everything(session_factory)
    fatima = Phone(app, api, CHATS["Fatima"], "nl")
    for money in (5, 3, 2):
        await fatima.send("/hoegaathet")
        await fatima.tap(money)
        clock.advance(days=7)
    with session_factory() as session:
        found = [(a.kind, a.detail["params"]) for a in session.scalars(select(Alert))]
    assert found == [("checkin_drop", {"domain": "geld", "before": 5, "after": 3})]
    await Sender(runtime, app.bot, name="t").drain_once()
    assert api.texts(COACH_CHAT)[-1] == said(
        "nl", DROP, name="Fatima", domain="geld", before=5, after=3
    )


async def test_old_buttons_and_people_who_cannot_check_in(
    app, api, runtime, people, session_factory
):
    yonas = Phone(app, api, CHATS["Yonas"], "ti")
    await yonas.send("/hoegaathet")
    old = api.message_with_buttons(CHATS["Yonas"])
    await yonas.send("/hoegaathet")  # a new run: the first one's buttons are stale
    data = old["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    seen = await yonas.deliver(api.callback_update(CHATS["Yonas"], data, old, yonas.user))
    assert seen == [said("ti", "This button is no longer active.")]
    assert signals(session_factory) == []
    guest = Phone(app, api, 9911, "nl")
    assert await guest.send("/hoegaathet") == [
        said("nl", "You are not connected yet. Send /start, a space and your code.")
    ]
    coach = Phone(app, api, COACH_CHAT, "nl")
    assert await coach.send("/hoegaathet") == [
        said("nl", "Check-ins are for participants. You see their answers with /deelnemer.")
    ]


def test_a_check_in_with_an_unknown_domain_is_refused_at_load(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "id: bad\nstart: q\nsteps:\n  q:\n    type: scale\n    domain: happiness\n"
        '    text: "How are you doing?"\n'
    )
    with pytest.raises(FlowError, match=r"bad.yaml:4: step 'q' domain must be one of"):
        load_flow(path)
