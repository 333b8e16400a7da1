"""The admin's pages in a real browser (Chromium, axe-core): the overview, the broadcasts, a new
broadcast's preview with an Arabic text read right to left, and the audit trail; each without
accessibility violations, each saved as a screenshot in var/screenshots."""

from __future__ import annotations

import re

from bot.i18n import _, use_locale
from tests import test_web_browser
from tests.helpers.people import ADMIN_CHAT
from tests.test_web_browser import SHOTS, accessible
from tests.test_web_browser import log_in as browser_log_in

server = test_web_browser.server  # the same fixtures: a real uvicorn and a Chromium page
page = test_web_browser.page


def test_an_admin_opens_the_overview_broadcasts_a_preview_and_the_audit_trail(
    server, page, runtime
):
    errors: list[str] = []
    page.on("console", lambda said: errors.append(said.text) if said.type == "error" else None)
    browser_log_in(page, server, runtime, ADMIN_CHAT)
    with use_locale("nl"):
        overview, broadcasts, audit_trail = _("Overview"), _("Broadcasts"), _("Audit trail")
        new, preview = _("New broadcast"), _("Show the preview")
        confirm = _("Confirm and send")

    page.get_by_role("link", name=overview).click()
    page.wait_for_url(f"{server}/admin")
    assert page.locator("svg").count() >= 3
    page.screenshot(path=str(SHOTS / "overview.png"), full_page=True)
    assert accessible(page) == []

    page.get_by_role("link", name=broadcasts).click()
    page.wait_for_url(f"{server}/admin/broadcasts")
    page.screenshot(path=str(SHOTS / "broadcasts.png"), full_page=True)
    assert accessible(page) == []

    page.get_by_role("link", name=new).click()
    page.wait_for_url(f"{server}/admin/broadcasts/new")
    page.get_by_label("Groep Noord").check()  # htmx shows the languages Noord reads
    page.wait_for_selector("#audience-languages table")
    assert accessible(page) == []
    page.fill("#text-nl", "Morgen is het atelier dicht.")
    page.fill("#text-ar", "الورشة مغلقة غدًا.")
    page.get_by_role("checkbox", name="👍").check()
    page.get_by_role("button", name=preview).click()
    page.wait_for_url(f"{server}/admin/broadcasts/preview")
    arabic = page.locator('.bubble[lang="ar"] p').first
    assert arabic.evaluate("element => getComputedStyle(element).direction") == "rtl"
    page.screenshot(path=str(SHOTS / "broadcast-preview.png"), full_page=True)
    assert accessible(page) == []
    page.get_by_role("button", name=confirm).click()
    page.wait_for_url(re.compile(r".*/admin/broadcasts/\d+$"))
    assert page.locator('#report[hx-trigger="every 10s"]').count() == 1  # it follows itself
    page.screenshot(path=str(SHOTS / "broadcast-report.png"), full_page=True)
    assert accessible(page) == []

    page.get_by_role("link", name=audit_trail).click()
    page.wait_for_url(f"{server}/admin/audit")
    assert page.get_by_role("table").is_visible()
    page.screenshot(path=str(SHOTS / "audit.png"), full_page=True)
    assert accessible(page) == []
    assert errors == []  # no CSP refusals, no script errors
