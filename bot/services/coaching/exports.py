"""An organisation's check-in signals written out for its own analysis, and that recorded in
the audit trail (the command line's `checkins export`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.services import audit
from bot.services.coaching import progress
from storage.db import Database


def export_signals(
    db: Database,
    organisation_id: int,
    start: datetime,
    end: datetime,
    zone: ZoneInfo,
    names: bool,
    now: datetime,
    write: Callable[[dict[str, object]], object],
) -> int:
    """Give each signal in [start, end) to `write` as a row (progress.EXPORT_COLUMNS), oldest
    first; the export is recorded in the same transaction. Returns how many rows."""
    count = 0
    with db.write() as session:
        for row in progress.export(session, organisation_id, start, end, zone, names):
            write(row)
            count += 1
        audit.record(
            session,
            now,
            "signals_exported",
            actor="system",
            organisation_id=organisation_id,
            rows=count,
            names=bool(names),
        )
    return count
