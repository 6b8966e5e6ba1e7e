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
import time
from collections import deque
from typing import Any, ClassVar

import aiohttp

from .base import ApiError, Call, ChatId, FakeBotServer, Handler, JSONDict, http_phrase

__all__ = ["ApiError", "Call", "ChatId", "FakeZalo", "JSONDict", "make_error"]

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


def _now_ms() -> int:
    return int(time.time() * 1000)


def make_error(status: int, *, description: str | None = None) -> ApiError:
    """The error Zalo would send for ``status`` (no retry_after: Zalo publishes none)."""
    # HTTPStatus's phrase for 429 is Zalo's wording too: "Too Many Requests".
    return ApiError(status, http_phrase(status) if description is None else description)


class FakeZalo(FakeBotServer):
    """Fake Zalo Bot API server on 127.0.0.1 (free port); see the module docstring."""

    # A client that gives up on a long poll must not consume an update the fake would then
    # write into a closed socket.
    handler_cancellation: ClassVar[bool] = True
    blocked_description: ClassVar[str] = BLOCKED_DESCRIPTION

    def __init__(self, token: str = DEFAULT_TOKEN, bot_name: str = "Bot Luân chuyển",
                 *, bot_id: str = DEFAULT_BOT_ID) -> None:
        super().__init__(token)
        self.bot_name = bot_name
        self.bot_id = bot_id
        #: The platform documents https webhooks; off by default so tests can use http://127.0.0.1.
        self.require_https_webhook = False
        self._updates: deque[JSONDict] = deque()
        self._message_ids = itertools.count(1)
        self._webhook: tuple[str, str] | None = None
        self._webhook_updated_at = 0

    def _api_methods(self) -> dict[str, Handler]:
        # Zalo method names are case-sensitive (the base default): "getme" is unknown.
        return {**super()._api_methods(),
                "sendPhoto": self._send_photo, "sendSticker": self._send_sticker}

    # ------------------------------------------------------------------ state

    @property
    def base_url(self) -> str:
        """The API root: the client calls ``f"{base_url}/bot{token}/{method}"``."""
        return self._server_url

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
    def webhook(self) -> tuple[str, str] | None:
        """(url, secret_token) as last set by setWebhook; None when no webhook is set."""
        return self._webhook

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
        self._add_fault(method, make_error(status, description=description), times, chat_id)

    # ------------------------------------------------------------------ platform hooks

    @staticmethod
    def _split_path(path: str) -> tuple[str, str] | None:
        """Split "bot<TOKEN>/<method>" into (token, method); None for any other path."""
        head, sep, method = path.partition("/")
        if not sep or not head.startswith("bot") or not method or "/" in method:
            return None
        return head[len("bot"):], method

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
