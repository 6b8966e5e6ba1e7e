"""Zalo channel: the Zalo Bot Platform spoken over httpx, carrying messages to and from the
same :class:`~bot.chat.conversation.Conversation` as Telegram.

Zalo has no buttons, no message editing and no command menu: choices become numbered lines
answered with a digit, commands arrive as plain text (and as Vietnamese words such as "đăng ký"),
and replies are split under 2,000 characters. Long polling returns one update at a time or an
idle 408; the webhook checks the secret header in constant time and accepts bodies wrapped in
{"ok": true, "result": ...} or flat. The token sits in the URL path, so it is redacted from logs.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import secrets
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import urlparse

import httpx
from aiohttp import web

from ..broadcast.delivery import (
    Dispatcher,
    Limits,
    Part,
    PlatformDown,
    Rejected,
    RetryLater,
    SendFn,
    Transient,
)
from ..broadcast.quota import MonthlyCounter
from ..chat.answers import read_options
from ..chat.conversation import Conversation
from ..chat.router import Incoming, Reply
from ..logs import redact_secrets
from ..search.text import fold, split_message
from ..settings import Settings
from .choices import NO_SUCH_CHOICE, Menus

log = logging.getLogger(__name__)

PLATFORM = "zalo"
DEFAULT_BASE_URL = "https://bot-api.zaloplatforms.com"
CHUNK = 1900
"""Zalo takes 1 to 2,000 characters a message; parts stay a little under."""
POLL_TIMEOUT = 30
SECRET_HEADER = "X-Bot-Api-Secret-Token"
TEXT_ONLY = "Tôi chỉ đọc được tin nhắn chữ. Xin {you} gõ câu hỏi về công tác luân chuyển cán bộ."
PICK_HINT = "Trả lời bằng số (1, 2, 3...) để chọn."
TYPE_HINT = "Hoặc gõ: {labels}."
NO_SUCH_OPTION = "Không có lựa chọn số này. Xin {you} gõ câu hỏi hoặc chọn một số trong danh sách."
CAPTION = 1500
"""A photo caption of up to 2,000 characters, with room for numbered choices under the text."""
REFUSED_TOKEN = "ZALO_BOT_TOKEN không dùng được ({}); hãy kiểm tra token trong tệp .env rồi chạy lại."
CHART_PATH = "charts"
CHART_LIFETIME = 6 * 3600
"""Seconds a chart stays at its address after it was last sent (Zalo fetches it when sending)."""
MAX_429 = 3
"""Zalo's 429 means the quota is used up, not "slow down": after a few, the update pauses."""
RETRY_429 = 5.0
# Commands typed as words, on folded text: Zalo users rarely type "/".
WORD_COMMANDS = {
    "bat dau": "/start",
    "tro giup": "/help",
    "huong dan": "/help",
    "dang ky": "/dangky",
    "dang ky nhan ban tin": "/dangky",
    "huy dang ky": "/huydangky",
    "huy nhan ban tin": "/huydangky",
    "thong ke": "/thongke",
    "so lieu": "/thongke",
    "nghi quyet": "/nghiquyet",
}
TEXT_EVENTS = {"message.text.received"}
OTHER_EVENTS = {
    "message.image.received", "message.sticker.received", "message.voice.received", "message.unsupported.received",
    "message.file.received", "message.link.received", "message.location.received",
}


