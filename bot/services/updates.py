"""Each Telegram update is handled once, even when Telegram delivers it twice."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, text
from sqlalchemy.orm import Session

from storage.models import ChatId, ProcessedUpdate, UTCDateTime

# Plain SQL that SQLite (3.35+) and PostgreSQL both speak; SQLAlchemy cannot cache the compiled
# form of its dialect-specific ON CONFLICT inserts, and this statement runs for every update.
_CLAIM = text(
    "INSERT INTO processed_update (update_id, at) VALUES (:update_id, :at) "
    "ON CONFLICT (update_id) DO NOTHING RETURNING update_id"
).bindparams(bindparam("update_id", type_=ChatId), bindparam("at", type_=UTCDateTime()))


def claim_update(session: Session, update_id: int, now: datetime) -> bool:
    """Claim an update id in the caller's transaction; False when it was claimed before."""
    row = session.connection().execute(_CLAIM, {"update_id": update_id, "at": now}).first()
    return row is not None


def forget_old(session: Session, now: datetime, keep: timedelta = timedelta(days=2)) -> int:
    """Telegram retries within hours; ids older than `keep` need not be remembered."""
    with session.begin():
        result = session.execute(delete(ProcessedUpdate).where(ProcessedUpdate.at < now - keep))
        return int(getattr(result, "rowcount", 0) or 0)
