"""What the fake Bot API servers (``FakeTelegram``, ``FakeZalo``) have in common.

Both platforms speak the same shape of HTTP API (``/bot<TOKEN>/<method>``, an
``{"ok": ..., "result"/"error_code", "description"}`` envelope, long-polled getUpdates), so
the server plumbing, call recording and fault injection live here once. Subclasses supply
the methods, the update formats and the platform's own rules through the hooks below.
"""

from __future__ import annotations

import asyncio
import json
import time
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, ClassVar, Self

from aiohttp import web

JSONDict = dict[str, Any]
ChatId = int | str
Handler = Callable[[JSONDict], Awaitable[Any]]


@dataclass
class Call:
    """One API request as the server saw it; ``status`` is the HTTP status answered."""

    method: str
    params: JSONDict
    at: float  # time.monotonic() when the request arrived
    status: int = 200
    result: Any = None  # the "result" returned on success

    @property
    def ok(self) -> bool:
        return self.status == HTTPStatus.OK


class ApiError(Exception):
    """An error answer in the envelope; method handlers raise it, faults hold one.

    ``parameters`` is Telegram's extra field (``retry_after``); Zalo errors never carry it.
    """

    def __init__(self, status: int, description: str,
                 parameters: JSONDict | None = None) -> None:
        super().__init__(f"{status} {description}")
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> JSONDict:
        body: JSONDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


@dataclass
class _Fault:
    """An error to answer the next ``remaining`` matching calls with."""

    method: str
    error: ApiError
    remaining: int
    chat_id: ChatId | None = None


