"""A fake Telegram Bot API over HTTP (aiohttp), reached through TELEGRAM_API_BASE_URL.

It answers with the in-memory emulator, feeds updates to getUpdates (long polling), records
every request, and can be told to fail: 429 with retry_after, 403 blocked, 500, or a dropped
connection.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.console.emulator import ApiError, BotAPIEmulator


@dataclass
class Fault:
    method: str
    kind: str  # "429", "403", "400", "500", "migrate" or "network"
    retry_after: int = 1
    chat_id: int | None = None  # only fail for this chat
    new_chat_id: int = 0


@dataclass
class Record:
    at: float
    method: str
    params: dict[str, Any]
    status: int


@dataclass
class FakeBotAPI:
    api: BotAPIEmulator = field(default_factory=BotAPIEmulator)
    records: list[Record] = field(default_factory=list)
    faults: deque[Fault] = field(default_factory=deque)
    limit_per_s: float | None = None  # like Telegram: 429 + retry_after beyond this rate
    _pending: asyncio.Event = field(default_factory=asyncio.Event)
    _window: deque[float] = field(default_factory=deque)
    _runner: web.AppRunner | None = None
    base_url: str = ""

    async def start(self) -> str:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"
        return self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def fail_next(
        self,
        method: str,
        kind: str,
        times: int = 1,
        retry_after: int = 1,
        chat_id: int | None = None,
        new_chat_id: int = 0,
    ) -> None:
        for _ in range(times):
            self.faults.append(Fault(method, kind, retry_after, chat_id, new_chat_id))

    def delivered(self) -> list[Record]:
        """Messages that Telegram accepted (status 200)."""
        return [r for r in self.records if r.method == "sendMessage" and r.status == 200]

    def push(self, update: dict[str, Any]) -> None:
        self.api.updates.append(update)
        self._pending.set()

    def statuses(self, method: str) -> list[int]:
        return [r.status for r in self.records if r.method == method]

    async def _params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            return await request.json()
        form = await request.post() if request.can_read_body else {}
        params = {**request.query, **{k: v for k, v in form.items() if isinstance(v, str)}}
        for key in ("timeout", "offset", "limit"):
            if key in params and str(params[key]).lstrip("-").isdigit():
                params[key] = int(params[key])
        return params

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        params = await self._params(request)
        fault = next(
            (
                f
                for f in self.faults
                if f.method == method
                and f.chat_id in (None, self.api._decode("chat_id", params.get("chat_id")))
            ),
            None,
        )
        if fault is not None:
            self.faults.remove(fault)
            return self._fail(request, method, params, fault)
        if self.limit_per_s and method.startswith("send") and self._over_limit():
            return self._fail(request, method, params, Fault(method, "429", 1))
        if method == "getUpdates":
            await self._wait_for_updates(float(params.get("timeout") or 0))
        try:
            body: dict[str, Any] = {"ok": True, "result": self.api.call(method, params)}
            status = 200
        except ApiError as error:
            body, status = error.payload(), error.status
        self.records.append(Record(time.monotonic(), method, params, status))
        return web.json_response(body, status=status, dumps=json.dumps)

    def _over_limit(self) -> bool:
        now = time.monotonic()
        while self._window and self._window[0] <= now - 1.0:
            self._window.popleft()
        if len(self._window) >= (self.limit_per_s or 0):
            return True
        self._window.append(now)
        return False

    async def _wait_for_updates(self, timeout: float) -> None:
        if self.api.updates or timeout <= 0:
            return
        self._pending.clear()
        try:
            await asyncio.wait_for(self._pending.wait(), timeout)
        except TimeoutError:
            pass

    def _fail(
        self, request: web.Request, method: str, params: dict[str, Any], fault: Fault
    ) -> web.StreamResponse:
        errors = {
            "429": ApiError(
                429,
                f"Too Many Requests: retry after {fault.retry_after}",
                {"retry_after": fault.retry_after},
            ),
            "403": ApiError(403, "Forbidden: bot was blocked by the user"),
            "500": ApiError(500, "Internal Server Error"),
            "400": ApiError(400, "Bad Request: chat not found"),
            "migrate": ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": fault.new_chat_id},
            ),
        }
        if fault.kind == "network":
            self.records.append(Record(time.monotonic(), method, params, 0))
            assert request.transport is not None
            request.transport.close()  # the client sees the connection drop
            return web.Response(status=500)
        error = errors[fault.kind]
        self.records.append(Record(time.monotonic(), method, params, error.status))
        return web.json_response(error.payload(), status=error.status)
