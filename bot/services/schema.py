"""The database schema as the command line manages it: its revision, the newest one, the
upgrade; and the error that says the database cannot be used at all."""

from __future__ import annotations

from alembic.script import ScriptDirectory
from sqlalchemy.exc import OperationalError

from storage import db

Unusable = OperationalError  # the database cannot be reached or opened (its reason: `why`)


def why(error: OperationalError) -> str:
    """What the database driver said."""
    return str(error.orig)


def upgrade(url: str) -> None:
    """Migrate the database to the newest schema; running it again changes nothing."""
    db.upgrade(url)


def revision(url: str) -> str | None:
    """The schema revision the database is at (None before the first upgrade)."""
    return db.current_revision(url)


def newest() -> str | None:
    """The newest schema revision this code knows."""
    return ScriptDirectory.from_config(db.alembic_config("sqlite://")).get_current_head()


def up_to_date(url: str) -> bool:
    """Whether the database is at the newest schema revision."""
    return revision(url) == newest()
