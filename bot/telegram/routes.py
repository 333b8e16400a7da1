"""The filters every feature's `handlers()` shares: private chats and group chats."""

from __future__ import annotations

from telegram.ext import filters

PRIVATE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
GROUPS = filters.ChatType.GROUPS & filters.UpdateType.MESSAGE
