"""A Bot API in memory: answers the methods Wegwijzer uses as Telegram would, and records them.

The console chat talks to it instead of Telegram, the tests' HTTP fake server wraps it, and the
benchmarks measure the application against it.
"""

from __future__ import annotations

import itertools
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import ODVInput
from telegram.request import BaseRequest, RequestData

BOT_USER = {
    "id": 7000000001,
    "is_bot": True,
    "first_name": "Wegwijzer",
    "username": "wegwijzer_bot",
}
_STRUCTURED = {"reply_markup", "commands", "scope", "allowed_updates", "link_preview_options"}
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")


class ApiError(Exception):
    """What Telegram answers with ok=false: an HTTP status, a description, maybe parameters."""

    def __init__(self, status: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.status, self.description, self.parameters = status, description, parameters

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


@dataclass
class BotAPIEmulator:
    """State of one bot: sent messages per chat, command menus, pending updates."""

    messages: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    callback_answers: list[dict[str, Any]] = field(default_factory=list)
    commands: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    uploads: list[bytes] = field(default_factory=list)  # files sent (photos, documents)
    record_calls: bool = True
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _update_ids: itertools.count = field(
        default_factory=lambda: itertools.count(time.time_ns() // 1000)
    )

    def call(self, method: str, params: dict[str, Any]) -> Any:
        """Answer one Bot API call, or raise ApiError as Telegram would."""
        params = {k: self._decode(k, v) for k, v in params.items()}
        if self.record_calls:
            self.calls.append((method, params))
        handler = getattr(self, "_m_" + method.lower(), None)
        if handler is None:
            raise ApiError(404, "Not Found: method not found")
        return handler(params)

    @staticmethod
    def _decode(key: str, value: Any) -> Any:
        if isinstance(value, str) and key in _STRUCTURED:
            return json.loads(value)
        if isinstance(value, str) and key in ("chat_id", "message_id", "offset", "limit"):
            return int(value) if value.lstrip("-").isdigit() else value
        return value

    # --- what the bot sends -------------------------------------------------------------
    def sent(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        if chat_id is not None:
            return list(self.messages.get(chat_id, []))
        return [m for chat in self.messages.values() for m in chat]

    def texts(self, chat_id: int) -> list[str]:
        return [m.get("text") or m.get("caption", "") for m in self.messages.get(chat_id, [])]

    def _chat(self, params: dict[str, Any]) -> int:
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, int):
            raise ApiError(400, "Bad Request: chat not found")
        return chat_id

    def _store(self, chat_id: int, body: dict[str, Any]) -> dict[str, Any]:
        message = {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "from": BOT_USER,
            "chat": chat_dict(chat_id),
            **body,
        }
        self.messages.setdefault(chat_id, []).append(message)
        return message

    def _markup(self, params: dict[str, Any]) -> dict[str, Any]:
        markup = params.get("reply_markup")
        if not markup:
            return {}
        for row in markup.get("inline_keyboard", []):
            for button in row:
                if not button.get("text"):
                    raise ApiError(
                        400, "Bad Request: text buttons are unallowed in the inline keyboard"
                    )
                if len(button.get("callback_data", "").encode()) > 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return {"reply_markup": markup}

    def _m_sendmessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat(params)
        text = params.get("text", "")
        if not str(text).strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(str(text)) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        return self._store(chat_id, {"text": str(text), **self._markup(params)})

    def _m_sendphoto(self, params: dict[str, Any]) -> dict[str, Any]:
        photo = [
            {"file_id": f"photo{next(self._ids)}", "file_unique_id": "u", "width": 1, "height": 1}
        ]
        return self._store(
            self._chat(params), {"photo": photo, "caption": params.get("caption", "")}
        )

    def _m_senddocument(self, params: dict[str, Any]) -> dict[str, Any]:
        document = {"file_id": f"doc{next(self._ids)}", "file_unique_id": "u"}
        return self._store(
            self._chat(params), {"document": document, "caption": params.get("caption", "")}
        )

    def _find(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat(params)
        for message in self.messages.get(chat_id, []):
            if message["message_id"] == params.get("message_id"):
                return message
        raise ApiError(400, "Bad Request: message to edit not found")

    def _m_editmessagereplymarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._find(params)
        markup = self._markup(params)
        if not markup and "reply_markup" not in message:
            raise ApiError(400, "Bad Request: message is not modified")
        message.pop("reply_markup", None)
        message.update(markup)
        return message

    def _m_editmessagetext(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._find(params)
        message["text"] = str(params.get("text", ""))
        message.pop("reply_markup", None)
        message.update(self._markup(params))
        return message

    def _m_answercallbackquery(self, params: dict[str, Any]) -> bool:
        if len(str(params.get("text", ""))) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self.callback_answers.append(params)
        return True

    def _m_setmycommands(self, params: dict[str, Any]) -> bool:
        for command in params.get("commands", []):
            if not _COMMAND.match(command.get("command", "")):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(command.get("description", "")) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[self._scope_key(params)] = params.get("commands", [])
        return True

    def _m_getmycommands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return self.commands.get(self._scope_key(params), [])

    def _m_deletemycommands(self, params: dict[str, Any]) -> bool:
        self.commands.pop(self._scope_key(params), None)
        return True

    @staticmethod
    def _scope_key(params: dict[str, Any]) -> str:
        scope = params.get("scope") or {"type": "default"}
        return f"{scope.get('type')}:{scope.get('chat_id', '')}:{params.get('language_code', '')}"

    def _m_getme(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **BOT_USER,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _m_getupdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = params.get("offset") or 0
        self.updates = [u for u in self.updates if u["update_id"] >= offset]
        return self.updates[: int(params.get("limit") or 100)]

    def _m_deletewebhook(self, params: dict[str, Any]) -> bool:
        return True

    _m_setwebhook = _m_close = _m_logout = _m_deletewebhook

    def _m_getwebhookinfo(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}

    # --- what people send ---------------------------------------------------------------
    def next_update_id(self) -> int:
        return next(self._update_ids)

    def message_update(
        self,
        chat_id: int,
        text: str | None = None,
        *,
        user: dict[str, Any] | None = None,
        chat_type: str | None = None,
        extra: dict[str, Any] | None = None,
        kind: str = "message",
    ) -> dict[str, Any]:
        """An update as Telegram would deliver it for a message in `chat_id`."""
        sender = user or user_dict(chat_id if chat_id > 0 else 1)
        message: dict[str, Any] = {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "chat": chat_dict(chat_id, chat_type),
            "from": sender,
        }
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                length = len(text.split()[0])
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        message.update(extra or {})
        return {"update_id": self.next_update_id(), kind: message}

    def callback_update(
        self,
        chat_id: int,
        data: str,
        message: dict[str, Any] | None = None,
        user: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A button press on `message` (default: the last message sent to the chat)."""
        if message is None:
            message = self.messages.get(chat_id, [{}])[-1] or {
                "message_id": 1,
                "date": int(time.time()),
                "chat": chat_dict(chat_id),
            }
        query = {
            "id": str(self.next_update_id()),
            "from": user or user_dict(chat_id),
            "chat_instance": str(chat_id),
            "data": data,
            "message": message,
        }
        return {"update_id": self.next_update_id(), "callback_query": query}

    def buttons(self, chat_id: int) -> list[tuple[str, str]]:
        """(label, callback data) of the newest message of the chat that still has buttons."""
        for message in reversed(self.messages.get(chat_id, [])):
            rows = message.get("reply_markup", {}).get("inline_keyboard")
            if rows:
                return [(b["text"], b.get("callback_data", "")) for row in rows for b in row]
        return []

    def message_with_buttons(self, chat_id: int) -> dict[str, Any] | None:
        for message in reversed(self.messages.get(chat_id, [])):
            if message.get("reply_markup", {}).get("inline_keyboard"):
                return message
        return None


def chat_dict(chat_id: int, chat_type: str | None = None) -> dict[str, Any]:
    kind = chat_type or ("private" if chat_id > 0 else "supergroup")
    chat: dict[str, Any] = {"id": chat_id, "type": kind}
    if kind == "private":
        chat["first_name"] = f"User{chat_id}"
    else:
        chat["title"] = f"Group {chat_id}"
    return chat


def user_dict(
    user_id: int, language_code: str | None = None, first_name: str | None = None
) -> dict[str, Any]:
    user: dict[str, Any] = {
        "id": user_id,
        "is_bot": False,
        "first_name": first_name or f"User{user_id}",
    }
    if language_code:
        user["language_code"] = language_code
    return user


class EmulatedRequest(BaseRequest):
    """python-telegram-bot's request seam, answered by an emulator instead of the network."""

    def __init__(self, emulator: BotAPIEmulator) -> None:
        self.emulator = emulator

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        api_method = url.rsplit("/", 1)[-1]
        params = request_data.parameters if request_data else {}
        if request_data is not None and request_data.contains_files:
            for part in (request_data.multipart_data or {}).values():
                data = part[1]  # (file name, bytes or a file, mime type)
                self.emulator.uploads.append(data if isinstance(data, bytes) else data.read())
        try:
            body: dict[str, Any] = {"ok": True, "result": self.emulator.call(api_method, params)}
            status = 200
        except ApiError as error:
            body, status = error.payload(), error.status
        return status, json.dumps(body).encode()
