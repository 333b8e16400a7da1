"""The web app in a real browser: Debian's Chromium driven by Playwright (no browser download:
`executable_path`), the server a real uvicorn on a free port. A coach logs in with a link,
acts on the board with htmx (the page does not reload), opens the caseload and a participant,
sends "we miss you" and the real sender delivers it through the fake Bot API in the
participant's language, an admin opens the report; axe-core checks each page for
accessibility problems. Chromium is installed by `.ci/run`; without it these tests are skipped
(CI sets REQUIRE_BROWSER=1 to fail instead)."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import select

from bot.i18n import _, use_locale
from bot.services.access import logins
from bot.services.coaching import alerts, inbox
from bot.telegram.app import build_application
from bot.telegram.sender import Sender
from bot.web.app import create_app
from storage.models import Participant
from tests.helpers.fake_bot_api import FakeBotAPI, Record
from tests.helpers.people import ADMIN_CHAT, CHATS, COACH_CHAT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[1] / "var" / "screenshots"  # test artefacts
AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

if not (Path(CHROMIUM).exists() and AXE.exists()):
    if os.environ.get("REQUIRE_BROWSER"):
        raise RuntimeError(f"browser tests need {CHROMIUM} and {AXE} (apt-get chromium, npm ci)")
    pytest.skip("Chromium or axe-core is not installed here", allow_module_level=True)

from playwright.sync_api import Page, sync_playwright  # noqa: E402


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server(runtime, people, colleagues) -> Iterator[str]:
    if not runtime.settings.database_url.startswith("sqlite"):
        pytest.skip("the browser tests run once, on SQLite")
    port = free_port()
    runtime.settings.web_base_url = f"http://127.0.0.1:{port}"
    config = uvicorn.Config(create_app(runtime), host="127.0.0.1", port=port, log_level="warning")
    web = uvicorn.Server(config)
    thread = threading.Thread(target=web.run, daemon=True)
    thread.start()
    for _try in range(100):
        if web.started:
            break
        time.sleep(0.05)
    yield runtime.settings.web_base_url
    web.should_exit = True
    thread.join(timeout=5)


@pytest.fixture
def page() -> Iterator[Page]:
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context(bypass_csp=False)
        yield context.new_page()
        browser.close()


def accessible(page: Page) -> list[str]:
    """axe-core's violations on the page as it is now (run in a CSP-free copy: axe is injected
    as a script the page's own policy rightly refuses)."""
    html = page.content()
    checker = page.context.browser.new_context(bypass_csp=True).new_page()
    checker.set_content(html)
    checker.add_script_tag(path=str(AXE))
    found = checker.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))"
    )
    checker.context.close()
    return list(found)


def log_in(page: Page, base: str, runtime, chat_id: int) -> None:
    link = logins.link_for_chat(runtime.db, chat_id, runtime.clock.now())
    page.goto(f"{base}/login/{link.token}")
    assert accessible(page) == []
    page.get_by_role("button").click()
    page.wait_for_url(f"{base}/")


def test_a_coach_works_through_the_board_in_the_browser(server, page, runtime, people):
    with runtime.db.write() as session:
        person = session.scalars(select(Participant).where(Participant.display_name == "Yonas"))
        alerts.raise_alert(
            session,
            runtime.clock.now(),
            person.one(),
            "disengaged",
            urgent=True,
            message="{name} missed two days in a row.",
        )
    errors: list[str] = []
    page.on("console", lambda said: errors.append(said.text) if said.type == "error" else None)
    log_in(page, server, runtime, COACH_CHAT)
    assert page.get_by_text("Yonas missed two days in a row.").is_visible()
    assert accessible(page) == []
    page.screenshot(path=str(SHOTS / "board.png"), full_page=True)
    page.evaluate("window.notReloaded = true")
    for _tab in range(40):  # keyboard only: Tab to "Resolve" (Dutch: Oplossen), then Enter
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Oplossen":
            break
    page.keyboard.press("Enter")
    page.wait_for_selector("li.done")
    assert page.evaluate("window.notReloaded") is True  # htmx swapped the line in place
    page.get_by_role("link", name="Deelnemers").click()
    page.wait_for_url(f"{server}/participants")
    assert page.get_by_role("table").is_visible()
    page.screenshot(path=str(SHOTS / "caseload.png"), full_page=True)
    assert accessible(page) == []
    page.get_by_role("link", name="Yonas").click()
    page.wait_for_url(f"{server}/participants/{people['Yonas']}")
    page.screenshot(path=str(SHOTS / "participant.png"), full_page=True)
    assert accessible(page) == []
    assert errors == []  # no CSP refusals, no script errors


def deliver(runtime) -> list[Record]:
    """Run the real sender against the fake Bot API until the outbox is empty; what Telegram
    accepted. In a thread of its own: Playwright's sync API owns this thread's event loop."""
    delivered: list[Record] = []

    async def send() -> None:
        fake = FakeBotAPI()
        await fake.start()
        try:
            runtime.settings = runtime.settings.model_copy(
                update={"telegram_api_base_url": fake.base_url, "telegram_token": "123456:TEST"}
            )
            application = build_application(runtime)
            async with application:
                sender = Sender(runtime, application.bot, name="browser-test")
                for _round in range(5):
                    await sender.drain_once()
            delivered.extend(fake.delivered())
        finally:
            await fake.stop()

    worker = threading.Thread(target=lambda: asyncio.run(send()))
    worker.start()
    worker.join(timeout=60)
    return delivered


def test_we_miss_you_from_the_board_reaches_the_participant_in_tigrinya(
    server, page, runtime, people
):
    with runtime.db.write() as session:
        person = session.scalars(select(Participant).where(Participant.display_name == "Yonas"))
        alerts.raise_alert(
            session,
            runtime.clock.now(),
            person.one(),
            "disengaged",
            message="{name} missed two days in a row.",
        )
    log_in(page, server, runtime, COACH_CHAT)
    page.get_by_text("Stuur “we missen je”").click()  # opens the choice (Dutch for the coach)
    page.get_by_role("button", name="Verstuur").click()
    page.wait_for_selector("li.done")
    assert "Yonas" in page.locator("li.done").inner_text()
    with use_locale("ti"):
        expected = _(inbox.MISS_YOU["1"], name="Yonas")
    with use_locale("nl"):
        assert expected != _(inbox.MISS_YOU["1"], name="Yonas")  # really another language
    sent = [
        r
        for r in deliver(runtime)
        if r.params.get("chat_id") in (CHATS["Yonas"], str(CHATS["Yonas"]))
    ]
    assert [r.params["text"] for r in sent] == [expected]
    assert deliver(runtime) == []  # nothing is sent twice


def test_an_admin_reads_the_report_in_arabic(server, page, runtime):
    log_in(page, server, runtime, ADMIN_CHAT)
    page.select_option("#language", "ar")
    page.get_by_role("button", name="Wijzig").click()
    page.wait_for_url(f"{server}/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.goto(f"{server}/report")
    assert page.locator("svg").count() >= 1
    page.screenshot(path=str(SHOTS / "report-ar.png"), full_page=True)
    assert accessible(page) == []
