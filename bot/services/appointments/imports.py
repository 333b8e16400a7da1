"""An organisation's appointments and attendance from the command line: a CSV file imported
(all rows or none, unless the good ones are wanted), or one appointment added like a row.
Use cases with their own session; the building blocks commit."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from bot.services.appointments import attendance, scheduling
from storage.db import Database


def import_appointments(
    db: Database,
    organisation_id: int,
    text: str,
    now: datetime,
    zone: ZoneInfo,
    quiet: tuple[time, time],
    skip_errors: bool,
    history: bool = False,
) -> scheduling.ImportReport:
    """Appointments from CSV text; `history` brings earlier records along (nothing reminded)."""
    with db.read() as session:
        return scheduling.import_csv(
            session, organisation_id, text, now, zone, quiet, skip_errors, history=history
        )


def import_attendance(
    db: Database,
    organisation_id: int,
    text: str,
    now: datetime,
    zone: ZoneInfo,
    skip_errors: bool,
) -> attendance.ImportReport:
    """Attendance records from CSV text, each matched to the participant's occurrence."""
    with db.read() as session:
        return attendance.import_csv(session, organisation_id, text, now, zone, skip_errors)


def add(
    db: Database,
    organisation_id: int,
    row: dict[str, str],
    now: datetime,
    zone: ZoneInfo,
    quiet: tuple[time, time],
) -> scheduling.Made:
    """One appointment checked like a CSV row; the participant is told. Raises
    ValueError(reason, details) like a bad row."""
    with db.read() as session:
        return scheduling.add(session, organisation_id, row, now, zone, quiet)
