"""`staff_only`: the one place a staff command or button finds whom its sender may act on."""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update

from bot.services.errors import DomainError
from bot.services.people import scope
from bot.telegram.context import WegwijzerContext, chat_of

Handler = Callable[[Update, WegwijzerContext], Coroutine[Any, Any, Any]]


def staff_only(handler: Handler) -> Handler:
    """Resolve the sender's staff scope into `context.scope` before the handler runs; anyone
    else gets the kind "only staff" answer from the error handler (a `Refused`)."""

    @functools.wraps(handler)
    async def wrapper(update: Update, context: WegwijzerContext) -> Any:
        context.scope = scope.staff_scope(context.runtime.db, chat_of(update))
        return await handler(update, context)

    return wrapper


def buttons_go_when_refused(handler: Handler) -> Handler:
    """Mark a button handler whose message loses its buttons when the tap is refused: they
    stand for something that is gone (a resolved alert, someone else's participant)."""

    @functools.wraps(handler)
    async def wrapper(update: Update, context: WegwijzerContext) -> Any:
        try:
            return await handler(update, context)
        except DomainError as error:
            error.buttons_go = True  # read by the error handler, which says the refusal
            raise

    return wrapper
