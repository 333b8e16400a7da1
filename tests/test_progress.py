"""Check-ins seen back: the coach's view per domain with the change since last time and their own
score beside it, the chart as a photo, the participant's own encouraging view, and nobody outside
the participant's coach and organisation sees any of it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.charts import chart_png
from bot.console.emulator import EmulatedRequest
from bot.services.checkins.signals import HELP_NOW, URGENT
from bot.services.coaching import progress
from bot.services.errors import Refused
from bot.services.people.scope import Scope
from bot.telegram.app import build_application
from bot.telegram.progress import (
    AGENDA,
    BETTER,
    CHECKINS,
    HEADER,
    MINE,
    MINE_NONE,
    MINE_ROW_BEFORE,
    ROW,
    ROW_COACH,
    ROW_UP,
    SAVED,
    SCORE,
    SCORES,
)
from bot.telegram.sender import Sender
from flows.steps.scale import LEVELS
from storage.models import AuditEvent, Participant, Signal
from tests.helpers.people import (
    ADMIN_CHAT,
    CHATS,
    COACH_CHAT,
    OTHER_COACH_CHAT,
    STRANGER_CHAT,
)
from tests.helpers.phone import Phone, said
from tests.test_checkins import DAYS, INTRO, MONEY, WORK, ask_everything

NOT_YOURS = "This participant is not one of yours."


async def answer(phone: Phone, lang: str, *levels: int) -> None:
    await phone.send("/hoegaathet")
    for level in levels:
        await phone.tap(level)


async def test_somali_check_in_across_a_restart_help_now_alert_and_the_coachs_chart(
    api, runtime, people, colleagues, session_factory, clock
):
    first = build_application(runtime, request=EmulatedRequest(api))
    async with first:
        amina = Phone(first, api, CHATS["Amina"], "so")
        assert await amina.send("/hoegaathet") == [said("so", INTRO), said("so", MONEY)]
        assert await amina.tap(3) == [said("so", WORK)]
    second = build_application(runtime, request=EmulatedRequest(api))  # the app restarts
    async with second:
        amina = Phone(second, api, CHATS["Amina"], "so")
        assert await amina.tap(4) == [said("so", DAYS)]
        await amina.tap(4)
        seen = await amina.tap(1)  # no safe place to sleep
        assert seen[0] == said("so", HELP_NOW["huisvesting"])
        await Sender(runtime, second.bot, name="t").drain_once()
        assert api.texts(COACH_CHAT)[-1] == said("nl", URGENT, name="Amina", domain="huisvesting")
        coach = Phone(second, api, COACH_CHAT, "nl")
        await coach.send("/deelnemer Amina")
        assert said("nl", CHECKINS) in coach.buttons()
        shown = await coach.tap(said("nl", CHECKINS))
        assert shown[0].startswith(said("nl", HEADER, name="Amina"))
        day = "maandag 23 november"
        assert said("nl", ROW, domain="Huisvesting", level=1, day=day) in shown[0].splitlines()
        assert shown[1] == said("nl", HEADER, name="Amina")  # the chart's caption
        photo = api.sent(COACH_CHAT)[-1]
        assert "photo" in photo
        assert api.uploads[-1].startswith(b"\x89PNG")


async def test_the_coach_sees_the_change_scores_after_a_talk_and_the_difference(
    app, api, runtime, people, colleagues, session_factory, clock
):
    ask_everything(session_factory)
    rami = Phone(app, api, CHATS["Rami"], "ar")
    await answer(rami, "ar", 2)
    clock.advance(days=7)
    await answer(rami, "ar", 4)
    coach = Phone(app, api, COACH_CHAT, "nl")
    await coach.send("/deelnemer Rami")
    shown = await coach.tap(said("nl", CHECKINS))
    day = "maandag 30 november"
    assert "⬆️ " + said("nl", ROW_UP, domain="Geld", level=4, day=day, before=2) in shown[0]
    await coach.tap(said("nl", SCORE))
    await coach.tap("Geld")
    assert coach.buttons() == [said("nl", label) for label in SCORES]
    saved = await coach.tap(said("nl", SCORES[1]))
    assert saved == [said("nl", SAVED, name="Rami", domain="geld", level=2)]
    await coach.send("/deelnemer Rami")
    shown = await coach.tap(said("nl", CHECKINS))
    assert said("nl", ROW_COACH, domain="Geld", level=2, day=day) in shown[0]
    assert shown[0].splitlines()[-1] == said("nl", AGENDA, domains="geld")
    with session_factory() as session:
        coach_scores = session.scalars(select(Signal).where(Signal.source == "coach")).all()
        assert [(s.domain, s.level) for s in coach_scores] == [("financien", 2)]
        actions = [e.action for e in session.scalars(select(AuditEvent))]
        assert actions.count("signals_viewed") == 2 and "coach_score" in actions
    # The participant sees only their own answers, in their language, worded kindly.
    mine = await rami.send("/voortgang")
    assert mine[0].startswith(said("ar", MINE))
    assert (
        said(
            "ar",
            MINE_ROW_BEFORE,
            domain=said("ar", "money").capitalize(),
            answer=said("ar", LEVELS[3]),
            before=said("ar", LEVELS[1]),
        )
        in mine[0]
    )
    assert said("ar", BETTER, domains=said("ar", "money")) in mine[0]
    assert said("nl", "2 not self-sufficient") not in mine[0]


async def test_someone_without_answers_gets_a_kind_start(app, api, runtime, people, colleagues):
    fatima = Phone(app, api, CHATS["Fatima"], "nl")
    assert await fatima.send("/voortgang") == [said("nl", MINE_NONE)]
    guest = Phone(app, api, 9912, "nl")
    assert await guest.send("/voortgang") == [
        said("nl", "You are not connected yet. Send /start, a space and your code.")
    ]


async def test_nobody_outside_the_coach_and_organisation_sees_or_scores_signals(
    app, api, runtime, people, colleagues, session_factory, clock
):
    amina = Phone(app, api, CHATS["Amina"], "so")
    await answer(amina, "so", 1)
    pid = people["Amina"]
    before = len(api.sent(STRANGER_CHAT)), len(api.sent(OTHER_COACH_CHAT))
    for chat in (STRANGER_CHAT, OTHER_COACH_CHAT):
        outsider = Phone(app, api, chat, "nl")
        for data in (f"pg:{pid}", f"pgs:{pid}", f"pg:{pid}:financien", f"pg:{pid}:financien:5"):
            message = {"message_id": 1, "chat": {"id": chat, "type": "private"}, "date": 0}
            seen = await outsider.deliver(api.callback_update(chat, data, message, outsider.user))
            assert seen == [said("nl", NOT_YOURS)], data
    assert all("photo" not in m for m in api.sent(STRANGER_CHAT) + api.sent(OTHER_COACH_CHAT))
    assert (len(api.sent(STRANGER_CHAT)), len(api.sent(OTHER_COACH_CHAT))) != before
    with session_factory() as session:
        assert session.scalars(select(Signal).where(Signal.source == "coach")).all() == []
        org = session.get(Participant, pid).organisation_id
    with session_factory() as session:  # the service refuses too, whoever calls it
        with pytest.raises(Refused, match="not_yours"):
            progress.for_staff(session, Scope(organisation_id=org + 1), pid, clock.now())
    admin = Phone(app, api, ADMIN_CHAT, "nl")  # the organisation's own staff do see them
    message = {"message_id": 1, "chat": {"id": ADMIN_CHAT, "type": "private"}, "date": 0}
    seen = await admin.deliver(api.callback_update(ADMIN_CHAT, f"pg:{pid}", message, admin.user))
    assert seen[0].startswith(said("nl", HEADER, name="Amina"))


def test_the_chart_is_a_picture_of_every_answered_domain(
    runtime, people, colleagues, session_factory, clock
):
    found = progress.Progress(name="Amina", language="so")
    found.rows = [progress.DomainRow("financien", 3), progress.DomainRow("huisvesting", 1)]
    now = clock.now()
    found.history = [
        ("financien", "self", now, 2),
        ("financien", "coach", now, 3),
        ("huisvesting", "self", now, 1),
    ]
    png = chart_png(found, runtime.settings.zone)
    assert png.startswith(b"\x89PNG") and len(png) > 5000
