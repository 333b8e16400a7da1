"""The coach's participants: the list at a glance, one person's card, a phase change dated and
stored, leaving with an outflow category, a handover, a personal invite with a QR code; and the
participant checking in at the location by scanning its code of the day."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot import refusals
from bot.services.appointments import attendance, scanning
from bot.services.people.participants import OUTFLOWS, PHASES
from bot.telegram.participants import CHANGE_PHASE, HAND_OVER, LEAVES
from bot.telegram.progress import CHECKINS
from bot.telegram.render import qr_png
from storage.models import (
    Alert,
    Attendance,
    AttendanceSource,
    AttendanceStatus,
    Location,
    Organisation,
    Outbox,
    OutboxState,
    Outflow,
    Participant,
    ParticipantStatus,
    Phase,
    PhaseChange,
    StaffMember,
)
from tests.helpers.people import (
    CHATS,
    COACH_CHAT,
    OTHER_COACH_CHAT,
    STRANGER_CHAT,
)
from tests.helpers.phone import Phone, said, said_n

AMS = ZoneInfo("Europe/Amsterdam")


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=AMS)


def person(session_factory, name: str) -> Participant:
    with session_factory() as session:
        return session.scalars(select(Participant).where(Participant.display_name == name)).one()


async def test_the_list_and_one_card(app, api, runtime, people, colleagues, session_factory, clock):
    clock.moment = local(2026, 11, 24, 18, 0).astimezone(UTC)
    with session_factory() as session:
        with session.begin():
            org = session.scalars(select(Organisation.id).where(Organisation.slug != "elders"))
            mine = attendance.Scope(organisation_id=org.one())
        for item in attendance.expected_on(session, mine, date(2026, 11, 24), AMS):
            status = AttendanceStatus.ABSENT if item.name == "Yonas" else AttendanceStatus.PRESENT
            attendance.mark(
                session, mine, item.appointment_id, item.start, status, clock.now(), AMS
            )
    coach = Phone(app, api, COACH_CHAT, "nl")
    seen = await coach.send("/deelnemers")
    assert seen[0] == said_n(
        "nl",
        "{n} participant. Attendance counts the last 4 weeks.",
        "{n} participants. Attendance counts the last 4 weeks.",
        4,
    )
    line = "{name} · {phase} · came {came}, absent {absent}, excused {excused}"
    activation = said("nl", PHASES[Phase.ACTIVERING])
    assert seen[1].split("\n") == [
        said("nl", line, name=name, phase=activation, came=came, absent=absent, excused=0)
        for name, came, absent in (
            ("Amina", 1, 0),
            ("Fatima", 1, 0),
            ("Rami", 1, 0),
            ("Yonas", 0, 1),
        )
    ]
    assert coach.buttons() == ["Amina", "Fatima", "Rami", "Yonas"]

    seen = await coach.tap("Yonas")
    card = seen[0].split("\n")
    assert card[0].startswith("Yonas · " + activation)
    assert said("nl", "Coming appointments:") in card
    assert said("nl", "Attendance, last 4 weeks:") in card
    assert any("dinsdag 24 november" in row and said("nl", "❌ absent") in row for row in card)
    assert said("nl", "No check-in yet.") in card
    assert coach.buttons() == [
        said("nl", CHECKINS),
        said("nl", CHANGE_PHASE),
        said("nl", HAND_OVER),
    ]
    assert await coach.send("/deelnemer yon") == seen  # part of the name, any case
    assert await coach.send("/deelnemer Nobody") == [
        said("nl", "None of your participants is called {name}.", name="Nobody")
    ]


async def test_a_phase_change_and_leaving_are_stored_with_their_day(
    app, api, runtime, people, colleagues, session_factory, clock
):
    clock.moment = local(2026, 11, 25, 10, 0).astimezone(UTC)
    coach = Phone(app, api, COACH_CHAT, "nl")
    await coach.send("/deelnemer Rami")
    await coach.tap(said("nl", CHANGE_PHASE))
    assert said("nl", PHASES[Phase.ACTIVERING]) not in coach.buttons()  # where he is now
    seen = await coach.tap(said("nl", PHASES[Phase.VRIJWILLIGER]))
    assert seen == [
        said(
            "nl",
            "Saved: {name} is in the phase {phase} from {day}.",
            name="Rami",
            phase=said("nl", PHASES[Phase.VRIJWILLIGER]),
            day="woensdag 25 november",
        )
    ]
    assert person(session_factory, "Rami").phase == Phase.VRIJWILLIGER

    clock.moment = local(2027, 3, 2, 11, 0).astimezone(UTC)
    await coach.send("/deelnemer Rami")
    await coach.tap(said("nl", CHANGE_PHASE))
    await coach.tap(said("nl", LEAVES))
    assert len(coach.buttons()) == len(OUTFLOWS) == 11
    await coach.tap(said("nl", OUTFLOWS[Outflow.BETAALD_WERK]))
    with session_factory() as session:
        changes = [
            (c.from_phase, c.to_phase, c.outflow, c.on)
            for c in session.scalars(select(PhaseChange).order_by(PhaseChange.id))
        ]
    assert changes == [
        (Phase.ACTIVERING, Phase.VRIJWILLIGER, None, date(2026, 11, 25)),
        (Phase.VRIJWILLIGER, None, Outflow.BETAALD_WERK, date(2027, 3, 2)),
    ]
    assert person(session_factory, "Rami").status == ParticipantStatus.LEFT
    seen = await coach.send("/deelnemers")
    assert "Rami" not in seen[1]


async def test_a_handover_moves_the_person_and_tells_both(
    app, api, runtime, people, colleagues, session_factory, clock
):
    from bot.services.coaching import alerts

    with session_factory() as session, session.begin():
        amina = session.scalars(
            select(Participant).where(Participant.display_name == "Amina")
        ).one()
        alerts.raise_alert(session, clock.now(), amina, "unreachable")
    coach = Phone(app, api, COACH_CHAT, "nl")
    await coach.send("/deelnemer Amina")
    await coach.tap(said("nl", HAND_OVER))
    assert coach.buttons() == ["Kees"]
    seen = await coach.tap("Kees")
    assert seen == [
        said("nl", "{name} is now with {coach}. I told them both.", name="Amina", coach="Kees")
    ]
    from bot.telegram.sender import Sender

    await Sender(runtime, app.bot, name="t").drain_once()
    assert api.texts(CHATS["Amina"])[-1] == said(
        "so", "From now on, {coach} is your coach. You can ask them anything.", coach="Kees"
    )
    assert api.texts(OTHER_COACH_CHAT)[-1] == said(
        "nl",
        "{name} is now one of your participants. {previous} handed them over to you.",
        name="Amina",
        previous="Sanne de Vries",
    )
    with session_factory() as session:
        kees = session.scalars(select(StaffMember.id).where(StaffMember.name == "Kees")).one()
        assert session.scalars(select(Alert.coach_id)).all() == [kees]
    assert "Amina" not in (await coach.send("/deelnemers"))[1]
    assert "Amina" in (await Phone(app, api, OTHER_COACH_CHAT, "nl").send("/deelnemers"))[1]


async def test_nobody_sees_or_changes_someone_elses_participant(
    app, api, runtime, people, colleagues, session_factory
):
    yonas = person(session_factory, "Yonas").id
    with session_factory() as session:
        kees = session.scalars(select(StaffMember.id).where(StaffMember.name == "Kees")).one()
    stranger = Phone(app, api, STRANGER_CHAT, "nl")
    assert await stranger.send("/deelnemer Yonas") == [
        said("nl", "None of your participants is called {name}.", name="Yonas")
    ]
    assert await stranger.send("/deelnemers") == [
        said("nl", "You have no participants yet. Invite someone with /uitnodigen and their name.")
    ]
    other = Phone(app, api, OTHER_COACH_CHAT, "nl")  # same organisation, not his participant
    for phone in (stranger, other):
        for data in (
            f"dn:{yonas}",
            f"dn:ph:{yonas}",
            f"dn:to:{yonas}:werk",
            f"dn:left:{yonas}:geen_werk",
            f"dn:hoto:{yonas}:{kees}",
        ):
            seen = await phone.deliver(api.callback_update(phone.chat_id, data, None, phone.user))
            assert seen == [said("nl", "This participant is not one of yours.")], data
    participant = Phone(app, api, CHATS["Rami"], "ar")
    seen = await participant.send("/deelnemers")
    assert seen == [said("ar", "Only staff of an organisation can do this.")]
    after = person(session_factory, "Yonas")
    assert (after.phase, after.status) == (Phase.ACTIVERING, ParticipantStatus.ACTIVE)
    with session_factory() as session:
        assert session.scalars(select(PhaseChange)).all() == []


async def test_a_personal_invite_with_a_qr_code(
    app, api, runtime, people, colleagues, session_factory
):
    coach = Phone(app, api, COACH_CHAT, "nl")
    assert await coach.send("/uitnodigen") == [
        said("nl", "Write the name after the command, like this: /uitnodigen Amal Hassan")
    ]
    seen = await coach.send("/uitnodigen  Amal   Hassan ")
    assert len(seen) == 2
    with session_factory() as session:
        amal = session.scalars(
            select(Participant).where(Participant.display_name == "Amal Hassan")
        ).one()
        assert amal.status == ParticipantStatus.INVITED
    code = seen[0].split("\n")[0].rsplit(" ", 1)[-1]
    assert seen[1] == said("nl", "QR code for {name}", name="Amal Hassan")  # the photo's caption
    newcomer = Phone(app, api, 7001, "ar")
    await newcomer.send(f"/start {code}")
    await newcomer.tap("العربية")
    await newcomer.tap(1)
    linked = person(session_factory, "Amal Hassan")
    assert (linked.chat_id, linked.status, linked.language) == (
        7001,
        ParticipantStatus.ACTIVE,
        "ar",
    )
    with session_factory() as session:
        sanne = session.scalars(
            select(StaffMember.id).where(StaffMember.chat_id == COACH_CHAT)
        ).one()
    assert linked.coach_id == sanne
    assert qr_png("https://t.me/wegwijzer_bot?start=X").startswith(b"\x89PNG")


async def test_checking_in_with_the_locations_code_of_the_day(
    app, api, runtime, people, colleagues, session_factory, clock
):
    clock.moment = local(2026, 11, 24, 9, 20).astimezone(UTC)  # Tuesday, workshop at 09:30
    coach = Phone(app, api, COACH_CHAT, "nl")
    await coach.send("/qr")
    assert coach.buttons() == ["Wijkatelier Noord", "Wijkatelier Zuid"]
    seen = await coach.tap("Wijkatelier Noord")
    assert seen == [
        said(
            "nl",
            "{place}, {day}: scan this code with your phone to check in. It works only today.",
            place="Wijkatelier Noord",
            day="dinsdag 24 november",
        )
    ]
    with session_factory() as session:
        north = session.scalars(select(Location).where(Location.name == "Wijkatelier Noord")).one()
        code = scanning.checkin_payload(north, date(2026, 11, 24))
        yesterday = scanning.checkin_payload(north, date(2026, 11, 23))
    yonas = Phone(app, api, CHATS["Yonas"], "ti")
    assert await yonas.send(f"/start {code}") == [
        said(
            "ti",
            "Welcome, {name}! You are checked in at {place}. ✅",
            name="Yonas",
            place="Wijkatelier Noord",
        )
    ]
    assert await yonas.send(f"/start {code}") == [
        said("ti", "You are already checked in at {place}. ✅", place="Wijkatelier Noord")
    ]
    clock.moment = local(2026, 11, 24, 9, 52).astimezone(UTC)
    rami = Phone(app, api, CHATS["Rami"], "ar")
    await rami.send(f"/start {code}")
    with session_factory() as session:
        rows = {
            session.get(Participant, r.participant_id).display_name: (
                r.status,
                r.source,
                r.minutes_late,
            )
            for r in session.scalars(select(Attendance))
        }
    assert rows == {
        "Yonas": (AttendanceStatus.PRESENT, AttendanceSource.QR, None),
        "Rami": (AttendanceStatus.LATE, AttendanceSource.QR, 22),
    }
    assert await rami.send(f"/start {yesterday}") == [
        said(
            "ar",
            refusals.REFUSALS["checkin_old"],
        )
    ]
    forged = code[:-4] + ("0000" if not code.endswith("0000") else "1111")
    assert await rami.send(f"/start {forged}") == [
        said("ar", "I do not know this code. Please scan the code on the wall again.")
    ]
    stranger = Phone(app, api, 7002, "nl")
    assert await stranger.send(f"/start {code}") == [
        said("nl", "I cannot check you in yet. Please ask the staff for your personal code first.")
    ]
    with session_factory() as session:
        assert len(session.scalars(select(Attendance)).all()) == 2
        # The day list shows the scans: Yonas ✅ and Rami ⏰ without the coach tapping.
        queued = session.scalars(select(Outbox).where(Outbox.state == OutboxState.QUEUED)).all()
        assert all(row.chat_id != STRANGER_CHAT for row in queued)


async def test_a_qr_check_in_works_only_while_the_appointment_is_on_and_fakes_are_tries(
    app, api, runtime, people, colleagues, session_factory, clock
):
    with session_factory() as session:
        north = session.scalars(select(Location).where(Location.name == "Wijkatelier Noord")).one()
        code = scanning.checkin_payload(north, date(2026, 11, 24))
    yonas = Phone(app, api, CHATS["Yonas"], "ti")
    for hour, minute in ((8, 30), (14, 0)):  # an hour early; after the half-day of 09:30
        clock.moment = local(2026, 11, 24, hour, minute).astimezone(UTC)
        assert await yonas.send(f"/start {code}") == [
            said("ti", refusals.REFUSALS["checkin_not_now"])
        ]
    forged = code[:-4] + ("0000" if not code.endswith("0000") else "1111")
    clock.moment = local(2026, 11, 24, 9, 20).astimezone(UTC)
    for _ in range(5):
        await yonas.send(f"/start {forged}")
    assert await yonas.send(f"/start {code}") == [
        said(
            "ti",
            "Too many wrong codes. Please wait 15 minutes, or ask your coach for your code.",
        )
    ]
    with session_factory() as session:
        assert session.scalars(select(Attendance)).all() == []
