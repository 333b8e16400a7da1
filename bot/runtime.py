"""The composition root: settings in, the objects every adapter and job shares out."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot import content
from bot.clock import Clock, SystemClock
from bot.i18n import LANGUAGES, missing_translations
from bot.services.actions import ActionFn
from bot.services.appointments import booking
from bot.services.checkins import invitations, signals
from bot.services.conversations import Flows
from bot.services.messaging import broadcast_flow
from bot.services.people import onboarding
from bot.settings import Settings
from flows.loader import load_all
from flows.model import Env, FlowError
from storage.db import Database, SessionFactory, make_engine, make_session_factory


@dataclass
class Runtime:
    settings: Settings
    session_factory: SessionFactory
    clock: Clock
    flows: Flows
    answers: content.AnswerBook = field(default_factory=content.load)
    _nlu: Any = None
    db: Database = field(init=False)
    _nlu_lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.db = Database(self.session_factory)

    async def language_engine(self) -> Any:
        """`nlu()` for handlers: straight away once loaded; the first time off the event loop,
        since training or loading takes seconds (a thread hop per message costs more than the
        parse itself)."""
        return self._nlu if self._nlu is not None else await asyncio.to_thread(self.nlu)

    def nlu(self) -> Any:
        """The language engine, loaded (or trained) on first use: slow once, so adapters call
        it off the event loop. NLU_ENGINE=rasa asks a Rasa server, with the built-in engine as
        its fallback."""
        with self._nlu_lock:
            if self._nlu is None:
                from nlu.builtin import load_or_train

                builtin = load_or_train(Path(self.settings.nlu_cache))
                if self.settings.nlu_engine == "rasa":
                    from nlu.rasa import RasaEngine

                    self._nlu = RasaEngine(
                        self.settings.rasa_url, builtin, timeout=self.settings.rasa_timeout
                    )
                else:
                    self._nlu = builtin
            return self._nlu


# What each flow's `action` steps may name: the composition root wires them, so the flow runner
# and the features that act inside a flow do not import each other.
ACTIONS: dict[str, ActionFn] = {
    "accept_consent": onboarding.accept_action,
    "decline_consent": onboarding.decline_action,
    "renew_consent": onboarding.renew_action,
    "withdraw_consent": onboarding.withdraw_action,
    "broadcast_preview": broadcast_flow.preview,
    "broadcast_create": broadcast_flow.create,
    "appointment_summary": booking.summary,
    "appointment_create": booking.create,
    "new_time_preview": booking.new_time_preview,
    "new_time_save": booking.new_time_save,
    "record_signal": signals.record,
    "checkin_done": invitations.finish_action,
}


def load_flows() -> Flows:
    """Load and check every flow file: structure, translations and the actions it names."""
    definitions = load_all(translated=missing_translations)
    for flow in definitions.values():
        for step in flow.steps.values():
            if step.type == "action" and step.spec["action"] not in ACTIONS:
                raise FlowError(
                    f"{flow.source}:{step.line}: step '{step.name}' names unknown "
                    f"action {step.spec['action']!r}"
                )
    return Flows(definitions, Env(languages=LANGUAGES), ACTIONS)


def bootstrap(
    settings: Settings, clock: Clock | None = None, session_factory: SessionFactory | None = None
) -> Runtime:
    factory = session_factory or make_session_factory(make_engine(settings.database_url))
    return Runtime(
        settings=settings,
        session_factory=factory,
        clock=clock or SystemClock(),
        flows=load_flows(),
        answers=content.load(Path(settings.content_dir))
        if settings.content_dir
        else content.load(),
    )
