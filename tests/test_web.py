"""The web app over HTTP, as a browser would use it: login links that a preview cannot use up,
sessions that end, POSTs that must come from our own pages, security headers, and each page in
the coach's scope (another coach's participant looks like nobody)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from bot.i18n import _, use_locale
from bot.refusals import explain
from bot.services.access import logins
from bot.services.checkins.signals import DOMAIN_NAMES
from bot.services.coaching import alerts, questions, safety
from bot.services.errors import Refused
from bot.services.organisations import setup
from bot.web.app import create_app
from nlu.understand import Understood
from storage.models import Alert, AlertState, AuditEvent, Outbox, Participant, Question, Signal
from tests.helpers.people import (
    ADMIN_CHAT,
    CHATS,
    COACH_CHAT,
    OTHER_COACH_CHAT,
    STRANGER_CHAT,
)

ORIGIN = {"origin": "http://testserver"}


@pytest.fixture
def client(runtime, people, colleagues):
    with TestClient(create_app(runtime), base_url="http://testserver") as browser:
        yield browser


def log_in(client: TestClient, runtime, chat_id: int = COACH_CHAT) -> str:
    """Follow a fresh /web link as a browser does; the session's CSRF token."""
    link = logins.link_for_chat(runtime.db, chat_id, runtime.clock.now())
    assert client.get(f"/login/{link.token}").status_code == 200
    answer = client.post(f"/login/{link.token}", headers=ORIGIN, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    page = client.get("/")
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def open_alert(runtime, name: str = "Yonas", urgent: bool = False) -> int:
    with runtime.db.write() as session:
        person = session.scalars(select(Participant).where(Participant.display_name == name)).one()
        alert = alerts.raise_alert(
            session,
            runtime.clock.now(),
            person,
            "disengaged",
            urgent=urgent,
            message="{name} missed two days in a row.",
        )
        return alert.id


def test_opening_the_link_only_asks_confirmation_and_the_post_logs_in_once(client, runtime):
    link = logins.link_for_chat(runtime.db, COACH_CHAT, runtime.clock.now())
    for _preview in range(3):  # a link preview, a second look: nothing used up
        shown = client.get(f"/login/{link.token}")
        assert shown.status_code == 200 and '<form method="post"' in shown.text
    assert client.get("/", follow_redirects=False).status_code == 401
    answer = client.post(f"/login/{link.token}", headers=ORIGIN, follow_redirects=False)
    assert answer.status_code == 303
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    assert client.get("/").status_code == 200
    again = TestClient(client.app, base_url="http://testserver")
    assert again.get(f"/login/{link.token}").status_code == 410
    assert again.post(f"/login/{link.token}", headers=ORIGIN).status_code == 410


def test_a_link_works_for_five_minutes(client, runtime):
    link = logins.link_for_chat(runtime.db, COACH_CHAT, runtime.clock.now())
    runtime.clock.advance(minutes=5, seconds=1)
    assert client.get(f"/login/{link.token}").status_code == 410
    answer = client.post(f"/login/{link.token}", headers=ORIGIN)
    assert answer.status_code == 410 and "/web" in answer.text


def test_a_made_up_link_logs_nobody_in(client):
    assert client.get("/login/not-a-token").status_code == 410
    assert client.post("/login/not-a-token", headers=ORIGIN).status_code == 410


def test_only_staff_get_a_link(runtime, people):
    with pytest.raises(Refused):
        logins.link_for_chat(runtime.db, 3101, runtime.clock.now())  # Yonas, a participant


def test_a_session_ends_after_30_idle_minutes_and_after_12_hours(client, runtime):
    log_in(client, runtime)
    runtime.clock.advance(minutes=29)
    assert client.get("/").status_code == 200
    runtime.clock.advance(minutes=31)
    assert client.get("/").status_code == 401
    log_in(client, runtime)
    for _step in range(24):  # busy all day, never 30 minutes idle: 11 h 36 min
        runtime.clock.advance(minutes=29)
        assert client.get("/").status_code == 200
    runtime.clock.advance(minutes=29)  # 12 h 5 min after logging in
    assert client.get("/").status_code == 401


def test_a_removed_staff_member_is_logged_out_at_once(client, runtime):
    log_in(client, runtime, OTHER_COACH_CHAT)
    assert client.get("/").status_code == 200
    assert setup.remove_staff(runtime.db, "demo", "Kees", runtime.clock.now()) == "Kees"
    assert client.get("/").status_code == 401
    with pytest.raises(Refused):  # and no new link: the chat is no staff chat any more
        logins.link_for_chat(runtime.db, OTHER_COACH_CHAT, runtime.clock.now())


def test_a_coach_with_participants_is_not_removed(runtime, people):
    with pytest.raises(Refused) as refused:
        setup.remove_staff(runtime.db, "demo", "Sanne de Vries", runtime.clock.now())
    assert refused.value.reason == "still_coaching"


def test_logging_out_ends_the_session(client, runtime):
    csrf = log_in(client, runtime)
    assert client.post("/logout", data={"csrf": csrf}, headers=ORIGIN).status_code == 200
    assert client.get("/").status_code == 401


def test_a_post_from_another_site_or_without_the_token_changes_nothing(client, runtime):
    alert_id = open_alert(runtime)
    csrf = log_in(client, runtime)
    url = f"/alerts/{alert_id}/act"
    tries = [
        ({"action": "resolve", "csrf": csrf}, {"origin": "https://evil.example"}),
        ({"action": "resolve", "csrf": csrf}, {}),  # no Origin, no Referer
        ({"action": "resolve"}, ORIGIN),
        ({"action": "resolve", "csrf": "wrong"}, ORIGIN),
    ]
    for data, headers in tries:
        assert client.post(url, data=data, headers=headers).status_code == 403
    with runtime.db.read() as session:
        assert session.get(Alert, alert_id).state == AlertState.OPEN
    done = client.post(url, data={"action": "resolve", "csrf": csrf}, headers=ORIGIN)
    assert done.status_code == 200
    with runtime.db.read() as session:
        assert session.get(Alert, alert_id).state == AlertState.RESOLVED


def test_every_answer_carries_the_security_headers(client, runtime):
    for path in ("/", "/login/x", "/static/app.css", "/nothing-here"):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert headers["referrer-policy"] == "same-origin"  # nothing leaks to other sites
        assert headers["x-content-type-options"] == "nosniff"
    log_in(client, runtime)
    page = client.get("/")
    assert page.headers["cache-control"] == "no-store"
    assert "<script>" not in page.text and " style=" not in page.text and "onclick" not in page.text
    assert '<script src="/static/htmx.min.js"' in page.text


def test_the_board_shows_urgent_first_and_acts_in_place(client, runtime):
    calm = open_alert(runtime, "Amina")
    urgent = open_alert(runtime, "Yonas", urgent=True)
    csrf = log_in(client, runtime)
    board = client.get("/").text
    assert board.index(f'id="alert-{urgent}"') < board.index(f'id="alert-{calm}"')
    assert "Yonas missed two days in a row." in board
    fragment = client.post(
        f"/alerts/{calm}/act",
        data={"action": "snooze"},
        headers={**ORIGIN, "hx-request": "true", "x-csrf-token": csrf},
    )
    assert fragment.status_code == 200 and fragment.text.startswith('<li class="done"')
    assert f'id="alert-{calm}"' not in client.get("/").text
    runtime.clock.advance(days=2, minutes=1)
    log_in(client, runtime)
    assert f'id="alert-{calm}"' in client.get("/").text


def test_we_miss_you_goes_to_the_participant_in_their_language(client, runtime):
    alert_id = open_alert(runtime, "Amina")
    csrf = log_in(client, runtime)
    said = client.post(
        f"/alerts/{alert_id}/miss-you",
        data={"choice": "1", "csrf": csrf},
        headers={**ORIGIN, "hx-request": "true"},
    )
    assert "Amina" in said.text and said.status_code == 200
    bad = client.post(
        f"/alerts/{alert_id}/miss-you", data={"choice": "9", "csrf": csrf}, headers=ORIGIN
    )
    assert bad.status_code == 400


def ask_question(runtime, name: str) -> int:
    """A participant's question the bot could not answer: a question alert for the coach."""
    guess = Understood(None, 0.3, False, "low_confidence", ("volunteer_allowance",))
    with runtime.session_factory() as session:
        asked = questions.ask(
            session,
            CHATS[name],
            "Mag ik geld krijgen?",
            guess,
            runtime.clock.now(),
            runtime.answers,
        )
    with runtime.session_factory() as session:
        return session.get(Question, asked.question_id).alert_id


def language_of(runtime, name: str) -> str:
    with runtime.session_factory() as session:
        return session.scalars(
            select(Participant.language).where(Participant.display_name == name)
        ).one()


def said_in_dutch(reason: str) -> str:
    with use_locale("nl"):
        return explain(Refused(reason))


def sent_to(runtime, name: str) -> list[Outbox]:
    with runtime.session_factory() as session:
        return list(
            session.scalars(select(Outbox).where(Outbox.chat_id == CHATS[name]).order_by(Outbox.id))
        )


def test_a_question_is_answered_from_the_board_in_the_coachs_words_once(client, runtime):
    alert_id = ask_question(runtime, "Amina")
    csrf = log_in(client, runtime)
    board = client.get("/")
    assert f'action="/alerts/{alert_id}/answer"' in board.text
    before = len(sent_to(runtime, "Amina"))
    empty = client.post(
        f"/alerts/{alert_id}/answer",
        data={"words": "  ", "csrf": csrf},
        headers={**ORIGIN, "hx-request": "true"},
    )
    assert said_in_dutch("empty") in empty.text and len(sent_to(runtime, "Amina")) == before
    said = client.post(
        f"/alerts/{alert_id}/answer",
        data={"words": "Ja, tot 210 euro per maand.", "csrf": csrf},
        headers={**ORIGIN, "hx-request": "true"},
    )
    assert "Amina" in said.text
    messages = sent_to(runtime, "Amina")[before:]
    assert len(messages) == 1 and "Ja, tot 210 euro per maand." in messages[0].text
    assert messages[0].language == language_of(runtime, "Amina")  # the frame is in hers
    again = client.post(
        f"/alerts/{alert_id}/answer",
        data={"words": "Ja, tot 210 euro per maand.", "csrf": csrf},
        headers={**ORIGIN, "hx-request": "true"},
    )
    assert said_in_dutch("alert_closed") in again.text
    assert len(sent_to(runtime, "Amina")) == before + 1  # a second click sends nothing
    with runtime.session_factory() as session:
        question = session.scalars(select(Question).where(Question.alert_id == alert_id)).one()
        assert question.answered_by == "coach_words"


def test_a_question_gets_one_of_the_organisations_answers_in_the_participants_language(
    client, runtime
):
    alert_id = ask_question(runtime, "Yonas")
    csrf = log_in(client, runtime)
    board = client.get("/")
    assert 'name="topic"' in board.text and 'value="volunteer_allowance"' in board.text
    before = len(sent_to(runtime, "Yonas"))
    client.post(
        f"/alerts/{alert_id}/answer",
        data={"topic": "volunteer_allowance", "csrf": csrf},
        headers={**ORIGIN, "hx-request": "true"},
    )
    messages = sent_to(runtime, "Yonas")[before:]
    assert messages and {m.language for m in messages} == {language_of(runtime, "Yonas")}
    unknown = client.post(
        f"/alerts/{ask_question(runtime, 'Yonas')}/answer",
        data={"topic": "made_up", "csrf": csrf},
        headers={**ORIGIN, "hx-request": "true"},
    )
    assert said_in_dutch("unknown_topic") in unknown.text
    assert len(sent_to(runtime, "Yonas")) == before + len(messages)


def test_another_coach_cannot_answer_a_question_of_mine(client, runtime):
    alert_id = ask_question(runtime, "Amina")
    csrf = log_in(client, runtime, OTHER_COACH_CHAT)
    before = len(sent_to(runtime, "Amina"))
    answer = client.post(
        f"/alerts/{alert_id}/answer", data={"words": "Hallo", "csrf": csrf}, headers=ORIGIN
    )
    assert answer.status_code == 404 and "Amina" not in answer.text
    assert len(sent_to(runtime, "Amina")) == before
    forged = client.post(f"/alerts/{alert_id}/answer", data={"words": "Hallo"}, headers=ORIGIN)
    assert forged.status_code == 403


def test_another_coachs_participant_looks_like_nobody(client, runtime, people):
    log_in(client, runtime, OTHER_COACH_CHAT)  # Kees has no participants
    page = client.get(f"/participants/{people['Yonas']}")
    assert page.status_code == 404 and "Yonas" not in page.text
    assert "Yonas" not in client.get("/participants").text
    assert "Yonas" not in client.get("/participants.csv").text
    alert_id = open_alert(runtime, "Yonas")
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/").text).group(1)
    client.post(f"/alerts/{alert_id}/act", data={"action": "resolve", "csrf": csrf}, headers=ORIGIN)
    with runtime.db.read() as session:
        assert session.get(Alert, alert_id).state == AlertState.OPEN


def test_an_admin_of_another_organisation_sees_nobody_of_ours(client, runtime, people):
    log_in(client, runtime, STRANGER_CHAT)
    assert client.get(f"/participants/{people['Amina']}").status_code == 404
    assert "Amina" not in client.get("/participants").text


def test_the_participant_page_shows_own_answers_beside_the_coachs_and_is_audited(
    client, runtime, people
):
    with runtime.db.write() as session:
        for days_ago, level, source in ((14, 2, "self"), (7, 3, "self"), (7, 4, "coach")):
            session.add(
                Signal(
                    organisation_id=session.get(Participant, people["Yonas"]).organisation_id,
                    participant_id=people["Yonas"],
                    domain="financien",
                    level=level,
                    source=source,
                    question="q",
                    checkin=f"run{days_ago}",
                    at=runtime.clock.now() - timedelta(days=days_ago),
                )
            )
    log_in(client, runtime)
    page = client.get(f"/participants/{people['Yonas']}").text
    with use_locale("nl"):
        own = _(
            "These are the participant's own answers, not an official ZRM score. "
            "Your scores are shown beside them."
        )
        viewed = _("Who looked at this data")
    assert own.replace("'", "&#39;") in page
    svg = page[page.index('<svg role="img"') : page.index("</svg>")]
    assert svg.count("<circle") == 2 and svg.count("<rect") == 1 and "<text" in svg
    with use_locale("nl"):
        assert _(DOMAIN_NAMES["financien"]) in svg
    with runtime.db.read() as session:
        actions = set(
            session.scalars(
                select(AuditEvent.action).where(AuditEvent.participant_id == people["Yonas"])
            )
        )
    assert {"participant_viewed", "signals_viewed"} <= actions
    assert viewed in page and "Sanne de Vries" in page.split(viewed)[1]


def test_the_caseload_csv_opens_safely_in_a_spreadsheet(client, runtime, people):
    with runtime.db.write() as session:
        session.get(Participant, people["Rami"]).display_name = '=HYPERLINK("http://x")'
    log_in(client, runtime)
    answer = client.get("/participants.csv")
    body = answer.content.decode("utf-8")
    assert body.startswith("\ufeff") and ";" in body.splitlines()[0]
    assert "'=HYPERLINK" in body and "\n=HYPERLINK" not in body
    with runtime.db.read() as session:
        exported = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "caseload_exported")
        ).all()
    assert len(exported) == 4


