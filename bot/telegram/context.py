"""The typed CallbackContext: the runtime objects, and who sent the update."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackContext, ExtBot

from bot.runtime import Runtime
from bot.services.errors import Refused
from bot.services.people.identity import Identity
from bot.services.people.scope import Scope
from nlu.understand import Understood


class WegwijzerContext(CallbackContext[ExtBot[None], dict, dict, dict]):
    """Adds the runtime and the identity the edge looked up for this update."""

    def __init__(
        self, application: Application, chat_id: int | None = None, user_id: int | None = None
    ) -> None:
        super().__init__(application, chat_id=chat_id, user_id=user_id)
        self.identity: Identity | None = None
        self.understood: Understood | None = None  # how the NLU read this update's text
        self._scope: Scope | None = None  # set by `staff_only` for staff commands and buttons

    @property
    def scope(self) -> Scope:
        """Whom this staff member may act on; only inside a handler wrapped in `staff_only`."""
        if self._scope is None:
            raise Refused("not_staff")
        return self._scope

    @scope.setter
    def scope(self, value: Scope) -> None:
        self._scope = value

    @property
    def runtime(self) -> Runtime:
        return self.bot_data["runtime"]

    def wake_sender(self) -> None:
        """Something was queued in the outbox: let this process's sender look now."""
        sender = self.bot_data.get("sender")
        if sender is not None:
            sender.wake.set()


def chat_of(update: Update) -> int:
    """The chat an update came from; every handler registered for messages or buttons has one."""
    chat = update.effective_chat
    if chat is None:
        raise LookupError(f"update {update.update_id} has no chat")
    return chat.id
