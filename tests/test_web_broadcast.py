"""The admin's web pages over HTTP: a broadcast written, previewed, scheduled and followed (the
outbox gets one row per person, in their language, once it is due); refusals next to the field;
cancel and stop; the organisation overview against known figures; the audit trail with its
filters, pages and CSV; a coach refused, another organisation's broadcast nobody's, and every
POST from our own pages only."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.i18n import _, language_name, ngettext, use_locale
from bot.refusals import REFUSALS
from bot.services import audit
from bot.services.messaging import broadcast_commands, delivery
from bot.services.messaging.broadcasts import Draft
from bot.services.organisations.overview import overview
from storage.models import (
    Alert,
    AlertState,
    AuditEvent,
    Broadcast,
    BroadcastState,
    Group,
    Organisation,
    Outbox,
    OutboxKind,
    OutboxState,
    Participant,
    Phase,
    StaffMember,
)
from tests import test_web
from tests.helpers.people import ADMIN_CHAT, CHATS, COACH_CHAT, STRANGER_CHAT
from tests.test_web import ORIGIN, log_in

client = test_web.client  # the same fixture: a TestClient on the app, with the demo people


def said(msgid: str, **values: object) -> str:
    """A text as the Dutch-speaking admin reads it, escaped as the page writes it."""
    with use_locale("nl"):
        return _(msgid, **values).replace("'", "&#39;")


def groups(runtime) -> dict[str, int]:
    with runtime.db.read() as session:
        return {g.name: g.id for g in session.scalars(select(Group))}


def start_due(runtime) -> list[int]:
    settings = runtime.settings
    return delivery.start_due_broadcasts(
        runtime.db, runtime.clock.now(), settings.zone, settings.quiet
    )


def outbox_rows(runtime) -> dict[int, Outbox]:
    with runtime.db.read() as session:
        return {row.chat_id: row for row in session.scalars(select(Outbox))}


def noord_draft(runtime, csrf: str, **extra: str) -> dict[str, object]:
    return {
        "csrf": csrf,
        "group": [str(groups(runtime)["Groep Noord"])],
        "text_nl": "Morgen is het atelier dicht.",
        "text_ar": "الورشة مغلقة غدًا.",
        "ack": "1",
        **extra,
    }


def made(runtime, org_slug: str = "demo", text: str = "Hallo allemaal", **extra) -> int:
    with runtime.db.read() as session:
        org = session.scalars(select(Organisation).where(Organisation.slug == org_slug)).one()
    draft = Draft(organisation_id=org.id, texts={"nl": text}, everyone=True, **extra)
    return broadcast_commands.create(runtime.db, draft, runtime.clock.now()).broadcast_id


def state_of(runtime, broadcast_id: int) -> BroadcastState:
    with runtime.db.read() as session:
        return session.get(Broadcast, broadcast_id).state


# Broadcasts


def test_an_admin_writes_previews_and_schedules_a_broadcast_that_the_outbox_sends(
    client, runtime, people
):
    csrf = log_in(client, runtime, ADMIN_CHAT)
    form = client.get("/admin/broadcasts/new")
    assert form.status_code == 200 and "Groep Noord" in form.text
    assert 'hx-get="/admin/broadcasts/audience"' in form.text and 'name="csrf"' in form.text
    languages = client.get(f"/admin/broadcasts/audience?group={groups(runtime)['Groep Noord']}")
    assert language_name("ti") in languages.text and language_name("ar") in languages.text
    assert language_name("so") not in languages.text  # Amina is in Zuid

    preview = client.post(
        "/admin/broadcasts/preview", data=noord_draft(runtime, csrf), headers=ORIGIN
    )
    assert preview.status_code == 200
    page = preview.text
    assert "الورشة مغلقة غدًا." in page and 'lang="ar"' in page and 'dir="auto"' in page
    with use_locale("ti"):  # Yonas reads Tigrinya: the Dutch text under a note, and 👍
        button = _("👍 Understood")
    assert button in page
    assert said("No text in this language: they get the Dutch text, with a note.") in page
    with use_locale("nl"):
        assert ngettext("It goes to {n} person.", "It goes to {n} people.", 2) in page
    assert outbox_rows(runtime) == {}  # a preview stores nothing

    tomorrow = (runtime.clock.now() + timedelta(days=1)).date().isoformat()
    answer = client.post(
        "/admin/broadcasts",
        data=noord_draft(runtime, csrf, when="later", day=tomorrow, hour="09:30"),
        headers=ORIGIN,
        follow_redirects=False,
    )
    assert answer.status_code == 303
    broadcast_id = int(answer.headers["location"].rsplit("/", 1)[1])
    assert state_of(runtime, broadcast_id) == BroadcastState.SCHEDULED
    assert start_due(runtime) == [] and outbox_rows(runtime) == {}  # not due yet
    report = client.get(f"/admin/broadcasts/{broadcast_id}").text
    assert said("Scheduled") in report and "Morgen is het atelier dicht." in report
    trail = client.get("/admin/audit?kind=broadcast_created").text.split("<tbody>")[1]
    assert "Ans" in trail and said("Wrote a broadcast") in trail

    runtime.clock.advance(days=1)  # 10:00 UTC: past 09:30 in Amsterdam
    assert start_due(runtime) == [broadcast_id]
    assert start_due(runtime) == []  # nothing twice
    rows = outbox_rows(runtime)
    assert set(rows) == {CHATS["Yonas"], CHATS["Rami"]}
    assert rows[CHATS["Rami"]].language == "ar" and rows[CHATS["Rami"]].text == "الورشة مغلقة غدًا."
    assert rows[CHATS["Yonas"]].language == "ti"
    assert rows[CHATS["Yonas"]].text.endswith("\n\nMorgen is het atelier dicht.")
    assert rows[CHATS["Yonas"]].buttons[0][0]["text"] == button
    assert all(row.kind == OutboxKind.BROADCAST for row in rows.values())
    log_in(client, runtime, ADMIN_CHAT)  # a day later: a new session
    listed = client.get("/admin/broadcasts").text
    assert f'href="/admin/broadcasts/{broadcast_id}"' in listed


def test_the_draft_comes_back_to_the_form_unchanged(client, runtime, people):
    csrf = log_in(client, runtime, ADMIN_CHAT)
    back = client.post("/admin/broadcasts/new", data=noord_draft(runtime, csrf), headers=ORIGIN)
    assert back.status_code == 200
    assert "Morgen is het atelier dicht.</textarea>" in back.text
    assert f'value="{groups(runtime)["Groep Noord"]}" checked' in back.text


@pytest.mark.parametrize(
    ("change", "reason", "field"),
    [
        ({"text_nl": "   "}, "empty", "text-nl"),
        ({"text_ar": "x" * 3801}, "too_long", "text-ar"),
        ({"group": []}, "no_group", "audience"),
        ({"group": ["999999"]}, "unknown_group", "audience"),
        ({"group": ["abc"]}, "unknown_group", "audience"),
    ],
)
def test_a_bad_draft_is_refused_next_to_its_field(client, runtime, people, change, reason, field):
    csrf = log_in(client, runtime, ADMIN_CHAT)
    answer = client.post(
        "/admin/broadcasts/preview", data={**noord_draft(runtime, csrf), **change}, headers=ORIGIN
    )
    assert answer.status_code == 400
    assert f'id="{field}-error" role="alert"' in answer.text
    assert f'aria-describedby="{field}-error"' in answer.text
    with use_locale("nl"):
        first_words = _(REFUSALS[reason], language="", length=0, limit=0).split()[0]
    assert first_words in answer.text
    with runtime.db.read() as session:
        assert session.scalars(select(Broadcast)).all() == []


@pytest.mark.parametrize(
    ("day", "hour", "reason"),
    [
        ("2026-11-22", "09:00", "in_the_past"),
        ("2026-11-23", "10:59", "in_the_past"),
        ("morgen", "9 uur", "bad_when"),
        ("", "", "bad_when"),
    ],
)
def test_a_time_in_the_past_or_no_time_is_refused(client, runtime, people, day, hour, reason):
    csrf = log_in(client, runtime, ADMIN_CHAT)  # it is 11:00 in Amsterdam
    answer = client.post(
        "/admin/broadcasts",
        data=noord_draft(runtime, csrf, when="later", day=day, hour=hour),
        headers=ORIGIN,
        follow_redirects=False,
    )
    assert answer.status_code == 400
    assert 'id="when-error" role="alert"' in answer.text
    with use_locale("nl"):
        assert _(REFUSALS[reason]).replace("'", "&#39;") in answer.text
    assert "الورشة مغلقة غدًا." in answer.text  # the preview stays, with what was written
    with runtime.db.read() as session:
        assert session.scalars(select(Broadcast)).all() == []


def test_a_scheduled_broadcast_is_cancelled_and_a_running_one_stopped(client, runtime, people):
    csrf = log_in(client, runtime, ADMIN_CHAT)
    later = made(runtime, scheduled_for=runtime.clock.now() + timedelta(days=2))
    answer = client.post(
        f"/admin/broadcasts/{later}/end",
        data={"csrf": csrf},
        headers=ORIGIN,
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert state_of(runtime, later) == BroadcastState.CANCELLED
    runtime.clock.advance(days=3)
    assert later not in start_due(runtime)
    csrf = log_in(client, runtime, ADMIN_CHAT)  # days later: a new session

    running = made(runtime)
    start_due(runtime)
    fragment = client.post(
        f"/admin/broadcasts/{running}/end",
        headers={**ORIGIN, "hx-request": "true", "x-csrf-token": csrf},
    )
    assert fragment.status_code == 200 and fragment.text.startswith('<section id="report"')
    assert said("Stopped") in fragment.text and "hx-trigger" not in fragment.text
    assert state_of(runtime, running) == BroadcastState.STOPPED
    with runtime.db.read() as session:
        states = set(session.scalars(select(Outbox.state).where(Outbox.broadcast_id == running)))
    assert states == {OutboxState.CANCELLED}
    again = client.post(f"/admin/broadcasts/{running}/end", data={"csrf": csrf}, headers=ORIGIN)
    assert again.status_code == 409 and said(REFUSALS["already_over"]) in again.text
    in_place = client.post(
        f"/admin/broadcasts/{running}/end",
        headers={**ORIGIN, "hx-request": "true", "x-csrf-token": csrf},
    )
    assert in_place.text.startswith('<section id="report"') and 'role="alert"' in in_place.text
    with runtime.db.read() as session:  # who cancelled and who stopped is in the trail
        ans = session.scalars(select(StaffMember.id).where(StaffMember.chat_id == ADMIN_CHAT)).one()
        ended = session.execute(
            select(AuditEvent.action, AuditEvent.staff_id, AuditEvent.detail)
            .where(AuditEvent.action.in_(("broadcast_cancelled", "broadcast_stopped")))
            .order_by(AuditEvent.id)
        ).all()
    assert [(action, who, d["broadcast"]) for action, who, d in ended] == [
        ("broadcast_cancelled", ans, later),
        ("broadcast_stopped", ans, running),
    ]
    trail = client.get("/admin/audit").text
    assert said("Stopped a broadcast while it was being sent") in trail


def test_confirming_twice_makes_one_broadcast(client, runtime, people):
    csrf = log_in(client, runtime, ADMIN_CHAT)
    preview = client.post(
        "/admin/broadcasts/preview", data=noord_draft(runtime, csrf), headers=ORIGIN
    ).text
    once = re.search(r'name="once" value="([^"]+)"', preview).group(1)
    places = {
        client.post(
            "/admin/broadcasts",
            data=noord_draft(runtime, csrf, once=once),
            headers=ORIGIN,
            follow_redirects=False,
        ).headers["location"]
        for _click in range(2)
    }
    assert len(places) == 1  # a double click, a reload: the same broadcast
    with runtime.db.read() as session:
        assert len(session.scalars(select(Broadcast)).all()) == 1
    assert start_due(runtime) and len(outbox_rows(runtime)) == 2


def test_the_report_counts_per_language_and_refreshes_while_sending(client, runtime, people):
    log_in(client, runtime, ADMIN_CHAT)
    broadcast_id = made(runtime, with_ack=True)
    start_due(runtime)
    page = client.get(f"/admin/broadcasts/{broadcast_id}").text
    assert 'hx-trigger="every 10s"' in page and "<script>" not in page
    with runtime.db.write() as session:
        for row in session.scalars(select(Outbox).where(Outbox.broadcast_id == broadcast_id)):
            row.state = OutboxState.SENT
            if row.chat_id == CHATS["Rami"]:
                row.acked_at = runtime.clock.now()
            if row.chat_id == CHATS["Amina"]:
                row.state = OutboxState.BLOCKED
    part = client.get(f"/admin/broadcasts/{broadcast_id}/report").text
    assert part.startswith('<section id="report"') and "hx-trigger" not in part  # done: no poll
    assert said("Sent") in part
    arabic = part[part.index(language_name("ar")) :].split("</tr>")[0]
    cells = re.findall(r'<td class="number">([^<]*)</td>', arabic)
    assert cells == ["1", "0", "1", "1", "0", "0", "0", "1"]  # messages … understood
    somali = part[part.index(language_name("so")) :].split("</tr>")[0]
    assert re.findall(r'<td class="number">([^<]*)</td>', somali)[:7] == [
        "1",
        "0",
        "1",
        "0",
        "0",
        "1",
        "0",
    ]


def test_another_organisations_broadcast_is_nobodys(client, runtime, people):
    secret = made(runtime, "elders", text="Geheim bericht van Elders")
    csrf = log_in(client, runtime, ADMIN_CHAT)
    for path in (f"/admin/broadcasts/{secret}", f"/admin/broadcasts/{secret}/report"):
        answer = client.get(path)
        assert answer.status_code == 404 and "Geheim" not in answer.text
    assert "Geheim" not in client.get("/admin/broadcasts").text
    answer = client.post(f"/admin/broadcasts/{secret}/end", data={"csrf": csrf}, headers=ORIGIN)
    assert answer.status_code == 404 and "Geheim" not in answer.text
    assert state_of(runtime, secret) == BroadcastState.SCHEDULED
    assert client.get("/admin/broadcasts/abc").status_code == 404


def test_a_coach_gets_none_of_the_admin_pages(client, runtime, people):
    csrf = log_in(client, runtime, COACH_CHAT)
    for path in (
        "/admin",
        "/admin/broadcasts",
        "/admin/broadcasts/new",
        "/admin/audit",
        "/admin/audit.csv",
        "/admin/broadcasts/audience?everyone=1",
    ):
        answer = client.get(path)
        assert answer.status_code == 403, path
        assert said("Only an admin of your organisation can open this page.") in answer.text
    assert "/admin/broadcasts" not in client.get("/").text  # not in the coach's menu
    tomorrow = (runtime.clock.now() + timedelta(days=1)).date().isoformat()
    posted = client.post(
        "/admin/broadcasts",
        data=noord_draft(runtime, csrf, when="later", day=tomorrow, hour="09:00"),
        headers=ORIGIN,
    )
    assert posted.status_code == 403
    with runtime.db.read() as session:
        assert session.scalars(select(Broadcast)).all() == []


def test_every_post_must_come_from_our_own_pages(client, runtime, people):
    csrf = log_in(client, runtime, ADMIN_CHAT)
    scheduled = made(runtime, scheduled_for=runtime.clock.now() + timedelta(days=1))
    posts = [
        ("/admin/broadcasts/new", noord_draft(runtime, csrf)),
        ("/admin/broadcasts/preview", noord_draft(runtime, csrf)),
        ("/admin/broadcasts", noord_draft(runtime, csrf)),
        (f"/admin/broadcasts/{scheduled}/end", {"csrf": csrf}),
    ]
    for url, data in posts:
        without = {k: v for k, v in data.items() if k != "csrf"}
        for body, headers in (
            (data, {"origin": "https://evil.example"}),
            (data, {}),
            (without, ORIGIN),
            ({**data, "csrf": "wrong"}, ORIGIN),
        ):
            assert client.post(url, data=body, headers=headers).status_code == 403, url
    with runtime.db.read() as session:
        assert len(session.scalars(select(Broadcast)).all()) == 1
    assert state_of(runtime, scheduled) == BroadcastState.SCHEDULED


# The overview


def known_figures(runtime, people) -> None:
    """Fatima moves up; five alerts for Sanne (1, 2, 3 and 10 hours to act, one waiting), one
    too old to count; a broadcast: 2 delivered, 1 blocked, 1 👍."""
    now = runtime.clock.now()
    with runtime.db.write() as session:
        sanne = session.scalars(select(StaffMember).where(StaffMember.name == "Sanne de Vries"))
        coach = sanne.one()
        session.get(Participant, people["Fatima"]).phase = Phase.VRIJWILLIGER
        org = coach.organisation_id
        for days_ago, hours in ((5, 1), (6, 2), (7, 3), (8, 10), (2, None), (100, 50)):
            created = now - timedelta(days=days_ago)
            session.add(
                Alert(
                    organisation_id=org,
                    participant_id=people["Yonas"],
                    coach_id=coach.id,
                    kind="disengaged",
                    state=AlertState.OPEN if hours is None else AlertState.RESOLVED,
                    created_at=created,
                    acknowledged_at=None if hours is None else created + timedelta(hours=hours),
                    closed_at=None if hours is None else created + timedelta(hours=hours),
                )
            )
    broadcast_id = made(runtime, with_ack=True)
    start_due(runtime)
    with runtime.db.write() as session:
        for row in session.scalars(select(Outbox).where(Outbox.broadcast_id == broadcast_id)):
            if row.chat_id in (CHATS["Rami"], CHATS["Yonas"]):
                row.state = OutboxState.SENT
            if row.chat_id == CHATS["Rami"]:
                row.acked_at = now
            if row.chat_id == CHATS["Amina"]:
                row.state = OutboxState.BLOCKED


def test_the_overview_figures_of_a_known_organisation(client, runtime, people):
    known_figures(runtime, people)
    with runtime.db.read() as session:
        org = session.scalars(select(Organisation).where(Organisation.slug == "demo")).one().id
    found = overview(runtime.db, org, runtime.clock.now())
    assert found.participants == 4
    assert found.phases == [("activering", 3), ("vrijwilliger", 1)]
    assert sorted(found.locations) == [("Wijkatelier Noord", 2), ("Wijkatelier Zuid", 2)]
    assert sorted(found.languages) == [("ar", 1), ("nl", 1), ("so", 1), ("ti", 1)]
    reach = {r.language: (r.sent, r.delivered, r.acknowledged) for r in found.reach}
    assert reach == {"ar": (1, 1, 1), "ti": (1, 1, 0), "so": (1, 0, 0), "nl": (0, 0, 0)}
    [sanne] = found.responses
    assert (sanne.coach, sanne.alerts, sanne.acted, sanne.waiting) == ("Sanne de Vries", 5, 4, 1)
    assert sanne.median_hours == 2.5  # (2 + 3) / 2
    assert sanne.slowest_hours == 10.0  # nearest rank: the 4th of 4

    log_in(client, runtime, ADMIN_CHAT)
    page = client.get("/admin").text
    with use_locale("nl"):
        assert ngettext("{n} participant now.", "{n} participants now.", 4) in page
    assert "Wijkatelier Noord" in page and "<svg" in page and 'role="img"' in page
    row = page[page.index("Sanne de Vries") :].split("</tr>")[0]
    assert re.findall(r'<td class="number">([^<]*)</td>', row) == ["5", "4", "2,5", "10", "1"]


def test_the_overview_of_an_organisation_without_anything(client, runtime, people):
    log_in(client, runtime, STRANGER_CHAT)  # Vreemd, admin of an empty organisation
    page = client.get("/admin")
    assert page.status_code == 200
    assert said("No alerts in this period.") in page.text and "Yonas" not in page.text


# The audit trail


def viewed(runtime, people, n: int, name: str = "Yonas", by: str = "Sanne de Vries") -> None:
    with runtime.db.write() as session:
        staff = session.scalars(select(StaffMember).where(StaffMember.name == by)).one()
        for i in range(n):
            audit.record(
                session,
                runtime.clock.now() - timedelta(minutes=n - i),
                "participant_viewed",
                participant_id=people[name],
                staff_id=staff.id,
                actor="staff",
            )


def test_the_audit_trail_in_plain_words_paged_and_filtered(client, runtime, people):
    viewed(runtime, people, 150)
    viewed(runtime, people, 3, name="Amina", by="Kees")
    log_in(client, runtime, ADMIN_CHAT)
    first = client.get("/admin/audit")
    assert first.status_code == 200
    body = first.text.split("<tbody>")[1]
    assert body.count("<tr>") == 100
    assert said("Looked at the participant's page") in body and "participant_viewed" not in body
    assert said("Logged in to the web app") in body  # Ans's own login, newest first
    assert 'rel="next"' in first.text and 'rel="prev"' not in first.text
    assert re.search(r"\b2026\b", body)  # a full date, with the year
    second = client.get("/admin/audit?page=2").text
    assert 'rel="prev"' in second and second.split("<tbody>")[1].count("<tr>") > 50

    with runtime.db.read() as session:
        kees = session.scalars(select(StaffMember).where(StaffMember.name == "Kees")).one().id
    by_kees = client.get(f"/admin/audit?staff={kees}").text.split("<tbody>")[1]
    assert by_kees.count("<tr>") == 3 and "Amina" in by_kees and "Yonas" not in by_kees
    about_amina = client.get(f"/admin/audit?participant={people['Amina']}").text
    assert about_amina.split("<tbody>")[1].count("<tr>") == 3
    by_name = client.get("/admin/audit?participant=Amina").text
    assert by_name.split("<tbody>")[1].count("<tr>") == 3
    logins = client.get("/admin/audit?kind=web_login").text.split("<tbody>")[1]
    assert "Yonas" not in logins and said("Logged in to the web app") in logins
    nobody = client.get("/admin/audit?participant=Niemand")
    assert 'id="participant-error" role="alert"' in nobody.text
    for odd in ("?page=0", "?page=abc", "?staff=abc&kind=nonsense", "?page=99999"):
        assert client.get(f"/admin/audit{odd}").status_code == 200

    with runtime.db.read() as session:
        looked = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "audit_viewed")
        ).all()
    assert len(looked) >= 9 and all(event.actor == "staff" for event in looked)


def test_the_audit_trail_shows_no_other_organisation(client, runtime, people):
    viewed(runtime, people, 2)
    log_in(client, runtime, STRANGER_CHAT)  # Vreemd, admin elsewhere
    page = client.get("/admin/audit").text
    assert "Yonas" not in page and "Sanne de Vries" not in page
    assert "Yonas" not in client.get(f"/admin/audit?participant={people['Yonas']}").text


def test_the_audit_csv_is_safe_and_audited(client, runtime, people):
    with runtime.db.write() as session:
        session.get(Participant, people["Rami"]).display_name = '=HYPERLINK("http://x")'
    viewed(runtime, people, 2, name="Rami")
    log_in(client, runtime, ADMIN_CHAT)
    answer = client.get(f"/admin/audit.csv?participant={people['Rami']}")
    body = answer.content.decode("utf-8")
    assert answer.headers["content-type"].startswith("text/csv")
    assert body.startswith("\ufeff") and ";" in body.splitlines()[0]
    assert "'=HYPERLINK" in body and ";=HYPERLINK" not in body
    with use_locale("nl"):
        assert _("Looked at the participant's page") in body
    assert len(body.strip().splitlines()) == 3  # the header and two lines
    with runtime.db.read() as session:
        exported = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "audit_exported")
        ).all()
    assert len(exported) == 1 and exported[0].detail == {"participant": str(people["Rami"])}
