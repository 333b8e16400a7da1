"""Runs flows for a chat: state from the database, engine in the middle, domain actions after."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.services.actions import ActionFn, Actor
from bot.services.errors import DomainError
from bot.services.people import onboarding
from bot.services.text import kept
from flows import engine
from flows.model import Action, Effect, Env, Event, Flow, Send, SetLanguage, Stale, Tap, Text
from storage import repositories as repo
from storage.db import Database, savepoint, together


@dataclass(frozen=True)
class Flows:
    """The loaded flow definitions, what the engine may know of the world, and the domain
    actions their `action` steps name (wired by the composition root, `bot.runtime`, so this
    module imports no feature that runs inside a flow)."""

    definitions: dict[str, Flow]
    env: Env
    actions: dict[str, ActionFn] = field(default_factory=dict)


@dataclass
class Outcome:
    effects: list[Effect] = field(default_factory=list)
    error: DomainError | None = None


def begin(
    session: Session,
    flows: Flows,
    chat_id: int,
    flow_id: str,
    variables: dict[str, Any],
    now: datetime,
    actor: Actor | None = None,
) -> Outcome:
    """Start a flow for a chat, replacing any run it was in."""
    flow = flows.definitions[flow_id]
    state, effects = engine.start(flow, secrets.token_hex(3), variables, flows.env)
    with together(session):
        repo.save_flow_state(session, chat_id, flow.id, state, now)
        return _act(session, flows.actions, chat_id, effects, now, actor or Actor())


def handle(
    session: Session,
    flows: Flows,
    chat_id: int,
    event: Event,
    now: datetime,
    actor: Actor | None = None,
) -> Outcome | None:
    """Feed a tap or text to the chat's current run; None when it is in no flow (text only).

    The state is read, advanced and written, and the step's actions carried out, in one
    transaction that holds the write lock (SQLite) or the row lock (PostgreSQL) from the start:
    two quick taps (or two bot replicas) cannot both advance the same step, and a crash cannot
    move the flow past an action that never happened."""
    if isinstance(event, Text):  # typed words may end up in the flow's state: keep them clean
        event = Text(kept(event.text))
    with together(session):
        row = repo.flow_state(session, chat_id, lock=True)
        if row is None or row.flow_id not in flows.definitions:
            return Outcome([Stale()]) if isinstance(event, Tap) else None
        flow = flows.definitions[row.flow_id]
        state, effects = engine.advance(flow, row.state, event, flows.env)
        if state != row.state:
            repo.save_flow_state(session, chat_id, flow.id, state, now)
        return _act(session, flows.actions, chat_id, effects, now, actor or Actor())


def start(
    db: Database,
    flows: Flows,
    chat_id: int,
    flow_id: str,
    variables: dict[str, Any],
    now: datetime,
    actor: Actor | None = None,
) -> Outcome:
    """`begin` as a use case: its own session and transaction."""
    with db.read() as session:
        return begin(session, flows, chat_id, flow_id, variables, now, actor)


def feed(
    db: Database,
    flows: Flows,
    chat_id: int,
    event: Event,
    now: datetime,
    actor: Actor | None = None,
) -> Outcome | None:
    """`handle` as a use case: its own session and transaction."""
    with db.read() as session:
        return handle(session, flows, chat_id, event, now, actor)


def current_flow(db: Database, chat_id: int) -> str | None:
    """The flow this chat is in, if any."""
    with db.write() as session:
        row = repo.flow_state(session, chat_id)
        return row.flow_id if row is not None else None


def words_for_option(db: Database, flows: Flows, chat_id: int) -> list[str]:
    """`option_values` as a use case."""
    with db.read() as session:
        return option_values(session, flows, chat_id)


def option_values(session: Session, flows: Flows, chat_id: int) -> list[str]:
    """The values of the options the chat's run is waiting on ("yes", "no", …), so words such
    as "ja hoor" can be matched to a button by meaning; empty when it waits on something else."""
    with session.begin():
        row = repo.flow_state(session, chat_id)
        if row is None or row.flow_id not in flows.definitions:
            return []
        step = flows.definitions[row.flow_id].steps.get(row.state.get("step") or "")
        options = step.spec.get("options") if step is not None else None
        if not isinstance(options, list):
            return []
        return [str(o.get("value", "")) if isinstance(o, dict) else "" for o in options]


def waiting_question(session: Session, flows: Flows, chat_id: int) -> Send | None:
    """The question a chat's run waits on, to show again (e.g. after a restart of the console)."""
    with session.begin():
        row = repo.flow_state(session, chat_id)
        if row is None or row.flow_id not in flows.definitions:
            return None
        return engine.waiting_buttons(flows.definitions[row.flow_id], dict(row.state), flows.env)


def _act(
    session: Session,
    actions: dict[str, ActionFn],
    chat_id: int,
    effects: list[Effect],
    now: datetime,
    actor: Actor,
) -> Outcome:
    """Carry out the domain effects in order, inside the step's transaction; a refused action
    is undone alone (its savepoint) and ends the run."""
    outcome = Outcome()
    for effect in effects:
        try:
            with savepoint(session):
                if isinstance(effect, SetLanguage):
                    onboarding.set_language(session, chat_id, effect.language, now)
                elif isinstance(effect, Action):
                    outcome.effects.extend(
                        actions[effect.name](session, chat_id, effect.vars, now, actor) or []
                    )
            if isinstance(effect, Action):
                continue
        except DomainError as exc:
            repo.delete_flow_state(session, chat_id)
            outcome.error = exc
            return outcome
        outcome.effects.append(effect)
    return outcome
