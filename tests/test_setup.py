"""An organisation starts without touching the database: organisation, staff codes, locations,
groups, programmes, settings and its roster, each checked; a bad file changes nothing."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.refusals import REFUSALS
from bot.services.errors import InviteExpired, Refused
from bot.services.organisations import roster, setup
from bot.services.people import onboarding
from storage.models import (
    GroupMembership,
    Invite,
    Organisation,
    Participant,
    ParticipantStatus,
    Phase,
    PhaseChange,
    Programme,
    StaffMember,
    StaffRole,
)
from tests.conftest import unique_chat

ROSTER = """participant;location;programme;started_on;left_on;outflow;phase;coach;groups;reference
Amal Hassan;De Brug;Wijkateliers;2025-02-03;;;vrijwilliger;Sanne;Taalcafé;A-001
Yonas Tesfay;De Brug;Natuurtalent;2025-03-10;2025-11-28;betaald_werk;opleiding;;;A-002
٢٠٢٥;Noord;wijkateliers;٢٠٢٥-٠٤-٠١;;;;;;
"""


@pytest.fixture
def org(runtime, clock):
    db, now = runtime.db, clock.now()
    setup.create_organisation(db, "atelier-noord", "Atelier Noord", "Europe/Amsterdam", "nl", now)
    setup.invite_staff(db, "atelier-noord", "Sanne", False, now)
    setup.add_group(db, "atelier-noord", "Taalcafé", "custom")
    return "atelier-noord"


def test_an_organisation_is_created_once_with_checked_values(runtime, clock):
    db, now = runtime.db, clock.now()
    made = setup.create_organisation(
        db, "noord", "  Atelier   Noord ", "Europe/Brussels", "ar", now
    )
    assert (made.slug, made.name) == ("noord", "Atelier Noord")
    with runtime.session_factory() as session:
        row = session.scalars(select(Organisation).where(Organisation.slug == "noord")).one()
        assert (row.timezone, row.default_language) == ("Europe/Brussels", "ar")
    for slug, zone, language, reason in [
        ("noord", "Europe/Amsterdam", "nl", "slug_taken"),
        ("Noord Oost", "Europe/Amsterdam", "nl", "bad_slug"),
        ("oost", "Mars/Olympus", "nl", "bad_timezone"),
        ("oost", "Europe/Amsterdam", "de", "language"),
    ]:
        with pytest.raises(Refused) as refused:
            setup.create_organisation(db, slug, "X", zone, language, now)
        assert refused.value.reason == reason


def test_a_staff_code_connects_that_staff_member_once(runtime, clock, org):
    made = setup.invite_staff(runtime.db, org, "Kees de Vries", True, clock.now())
    chat = unique_chat()
    with runtime.session_factory() as session:
        staff = onboarding.link_staff(session, chat, made.code, clock.now())
        assert (staff.name, staff.role, staff.chat_id) == ("Kees de Vries", StaffRole.ADMIN, chat)
    with runtime.session_factory() as session, pytest.raises(InviteExpired):
        onboarding.link_staff(session, unique_chat(), made.code, clock.now())


def test_locations_groups_and_programmes_are_checked(runtime, clock, org):
    db, now = runtime.db, clock.now()
    setup.add_location(db, org, "De Brug", "Brugstraat 1", "2026-12-01 09:30 weekly:tu,th", "", now)
    setup.add_programme(db, org, "", "Natuur Talent", now)
    with runtime.session_factory() as session:
        assert session.scalars(select(Programme.slug)).all() == ["natuur-talent"]
    refusals = {
        "location_exists": lambda: setup.add_location(db, org, "de brug", "", "", "", now),
        "bad_opening": lambda: setup.add_location(db, org, "Oost", "", "soon", "", now),
        "unknown_coach": lambda: setup.add_location(db, org, "West", "", "", "Nobody", now),
        "programme_exists": lambda: setup.add_programme(db, org, "natuur-talent", "NT", now),
        "unknown_location": lambda: setup.add_group(db, org, "Zuid", "location", "Zuid"),
        "bad_phase": lambda: setup.add_group(db, org, "Fase", "phase", phase="klaar"),
        "group_exists": lambda: setup.add_group(db, org, "taalcafé", "custom"),
        "unknown_organisation": lambda: setup.add_programme(db, "nope", "", "X", now),
    }
    for reason, attempt in refusals.items():
        with pytest.raises(Refused) as refused:
            attempt()
        assert refused.value.reason == reason


@pytest.mark.parametrize(
    ("setting", "key", "value", "stored"),
    [
        ("reminders", "intake", "-1d@18:00, -2h", {"intake": ["-1d@18:00", "-2h"]}),
        ("alerts", "absences_in_a_row", "3", {"absences_in_a_row": 3}),
        ("checkins", "weekday", "FR", {"weekday": "fr"}),
        ("checkins", "monthly", "no", {"monthly": False}),
        (
            "checkins",
            "domains",
            "financien,werk_opleiding",
            {"domains": ["financien", "werk_opleiding"]},
        ),
        ("checkins", "domains", "financien,geluk", None),
    ],
)
def test_a_setting_is_stored_only_when_it_is_right(runtime, org, setting, key, value, stored):
    if stored is None:
        with pytest.raises(Refused):
            setup.set_setting(runtime.db, org, setting, key, value, now=runtime.clock.now())
        return
    setup.set_setting(runtime.db, org, setting, key, value, now=runtime.clock.now())
    shown = setup.show_settings(runtime.db, org)[setting]
    assert all(shown[k] == v for k, v in stored.items())


@pytest.mark.parametrize(
    ("setting", "key", "value"),
    [
        ("reminders", "intake", "tomorrow"),
        ("reminders", "party", "-2h"),
        ("reminders", "*", "+2h"),
        ("alerts", "absences_in_a_row", "-1"),
        ("alerts", "be_nice", "1"),
        ("checkins", "weekday", "Friday"),
        ("checkins", "at", "25:00"),
        ("timezone", "", "Amsterdam"),
        ("language", "", "fr"),
    ],
)
def test_a_wrong_setting_changes_nothing(runtime, org, setting, key, value):
    before = setup.show_settings(runtime.db, org)
    with pytest.raises(Refused):
        setup.set_setting(runtime.db, org, setting, key, value, now=runtime.clock.now())
    assert setup.show_settings(runtime.db, org) == before


def test_a_roster_brings_people_with_their_start_phases_and_outflow(runtime, clock, org):
    report = roster.import_roster(runtime.db, org, ROSTER, clock.now())
    assert report.errors == []
    assert (report.created, report.left, len(report.codes)) == (3, 1, 2)
    with runtime.session_factory() as session:
        people = {p.reference or p.display_name: p for p in session.scalars(select(Participant))}
        amal, yonas, number = people["A-001"], people["A-002"], people["2025"]
        assert amal.started_on == date(2025, 2, 3) and amal.phase == Phase.VRIJWILLIGER
        assert amal.status == ParticipantStatus.INVITED and amal.coach_id is not None
        assert yonas.status == ParticipantStatus.LEFT and yonas.phase is None
        assert number.started_on == date(2025, 4, 1)  # Arabic-Indic digits read
        steps = session.scalars(
            select(PhaseChange).where(PhaseChange.participant_id == yonas.id).order_by("on")
        ).all()
        assert [(s.to_phase, s.outflow, s.on) for s in steps] == [
            (Phase.OPLEIDING, None, date(2025, 3, 10)),
            (None, "betaald_werk", date(2025, 11, 28)),
        ]
        programmes = session.scalars(select(Programme.slug).order_by(Programme.slug)).all()
        assert programmes == ["natuurtalent", "wijkateliers"]  # "wijkateliers" found again
        assert session.scalar(select(func.count()).select_from(GroupMembership)) == 1
        assert (
            session.scalar(
                select(func.count()).select_from(Invite).where(Invite.participant_id.is_not(None))
            )
            == 2
        )


def test_a_roster_with_a_bad_row_stores_nothing(runtime, clock, org):
    bad = ROSTER + (
        "Fatima;Noord;;2025-13-01;;;;;;\n"
        "Rami;Noord;;2025-05-01;2025-04-01;geen_werk;;;;\n"
        "Samir;Noord;;2025-05-01;2025-06-01;;;;;\n"
        "Omar;Noord;;2025-05-01;;;;Nobody;;\n"
        "Amal Hassan;De Brug;;2025-02-03;;;;;;A-001\n"
    )
    report = roster.import_roster(runtime.db, org, bad, clock.now())
    assert [reason for reason, _ in report.errors] == [
        "date",
        "left_before",
        "outflow_needed",
        "coach",
        "twice",
    ]
    with runtime.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Participant)) == 0
    report = roster.import_roster(runtime.db, org, bad, clock.now(), skip_errors=True)
    assert report.created == 3
    again = roster.import_roster(runtime.db, org, ROSTER, clock.now())
    assert [reason for reason, _ in again.errors] == ["exists", "exists", "exists"]
    with runtime.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(StaffMember)) >= 1


def test_every_refusal_a_service_raises_has_its_kind_sentence():
    root = Path(__file__).resolve().parent.parent / "bot"
    raised = {
        reason
        for path in root.rglob("*.py")
        for reason in re.findall(r"Refused\(\s*\"(\w+)\"", path.read_text(encoding="utf-8"))
    }
    assert len(raised) > 30
    assert raised - set(REFUSALS) == set()
