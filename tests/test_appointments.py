"""The next appointment, in local time and in full words, after onboarding."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.services.appointments.recurrence import next_start
from storage.models import Appointment, AppointmentKind
from tests.helpers.phone import said

AMS = ZoneInfo("Europe/Amsterdam")


def weekly(start_local: datetime) -> Appointment:
    return Appointment(
        kind=AppointmentKind.WORKSHOP_DAY, starts_at=start_local, rrule="FREQ=WEEKLY;BYDAY=TU,TH"
    )


def test_recurring_appointment_keeps_its_wall_clock_time_across_dst() -> None:
    rule = weekly(datetime(2026, 3, 17, 9, 30, tzinfo=AMS))
    before = next_start(rule, datetime(2026, 3, 25, 12, tzinfo=UTC), AMS)  # Thu 26, winter
    after = next_start(rule, datetime(2026, 3, 27, 12, tzinfo=UTC), AMS)  # Tue 31, summer
    assert before is not None and after is not None
    assert (before.astimezone(AMS).hour, before.astimezone(AMS).minute) == (9, 30)
    assert (after.astimezone(AMS).hour, after.astimezone(AMS).minute) == (9, 30)
    assert before.astimezone(UTC).hour == 8 and after.astimezone(UTC).hour == 7
    october = next_start(rule, datetime(2026, 10, 24, 12, tzinfo=UTC), AMS)
    assert october is not None and october.astimezone(UTC).hour == 8  # winter time again


def test_one_off_appointment_in_the_past_is_not_next() -> None:
    once = Appointment(kind=AppointmentKind.EXAM, starts_at=datetime(2026, 1, 5, 9, tzinfo=UTC))
    assert next_start(once, datetime(2026, 2, 1, tzinfo=UTC), AMS) is None
    assert next_start(once, datetime(2026, 1, 1, tzinfo=UTC), AMS) == once.starts_at


async def test_welcome_tells_the_next_appointment_in_tigrinya(phone, demo_codes) -> None:
    await phone.send(f"/start {demo_codes['Yonas']}")
    await phone.tap("ትግርኛ")
    seen = await phone.tap(1)
    # demo clock: Monday 23 November 2026; workshop days are Tuesdays and Thursdays at 09:30
    expected = said(
        "ti",
        "Your next workshop day is on {when}, at {place}.",
        when="ሰሉስ፣ 24 ሕዳር 09:30",
        place="Wijkatelier Noord",
    )
    assert seen[-1] == expected