class ZaloError(Exception):
    """An error envelope from the Zalo Bot Platform."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(f"{status}: {description}")
        self.status = status
        self.description = description


class ZaloClient:
    """The few Bot Platform methods the bot needs, over one httpx client."""

    def __init__(self, token: str, base_url: str = DEFAULT_BASE_URL, http: httpx.AsyncClient | None = None) -> None:
        self._url = f"{base_url.rstrip('/')}/bot{token}"
        self._http = http or httpx.AsyncClient(timeout=httpx.Timeout(POLL_TIMEOUT + 15, connect=10))

    async def close(self) -> None:
        await self._http.aclose()

    async def call(self, method: str, **params: Any) -> Any:
        """POST a method with JSON parameters; the result, or ZaloError for an error envelope."""
        response = await self._http.post(f"{self._url}/{method}", json=params)
        try:
            body = response.json()
        except ValueError:
            raise ZaloError(response.status_code, "malformed response") from None
        if response.status_code != 200 or not body.get("ok"):
            raise ZaloError(int(body.get("error_code") or response.status_code), str(body.get("description", "")))
        return body.get("result")

    async def get_updates(self, timeout: int = POLL_TIMEOUT) -> dict | None:
        """One update, or None when the long poll ended idle (HTTP 408)."""
        try:
            return await self.call("getUpdates", timeout=timeout)
        except ZaloError as exc:
            if exc.status == 408:
                return None
            raise

    async def send_message(self, chat_id: str, text: str) -> Any:
        return await self.call("sendMessage", chat_id=chat_id, text=text)


def split_text(text: str, limit: int = CHUNK) -> list[str]:
    """Parts under Zalo's 2,000 characters."""
    return split_message(text, limit)


NO_FILES = ("(Tệp chỉ gửi được qua Telegram; trên máy chủ dùng lệnh: python -m bot kb export <thư mục>, "
            "hoặc kb template <tệp.xlsx> để có tệp mẫu.)")


class ChartHost:
    """Charts served at random, short-lived paths of the bot's own webhook host: Zalo's
    sendPhoto takes only a public image URL, which Zalo then fetches. One path per chart,
    reused while it is being sent, gone ``lifetime`` seconds after its last use."""

    def __init__(self, public_url: str, lifetime: float = CHART_LIFETIME, clock: Callable[[], float] = time.monotonic):
        self.public_url = public_url.rstrip("/")
        self.lifetime = lifetime
        self.clock = clock
        self._charts: dict[str, tuple[bytes, float]] = {}
        self._names: dict[str, str] = {}

    def publish(self, png: bytes) -> str:
        """The public URL of ``png`` for the next ``lifetime`` seconds."""
        self._expire()
        digest = hashlib.sha256(png).hexdigest()
        name = self._names.get(digest)
        if name is None or name not in self._charts:
            name = f"{secrets.token_urlsafe(18)}.png"
            self._names[digest] = name
        self._charts[name] = (png, self.clock() + self.lifetime)
        return f"{self.public_url}/{CHART_PATH}/{name}"

    def get(self, name: str) -> bytes | None:
        self._expire()
        found = self._charts.get(name)
        return found[0] if found else None

    def _expire(self) -> None:
        now = self.clock()
        for name in [n for n, (_, until) in self._charts.items() if until <= now]:
            del self._charts[name]

    async def serve(self, request: web.Request) -> web.Response:
        png = self.get(request.match_info["name"])
        if png is None:
            return web.Response(status=404, text="not found")
        return web.Response(body=png, content_type="image/png", headers={"Cache-Control": "no-store"})


def render(reply: Reply, pictures: bool = False) -> str:
    """A reply as Zalo text: choices become numbered lines (or words to type, when the reply
    asks for a typed value, which may itself be a number); files cannot be sent here, and a
    chart that cannot go as a photo is written out as text lines."""
    text = f"{reply.text}\n{NO_FILES}" if reply.files else reply.text
    if reply.picture is not None and not pictures:
        text = f"{text}\n\n{reply.picture.fallback}"
    if not reply.options:
        return text
    if reply.typed:
        return f"{text}\n\n" + TYPE_HINT.format(labels=" / ".join(o.label for o in reply.options))
    lines = [text, ""] + [f"{i}. {o.label}" for i, o in enumerate(reply.options, 1)] + [PICK_HINT]
    return "\n".join(lines)


def strip_mention(text: str, bot_name: str) -> str:
    """A group message without the bot's mention at its start. Zalo bot names have several
    words ("@Bot Tên Đơn Vị 2 câu hỏi"): the name from getMe is taken off whole; without it,
    "@Bot" and the capitalised words and numbers after it."""
    text = text.strip()
    if not text.startswith("@"):
        return text
    words = text[1:].split()
    name = bot_name.split()
    if name and [fold(w) for w in words[: len(name)]] == [fold(w) for w in name]:
        return " ".join(words[len(name):])
    if words and fold(words[0]) == "bot":
        rest = words[1:]
        while rest and (rest[0][:1].isupper() or rest[0].isdigit()):
            rest = rest[1:]
        return " ".join(rest)
    return " ".join(words[1:])


