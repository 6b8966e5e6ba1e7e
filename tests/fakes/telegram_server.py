"""A local stand-in for the Telegram Bot API server.

Tests run the real python-telegram-bot ``Application`` (long polling, ``AIORateLimiter``)
against this server through ``base_url``, so the whole HTTP path is exercised without
the network. The server records what the bot sent, lets a test act as a user
("user sends X" queues an update) and injects faults (429 flood waits, 5xx, blocked users,
slow answers, a server-side rate limit).

Files work as on the real server: every file a user sends (or the bot uploads) gets a
file_id, getFile answers its ``file_path``, and the bytes are served at
``{base_file_url}<token>/<file_path>`` (point ``Bot(base_file_url=...)`` at
``FakeTelegram.base_file_url``). Downloads are recorded as calls of ``DOWNLOAD``.

Only the parts of the protocol the bot uses are implemented; unknown methods answer 404
like Telegram does, so a new call in the bot fails loudly instead of passing silently.
"""

from __future__ import annotations

import asyncio
import copy
import html
import itertools
import json
import mimetypes
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, ClassVar

from aiohttp import web

from .base import ApiError, Call, ChatId, FakeBotServer, Handler, JSONDict, http_phrase

__all__ = ["DOWNLOAD", "ApiError", "Call", "ChatId", "FakeTelegram", "JSONDict", "StoredFile",
           "make_error"]

DEFAULT_TOKEN = "123456:TEST-TOKEN"
BOT_FIRST_NAME = "Luân chuyển bot"
GROUP_TITLE = "Đơn vị"
#: Sender of group messages when the test doesn't name one (private chats use the chat id).
DEFAULT_GROUP_USER_ID = 1001
MAX_MESSAGE_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
#: Bots may download files up to 20 MB (getFile refuses bigger ones) and upload up to 50 MB.
MAX_DOWNLOAD_SIZE = 20 * 1024 * 1024
MAX_UPLOAD_SIZE = 50 * 1024 * 1024
#: A document's size when a test sends one without contents.
DEFAULT_DOCUMENT_SIZE = 10_240
BLOCKED_DESCRIPTION = "Forbidden: bot was blocked by the user"
#: The method name file downloads are recorded under: sent(DOWNLOAD) lists their
#: {"file_path"}s, and fail(DOWNLOAD, ...) / delay(DOWNLOAD, ...) apply to them.
DOWNLOAD = "downloadFile"

# python-telegram-bot sends str values as they are and JSON-encodes everything else, so
# JSON-decoding a str field would turn the text "123" into an int. Keep these raw.
_STRING_FIELDS = frozenset({
    "action", "business_connection_id", "callback_query_id", "caption", "description",
    "document", "emoji", "file_id", "first_name", "inline_message_id", "inline_query_id", "ip_address",
    "language_code", "message_effect_id", "name", "next_offset", "parse_mode", "query",
    "secret_token", "short_description", "switch_pm_parameter", "switch_pm_text", "text",
    "title", "url",
})
_HTML_TAG = re.compile(r"<[^>]*>")


def _utf16_len(text: str) -> int:
    """Telegram measures text (entity offsets, length limits) in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _visible_text(text: str, parse_mode: str | None) -> str | None:
    """The text a user would see, for the length limit; None when we can't tell (Markdown)."""
    if not parse_mode:
        return text
    if parse_mode.upper() == "HTML":
        return html.unescape(_HTML_TAG.sub("", text))
    return None


def _number(value: Any) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def make_error(status: int, *, retry_after: float | None = None,
               description: str | None = None) -> ApiError:
    """The error Telegram would send for ``status`` (429 carries ``retry_after``)."""
    if status == HTTPStatus.TOO_MANY_REQUESTS:
        wait = 1 if retry_after is None else retry_after
        return ApiError(status, description or f"Too Many Requests: retry after {_number(wait)}",
                        {"retry_after": wait})
    if description is None:
        description = BLOCKED_DESCRIPTION if status == HTTPStatus.FORBIDDEN else http_phrase(status)
    return ApiError(status, description)


@dataclass
class StoredFile:
    """A file the fake server holds: sent by a user or uploaded by the bot."""

    file_id: str
    file_unique_id: str
    file_path: str  # relative, as getFile answers it
    file_size: int
    mime_type: str
    #: The contents; None for a file a test sent without any (served as file_size zero bytes).
    data: bytes | None = None

    @property
    def content(self) -> bytes:
        return self.data if self.data is not None else bytes(self.file_size)


