"""A local stand-in for the Zalo Bot Platform API (see shared/reference/zalo-bot-api.md).

Tests point the bot's Zalo channel at ``base_url`` so its real HTTP client, long polling and
webhook handling run without the network. Like ``FakeTelegram`` the server records what the
bot sent, lets a test act as a user ("user sends X" queues an update) and injects faults
(429 quota refusals, 5xx, blocked users, slow answers).

Where Zalo differs from Telegram the fake follows Zalo: getUpdates hands out ONE update as an
object and takes no offset (an update is consumed once returned), an idle poll ends in HTTP 408,
method names are case-sensitive, ids are opaque strings and dates are in milliseconds.
Unknown methods answer 404, so a call the platform lacks fails loudly in tests.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Self

import aiohttp
from aiohttp import web

JSONDict = dict[str, Any]
ChatId = int | str

DEFAULT_TOKEN = "zalo-TEST-token-123"
DEFAULT_BOT_ID = "2345678901234567890"
BOT_ACCOUNT_NAME = "bot.luanchuyen"
MAX_TEXT_LENGTH = 2000
SECRET_LENGTHS = range(8, 257)
DEFAULT_POLL_TIMEOUT = 30.0
#: Sender of group messages when the test doesn't name one (a group id is not a user id).
DEFAULT_GROUP_USER_ID = "u-group-member-1001"
BLOCKED_DESCRIPTION = "User has blocked the bot"
WEBHOOK_ACTIVE_DESCRIPTION = ("Conflict: webhook is active; "
                              "call deleteWebhook before using getUpdates")
SECRET_HEADER = "X-Bot-Api-Secret-Token"


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
    """An error answer in Zalo's envelope; method handlers raise it, faults hold one."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(f"{status} {description}")
        self.status = status
        self.description = description

    def body(self) -> JSONDict:
        return {"ok": False, "error_code": self.status, "description": self.description}


@dataclass
class _Fault:
    """An error to answer the next ``remaining`` matching calls with."""

    method: str
    error: ApiError
    remaining: int
    chat_id: ChatId | None = None


def _same_chat(a: Any, b: Any) -> bool:
    """Chat ids are opaque strings, but a client may send digits as a number: compare text."""
    return a is not None and b is not None and str(a) == str(b)


def _now_ms() -> int:
    return int(time.time() * 1000)


def make_error(status: int, *, description: str | None = None) -> ApiError:
    """The error Zalo would send for ``status`` (no retry_after: Zalo publishes none)."""
    if description is None:
        if status == HTTPStatus.TOO_MANY_REQUESTS:
            description = "Too Many Requests"
        else:
            try:
                description = HTTPStatus(status).phrase
            except ValueError:
                description = "Error"
    return ApiError(status, description)


