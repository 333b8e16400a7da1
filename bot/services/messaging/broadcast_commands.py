"""Broadcasts from the command line, for one organisation: create one, follow its report,
cancel or stop it, list the recent ones. Use cases with their own session; the building
blocks in `broadcasts` commit, and refuse with `BroadcastRefused`."""

from __future__ import annotations

from datetime import datetime

from bot.services.messaging import broadcasts
from bot.services.messaging.broadcasts import Draft, Report
from storage.db import Database


def report(db: Database, broadcast_id: int, organisation_id: int) -> Report:
    """The delivery report of one of the organisation's broadcasts."""
    with db.read() as session:
        return broadcasts.report(session, broadcast_id, organisation_id)


def cancel_or_stop(db: Database, broadcast_id: int, organisation_id: int, now: datetime) -> None:
    """Cancel a scheduled broadcast, or stop a running one."""
    with db.read() as session:
        broadcasts.cancel_or_stop(session, broadcast_id, organisation_id, now)


def recent_reports(db: Database, organisation_id: int, limit: int) -> list[Report]:
    """The reports of the organisation's newest broadcasts, newest first."""
    with db.read() as session:
        return [
            broadcasts.report(session, item.id, organisation_id)
            for item in broadcasts.recent(session, organisation_id, limit)
        ]


def group_ids(db: Database, organisation_id: int, names: list[str]) -> list[int]:
    """The organisation's groups with these names; refused for a name it has no group of."""
    with db.write() as session:
        return broadcasts.group_ids_by_name(session, organisation_id, names)


def create(db: Database, draft: Draft, now: datetime) -> Report:
    """Check and save a broadcast (sent now or at its time); then its report."""
    with db.read() as session:
        broadcast = broadcasts.create(session, draft, now)
        return broadcasts.report(session, broadcast.id, draft.organisation_id)
