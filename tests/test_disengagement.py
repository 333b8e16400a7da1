"""Disengagement: the rules on outcomes (pure), and a silent dropout that gives one clear alert
on the right day, once per episode, closed when they come back."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.services.appointments import attendance
from bot.services.coaching import disengagement
from bot.services.coaching.disengagement import DEFAULT_RULES, Outcome, judge
from bot.services.people.scope import Scope
from bot.telegram.sender import Sender
from storage.models import Alert, AlertState, AttendanceStatus, Participant
from tests.helpers.people import COACH_CHAT, link_demo_people
from tests.helpers.phone import said

AMS = ZoneInfo("Europe/Amsterdam")
TODAY = date(2026, 12, 10)


def outcomes(*whats: str, reminded: bool = True, every: int = 2) -> list[Outcome]:
    """Outcomes on days ending yesterday, `every` days apart, oldest first."""
    days = [TODAY - timedelta(days=every * (len(whats) - i)) for i in range(len(whats))]
    return [
        Outcome(datetime(d.year, d.month, d.day, 9, 30, tzinfo=UTC), d, what, reminded)
        for d, what in zip(days, whats, strict=True)
    ]


@pytest.mark.parametrize(
    ("history", "rule"),
    [
        (("came", "came", "absent", "absent"), "absences_in_a_row"),
        (("came", "absent", "excused", "unknown", "absent"), "absences_in_a_row"),
        (("came", "absent", "came", "absent"), None),
        (("came", "came", "came", "silent", "absent", "silent"), "days_without_attendance"),
        (("came", "came", "came", "excused", "excused", "excused"), None),
        (("came", "silent", "silent"), "unanswered_in_a_row"),
        (("came", "unknown", "unknown", "unknown"), None),  # nobody filled in the list
        (("silent",), None),
    ],
)
def test_rules(history: tuple[str, ...], rule: str | None) -> None:
    found = judge(outcomes(*history), DEFAULT_RULES, TODAY)
    assert (found.rule if found else None) == rule


def test_days_without_attendance_needs_to_have_been_expected_that_long() -> None:
    assert judge(outcomes("silent", "absent", every=1), DEFAULT_RULES, TODAY) is None
    tuned = {**DEFAULT_RULES, "absences_in_a_row": 3}
    assert judge(outcomes("came", "absent", "absent"), tuned, TODAY) is None


async def test_a_silent_dropout_gives_one_clear_alert_on_the_right_day(
    app, api, runtime, demo_codes, session_factory, clock
):
    ids = link_demo_people(session_factory, clock.now())
    with session_factory() as session:
        org = session.scalars(select(Participant.organisation_id)).first()
    mine = Scope(organisation_id=org)

    def day_list(day: date, absent: set[str]) -> None:
        with session_factory() as session:
            for item in attendance.expected_on(session, mine, day, AMS):
                if item.kind != "workshop_day":
                    continue
                status = (
                    AttendanceStatus.ABSENT if item.name in absent else AttendanceStatus.PRESENT
                )
                attendance.mark(
                    session, mine, item.appointment_id, item.start, status, clock.now(), AMS
                )

    def evening(day: date) -> None:
        clock.moment = datetime(day.year, day.month, day.day, 18, 30, tzinfo=AMS).astimezone(UTC)

    evening(date(2026, 11, 24))
    day_list(date(2026, 11, 24), set())
    evening(date(2026, 11, 26))
    day_list(date(2026, 11, 26), {"Yonas"})  # the first missed day
    assert alerts(session_factory) == []
    evening(date(2026, 12, 1))
    day_list(date(2026, 12, 1), {"Yonas"})
    assert alerts(session_factory) == [("Yonas", AlertState.OPEN)]
    await Sender(runtime, app.bot, name="t").drain_once()
    assert api.texts(COACH_CHAT) == [
        said(
            "nl",
            "{name} was absent on {days}, without letting us know.",
            name="Yonas",
            days="donderdag 26 november en dinsdag 1 december",
        )
    ]
    evening(date(2026, 12, 3))
    day_list(date(2026, 12, 3), {"Yonas"})
    with session_factory() as session:
        disengagement.run(session, clock.now(), AMS)
    assert alerts(session_factory) == [("Yonas", AlertState.OPEN)]  # once per episode
    evening(date(2026, 12, 8))
    day_list(date(2026, 12, 8), set())  # he came back
    assert alerts(session_factory) == [("Yonas", AlertState.RESOLVED)]
    assert ids["Yonas"]


def alerts(session_factory) -> list[tuple[str, AlertState]]:
    with session_factory() as session:
        return [
            (session.get(Participant, a.participant_id).display_name, a.state)
            for a in session.scalars(select(Alert).where(Alert.kind == "disengaged"))
        ]
