"""Telegram says when someone blocks the bot (and unblocks it): believe it at once, instead
of finding out only when a send fails."""

from __future__ import annotations

from telegram import ChatMember, Update
from telegram.ext import BaseHandler, ChatMemberHandler

from bot.services.coaching import reachability
from bot.telegram.context import WegwijzerContext


async def blocked_or_back(update: Update, context: WegwijzerContext) -> None:
    """Blocked: unreachable, bulk cancelled, the coach told once; unblocked: reachable again."""
    change = update.my_chat_member
    if change is None or change.chat.type != change.chat.PRIVATE:
        return
    runtime = context.runtime
    status = change.new_chat_member.status
    if status == ChatMember.BANNED:
        if reachability.blocked(runtime.db, change.chat.id, runtime.clock.now()):
            context.wake_sender()
    elif status == ChatMember.MEMBER:
        reachability.unblocked(runtime.db, change.chat.id, runtime.clock.now())


def handlers() -> list[BaseHandler]:
    """What this feature answers, for `build_application`."""
    return [
        ChatMemberHandler(blocked_or_back, ChatMemberHandler.MY_CHAT_MEMBER),
    ]