class FakeZalo:
    """Fake Zalo Bot API server on 127.0.0.1 (free port); see the module docstring."""

    def __init__(self, token: str = DEFAULT_TOKEN, bot_name: str = "Bot Luân chuyển",
                 *, bot_id: str = DEFAULT_BOT_ID) -> None:
        self.token = token
        self.bot_name = bot_name
        self.bot_id = bot_id
        self.calls: list[Call] = []
        #: Every 429 answered, injected by fail() or produced by limit_rate().
        self.too_many_requests_sent = 0
        #: The platform documents https webhooks; off by default so tests can use http://127.0.0.1.
        self.require_https_webhook = False
        self.listeners: list[Callable[[Call], None]] = []
        """Called with every recorded call (benchmarks use it instead of polling ``calls``)."""

        # Notified on every recorded call and whenever a long poll parks or leaves.
        self._changed = asyncio.Condition()
        self._updates: deque[JSONDict] = deque()
        # Replaced on every queued update: user actions are sync so can't take a Condition lock.
        self._updates_event = asyncio.Event()
        self._message_ids = itertools.count(1)
        self._pollers = 0
        self._webhook: tuple[str, str] | None = None
        self._webhook_updated_at = 0

        self._faults: list[_Fault] = []
        self._blocked: set[str] = set()
        self._delays: dict[str, float] = {}
        self._rate: float | None = None
        self._recent_sends: deque[float] = deque()

        self._closing = False
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

        # Zalo method names are case-sensitive: "getme" is an unknown method.
        self._handlers: dict[str, Callable[[JSONDict], Awaitable[Any]]] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendSticker": self._send_sticker,
            "sendChatAction": self._send_chat_action,
        }

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Listen on a free loopback port."""
        app = web.Application()
        app.router.add_route("*", "/{path:.*}", self._handle)
        # handler_cancellation: a client that gives up on a long poll must not consume an update
        # the fake would then write into a closed socket. Short shutdown: stop() ends long polls.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0,
                                     handler_cancellation=True)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self._port = self._runner.addresses[0][1]
        self._closing = False

    async def stop(self) -> None:
        """Release parked long polls (they answer 408) and close the server."""
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
    def base_url(self) -> str:
        """The API root: the client calls ``f"{base_url}/bot{token}/{method}"``."""
        if self._port is None:
            raise RuntimeError("FakeZalo is not started")
        return f"http://127.0.0.1:{self._port}"

    @property
    def bot_info(self) -> JSONDict:
        """The object getMe returns."""
        return {"id": self.bot_id, "account_name": BOT_ACCOUNT_NAME, "account_type": "BASIC",
                "can_join_groups": False, "display_name": self.bot_name}

    @property
    def pending_updates(self) -> list[JSONDict]:
        """Updates queued and not yet handed out by getUpdates."""
        return copy.deepcopy(list(self._updates))

    @property
    def polling(self) -> int:
        """How many getUpdates requests are parked waiting for an update right now."""
        return self._pollers

    @property
    def webhook(self) -> tuple[str, str] | None:
        """(url, secret_token) as last set by setWebhook; None when no webhook is set."""
        return self._webhook

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
        """Forget recorded calls (updates, faults and the webhook stay)."""
        self.calls.clear()

    # ------------------------------------------------------------------ user actions

    def user_sends(self, chat_id: str, text: str, *, user_id: str | None = None,
                   display_name: str = "Cán bộ", chat_type: str = "PRIVATE") -> JSONDict:
        """Queue a text message; "/start" is plain text too (Zalo has no command entities)."""
        return self._user_message("message.text.received", chat_id, {"text": text},
                                  user_id=user_id, display_name=display_name,
                                  chat_type=chat_type)

    def user_sends_image(self, chat_id: str, *, caption: str | None = None,
                         photo_url: str = "https://photo.example.invalid/anh.jpg",
                         user_id: str | None = None, display_name: str = "Cán bộ",
                         chat_type: str = "PRIVATE") -> JSONDict:
        """Queue an image (a URL, optionally captioned): no text for the bot to answer."""
        content: JSONDict = {"photo_url": photo_url}
        if caption is not None:
            content["caption"] = caption
        return self._user_message("message.image.received", chat_id, content, user_id=user_id,
                                  display_name=display_name, chat_type=chat_type)

    def user_sends_sticker(self, chat_id: str, *, sticker: str = "sticker-like-01",
                           user_id: str | None = None, display_name: str = "Cán bộ",
                           chat_type: str = "PRIVATE") -> JSONDict:
        """Queue a sticker (an opaque id)."""
        return self._user_message("message.sticker.received", chat_id, {"sticker": sticker},
                                  user_id=user_id, display_name=display_name,
                                  chat_type=chat_type)

    def user_sends_voice(self, chat_id: str, *,
                         voice_url: str = "https://voice.example.invalid/ghi-am.aac",
                         user_id: str | None = None, display_name: str = "Cán bộ",
                         chat_type: str = "PRIVATE") -> JSONDict:
        """Queue a voice message (a URL; the field name is a guess, the event name is not)."""
        return self._user_message("message.voice.received", chat_id, {"voice_url": voice_url},
                                  user_id=user_id, display_name=display_name,
                                  chat_type=chat_type)

    def user_sends_unsupported(self, chat_id: str, *, user_id: str | None = None,
                               display_name: str = "Cán bộ",
                               chat_type: str = "PRIVATE") -> JSONDict:
        """Queue a message of a kind the platform doesn't describe (no content at all)."""
        return self._user_message("message.unsupported.received", chat_id, {},
                                  user_id=user_id, display_name=display_name,
                                  chat_type=chat_type)

    def queue(self, update: JSONDict) -> JSONDict:
        """Queue any raw dict as an update (malformed or unknown events in tests)."""
        queued = copy.deepcopy(update)
        self._updates.append(queued)
        self._wake_pollers()
        return copy.deepcopy(queued)

    def resend(self, update: JSONDict) -> JSONDict:
        """Deliver an update again, same message_id: the platform may repeat itself."""
        return self.queue(update)

    async def deliver_webhook(self, url: str, update: JSONDict, *, secret: str | None,
                              wrapped: bool = True) -> int:
        """POST ``update`` to the bot's webhook like the platform would; return the HTTP status.

        ``wrapped`` sends the documented ``{"ok": true, "result": update}``; False sends the
        flat update also seen in the wild. ``secret=None`` omits the secret header.
        """
        body = {"ok": True, "result": update} if wrapped else update
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        timeout = aiohttp.ClientTimeout(total=10)
        async with (aiohttp.ClientSession(timeout=timeout) as session,
                    session.post(url, json=body, headers=headers) as response):
            await response.read()
            return response.status

    # ------------------------------------------------------------------ fault injection

    def fail(self, method: str, *, status: int = 429, times: int = 1,
             description: str | None = None, chat_id: ChatId | None = None) -> None:
        """Answer the next ``times`` calls of ``method`` (to ``chat_id`` if given) with an error.

        The description defaults to Zalo's wording: 429 "Too Many Requests", else the HTTP
        phrase (502 "Bad Gateway", 403 "Forbidden").
        """
        self._faults.append(_Fault(method, make_error(status, description=description),
                                   times, chat_id))

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
        """Enforce a sendMessage rate (sliding 1 s window) by answering 429."""
        self._rate = per_second
        self._recent_sends.clear()

    # ------------------------------------------------------------------ HTTP

    async def _handle(self, request: web.Request) -> web.Response:
        arrived = time.monotonic()
        token, method = self._split_path(request.match_info["path"])
        if method is None:
            return self._respond(404, ApiError(404, "Not Found").body())
        try:
            params = await self._read_params(request)
        except ApiError as exc:
            return await self._answer(Call(method, {}, arrived), exc)
        call = Call(method, params, arrived)

        if token != self.token:
            return await self._answer(call, ApiError(401, "Unauthorized"))
        handler = self._handlers.get(method)
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

    @staticmethod
    def _split_path(path: str) -> tuple[str, str | None]:
        """Split "bot<TOKEN>/<method>" into (token, method); method None for any other path."""
        head, sep, method = path.partition("/")
        if not sep or not head.startswith("bot") or not method or "/" in method:
            return "", None
        return head[len("bot"):], method

    async def _answer(self, call: Call, error: ApiError | None) -> web.Response:
        """Record the call, wake wait_for(), and send the envelope."""
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
        return self._respond(call.status, body)

    @staticmethod
    def _respond(status: int, body: JSONDict) -> web.Response:
        return web.json_response(body, status=status,
                                 dumps=lambda obj: json.dumps(obj, ensure_ascii=False))

    @staticmethod
    async def _read_params(request: web.Request) -> JSONDict:
        """Query string plus a JSON, form or multipart body.

        Form values stay strings (ids are opaque strings; handlers convert numbers they need).
        """
        params: JSONDict = dict(request.query)
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
                params[key] = value
        return params

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
        if method.startswith("send") and str(chat_id) in self._blocked:
            return ApiError(403, BLOCKED_DESCRIPTION)
        if method == "sendMessage" and self._rate is not None:
            now = time.monotonic()
            while self._recent_sends and now - self._recent_sends[0] >= 1.0:
                self._recent_sends.popleft()
            if len(self._recent_sends) >= self._rate:
                return make_error(429)
            self._recent_sends.append(now)
        return None

    # ------------------------------------------------------------------ API methods

    async def _get_me(self, params: JSONDict) -> JSONDict:
        return self.bot_info

    async def _get_updates(self, params: JSONDict) -> JSONDict:
        """Long polling: hand out the oldest queued update, or wait up to ``timeout`` for one."""
        if self._webhook is not None:
            raise ApiError(409, WEBHOOK_ACTIVE_DESCRIPTION)
        timeout = self._number(params, "timeout", DEFAULT_POLL_TIMEOUT)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            woken = self._updates_event  # take it before checking, so no update is missed
            if self._updates:
                # Consumed now: Zalo has no offset, so there is no confirming it later.
                return self._updates.popleft()
            remaining = deadline - loop.time()
            if self._closing or remaining <= 0:
                raise ApiError(408, "Request timeout")
            await self._park(woken, remaining)

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

    async def _set_webhook(self, params: JSONDict) -> JSONDict:
        url = params.get("url")
        schemes = ("https://",) if self.require_https_webhook else ("https://", "http://")
        if not isinstance(url, str) or not url.startswith(schemes):
            raise ApiError(400, "Bad Request: url must be an https URL")
        secret = params.get("secret_token")
        if not isinstance(secret, str) or len(secret) not in SECRET_LENGTHS:
            raise ApiError(400, "Bad Request: secret_token must be 8 to 256 characters")
        self._webhook = (url, secret)
        self._webhook_updated_at = _now_ms()
        return {"url": url, "updated_at": self._webhook_updated_at}

    async def _delete_webhook(self, params: JSONDict) -> bool:
        self._webhook = None
        self._webhook_updated_at = _now_ms()
        return True

    async def _get_webhook_info(self, params: JSONDict) -> JSONDict:
        if self._webhook is None:
            raise ApiError(404, "Not Found: webhook is not set")
        return {"url": self._webhook[0], "updated_at": self._webhook_updated_at}

    async def _send_message(self, params: JSONDict) -> JSONDict:
        self._require(params, "chat_id")
        text = params.get("text")
        if not isinstance(text, str) or not 1 <= len(text) <= MAX_TEXT_LENGTH:
            raise ApiError(400, f"text must be 1 to {MAX_TEXT_LENGTH} characters")
        return self._new_message()

    async def _send_photo(self, params: JSONDict) -> JSONDict:
        self._require(params, "chat_id")
        self._require(params, "photo")
        return self._new_message()

    async def _send_sticker(self, params: JSONDict) -> JSONDict:
        self._require(params, "chat_id")
        self._require(params, "sticker")
        return self._new_message()

    async def _send_chat_action(self, params: JSONDict) -> bool:
        self._require(params, "chat_id")
        self._require(params, "action")
        return True

    # ------------------------------------------------------------------ helpers

    @staticmethod
    def _require(params: JSONDict, key: str) -> Any:
        value = params.get(key)
        if value is None or value == "":
            raise ApiError(400, f"Bad Request: {key} is required")
        return value

    @staticmethod
    def _number(params: JSONDict, key: str, default: float) -> float:
        raw = params.get(key)
        if raw is None or raw == "":
            return default
        try:
            return max(float(raw), 0.0)
        except (TypeError, ValueError):
            raise ApiError(400, f"Bad Request: {key} must be a number") from None

    def _new_message_id(self) -> str:
        """Opaque, unique across bot and user messages (dedup tests rely on uniqueness)."""
        return f"msg{next(self._message_ids):08d}"

    def _new_message(self) -> JSONDict:
        return {"message_id": self._new_message_id(), "date": _now_ms()}

    def _user_message(self, event_name: str, chat_id: str, content: JSONDict, *,
                      user_id: str | None, display_name: str, chat_type: str) -> JSONDict:
        if user_id is None:
            user_id = chat_id if chat_type == "PRIVATE" else DEFAULT_GROUP_USER_ID
        message: JSONDict = {
            "from": {"id": user_id, "display_name": display_name, "is_bot": False},
            "chat": {"id": chat_id, "chat_type": chat_type},
            **content,
            "message_id": self._new_message_id(),
            "date": _now_ms(),
        }
        return self.queue({"event_name": event_name, "message": message})

    def _wake_pollers(self) -> None:
        woken, self._updates_event = self._updates_event, asyncio.Event()
        woken.set()
