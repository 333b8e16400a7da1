"""The impact report for an organisation of 10,000 participants with two years of data, on
SQLite: three programmes, six locations, phase steps, outflow for those who left, and two
professional ZRM measurements (13 domains) for half of them; then the report as JSON and as PDF.

Reports the seconds of each; the last line is JSON with `bench`, `participants`, `json_s`,
`pdf_s` (targets: JSON ≤ 2 s, PDF ≤ 10 s).
Usage: python -m bench.report [--participants N]
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bot.clock import FixedClock
from bot.reporting import formats
from bot.runtime import bootstrap
from bot.services.impact.report import Period, impact
from bot.services.impact.rules import MATRICES, OUTFLOW
from bot.services.organisations import setup
from bot.settings import Settings
from storage.db import upgrade
from storage.models import (
    Location,
    Participant,
    ParticipantStatus,
    Phase,
    PhaseChange,
    Programme,
    ZrmMeasurement,
)

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
FIRST_DAY = date(2024, 12, 1)


def seed(runtime, participants: int) -> None:
    """Two years of an organisation, written in bulk (the imports check row by row)."""
    rng = random.Random(11)
    setup.create_organisation(runtime.db, "groot", "Groot", "Europe/Amsterdam", "nl", NOW)
    with runtime.session_factory() as session, session.begin():
        org = 1
        programmes = [
            Programme(organisation_id=org, slug=s, name=s, created_at=NOW)
            for s in ("wijkateliers", "natuurtalent", "taalmaatjes")
        ]
        places = [Location(organisation_id=org, name=f"Locatie {i}") for i in range(6)]
        session.add_all([*programmes, *places])
        session.flush()
        people = []
        for i in range(participants):
            started = FIRST_DAY + timedelta(days=rng.randrange(700))
            people.append(
                Participant(
                    organisation_id=org,
                    display_name=f"P{i}",
                    reference=f"R{i}",
                    programme_id=programmes[i % 3].id,
                    location_id=places[i % 6].id,
                    started_on=started,
                    status=ParticipantStatus.ACTIVE,
                    created_at=NOW,
                )
            )
        session.add_all(people)
        session.flush()
        steps, scores = [], []
        for person in people:
            assert person.started_on is not None
            day, phase = person.started_on, None
            for to in (Phase.ACTIVERING, Phase.VRIJWILLIGER, Phase.OPLEIDING, Phase.WERK):
                if day > NOW.date() or (phase is not None and rng.random() < 0.5):
                    break
                steps.append(_step(person.id, phase, to, None, day))
                phase, day = to, day + timedelta(days=rng.randrange(30, 200))
            if rng.random() < 0.4 and day <= NOW.date():
                steps.append(_step(person.id, phase, None, rng.choice(OUTFLOW), day))
            if person.id % 2 == 0:
                for n, on in enumerate((person.started_on, person.started_on + timedelta(180))):
                    for domain in MATRICES["2017"]:
                        scores.append(
                            {
                                "organisation_id": org,
                                "participant_id": person.id,
                                "location_id": person.location_id,
                                "measured_on": on,
                                "matrix": "2017",
                                "domain": domain,
                                "score": min(5, rng.randint(1, 4) + n),
                                "recorded_at": NOW,
                            }
                        )
        session.execute(PhaseChange.__table__.insert(), steps)
        session.execute(ZrmMeasurement.__table__.insert(), scores)


def _step(pid: int, before: Phase | None, to: Phase | None, outflow: str | None, on: date) -> dict:
    return {
        "organisation_id": 1,
        "participant_id": pid,
        "from_phase": before,
        "to_phase": to,
        "outflow": outflow,
        "on": on,
        "recorded_at": NOW,
    }


def run(participants: int, folder: Path) -> dict[str, object]:
    url = f"sqlite:///{folder / 'report.sqlite3'}"
    upgrade(url)
    settings = Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]
    runtime = bootstrap(settings, clock=FixedClock(NOW))
    seed(runtime, participants)
    period = Period(date(2025, 1, 1), date(2025, 12, 31))
    started = time.perf_counter()
    figures = impact(runtime.db, "groot", period)
    text = formats.as_json(figures)
    json_s = time.perf_counter() - started
    started = time.perf_counter()
    pdf = formats.as_pdf(impact(runtime.db, "groot", period))
    pdf_s = time.perf_counter() - started
    return {
        "bench": "report",
        "participants": participants,
        "json_s": round(json_s, 2),
        "pdf_s": round(pdf_s, 2),
        "json_kb": round(len(text.encode()) / 1024, 1),
        "pdf_kb": round(len(pdf) / 1024, 1),
        "zrm_n": figures["zrm"]["total"]["n"],
        "outflow_n": figures["outflow"]["total"]["n"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--participants", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        result = run(args.participants, Path(folder))
    print(
        f"report for {result['participants']} participants: JSON {result['json_s']} s, "
        f"PDF {result['pdf_s']} s ({result['zrm_n']} with two ZRM measurements, "
        f"{result['outflow_n']} left in the period)"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
