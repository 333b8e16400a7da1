"""Engine, sessions and migrations; the same code serves SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class WegwijzerSession(Session):
    """A Session whose `begin()` joins the transaction `together()` opened, so the services a
    flow step calls commit with the step, or not at all."""

    def begin(self, nested: bool = False) -> Any:
        if not nested and self.info.get("together") and self.in_transaction():
            return nullcontext(self.get_transaction())
        return super().begin(nested=nested)


SessionFactory = sessionmaker[WegwijzerSession]


@contextmanager
def together(session: Session) -> Iterator[None]:
    """One transaction for everything inside, nested `with session.begin()` included, that
    takes the write lock first: on SQLite BEGIN IMMEDIATE (SQLite ignores FOR UPDATE), so a
    concurrent writer waits and then finds the step already taken; on PostgreSQL the rows read
    FOR UPDATE are locked as usual."""
    with session.begin():
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
        session.info["together"] = True
        try:
            yield
        finally:
            session.info.pop("together", None)


def savepoint(session: Session) -> AbstractContextManager[Any]:
    """Inside `together()`: a part that a refusal undoes alone."""
    return session.begin_nested()


class Database:
    """What services get instead of a session: they open their own transaction, so an adapter
    (Telegram, console, CLI, jobs, web) never holds one. `read()` for looking, `write()` for a
    change that commits as one, `step()` for a change that must take the write lock first (a
    flow step and its actions, a tap two devices may send at once)."""

    def __init__(self, factory: SessionFactory) -> None:
        self.factory = factory

    @contextmanager
    def read(self) -> Iterator[WegwijzerSession]:
        with self.factory() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[WegwijzerSession]:
        with self.factory() as session, session.begin():
            yield session

    @contextmanager
    def step(self) -> Iterator[WegwijzerSession]:
        with self.factory() as session, together(session):
            yield session


def make_engine(url: str) -> Engine:
    """An engine with SQLite tuned for one process: WAL, foreign keys, a busy timeout."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:  # DB-API objects
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        """Other transactions begin as pysqlite begins them (at the first write)."""
        if connection.get_execution_options().get("sqlite_begin") == "IMMEDIATE":
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def make_session_factory(engine: Engine) -> SessionFactory:
    return sessionmaker(engine, class_=WegwijzerSession, expire_on_commit=False)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the schema up to date; running it again changes nothing."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), revision)


def current_revision(url: str) -> str | None:
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
