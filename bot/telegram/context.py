"""The typed CallbackContext: the runtime objects, and who sent the update."""

from __future__ import annotations

from telegram.ext import Application, CallbackContext, ExtBot

from bot.runtime import Runtime
from bot.services.identity import Identity
from nlu.understand import Understood


class WegwijzerContext(CallbackContext[ExtBot[None], dict, dict, dict]):
    """Adds the runtime and the identity the edge looked up for this update."""

    def __init__(
        self, application: Application, chat_id: int | None = None, user_id: int | None = None
    ) -> None:
        super().__init__(application, chat_id=chat_id, user_id=user_id)
        self.identity: Identity | None = None
        self.understood: Understood | None = None  # how the NLU read this update's text

    @property
    def runtime(self) -> Runtime:
        return self.bot_data["runtime"]

    def wake_sender(self) -> None:
        """Something was queued in the outbox: let this process's sender look now."""
        sender = self.bot_data.get("sender")
        if sender is not None:
            sender.wake.set()