def test_unknown_weeks_never_look_absent(client, runtime):
    log_in(client, runtime)
    table = client.get("/participants").text
    assert 'class="week unknown"' in table and 'class="week missed"' not in table


def test_the_report_is_for_admins(client, runtime):
    log_in(client, runtime)  # a coach
    assert client.get("/report").status_code == 403
    log_in(client, runtime, ADMIN_CHAT)
    page = client.get("/report")
    assert page.status_code == 200 and "<svg" in page.text
    pdf = client.get("/report.pdf")
    assert pdf.content.startswith(b"%PDF")
    csv = client.get("/report.csv").content.decode("utf-8")
    assert csv.startswith("\ufeff")


def test_arabic_staff_read_right_to_left(client, runtime):
    csrf = log_in(client, runtime)
    client.post("/language", data={"language": "ar", "csrf": csrf}, headers=ORIGIN)
    page = client.get("/").text
    assert '<html lang="ar" dir="rtl">' in page


def test_bad_input_gets_a_kind_page(client, runtime):
    log_in(client, runtime)
    for path in ("/participants/abc", "/participants/999999", "/participants?sort=%00&phase=x"):
        answer = client.get(path)
        assert answer.status_code in (200, 404) and "Traceback" not in answer.text


def test_htmx_is_served_from_our_own_files_at_the_pinned_version():
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    pinned = json.loads((root / "package.json").read_text())["dependencies"]["htmx.org"]
    vendored = (root / "bot" / "web" / "static" / "htmx.min.js").read_text(encoding="utf-8")
    assert f'version:"{pinned}"' in vendored  # `make vendor` after changing package.json
    installed = root / "node_modules" / "htmx.org" / "dist" / "htmx.min.js"
    if installed.exists():
        assert installed.read_text(encoding="utf-8") == vendored


