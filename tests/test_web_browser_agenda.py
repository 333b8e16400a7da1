"""Attendance and appointments in a real browser (the same Chromium, uvicorn and axe-core as
`test_web_browser`): a coach opens /today, marks someone in place (htmx, no reload), goes to
their page and makes an appointment through the form; every page passes axe."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from storage.models import Appointment, AppointmentKind, Attendance, AttendanceStatus, Outbox
from tests import test_web_browser as browser
from tests.helpers.people import CHATS, COACH_CHAT
from tests.helpers.phone import said
from tests.test_web_browser import SHOTS, accessible, log_in

server, page = browser.server, browser.page  # the same real server and browser
AMS = ZoneInfo("Europe/Amsterdam")


def test_a_coach_marks_attendance_and_makes_an_appointment_in_the_browser(
    server, page, runtime, people
):
    runtime.clock.moment = datetime(2026, 11, 24, 10, 0, tzinfo=AMS).astimezone(UTC)
    errors: list[str] = []
    page.on("console", lambda told: errors.append(told.text) if told.type == "error" else None)
    log_in(page, server, runtime, COACH_CHAT)
    page.get_by_role("link", name=said("nl", "Attendance"), exact=True).click()
    page.wait_for_url(f"{server}/today")
    assert page.get_by_role("heading", name="Wijkatelier Noord").is_visible()
    assert accessible(page) == []
    page.screenshot(path=str(SHOTS / "today.png"), full_page=True)
    page.evaluate("window.notReloaded = true")
    yonas = page.get_by_role("group", name="Yonas")
    yonas.get_by_role("button", name=said("nl", "Came"), exact=True).click()
    row = page.locator("tr", has=page.get_by_role("link", name="Yonas"))
    row.get_by_text(said("nl", "✅ present")).wait_for()
    assert page.evaluate("window.notReloaded") is True  # htmx swapped the row in place
    with runtime.db.read() as session:
        record = session.scalars(
            select(Attendance).where(Attendance.participant_id == people["Yonas"])
        ).one()
    assert record.status == AttendanceStatus.PRESENT
    assert accessible(page) == []

    row.get_by_role("link", name="Yonas").click()
    page.wait_for_url(f"{server}/participants/{people['Yonas']}")
    form = page.get_by_role("form", name=said("nl", "Make an appointment"))
    assert form.is_visible()
    assert accessible(page) == []
    page.evaluate("window.notReloaded = true")
    form.get_by_label(said("nl", "Day"), exact=True).fill("2026-11-27")
    form.get_by_label(said("nl", "Time"), exact=True).fill("10:00")
    form.get_by_label(said("nl", "Location")).select_option(label="Wijkatelier Zuid")
    form.get_by_label(said("nl", "Kind of appointment")).select_option("intake")
    form.get_by_role("button", name=said("nl", "Make the appointment")).click()
    page.locator("#agenda .said").wait_for()
    assert page.evaluate("window.notReloaded") is True
    told = said(
        "nl",
        "Saved. {name} gets a message now, and reminders before the appointment.",
        name="Yonas",
    )
    assert page.locator("#agenda .said").inner_text() == told
    page.screenshot(path=str(SHOTS / "participant-agenda.png"), full_page=True)
    assert accessible(page) == []
    with runtime.db.read() as session:
        made = session.scalars(
            select(Appointment).where(Appointment.kind == AppointmentKind.INTAKE)
        ).one()
        sent = session.scalars(select(Outbox).where(Outbox.chat_id == CHATS["Yonas"])).all()
    assert made.starts_at == datetime(2026, 11, 27, 10, 0, tzinfo=AMS)
    assert [row.idempotency_key for row in sent] == [f"appointment:{made.id}:new"]
    assert errors == []  # no CSP refusals, no script errors
