"""The organisation's set-up pages in a real browser: an admin opens each page (axe finds no
accessibility problem, screenshots are saved), invites a colleague through the form with htmx
(the page does not reload) and sees a wrong walk-in time refused next to its field."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Location, StaffMember
from tests import test_web_browser
from tests.helpers.people import ADMIN_CHAT
from tests.test_web_browser import SHOTS, Page, accessible  # skips without Chromium
from tests.test_web_browser import log_in as browser_log_in

# The fixtures: a real uvicorn on a free port, and a Chromium page.
server, page = test_web_browser.server, test_web_browser.page

PAGES = ("staff", "locations", "groups", "programmes", "settings")


def watch(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda said: errors.append(said.text) if said.type == "error" else None)
    return errors


def test_an_admin_opens_every_set_up_page(server, page, runtime):
    errors = watch(page)
    browser_log_in(page, server, runtime, ADMIN_CHAT)
    page.locator('header nav a[href="/admin/staff"]').click()  # "Organisation"
    page.wait_for_url(f"{server}/admin/staff")
    with runtime.db.read() as session:
        place = session.scalars(select(Location.id).order_by(Location.id)).first()
        kees = session.scalars(select(StaffMember.id).where(StaffMember.name == "Kees")).one()
    more = (f"locations/{place}", f"staff/{kees}/remove")
    for name in (*PAGES, *more):
        page.goto(f"{server}/admin/{name}")
        assert page.locator("h1").is_visible()
        page.screenshot(path=str(SHOTS / f"setup-{name.replace('/', '-')}.png"), full_page=True)
        assert accessible(page) == [], name
    assert errors == []


def test_an_admin_invites_a_colleague_through_the_form(server, page, runtime):
    runtime.settings.bot_username = "wegwijzer_bot"
    errors = watch(page)
    browser_log_in(page, server, runtime, ADMIN_CHAT)
    page.goto(f"{server}/admin/staff")
    page.evaluate("window.notReloaded = true")
    page.get_by_label("Naam", exact=True).fill("Amal Hassan")
    page.get_by_role("checkbox").check()
    page.locator("#invite button[type=submit]").click()
    page.wait_for_selector(".made code")
    assert page.evaluate("window.notReloaded") is True  # htmx swapped it in place
    code = page.locator(".made code").inner_text()
    assert page.get_by_role("link", name=f"https://t.me/wegwijzer_bot?start={code}").is_visible()
    assert page.get_by_role("rowheader", name="Amal Hassan").is_visible()
    page.screenshot(path=str(SHOTS / "setup-invited.png"), full_page=True)
    assert accessible(page) == []
    assert errors == []


def test_a_wrong_walk_in_time_is_said_next_to_its_field(server, page, runtime):
    browser_log_in(page, server, runtime, ADMIN_CHAT)
    page.goto(f"{server}/admin/locations")
    page.locator("#location-name").fill("De Brug")
    page.locator("#location-opening").fill("dinsdagochtend")
    page.locator("#add-location button[type=submit]").click()
    error = page.locator("#location-opening-error")
    error.wait_for()
    assert error.get_attribute("role") == "alert"
    assert page.locator("#location-opening").get_attribute("aria-invalid") == "true"
    page.screenshot(path=str(SHOTS / "setup-location-error.png"), full_page=True)
    assert accessible(page) == []
