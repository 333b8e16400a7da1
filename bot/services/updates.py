"""Each Telegram update is handled once, even when Telegram delivers it twice."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.models import ProcessedUpdate


def claim_update(session: Session, update_id: int, now: datetime) -> bool:
    """Claim an update id in the caller's transaction; False when it was claimed before."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(ProcessedUpdate)
        .values(update_id=update_id, at=now)
        .on_conflict_do_nothing(index_elements=["update_id"])
        .returning(ProcessedUpdate.update_id)
    )
    return session.execute(statement).first() is not None


def forget_old(session: Session, now: datetime, keep: timedelta = timedelta(days=2)) -> int:
    """Telegram retries within hours; ids older than `keep` need not be remembered."""
    with session.begin():
        result = session.execute(delete(ProcessedUpdate).where(ProcessedUpdate.at < now - keep))
        return result.rowcount
