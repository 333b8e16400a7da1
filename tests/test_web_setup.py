"""The organisation's set-up pages over HTTP: only an admin of the organisation opens them,
every POST must come from our own pages, another organisation's staff and locations look like
nobody, and each wrong value is refused next to its field by the same rule as the command line
(and changes nothing)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from bot.i18n import use_locale
from bot.refusals import explain
from bot.services.errors import Refused
from bot.services.organisations import setup
from storage.models import AuditEvent, Location, StaffMember, StaffRole
from tests import test_web
from tests.helpers.people import ADMIN_CHAT, COACH_CHAT, OTHER_COACH_CHAT
from tests.test_web import ORIGIN, log_in

client = test_web.client  # the fixture: a browser on the app, the demo people and colleagues

PAGES = (
    "/admin/staff",
    "/admin/locations",
    "/admin/groups",
    "/admin/programmes",
    "/admin/settings",
)


def said(reason: str, **details: object) -> str:
    """A refusal's sentence as a Dutch-speaking admin reads it in the page's HTML."""
    with use_locale("nl"):
        return explain(Refused(reason, **details)).replace("'", "&#39;")


def staff_id(runtime, name: str) -> int:
    with runtime.db.read() as session:
        return session.scalars(select(StaffMember.id).where(StaffMember.name == name)).one()


def role_of(runtime, name: str) -> StaffRole:
    with runtime.db.read() as session:
        return session.scalars(select(StaffMember.role).where(StaffMember.name == name)).one()


def post(client: TestClient, url: str, csrf: str, **data: str) -> object:
    return client.post(url, data={"csrf": csrf, **data}, headers=ORIGIN, follow_redirects=False)


def test_each_page_opens_for_an_admin_with_the_menu_item(client, runtime):
    log_in(client, runtime, ADMIN_CHAT)
    for path in PAGES:
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert '<a href="/admin/staff" aria-current="true">' in answer.text  # "Organisation"
        assert f'<a href="{path}" aria-current="page">' in answer.text  # the sub-navigation
        assert " style=" not in answer.text and "<script>" not in answer.text
    assert 'href="/admin/staff"' in client.get("/admin").text  # the overview links here too
    staff = client.get("/admin/staff").text
    assert "Sanne de Vries" in staff and "Vreemd" not in staff  # only our organisation
    assert "dinsdag en donderdag" in client.get("/admin/locations").text  # demo


def test_the_command_line_keeps_the_same_last_admin_rule(runtime, people, colleagues):
    now = runtime.clock.now()
    assert setup.set_role(runtime.db, "demo", "Noor Jansen", False, now) == "Noor Jansen"
    with pytest.raises(Refused) as refused:
        setup.set_role(runtime.db, "demo", "Ans", False, now)
    assert refused.value.reason == "last_admin"
    with pytest.raises(Refused) as refused:
        setup.remove_staff(runtime.db, "demo", "Ans", now)
    assert refused.value.reason == "last_admin"


def test_a_coach_gets_the_only_an_admin_page_and_changes_nothing(client, runtime):
    csrf = log_in(client, runtime, COACH_CHAT)
    assert "/admin/staff" not in client.get("/").text  # no menu item
    for path in PAGES:
        assert client.get(path).status_code == 403
    answer = post(client, "/admin/staff", csrf, name="Indringer", admin="1")
    assert answer.status_code == 403
    assert post(client, "/admin/settings/timezone", csrf, value="UTC").status_code == 403
    with runtime.db.read() as session:
        found = session.scalars(select(StaffMember).where(StaffMember.name == "Indringer"))
        assert found.all() == []
    assert setup.show_settings(runtime.db, "demo")["timezone"] == "Europe/Amsterdam"


def test_another_organisations_staff_and_location_look_like_nobody(client, runtime):
    setup.add_location(runtime.db, "elders", "Geheim", "", "", "", runtime.clock.now())
    with runtime.db.read() as session:
        secret = session.scalars(select(Location.id).where(Location.name == "Geheim")).one()
    stranger = staff_id(runtime, "Vreemd")
    csrf = log_in(client, runtime, ADMIN_CHAT)
    tries = [
        client.get(f"/admin/staff/{stranger}/remove"),
        post(client, f"/admin/staff/{stranger}/remove", csrf),
        post(client, f"/admin/staff/{stranger}/role", csrf, role="coach"),
        client.get(f"/admin/locations/{secret}"),
        post(client, f"/admin/locations/{secret}", csrf, opening="2026-12-01 09:30 weekly:mo"),
        client.get("/admin/staff/999999/remove"),
    ]
    for answer in tries:
        assert answer.status_code == 404
        assert "Vreemd" not in answer.text and "Geheim" not in answer.text
    assert "Geheim" not in client.get("/admin/locations").text
    assert role_of(runtime, "Vreemd") == StaffRole.ADMIN
    with runtime.db.read() as session:
        assert session.get(Location, secret).opening_rrule is None
        assert session.get(StaffMember, stranger).removed_at is None


def test_every_post_needs_our_origin_and_the_sessions_token(client, runtime):
    kees = staff_id(runtime, "Kees")
    csrf = log_in(client, runtime, ADMIN_CHAT)
    setup.add_location(runtime.db, "demo", "De Brug", "", "", "", runtime.clock.now())
    with runtime.db.read() as session:
        place = session.scalars(select(Location.id).where(Location.name == "De Brug")).one()
    posts = {
        "/admin/staff": {"name": "Nieuw"},
        f"/admin/staff/{kees}/role": {"role": "admin"},
        f"/admin/staff/{kees}/remove": {},
        "/admin/locations": {"name": "Oost"},
        f"/admin/locations/{place}": {"opening": "2026-12-01 09:30 weekly:mo"},
        "/admin/groups": {"name": "Iedereen", "kind": "custom"},
        "/admin/programmes": {"name": "Natuurtalent"},
        "/admin/settings/timezone": {"value": "Europe/Brussels"},
    }
    for url, data in posts.items():
        for form, headers in (
            ({**data, "csrf": csrf}, {"origin": "https://evil.example"}),
            ({**data, "csrf": csrf}, {}),
            (data, ORIGIN),
            ({**data, "csrf": "wrong"}, ORIGIN),
        ):
            assert client.post(url, data=form, headers=headers).status_code == 403, url
    assert role_of(runtime, "Kees") == StaffRole.COACH
    staff = client.get("/admin/staff").text
    assert "Nieuw" not in staff and "Kees" in staff
    assert setup.show_settings(runtime.db, "demo")["timezone"] == "Europe/Amsterdam"
    assert "Oost" not in client.get("/admin/locations").text


def test_an_invite_shows_its_code_and_link_once_with_the_full_date(client, runtime):
    runtime.settings.bot_username = "wegwijzer_bot"
    csrf = log_in(client, runtime, ADMIN_CHAT)
    answer = post(client, "/admin/staff", csrf, name="  Amal   Hassan ", admin="1")
    assert answer.status_code == 200
    code = re.search(r'<p class="code"><code>([^<]+)</code>', answer.text).group(1)
    assert f"https://t.me/wegwijzer_bot?start={code}" in answer.text
    assert "2026" in answer.text.split(code)[-1]  # valid until: with the year
    assert role_of(runtime, "Amal Hassan") == StaffRole.ADMIN
    again = client.get("/admin/staff").text
    assert "Amal Hassan" in again and code not in again  # shown once
    with runtime.db.read() as session:
        invited = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "staff_invited")
        ).one()
        assert invited.detail["by"] == staff_id(runtime, "Ans")


def test_an_invite_without_a_name_is_refused_next_to_the_field(client, runtime):
    csrf = log_in(client, runtime, ADMIN_CHAT)
    answer = post(client, "/admin/staff", csrf, name="   ")
    assert answer.status_code == 400
    assert 'id="invite-name-error" class="error" role="alert"' in answer.text
    assert 'aria-invalid="true" aria-describedby="invite-name-error"' in answer.text
    long = post(client, "/admin/staff", csrf, name="x" * 201)
    assert long.status_code == 400 and "200" in long.text
    with runtime.db.read() as session:
        assert session.scalars(select(StaffMember).where(StaffMember.name == "x" * 200)).all() == []


def test_admin_and_coach_and_the_last_admin_stays(client, runtime):
    noor, ans, kees = (staff_id(runtime, n) for n in ("Noor Jansen", "Ans", "Kees"))
    csrf = log_in(client, runtime, ADMIN_CHAT)
    made = post(client, f"/admin/staff/{kees}/role", csrf, role="admin")
    assert made.status_code == 303 and role_of(runtime, "Kees") == StaffRole.ADMIN
    for name, who in (("Kees", kees), ("Noor Jansen", noor)):
        assert post(client, f"/admin/staff/{who}/role", csrf, role="coach").status_code == 303
        assert role_of(runtime, name) == StaffRole.COACH
    last = client.post(
        f"/admin/staff/{ans}/role",
        data={"role": "coach"},
        headers={**ORIGIN, "hx-request": "true", "x-csrf-token": csrf},
    )
    assert last.status_code == 200 and 'role="alert"' in last.text
    assert said("last_admin", name="Ans") in last.text
    assert role_of(runtime, "Ans") == StaffRole.ADMIN
    with runtime.db.read() as session:
        changes = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "staff_role_changed")
        ).all()
    assert len(changes) == 3 and changes[0].detail == {"by": ans, "old": "coach", "new": "admin"}


def test_an_admin_who_gives_up_the_right_goes_to_the_start_page(client, runtime):
    ans = staff_id(runtime, "Ans")
    csrf = log_in(client, runtime, ADMIN_CHAT)  # Noor Jansen is an admin too
    answer = post(client, f"/admin/staff/{ans}/role", csrf, role="coach")
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    assert client.get("/admin/staff").status_code == 403


def test_a_coach_with_participants_is_not_removed_and_hears_how_many(client, runtime, people):
    sanne = staff_id(runtime, "Sanne de Vries")
    csrf = log_in(client, runtime, ADMIN_CHAT)
    confirm = client.get(f"/admin/staff/{sanne}/remove")
    assert confirm.status_code == 200 and "4" in confirm.text
    answer = post(client, f"/admin/staff/{sanne}/remove", csrf)
    assert answer.status_code == 400 and 'role="alert"' in answer.text
    assert "Sanne de Vries" in answer.text and "4" in answer.text
    with runtime.db.read() as session:
        assert session.get(StaffMember, sanne).removed_at is None


def test_a_removed_staff_member_is_logged_out_at_once(client, runtime):
    kees_browser = TestClient(client.app, base_url="http://testserver")
    log_in(kees_browser, runtime, OTHER_COACH_CHAT)
    assert kees_browser.get("/").status_code == 200
    csrf = log_in(client, runtime, ADMIN_CHAT)
    kees = staff_id(runtime, "Kees")
    answer = post(client, f"/admin/staff/{kees}/remove", csrf)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/admin/staff")
    assert kees_browser.get("/").status_code == 401
    assert "Kees" not in client.get("/admin/staff").text


def test_the_last_admin_is_not_removed(client, runtime):
    ans, noor = staff_id(runtime, "Ans"), staff_id(runtime, "Noor Jansen")
    csrf = log_in(client, runtime, ADMIN_CHAT)
    assert post(client, f"/admin/staff/{noor}/remove", csrf).status_code == 303
    answer = post(client, f"/admin/staff/{ans}/remove", csrf)
    assert answer.status_code == 400 and said("last_admin", name="Ans") in answer.text
    assert client.get("/admin/staff").status_code == 200  # still logged in, still an admin


def test_a_location_is_added_with_checked_walk_in_hours(client, runtime):
    csrf = log_in(client, runtime, ADMIN_CHAT)
    bad = post(client, "/admin/locations", csrf, name="De Brug", opening="tuesdays", coach="Kees")
    assert bad.status_code == 400
    assert 'id="location-opening-error" class="error" role="alert"' in bad.text
    assert 'aria-describedby="location-opening-hint location-opening-error"' in bad.text
    assert 'value="tuesdays"' in bad.text  # what they typed stays
    assert "De Brug" not in client.get("/admin/locations").text.split("<tbody>")[-1]
    good = post(
        client,
        "/admin/locations",
        csrf,
        name="De Brug",
        address="Brugstraat 1",
        opening="2026-12-01 09:30 weekly:tu,th",
        coach="Kees",
    )
    assert good.status_code == 303
    listed = client.get("/admin/locations").text
    assert "De Brug" in listed and "dinsdag en donderdag" in listed and "09:30" in listed
    again = post(client, "/admin/locations", csrf, name="de brug")
    assert again.status_code == 400 and 'id="location-name-error"' in again.text
    nobody = post(client, "/admin/locations", csrf, name="Oost", coach="Nobody")
    assert nobody.status_code == 400 and 'id="location-coach-error"' in nobody.text
    with runtime.db.read() as session:
        names = session.scalars(select(Location.name).where(Location.name.in_(["Oost", "de brug"])))
        assert names.all() == []
        ans = session.scalars(select(StaffMember.id).where(StaffMember.chat_id == ADMIN_CHAT)).one()
        added = session.execute(
            select(AuditEvent.staff_id, AuditEvent.detail).where(
                AuditEvent.action == "location_added"
            )
        ).all()
    assert [(who, detail["name"]) for who, detail in added] == [(ans, "De Brug")]


def test_a_locations_walk_in_hours_and_coach_change(client, runtime):
    setup.add_location(runtime.db, "demo", "De Brug", "", "", "", runtime.clock.now())
    with runtime.db.read() as session:
        place = session.scalars(select(Location.id).where(Location.name == "De Brug")).one()
    csrf = log_in(client, runtime, ADMIN_CHAT)
    assert client.get(f"/admin/locations/{place}").status_code == 200
    bad = post(client, f"/admin/locations/{place}", csrf, opening="2026-13-01 09:30 weekly:tu")
    assert bad.status_code == 400 and 'id="change-opening-error"' in bad.text
    opening = "2026-12-01 10:00 weekly:we"
    done = post(client, f"/admin/locations/{place}", csrf, opening=opening, coach="Kees")
    assert done.status_code == 303
    with runtime.db.read() as session:
        row = session.get(Location, place)
        assert row.opening_rrule == "DTSTART:20261201T100000\nFREQ=WEEKLY;BYDAY=WE"
        assert row.default_coach_id == staff_id(runtime, "Kees")
        assert session.scalars(
            select(AuditEvent).where(AuditEvent.action == "location_changed")
        ).one()


def test_groups_and_programmes_are_checked_like_on_the_command_line(client, runtime):
    csrf = log_in(client, runtime, ADMIN_CHAT)
    phase = post(client, "/admin/groups", csrf, name="Fase", kind="phase", phase="klaar")
    assert phase.status_code == 400 and 'id="group-phase-error"' in phase.text
    place = post(client, "/admin/groups", csrf, name="Zuid", kind="location", location="Zuid")
    assert place.status_code == 400 and 'id="group-location-error"' in place.text
    spoken = post(client, "/admin/groups", csrf, name="Arabisch", kind="language", language="ar")
    assert spoken.status_code == 303
    assert "Arabisch" in client.get("/admin/groups").text
    twice = post(client, "/admin/groups", csrf, name="arabisch", kind="custom")
    assert twice.status_code == 400 and 'id="group-name-error"' in twice.text
    assert post(client, "/admin/programmes", csrf, name="Natuur Talent").status_code == 303
    assert "natuur-talent" in client.get("/admin/programmes").text
    again = post(client, "/admin/programmes", csrf, name="NT", slug="natuur-talent")
    assert again.status_code == 400 and 'id="programme-slug-error"' in again.text
    slug = post(client, "/admin/programmes", csrf, name="X", slug="Met Spaties")
    assert slug.status_code == 400 and 'id="programme-slug-error"' in slug.text


@pytest.mark.parametrize(
    ("setting", "key", "value", "field"),
    [
        ("reminders", "intake", "tomorrow", "setting-reminders-intake"),
        ("reminders", "*", "+2h", "setting-reminders-all"),
        ("timezone", "", "Amsterdam", "setting-timezone"),
        ("alerts", "absences_in_a_row", "-1", "setting-alerts-absences_in_a_row"),
        ("checkins", "at", "25:00", "setting-checkins-at"),
        ("checkins", "size", "0", "setting-checkins-size"),
        ("checkins", "domains", "", "setting-checkins-domains"),
    ],
)
def test_a_wrong_setting_is_explained_and_changes_nothing(
    client, runtime, setting, key, value, field
):
    before = setup.show_settings(runtime.db, "demo")
    csrf = log_in(client, runtime, ADMIN_CHAT)
    answer = post(client, f"/admin/settings/{setting}", csrf, key=key, value=value)
    assert answer.status_code == 400
    form = answer.text[answer.text.index(f'id="{field}"') :]
    form = form[: form.index("</form>")]
    assert 'class="error" role="alert"' in form  # next to its own field
    assert setup.show_settings(runtime.db, "demo") == before
    with runtime.db.read() as session:
        assert not session.scalars(
            select(AuditEvent).where(AuditEvent.action == "setting_changed")
        ).all()


def test_a_right_setting_is_saved_and_audited_old_to_new(client, runtime):
    ans = staff_id(runtime, "Ans")
    csrf = log_in(client, runtime, ADMIN_CHAT)
    page = client.get("/admin/settings").text
    assert 'value="-1d@18:00, -2h"' in page and 'value="10:00"' in page  # defaults filled in
    saved = client.post(
        "/admin/settings/reminders",
        data={"key": "intake", "value": "-1d@18:00, -30m"},
        headers={**ORIGIN, "hx-request": "true", "x-csrf-token": csrf},
    )
    assert saved.status_code == 200 and 'class="saved" role="status"' in saved.text
    plain = post(client, "/admin/settings/timezone", csrf, value="Europe/Brussels")
    assert plain.status_code == 303
    assert plain.headers["location"] == "/admin/settings?done=setting-timezone#setting-timezone"
    domains = client.post(
        "/admin/settings/checkins",
        data={"csrf": csrf, "key": "domains", "value": ["financien", "huisvesting"]},
        headers=ORIGIN,
        follow_redirects=False,
    )
    assert domains.status_code == 303
    shown = setup.show_settings(runtime.db, "demo")
    assert shown["reminders"]["intake"] == ["-1d@18:00", "-30m"]
    assert shown["timezone"] == "Europe/Brussels"
    assert shown["checkins"]["domains"] == ["financien", "huisvesting"]
    with runtime.db.read() as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "setting_changed").order_by(AuditEvent.id)
        ).all()
    assert [(e.staff_id, e.actor) for e in events] == [(ans, "staff")] * 3
    assert events[0].detail == {
        "setting": "reminders",
        "key": "intake",
        "old": None,
        "new": ["-1d@18:00", "-30m"],
    }
    assert events[1].detail["old"] == "Europe/Amsterdam"
    assert events[1].detail["new"] == "Europe/Brussels"


def test_an_unknown_setting_is_a_page_that_does_not_exist(client, runtime):
    csrf = log_in(client, runtime, ADMIN_CHAT)
    assert post(client, "/admin/settings/colours", csrf, value="red").status_code == 404
    assert post(client, "/admin/settings/alerts", csrf, key="be_nice", value="1").status_code == 404