class FakeTelegram(FakeBotServer):
    """Fake Bot API server on 127.0.0.1 (free port); see the module docstring."""

    # Telegram matches method names case-insensitively; calls are recorded canonically.
    method_names_case_sensitive: ClassVar[bool] = False
    blocked_description: ClassVar[str] = BLOCKED_DESCRIPTION

    def __init__(self, token: str = DEFAULT_TOKEN, username: str = "luanchuyen_bot") -> None:
        super().__init__(token)
        self.username = username
        self.bot_id = int(token.split(":", 1)[0])
        self._updates: list[JSONDict] = []
        self._update_ids = itertools.count(1)
        self._object_ids = itertools.count(1)  # callback/inline query ids, file ids
        self._last_message_id: dict[str, int] = {}
        self._last_user_message_id: dict[str, int] = {}
        self._messages: dict[tuple[str, int], JSONDict] = {}
        self._chats: dict[str, JSONDict] = {}
        self._commands: dict[str, list[JSONDict]] = {}
        self._webhook_url = ""
        self._files: dict[str, StoredFile] = {}  # by file_id
        self._file_paths: dict[str, StoredFile] = {}  # by file_path

    def _api_methods(self) -> dict[str, Handler]:
        return {
            **super()._api_methods(),
            "editMessageText": self._edit_message_text,
            "sendDocument": self._send_document,
            "sendPhoto": self._send_photo,
            "getFile": self._get_file,
            "answerCallbackQuery": self._true,
            "answerInlineQuery": self._true,
            "setMyCommands": self._set_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "getMyCommands": self._get_my_commands,
            "close": self._true,
            "logOut": self._true,
        }

    # ------------------------------------------------------------------ state

    @property
    def base_url(self) -> str:
        """For ``Bot(base_url=...)``: python-telegram-bot appends the token and ``/method``."""
        return f"{self._server_url}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``Bot(base_file_url=...)``: python-telegram-bot appends the token and
        ``/<file_path>`` (getFile's answer) to download a file."""
        return f"{self._server_url}/file/bot"

    def file(self, file_id: str) -> StoredFile:
        """A file the server holds (a user's or one the bot uploaded); KeyError if unknown."""
        return self._files[file_id]

    @property
    def bot_user(self) -> JSONDict:
        """The User object getMe returns."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": BOT_FIRST_NAME,
            "username": self.username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
        }

    @property
    def pending_updates(self) -> list[JSONDict]:
        """Updates queued and not yet confirmed by a getUpdates offset."""
        return list(self._updates)

    # ------------------------------------------------------------------ user actions

    def user_sends(self, chat_id: int, text: str, *, user_id: int | None = None,
                   chat_type: str = "private", first_name: str = "Cán bộ",
                   reply_to_message_id: int | None = None,
                   entities: Iterable[JSONDict] | None = None,
                   edited: bool = False) -> JSONDict:
        """Queue a text message. A leading "/command" gets its bot_command entity added.

        ``edited=True`` queues an edited_message reusing the user's last message id there.
        """
        content: JSONDict = {"text": text}
        found = [dict(entity) for entity in entities or ()]
        if text.startswith("/") and not any(
                e.get("type") == "bot_command" and e.get("offset") == 0 for e in found):
            command = text.split(maxsplit=1)[0] if text.strip() else text
            found.insert(0, {"type": "bot_command", "offset": 0, "length": _utf16_len(command)})
        if found:
            content["entities"] = found
        return self._user_message(chat_id, content, user_id=user_id, chat_type=chat_type,
                                  first_name=first_name, reply_to_message_id=reply_to_message_id,
                                  edited=edited)

    def user_sends_sticker(self, chat_id: int, *, emoji: str = "👍", user_id: int | None = None,
                           chat_type: str = "private", first_name: str = "Cán bộ") -> JSONDict:
        """Queue a sticker message (no text: the bot must cope with non-text updates)."""
        stored = self._store_file("stickers", ".webp", size=20_000, mime_type="image/webp")
        sticker = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                   "type": "regular", "width": 512, "height": 512, "is_animated": False,
                   "is_video": False, "emoji": emoji, "file_size": stored.file_size}
        return self._user_message(chat_id, {"sticker": sticker}, user_id=user_id,
                                  chat_type=chat_type, first_name=first_name)

    def user_sends_photo(self, chat_id: int, *, caption: str | None = None,
                         user_id: int | None = None, chat_type: str = "private",
                         first_name: str = "Cán bộ") -> JSONDict:
        """Queue a photo (two sizes, as Telegram sends them), optionally captioned."""
        sizes = []
        for width, height, size in ((90, 67, 1_500), (1280, 960, 120_000)):
            stored = self._store_file("photos", ".jpg", size=size, mime_type="image/jpeg")
            sizes.append({"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                          "width": width, "height": height, "file_size": size})
        content: JSONDict = {"photo": sizes}
        if caption is not None:
            content["caption"] = caption
        return self._user_message(chat_id, content, user_id=user_id, chat_type=chat_type,
                                  first_name=first_name)

    def user_sends_document(self, chat_id: int, file_name: str, *, data: bytes | None = None,
                            caption: str | None = None, mime_type: str | None = None,
                            file_size: int | None = None, user_id: int | None = None,
                            chat_type: str = "private", first_name: str = "Cán bộ") -> JSONDict:
        """Queue a document; the MIME type is guessed from ``file_name`` unless given.

        The bot can download ``data`` (getFile, then the file URL); its size is len(data).
        Without data the file is ``file_size`` zero bytes (10 KiB unless given); over 20 MB,
        getFile refuses it as Telegram does ("file is too big").
        """
        if data is not None:
            data = bytes(data)
            if file_size is not None and file_size != len(data):
                raise ValueError(f"file_size={file_size} but len(data)={len(data)}")
        stored = self._store_document(file_name, mime_type=mime_type, data=data,
                                      size=DEFAULT_DOCUMENT_SIZE if file_size is None
                                      else file_size)
        content: JSONDict = {"document": self._document(stored, file_name)}
        if caption is not None:
            content["caption"] = caption
        return self._user_message(chat_id, content, user_id=user_id, chat_type=chat_type,
                                  first_name=first_name)

    def user_taps(self, chat_id: int, message_id: int, data: str, *, user_id: int | None = None,
                  first_name: str = "Cán bộ") -> JSONDict:
        """Queue a callback_query: the user taps an inline button on bot message ``message_id``."""
        chat = self._chat(chat_id)
        sender = self._user(self._default_user_id(chat_id, chat["type"], user_id), first_name)
        query = {"id": str(next(self._object_ids)), "from": sender,
                 "message": self._bot_message_ref(chat_id, message_id),
                 "chat_instance": f"ci{chat_id}", "data": data}
        return self._queue("callback_query", query)

    def user_inline_query(self, user_id: int, query: str, *,
                          first_name: str = "Cán bộ") -> JSONDict:
        """Queue an inline_query (the user types "@bot query" in any chat)."""
        inline = {"id": str(next(self._object_ids)), "from": self._user(user_id, first_name),
                  "query": query, "offset": ""}
        return self._queue("inline_query", inline)

    # ------------------------------------------------------------------ fault injection

    def fail(self, method: str, *, status: int = 429, times: int = 1,
             retry_after: float | None = None, description: str | None = None,
             chat_id: ChatId | None = None) -> None:
        """Answer the next ``times`` calls of ``method`` (to ``chat_id`` if given) with an error.

        429 carries ``retry_after`` (default 1 s; fractions are fine and keep tests fast).
        """
        self._add_fault(method, make_error(status, retry_after=retry_after,
                                           description=description), times, chat_id)

    # ------------------------------------------------------------------ file downloads

    async def _handle(self, request: web.Request) -> web.Response:
        path = request.match_info["path"]
        if path.startswith("file/"):
            return await self._download(path)
        return await super()._handle(request)

    async def _download(self, path: str) -> web.Response:
        """``file/bot<token>/<file_path>``: the file's bytes, recorded as a DOWNLOAD call."""
        arrived = time.monotonic()
        match = re.fullmatch(r"file/bot([^/]*)/(.+)", path)
        if match is None:
            return self._respond(404, ApiError(404, "Not Found").body())
        token, file_path = match[1], match[2]
        call = Call(DOWNLOAD, {"file_path": file_path}, arrived)
        if token != self.token:
            return await self._answer(call, ApiError(401, "Unauthorized"))
        if seconds := self._delays.get(DOWNLOAD):
            await asyncio.sleep(seconds)
        if fault := self._fault_for(DOWNLOAD, call.params):
            return await self._answer(call, fault)
        stored = self._file_paths.get(file_path)
        if stored is None or stored.file_size > MAX_DOWNLOAD_SIZE:
            return await self._answer(call, ApiError(404, "Not Found"))
        call.result = {"file_id": stored.file_id, "file_size": stored.file_size}
        await self._record(call, None)
        return web.Response(body=stored.content, content_type=stored.mime_type)

    # ------------------------------------------------------------------ platform hooks

    @staticmethod
    def _split_path(path: str) -> tuple[str, str] | None:
        match = re.fullmatch(r"bot([^/]*)/([A-Za-z]+)", path)
        return None if match is None else (match[1], match[2])

    @staticmethod
    def _decode_field(key: str, raw: str | bytes | bytearray) -> Any:
        """Form values are JSON-decoded, except the fields sent as plain text."""
        if key in _STRING_FIELDS:
            return raw
        try:
            return json.loads(raw)
        except ValueError:
            return raw

    def _rate_limit_error(self) -> ApiError:
        """Flood control tells the client how long to wait; a second is the shortest."""
        return make_error(429, retry_after=1)

    # ------------------------------------------------------------------ Bot API methods

    async def _true(self, params: JSONDict) -> bool:
        return True

    async def _get_me(self, params: JSONDict) -> JSONDict:
        return self.bot_user

    async def _delete_webhook(self, params: JSONDict) -> bool:
        self._webhook_url = ""
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _set_webhook(self, params: JSONDict) -> bool:
        self._webhook_url = str(params.get("url") or "")
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _get_webhook_info(self, params: JSONDict) -> JSONDict:
        return {"url": self._webhook_url, "has_custom_certificate": False,
                "pending_update_count": len(self._updates)}

    async def _get_updates(self, params: JSONDict) -> list[JSONDict]:
        """Long polling: confirm by offset, answer pending updates or wait up to ``timeout``."""
        if self._webhook_url:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active;"
                                " use deleteWebhook to delete the webhook first")
        offset = int(params.get("offset") or 0)
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:  # Telegram: keep only the last -offset updates
            self._updates = self._updates[offset:]
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        allowed = params.get("allowed_updates") or None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + float(params.get("timeout") or 0)
        while True:
            woken = self._updates_event  # take it before checking, so no update is missed
            ready = [u for u in self._updates
                     if allowed is None or any(kind in u for kind in allowed)][:limit]
            remaining = deadline - loop.time()
            if ready or self._closing or remaining <= 0:
                return ready
            await self._park(woken, remaining)

    async def _send_message(self, params: JSONDict) -> JSONDict:
        chat_id = self._require_chat(params)
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        visible = _visible_text(text, params.get("parse_mode"))
        if visible is not None and _utf16_len(visible) > MAX_MESSAGE_LENGTH:
            raise ApiError(400, "Bad Request: message is too long")
        return self._bot_message(chat_id, {"text": text}, params, "entities")

    async def _send_document(self, params: JSONDict) -> JSONDict:
        """An upload (multipart: recorded as {"file_name", "mime_type", "data"}) or a file_id."""
        chat_id = self._require_chat(params)
        document = params.get("document")
        if isinstance(document, dict) and "data" in document:
            data = bytes(document["data"])
            if not data:
                raise ApiError(400, "Bad Request: file must be non-empty")
            if len(data) > MAX_UPLOAD_SIZE:
                raise ApiError(413, "Request Entity Too Large")
            file_name = str(document.get("file_name") or "document")
            mime_type = document.get("mime_type")
            if mime_type == "application/octet-stream":  # httpx's default: Telegram guesses
                mime_type = None
            stored = self._store_document(file_name, mime_type=mime_type, data=data)
        elif isinstance(document, str) and document:
            stored = self._files.get(document)
            if stored is None:  # an unknown file_id, or a URL this offline server can't fetch
                raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
            if not stored.file_path.startswith("documents/"):
                raise ApiError(400, "Bad Request: type of file mismatch")
            file_name = stored.file_path.rsplit("/", 1)[-1]
        else:
            raise ApiError(400, "Bad Request: there is no document in the request")
        return self._captioned(chat_id, {"document": self._document(stored, file_name)}, params)

    def _captioned(self, chat_id: ChatId, content: JSONDict, params: JSONDict) -> JSONDict:
        """Store a document or photo message with its caption (refused over 1,024 characters)."""
        caption = params.get("caption")
        if caption:
            visible = _visible_text(caption, params.get("parse_mode"))
            if visible is not None and _utf16_len(visible) > MAX_CAPTION_LENGTH:
                raise ApiError(400, "Bad Request: message caption is too long")
            content["caption"] = caption
        return self._bot_message(chat_id, content, params, "caption_entities")

    async def _send_photo(self, params: JSONDict) -> JSONDict:
        """An uploaded image (multipart) or the file_id of one sent before; the message holds
        its PhotoSize list, largest last, as Telegram answers."""
        chat_id = self._require_chat(params)
        photo = params.get("photo")
        if isinstance(photo, dict) and "data" in photo:
            data = bytes(photo["data"])
            if not data.startswith(b"\x89PNG") and not data.startswith(b"\xff\xd8"):
                raise ApiError(400, "Bad Request: IMAGE_PROCESS_FAILED")
            stored = self._store_file("photos", ".png", size=len(data), mime_type="image/png", data=data)
        elif isinstance(photo, str) and photo:
            stored = self._files.get(photo)
            if stored is None or not stored.file_path.startswith("photos/"):
                raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        else:
            raise ApiError(400, "Bad Request: there is no photo in the request")
        size = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id, "width": 800, "height": 450,
                "file_size": stored.file_size}
        return self._captioned(chat_id, {"photo": [size]}, params)

    def photo(self, params: JSONDict) -> bytes:
        """The image a recorded sendPhoto carried (uploaded then, or by file_id)."""
        photo = params["photo"]
        return bytes(photo["data"]) if isinstance(photo, dict) else self._files[photo].content

    async def _get_file(self, params: JSONDict) -> JSONDict:
        stored = self._files.get(str(params.get("file_id") or ""))
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        if stored.file_size > MAX_DOWNLOAD_SIZE:
            raise ApiError(400, "Bad Request: file is too big")
        return {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                "file_size": stored.file_size, "file_path": stored.file_path}

    async def _edit_message_text(self, params: JSONDict) -> JSONDict | bool:
        if params.get("inline_message_id"):
            return True
        chat_id = self._require_chat(params)
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        message = self._messages.get((str(chat_id), int(params.get("message_id") or 0)))
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if message["from"]["id"] != self.bot_id:
            raise ApiError(400, "Bad Request: message can't be edited")
        markup = params.get("reply_markup") or None
        if message.get("text") == text and message.get("reply_markup") == markup:
            raise ApiError(400, "Bad Request: message is not modified: specified new message "
                                "content and reply markup are exactly the same as a current "
                                "content and reply markup of the message")
        message["text"] = text
        message["edit_date"] = int(time.time())
        # Telegram drops the inline keyboard when an edit doesn't repeat it.
        if markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = markup
        return copy.deepcopy(message)

    async def _send_chat_action(self, params: JSONDict) -> bool:
        self._require_chat(params)
        return True

    @staticmethod
    def _commands_key(params: JSONDict) -> str:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps([scope, params.get("language_code") or ""], sort_keys=True)

    async def _set_my_commands(self, params: JSONDict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: parameter \"commands\" is required")
        self._commands[self._commands_key(params)] = commands
        return True

    async def _delete_my_commands(self, params: JSONDict) -> bool:
        self._commands.pop(self._commands_key(params), None)
        return True

    async def _get_my_commands(self, params: JSONDict) -> list[JSONDict]:
        return self._commands.get(self._commands_key(params), [])

    # ------------------------------------------------------------------ helpers

    @staticmethod
    def _require_chat(params: JSONDict) -> ChatId:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise ApiError(400, "Bad Request: chat_id is empty")
        return chat_id

    def _queue(self, kind: str, payload: JSONDict) -> JSONDict:
        update = {"update_id": next(self._update_ids), kind: copy.deepcopy(payload)}
        self._updates.append(update)
        self._wake_pollers()
        return copy.deepcopy(update)

    def _file_ids(self) -> tuple[str, str]:
        n = next(self._object_ids)
        return f"file-{n}", f"uniq-{n}"

    def _store_file(self, folder: str, name: str, *, size: int, mime_type: str,
                    data: bytes | None = None) -> StoredFile:
        """Keep a file under a new file_id; its path is ``<folder>/<file_id><name>``."""
        file_id, unique_id = self._file_ids()
        stored = StoredFile(file_id, unique_id, f"{folder}/{file_id}{name}",
                            len(data) if data is not None else size, mime_type, data)
        self._files[file_id] = stored
        self._file_paths[stored.file_path] = stored
        return stored

    def _store_document(self, file_name: str, *, mime_type: str | None,
                        data: bytes | None = None, size: int = 0) -> StoredFile:
        """A document's path is ``documents/<file_id>/<file_name>`` (no "/" in the name)."""
        mime_type = (mime_type or mimetypes.guess_type(file_name)[0]
                     or "application/octet-stream")
        return self._store_file("documents", "/" + file_name.replace("/", "_"), size=size,
                                mime_type=mime_type, data=data)

    @staticmethod
    def _document(stored: StoredFile, file_name: str) -> JSONDict:
        """The Document object of a message."""
        return {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                "file_name": file_name, "mime_type": stored.mime_type,
                "file_size": stored.file_size}

    def _bot_message(self, chat_id: ChatId, content: JSONDict, params: JSONDict,
                     entities_key: str) -> JSONDict:
        """Store a message the bot sends (reply_markup, entities, reply_parameters applied)."""
        reply = params.get("reply_parameters")
        replied = None
        if isinstance(reply, dict) and "message_id" in reply:
            replied = self._messages.get((str(chat_id), int(reply["message_id"])))
            if replied is None and not reply.get("allow_sending_without_reply"):
                raise ApiError(400, "Bad Request: message to be replied not found")
        message = self._new_message(chat_id, self._bot_sender(), content)
        for key in ("reply_markup", entities_key):
            if params.get(key):
                message[key] = params[key]
        if replied is not None:
            message["reply_to_message"] = self._without_reply(replied)
        return copy.deepcopy(message)

    def _user(self, user_id: int, first_name: str) -> JSONDict:
        return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "vi"}

    def _bot_sender(self) -> JSONDict:
        """The bot as a message's "from" (getMe's capability flags only appear in getMe)."""
        return {"id": self.bot_id, "is_bot": True, "first_name": BOT_FIRST_NAME,
                "username": self.username}

    @staticmethod
    def _default_user_id(chat_id: int, chat_type: str, user_id: int | None) -> int:
        if user_id is not None:
            return user_id
        return chat_id if chat_type == "private" else DEFAULT_GROUP_USER_ID

    def _chat(self, chat_id: ChatId) -> JSONDict:
        """The chat as last seen from a user (a private chat if the user never wrote)."""
        return dict(self._chats.get(str(chat_id)) or {"id": chat_id, "type": "private"})

    def _remember_chat(self, chat_id: int, chat_type: str, first_name: str) -> JSONDict:
        chat: JSONDict = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = first_name
        else:
            chat["title"] = GROUP_TITLE
        self._chats[str(chat_id)] = chat
        return dict(chat)

    def _new_message(self, chat_id: ChatId, sender: JSONDict, content: JSONDict,
                     message_id: int | None = None) -> JSONDict:
        """Store a message; ids count up per chat, shared by the bot and users as in Telegram."""
        key = str(chat_id)
        if message_id is None:
            message_id = self._last_message_id.get(key, 0) + 1
        self._last_message_id[key] = max(self._last_message_id.get(key, 0), message_id)
        message = {"message_id": message_id, "date": int(time.time()),
                   "chat": self._chat(chat_id), "from": sender, **content}
        self._messages[(key, message_id)] = message
        return message

    @staticmethod
    def _without_reply(message: JSONDict) -> JSONDict:
        """Telegram nests reply_to_message one level only."""
        return copy.deepcopy({k: v for k, v in message.items() if k != "reply_to_message"})

    def _bot_message_ref(self, chat_id: ChatId, message_id: int) -> JSONDict:
        """The bot's message with that id; made up (empty text) if the bot never sent it."""
        message = self._messages.get((str(chat_id), message_id))
        if message is None:
            message = self._new_message(chat_id, self._bot_sender(), {"text": ""}, message_id)
        return self._without_reply(message)

    def _user_message(self, chat_id: int, content: JSONDict, *, user_id: int | None,
                      chat_type: str, first_name: str, reply_to_message_id: int | None = None,
                      edited: bool = False) -> JSONDict:
        self._remember_chat(chat_id, chat_type, first_name)
        sender = self._user(self._default_user_id(chat_id, chat_type, user_id), first_name)
        extra: JSONDict = dict(content)
        if reply_to_message_id is not None:
            extra["reply_to_message"] = self._bot_message_ref(chat_id, reply_to_message_id)
        if edited:
            extra["edit_date"] = int(time.time())
        message_id = self._last_user_message_id.get(str(chat_id)) if edited else None
        message = self._new_message(chat_id, sender, extra, message_id)
        self._last_user_message_id[str(chat_id)] = message["message_id"]
        return self._queue("edited_message" if edited else "message", message)