def http_phrase(status: int) -> str:
    """The standard reason phrase, for errors a test doesn't describe ("Error" if none)."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _same_chat(a: Any, b: Any) -> bool:
    """Chat ids arrive as ints or strings ("123", "@channel", opaque ids): compare as text."""
    return a is not None and b is not None and str(a) == str(b)


class FakeBotServer(ABC):
    """An aiohttp server on 127.0.0.1 (free port) that records calls and injects faults.

    Subclasses implement ``_split_path`` and the API methods both platforms have (listed in
    ``_api_methods``), extend that table with their own, and set the class attributes where
    their platform differs.
    """

    #: Whether "getme" is a different method from "getMe" (Telegram ignores case, Zalo doesn't).
    method_names_case_sensitive: ClassVar[bool] = True
    #: Cancel a handler when its client disconnects (so a dropped long poll consumes nothing).
    handler_cancellation: ClassVar[bool] = False
    #: The 403 description block() answers sends with.
    blocked_description: ClassVar[str] = "Forbidden"

    def __init__(self, token: str) -> None:
        self.token = token
        self.calls: list[Call] = []
        #: Every 429 answered, injected by fail() or produced by limit_rate().
        self.too_many_requests_sent = 0
        self.listeners: list[Callable[[Call], None]] = []
        """Called with every recorded call (benchmarks use it instead of polling ``calls``)."""

        # Notified on every recorded call and whenever a long poll parks or leaves.
        self._changed = asyncio.Condition()
        # Replaced on every queued update: user actions are sync so can't take a Condition lock.
        self._updates_event = asyncio.Event()
        self._pollers = 0

        self._faults: list[_Fault] = []
        self._blocked: set[str] = set()
        self._delays: dict[str, float] = {}
        self._rate: float | None = None
        self._recent_sends: deque[float] = deque()

        self._closing = False
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

        # Calls are recorded under the canonical name even when matched case-insensitively.
        self._handlers: dict[str, tuple[str, Handler]] = {
            self._method_key(name): (name, handler)
            for name, handler in self._api_methods().items()
        }

    # ------------------------------------------------------------------ platform hooks

    def _api_methods(self) -> dict[str, Handler]:
        """The implemented methods by canonical name; anything else answers 404.

        These are the ones both platforms have; subclasses extend the table with their own.
        """
        return {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "sendChatAction": self._send_chat_action,
        }

    # Each platform implements the methods they share (typed here for the table above).
    _get_me: Handler
    _get_updates: Handler
    _set_webhook: Handler
    _delete_webhook: Handler
    _get_webhook_info: Handler
    _send_message: Handler
    _send_chat_action: Handler

    @staticmethod
    @abstractmethod
    def _split_path(path: str) -> tuple[str, str] | None:
        """(token, method name) from a request path; None answers a bare 404."""

    def _rate_limit_error(self) -> ApiError:
        """What limit_rate() answers with once the window is full."""
        return ApiError(429, "Too Many Requests")

    def _is_send(self, method: str) -> bool:
        """Whether ``method`` delivers to a chat, so a block() refuses it."""
        return method.startswith("send")

    @staticmethod
    def _decode_field(key: str, raw: str | bytes | bytearray) -> Any:
        """A query or form value as the handlers see it (as sent, unless overridden)."""
        return raw

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Listen on a free loopback port."""
        app = web.Application()
        app.router.add_route("*", "/{path:.*}", self._handle)
        # A short shutdown timeout: stop() releases long polls, nothing else runs long.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0,
                                     handler_cancellation=self.handler_cancellation)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self._port = self._runner.addresses[0][1]
        self._closing = False

    async def stop(self) -> None:
        """Release parked long polls (each platform's idle answer) and close the server."""
        self._closing = True
        self._wake_pollers()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def _server_url(self) -> str:
        """``http://127.0.0.1:<port>``; subclasses append what their client expects."""
        if self._port is None:
            raise RuntimeError(f"{type(self).__name__} is not started")
        return f"http://127.0.0.1:{self._port}"

    @property
    def polling(self) -> int:
        """How many getUpdates requests are parked waiting for an update right now."""
        return self._pollers

    # ------------------------------------------------------------------ recording

    def sent(self, method: str = "sendMessage", chat_id: ChatId | None = None) -> list[JSONDict]:
        """Params of the successful calls of ``method`` (to ``chat_id`` if given), in order."""
        return [
            call.params for call in self.calls
            if call.ok and call.method == method
            and (chat_id is None or _same_chat(call.params.get("chat_id"), chat_id))
        ]

    async def wait_for(self, method: str = "sendMessage", count: int = 1, timeout: float = 5.0,
                       chat_id: ChatId | None = None) -> list[JSONDict]:
        """Wait until ``count`` successful ``method`` calls are recorded; return all of them.

        Raises AssertionError listing what was recorded if they don't come in ``timeout``.
        """
        try:
            async with asyncio.timeout(timeout):
                async with self._changed:
                    await self._changed.wait_for(
                        lambda: len(self.sent(method, chat_id)) >= count)
        except TimeoutError:
            target = f" to chat {chat_id}" if chat_id is not None else ""
            got = len(self.sent(method, chat_id))
            raise AssertionError(
                f"expected {count} successful {method} call(s){target} within {timeout}s, "
                f"got {got}. Recorded calls:\n{self.describe_calls()}"
            ) from None
        return self.sent(method, chat_id)

    async def wait_until_polling(self, timeout: float = 5.0) -> None:
        """Wait until a getUpdates request is parked on the server (a long poll in progress)."""
        try:
            async with asyncio.timeout(timeout):
                async with self._changed:
                    await self._changed.wait_for(lambda: self._pollers > 0)
        except TimeoutError:
            raise AssertionError(
                f"no getUpdates long poll within {timeout}s. Recorded calls:\n"
                f"{self.describe_calls()}") from None

    def describe_calls(self, limit: int = 30) -> str:
        """The last calls, one per line, for assertion messages (getUpdates left out)."""
        shown = [call for call in self.calls if call.method != "getUpdates"][-limit:]
        if not shown:
            return "  (none besides getUpdates)"
        return "\n".join(
            f"  {call.status} {call.method} "
            f"{json.dumps(call.params, ensure_ascii=False, default=str)}"
            for call in shown
        )

    def clear(self) -> None:
        """Forget recorded calls (queued updates, faults and platform state stay)."""
        self.calls.clear()

    # ------------------------------------------------------------------ fault injection

    def _add_fault(self, method: str, error: ApiError, times: int,
                   chat_id: ChatId | None) -> None:
        """For the subclasses' fail(), whose error arguments follow the platform."""
        self._faults.append(_Fault(method, error, times, chat_id))

    def block(self, chat_id: ChatId) -> None:
        """The user blocked the bot: sends to that chat answer 403 until unblock()."""
        self._blocked.add(str(chat_id))

    def unblock(self, chat_id: ChatId) -> None:
        self._blocked.discard(str(chat_id))

    def delay(self, method: str, seconds: float | None) -> None:
        """Answer ``method`` ``seconds`` late (0 or None: on time again)."""
        if seconds:
            self._delays[method] = seconds
        else:
            self._delays.pop(method, None)

    def limit_rate(self, per_second: float | None) -> None:
        """Enforce a rate of messages (sendMessage and sendPhoto, sliding 1 s window) by
        answering 429."""
        self._rate = per_second
        self._recent_sends.clear()

    def _fault_for(self, method: str, params: JSONDict) -> ApiError | None:
        """Injected faults first, then blocked chats, then the server-side rate limit."""
        chat_id = params.get("chat_id")
        for fault in self._faults:
            if fault.method == method and fault.remaining > 0 and (
                    fault.chat_id is None or _same_chat(fault.chat_id, chat_id)):
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._faults.remove(fault)
                return fault.error
        if self._is_send(method) and str(chat_id) in self._blocked:
            return ApiError(403, self.blocked_description)
        if method in ("sendMessage", "sendPhoto") and self._rate is not None:
            now = time.monotonic()
            while self._recent_sends and now - self._recent_sends[0] >= 1.0:
                self._recent_sends.popleft()
            if len(self._recent_sends) >= self._rate:
                return self._rate_limit_error()
            self._recent_sends.append(now)
        return None

    # ------------------------------------------------------------------ HTTP

    def _method_key(self, name: str) -> str:
        """The handler table key for a method name (lowercase where case doesn't matter)."""
        return name if self.method_names_case_sensitive else name.lower()

    def _lookup(self, name: str) -> tuple[str, Handler | None]:
        """(canonical name, handler); the name as sent and None for an unknown method."""
        return self._handlers.get(self._method_key(name), (name, None))

    async def _handle(self, request: web.Request) -> web.Response:
        arrived = time.monotonic()
        route = self._split_path(request.match_info["path"])
        if route is None:
            return self._respond(404, ApiError(404, "Not Found").body())
        token, name = route
        method, handler = self._lookup(name)
        try:
            params = await self._read_params(request)
        except ApiError as exc:
            return await self._answer(Call(method, {}, arrived), exc)
        call = Call(method, params, arrived)

        if token != self.token:
            return await self._answer(call, ApiError(401, "Unauthorized"))
        if handler is None:
            return await self._answer(call, ApiError(404, "Not Found: method not found"))
        if seconds := self._delays.get(method):
            await asyncio.sleep(seconds)
        if fault := self._fault_for(method, params):
            return await self._answer(call, fault)
        try:
            call.result = await handler(params)
        except ApiError as exc:
            return await self._answer(call, exc)
        return await self._answer(call, None)

    async def _answer(self, call: Call, error: ApiError | None) -> web.Response:
        """Record the call, wake wait_for(), and send the envelope."""
        body = await self._record(call, error)
        return self._respond(call.status, body)

    async def _record(self, call: Call, error: ApiError | None) -> JSONDict:
        """Record the call (status from ``error``), wake wait_for(); the envelope to answer.

        Subclasses answering something other than the envelope (file bytes) record with this.
        """
        if error is None:
            body: JSONDict = {"ok": True, "result": call.result}
        else:
            call.status = error.status
            body = error.body()
            if error.status == HTTPStatus.TOO_MANY_REQUESTS:
                self.too_many_requests_sent += 1
        self.calls.append(call)
        for listener in self.listeners:
            listener(call)
        async with self._changed:
            self._changed.notify_all()
        return body

    @staticmethod
    def _respond(status: int, body: JSONDict) -> web.Response:
        return web.json_response(body, status=status,
                                 dumps=lambda obj: json.dumps(obj, ensure_ascii=False))

    async def _read_params(self, request: web.Request) -> JSONDict:
        """Query string plus a JSON, form or multipart body (form values via _decode_field)."""
        params: JSONDict = {key: self._decode_field(key, value)
                            for key, value in request.query.items()}
        if request.content_type == "application/json":
            try:
                body = await request.json() if request.can_read_body else {}
            except ValueError:
                raise ApiError(400, "Bad Request: can't parse JSON body") from None
            if not isinstance(body, dict):
                raise ApiError(400, "Bad Request: JSON body must be an object")
            params.update(body)
            return params
        for key, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                params[key] = {"file_name": value.filename, "mime_type": value.content_type,
                               "data": value.file.read()}
            else:
                params[key] = self._decode_field(key, value)
        return params

    # ------------------------------------------------------------------ long polling

    async def _park(self, woken: asyncio.Event, seconds: float) -> None:
        """Wait for ``woken`` as a counted poller (wait_until_polling sees it)."""
        self._pollers += 1
        async with self._changed:
            self._changed.notify_all()
        try:
            async with asyncio.timeout(seconds):
                await woken.wait()
        except TimeoutError:
            pass
        finally:
            # Also when cancelled (the client gave up): the lock is free, so this won't block.
            self._pollers -= 1
            async with self._changed:
                self._changed.notify_all()

    def _wake_pollers(self) -> None:
        woken, self._updates_event = self._updates_event, asyncio.Event()
        woken.set()