def unwrap(body: Any) -> dict | None:
    """The update inside a webhook or poll body, wrapped in {"ok", "result"} or flat."""
    if isinstance(body, dict) and "result" in body and "event_name" not in body:
        body = body["result"]
    return body if isinstance(body, dict) else None


class ZaloChannel:
    """Turns Zalo updates into conversation turns and replies into Zalo messages."""

    platform = PLATFORM

    def __init__(
        self, client: ZaloClient, conversation: Conversation, counter: MonthlyCounter | None = None,
        bot_name: str = "", settings: Settings | None = None,
    ) -> None:
        self.client = client
        self.conversation = conversation
        self.counter = counter
        self.bot_name = bot_name
        """The bot's display name (from getMe), to take group mentions off whole."""
        self.settings = settings
        self._seen: OrderedDict[str, None] = OrderedDict()
        self.menus = Menus()
        self._stopping = asyncio.Event()
        self._poller: asyncio.Task | None = None
        self._runner: web.AppRunner | None = None
        self.charts: ChartHost | None = None
        """Set when the bot serves a webhook: charts then go as photos at its address."""
        self._tasks: set[asyncio.Task] = set()
        """Updates being answered (kept referenced until done)."""
        self._chat_locks: dict[str, asyncio.Lock] = {}
        """One per chat that wrote (a few hundred bytes each)."""

    @classmethod
    def from_settings(cls, settings: Settings, conversation: Conversation) -> ZaloChannel:
        client = ZaloClient(settings.zalo_token, settings.zalo_base_url)
        return cls(client, conversation, MonthlyCounter(conversation.store.db), settings=settings)

    async def start(self) -> None:
        """Check the token with getMe, let the monthly update reach Zalo, then poll or serve
        the webhook (they exclude each other on the platform)."""
        settings = self.settings or Settings()
        try:
            me = await self.client.call("getMe")  # fail fast on a wrong token, before serving anyone
        except ZaloError as exc:
            await self.client.close()
            raise SystemExit(REFUSED_TOKEN.format(exc)) from exc
        if isinstance(me, dict):
            self.bot_name = str(me.get("display_name") or me.get("account_name") or "")
        log.info("zalo: serving as %s", self.bot_name)
        if settings.zalo_webhook_url:
            self.charts = ChartHost(settings.zalo_webhook_url)
        if self.conversation.broadcasts is not None:
            self.install(self.conversation.broadcasts.dispatcher, settings.zalo_rate, settings.zalo_monthly_quota)
        if settings.zalo_webhook_url:
            secret = settings.zalo_webhook_secret or secrets.token_urlsafe(32)
            redact_secrets([secret])  # generated here: never in a log line either
            await self.client.call("setWebhook", url=settings.zalo_webhook_url, secret_token=secret)
            self._runner = web.AppRunner(self.webhook_app(urlparse(settings.zalo_webhook_url).path or "/", secret))
            await self._runner.setup()
            await web.TCPSite(self._runner, settings.zalo_webhook_listen, settings.zalo_webhook_port).start()
        else:
            try:
                await self.client.call("deleteWebhook")
            except ZaloError as exc:
                log.info("zalo: deleteWebhook: %s", exc)
            self._poller = asyncio.get_running_loop().create_task(self.poll(self._stopping))

    async def stop(self) -> None:
        self._stopping.set()
        if self._poller is not None:
            self._poller.cancel()
        for task in list(self._tasks):
            task.cancel()
        if self._runner is not None:
            await self._runner.cleanup()
        await self.client.close()

    # --- incoming -------------------------------------------------------------------------

    def _duplicate(self, message_id: str) -> bool:
        """Zalo may deliver an update twice; remember the last few thousand message ids."""
        if not message_id:
            return False
        if message_id in self._seen:
            return True
        self._seen[message_id] = None
        if len(self._seen) > 5000:
            self._seen.popitem(last=False)
        return False

    async def handle_update(self, body: Any) -> None:
        """Answer one update; malformed ones and unknown events are logged and skipped."""
        update = unwrap(body)
        message = update.get("message") if update else None
        if update is None or not isinstance(message, dict):
            log.warning("zalo: skipped an update without a message: %.200s", json.dumps(body, ensure_ascii=False))
            return
        event = update.get("event_name", "")
        chat = message.get("chat") or {}
        sender = message.get("from") or {}
        chat_id = str(chat.get("id") or "")
        if not chat_id or sender.get("is_bot"):
            log.warning("zalo: skipped an update without a chat or from a bot (event %s)", event)
            return
        if self._duplicate(str(message.get("message_id") or "")):
            return
        private = str(chat.get("chat_type", "PRIVATE")).upper() != "GROUP"
        if event in OTHER_EVENTS:
            if private:
                await self.send(chat_id, self.conversation.addressed(TEXT_ONLY))
            return
        if event not in TEXT_EVENTS:
            log.warning("zalo: skipped unknown event %r", event)
            return
        incoming = self._incoming(chat_id, str(sender.get("id") or chat_id), str(message.get("text") or ""), private)
        if incoming is None:
            await self.send(chat_id, self.conversation.addressed(NO_SUCH_OPTION))
            return
        replies = await self.conversation.handle(incoming)
        self.menus.offer(chat_id, replies)
        for reply in replies:
            text = render(reply, pictures=self.charts is not None)
            if reply.picture is not None and self.charts is not None:
                whole = len(reply.text) <= CAPTION  # as the monthly update goes out: the text as the caption
                await self.send_photo(chat_id, reply.picture.png, text if whole else reply.picture.caption)
                if whole:
                    continue
            await self.send(chat_id, text)

    def _incoming(self, chat_id: str, user_id: str, text: str, private: bool) -> Incoming | None:
        """The conversation turn for a text: a number picks a numbered choice, words become
        commands; in groups the bot only receives mentions and replies, so all is addressed.
        None: a number that matches no choice."""
        text = text.strip() if private else strip_mention(text, self.bot_name)
        picked = self.menus.choose(chat_id, text)
        if picked is NO_SUCH_CHOICE:
            return None
        if picked is not None:
            return Incoming(PLATFORM, chat_id, user_id, choice=picked.data, private=private)
        command = WORD_COMMANDS.get(fold(text).strip(" .!?"))
        return Incoming(PLATFORM, chat_id, user_id, text=command or text, private=private, addressed=True)

    # --- outgoing -------------------------------------------------------------------------

    async def send(self, chat_id: str, text: str) -> None:
        """Send text in parts under Zalo's 2,000 characters; count them against the quota."""
        for part in split_text(text):
            await self.client.send_message(chat_id, part)
            if self.counter is not None:
                self.counter.add(PLATFORM)

    async def send_photo(self, chat_id: str, png: bytes, caption: str) -> None:
        """A chart as a photo: published at the webhook host for Zalo to fetch."""
        if self.charts is None:
            raise RuntimeError("charts need the webhook host")
        await self.client.call("sendPhoto", chat_id=chat_id, photo=self.charts.publish(png), caption=caption[:CHUNK])
        if self.counter is not None:
            self.counter.add(PLATFORM)

    def sender(self) -> SendFn:
        """The monthly update's send function for Zalo, one part at a time. None of Zalo's
        error codes means "this user blocked the bot", so none unsubscribes anyone: 401 and
        404 (token revoked, wrong address) stop the platform, 429 (quota) is waited on a few
        times and then pauses it, 403 (Zalo's internal error), 408 and 5xx are retried. The
        entries a part offers become numbered lines, answered with a digit like any choice."""

        async def send(chat_id: str, part: Part) -> None:
            reply = Reply(part.text, read_options(part.links))
            try:
                if part.photo is not None:
                    await self.send_photo(chat_id, part.photo, render(reply))
                else:
                    await self.client.send_message(chat_id, render(reply))
            except ZaloError as exc:
                if exc.status in (401, 404):
                    raise PlatformDown(f"Zalo refused the bot ({exc.status}: {exc.description})") from exc
                if exc.status == 429:
                    raise RetryLater(RETRY_429) from exc
                if exc.status in (403, 408) or exc.status >= 500:
                    raise Transient(str(exc)) from exc
                raise Rejected(str(exc)) from exc
            except httpx.HTTPError as exc:
                raise Transient(str(exc)) from exc
            if part.photo is None and self.counter is not None:
                self.counter.add(PLATFORM)
            if reply.options:
                self.menus.offer(chat_id, [reply])

        return send

    def install(self, dispatcher: Dispatcher, rate: float, quota: int = 0) -> None:
        """Let the monthly update reach Zalo subscribers through this channel, within the
        platform's rate and, when set, its monthly quota of messages."""
        counter = self.counter

        def remaining() -> int:
            return quota - (counter.used(PLATFORM) if counter is not None else 0)

        dispatcher.senders[PLATFORM] = self.sender()
        dispatcher.limits[PLATFORM] = Limits(
            per_second=rate, chunk=CHUNK, max_waits=MAX_429, remaining=remaining if quota else None,
            caption=CAPTION if self.charts is not None else 0,
        )

    # --- serving --------------------------------------------------------------------------

    async def poll(self, stop: asyncio.Event) -> None:
        """Long polling until ``stop`` is set; network trouble backs off, up to 30 s."""
        backoff = 1.0
        while not stop.is_set():
            try:
                update = await self.client.get_updates()
                backoff = 1.0
            except (ZaloError, httpx.HTTPError) as exc:
                log.warning("zalo: getUpdates failed (%s); retrying in %.0f s", exc, backoff)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=backoff)
                backoff = min(backoff * 2, 30.0)
                continue
            if update is not None:
                self.dispatch(update)

    def webhook_app(self, path: str, secret: str) -> web.Application:
        """An aiohttp application answering Zalo's webhook calls on ``path``."""

        async def receive(request: web.Request) -> web.Response:
            given = request.headers.get(SECRET_HEADER)
            if given is None:
                return web.json_response({"ok": False, "description": "missing secret"}, status=401)
            if not hmac.compare_digest(given.encode(), secret.encode()):
                log.warning("zalo: webhook call with a wrong secret refused")
                return web.json_response({"ok": False, "description": "forbidden"}, status=403)
            try:
                body = await request.json()
            except (ValueError, UnicodeDecodeError):
                log.warning("zalo: webhook body is not JSON; skipped")
                return web.json_response({"ok": False, "description": "bad json"}, status=400)
            self.dispatch(body)
            return web.json_response({"ok": True})

        app = web.Application()
        app.router.add_post("/" + path.lstrip("/"), receive)
        if self.charts is not None:
            app.router.add_get(f"/{path.strip('/')}/{CHART_PATH}/{{name}}".replace("//", "/"), self.charts.serve)
        return app

    def dispatch(self, body: Any) -> None:
        """Answer an update in the background, after the earlier updates of the same chat: a
        user whose burst is being paced never holds up anyone else, and each chat's messages
        are answered in the order they came."""
        update = unwrap(body) or {}
        message = update.get("message")
        chat = str(((message.get("chat") if isinstance(message, dict) else None) or {}).get("id") or "")
        task = asyncio.get_running_loop().create_task(self._in_order(chat, body))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _in_order(self, chat: str, body: Any) -> None:
        lock = self._chat_locks.setdefault(chat, asyncio.Lock())  # FIFO: turns are taken in arrival order
        async with lock:
            try:
                await self.handle_update(body)
            except Exception:  # one bad update must not stop the others
                log.exception("zalo: error while handling an update")


@contextlib.asynccontextmanager
async def command_line_sender(settings: Settings, conversation: Conversation) -> AsyncIterator[None]:
    """Let a command-line process (`python -m bot broadcast send`) reach Zalo subscribers. It
    serves no webhook, so the chart goes as text lines."""
    channel = ZaloChannel.from_settings(settings, conversation)
    try:
        await channel.client.call("getMe")
    except ZaloError as exc:
        await channel.client.close()
        raise SystemExit(REFUSED_TOKEN.format(exc)) from exc
    if conversation.broadcasts is not None:
        channel.install(conversation.broadcasts.dispatcher, settings.zalo_rate, settings.zalo_monthly_quota)
    try:
        yield
    finally:
        await channel.client.close()