def every_route() -> list[tuple[str, str]]:
    """(method, path) of every page and action of the app, ids filled in with 1: a new route
    is checked below without anyone remembering to add it."""
    from bot.runtime import Runtime

    found: list[tuple[str, str]] = []

    def walk(routes) -> None:
        for route in routes:
            if hasattr(route, "original_router"):
                walk(route.original_router.routes)
            elif hasattr(route, "methods") and route.methods:
                path = re.sub(r"\{[^}]+\}", "1", route.path)
                found.extend((method, path) for method in sorted(route.methods - {"HEAD"}))

    walk(create_app(Runtime.__new__(Runtime)).routes)
    return found


def test_every_route_wants_a_login_and_admin_routes_an_admin(client, runtime):
    routes = every_route()
    assert len(routes) >= 30  # the enumeration finds them
    open_to_all = {"/login/1"}
    for method, path in routes:
        if path in open_to_all:
            continue
        answer = client.request(method, path, headers=ORIGIN, follow_redirects=False)
        assert answer.status_code == 401, (method, path, answer.status_code)
    csrf = log_in(client, runtime)  # a coach
    with runtime.session_factory() as session:
        before = session.scalar(select(func.count()).select_from(AuditEvent))
        rows = session.scalar(select(func.count()).select_from(Outbox))
    for method, path in routes:
        if not path.startswith(("/admin", "/report")):
            continue
        answer = client.request(
            method, path, data={"csrf": csrf}, headers=ORIGIN, follow_redirects=False
        )
        assert answer.status_code == 403, (method, path, answer.status_code)
    with runtime.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Outbox)) == rows
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == before


def test_the_participant_page_says_when_the_bot_asked_if_they_are_safe(client, runtime, people):
    """Not "waiting for the coach", nor "answered by the coach": the bot asked, and they did
    or did not tap an answer."""
    now = runtime.clock.now()
    assert safety.asked_if_safe(runtime.db, CHATS["Yonas"], "alles is zwart", 0.6, now)
    log_in(client, runtime)
    with use_locale("nl"):
        silent = _("I asked if they are safe; no answer")
        waiting = _("waiting for the coach")
    page = client.get(f"/participants/{people['Yonas']}").text
    assert "alles is zwart" in page and silent in page and waiting not in page
    assert safety.answered_if_safe(runtime.db, CHATS["Yonas"], now) == 1
    page = client.get(f"/participants/{people['Yonas']}").text
    assert silent not in page
    with use_locale("nl"):
        assert _("I asked if they are safe; they tapped an answer on {when}").split("{")[0] in page
