"""Telegram channel: a python-telegram-bot Application that carries messages to and from the
platform-independent :class:`~bot.chat.conversation.Conversation`.

Everything Telegram-specific lives here: group addressing (mentions, replies to the bot),
inline keyboards for choices, inline mode, HTML escaping, splitting under 4,096 characters,
command menus, the rate limiter and the error handler.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import hashlib
import html
import logging
import re
import secrets
from collections.abc import AsyncIterator
from urllib.parse import urlparse

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Message,
    Update,
)
from telegram.constants import ChatType, MessageLimit, ParseMode
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    Updater,
    filters,
)

from ..broadcast.delivery import (
    Dispatcher,
    Limits,
    Part,
    PlatformDown,
    Rejected,
    RetryLater,
    SendFn,
    Transient,
    Unreachable,
)
from ..chat.answers import read_options
from ..chat.conversation import Conversation
from ..chat.router import Incoming, Reply
from ..knowledge.formats import MAX_UPLOAD
from ..logs import redact_secrets
from ..search.text import split_message
from ..settings import Settings

log = logging.getLogger(__name__)

PLATFORM = "telegram"
CONVERSATION = "conversation"
CHUNK = 3500
"""Plain-text size of one message part: escaping (&amp;...) and <pre> must stay under 4,096."""
TEXT_ONLY = "Tôi chỉ đọc được tin nhắn chữ. Xin {you} gõ câu hỏi về công tác luân chuyển cán bộ."
SORRY = "Xin lỗi {you}, bot gặp sự cố khi xử lý tin nhắn này. Xin {you} thử lại sau ít phút."


def split_text(text: str, limit: int = CHUNK) -> list[str]:
    """Parts of one message each (escaping must still fit under 4,096 characters)."""
    return split_message(text, limit)


def to_html(text: str, monospace: bool = False) -> str:
    """Telegram HTML for plain text: everything escaped, optionally in a <pre> block."""
    escaped = html.escape(text, quote=False)
    return f"<pre>{escaped}</pre>" if monospace else escaped


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """One button per row, except those meant to sit beside the one before (👍 👎)."""
    if not reply.options:
        return None
    rows: list[list[InlineKeyboardButton]] = []
    for option in reply.options:
        button = InlineKeyboardButton(option.label, callback_data=option.data)
        if option.beside and rows:
            rows[-1].append(button)
        else:
            rows.append([button])
    return InlineKeyboardMarkup(rows)


async def send_replies(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, replies: list[Reply], reply_to: int | None = None
) -> list[Message]:
    """Send replies in order; long ones in parts, with the buttons under the last part.
    Returns the last message sent for each reply."""
    sent = []
    for reply in replies:
        for name, data in reply.files:
            await context.bot.send_document(chat_id, document=data, filename=name)
        if reply.picture is not None:
            whole = len(reply.text) <= MessageLimit.CAPTION_LENGTH and not reply.monospace
            caption = reply.text if whole else split_text(reply.picture.caption, MessageLimit.CAPTION_LENGTH)[0]
            message = await context.bot.send_photo(
                chat_id, reply.picture.png, caption=to_html(caption), parse_mode=ParseMode.HTML,
                reply_markup=keyboard(reply) if whole else None,
            )
            if whole:
                sent.append(message)
                continue
        parts = split_text(reply.text)
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            message = await context.bot.send_message(
                chat_id,
                to_html(part, reply.monospace),
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard(reply) if last else None,
                reply_to_message_id=reply_to if i == 0 else None,
                allow_sending_without_reply=True,
            )
        sent.append(message)
    return sent


SAME_CHAT_INTERVAL = 1.0
"""Telegram allows about one message a second to the same chat: parts of a long update wait."""
STATUS_REFRESH = 2.0
"""Seconds between edits of a live broadcast-progress message."""


async def refresh_status(context: ContextTypes.DEFAULT_TYPE, message: Message) -> None:
    """Edit a progress message in place until the update has gone out."""
    conversation = _conversation(context)
    shown = message.text
    while True:
        running = conversation.broadcasts is not None and conversation.broadcasts.running is not None
        text = conversation.broadcast_status()
        if text != shown:
            try:
                await message.edit_text(to_html(text), parse_mode=ParseMode.HTML)
                shown = text
            except BadRequest as exc:  # deleted, or identical text
                log.info("progress message not edited: %s", exc)
        if not running:
            return
        await asyncio.sleep(STATUS_REFRESH)


def _conversation(context: ContextTypes.DEFAULT_TYPE) -> Conversation:
    return context.application.bot_data[CONVERSATION]


def _addressing(text: str, message: Message, context: ContextTypes.DEFAULT_TYPE) -> tuple[str, bool]:
    """(text without the bot's @mention, whether a group message is meant for the bot)."""
    mention = re.compile(rf"@{re.escape(context.bot.username or '')}\b", re.IGNORECASE)
    addressed = bool(context.bot.username) and bool(mention.search(text))
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == context.bot.id:
        addressed = True
    return mention.sub(" ", text).strip(), addressed


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None:
        return
    private = chat.type == ChatType.PRIVATE
    if update.edited_message is not None and not private:
        return  # edits in groups are ignored on purpose: answering them again would flood
    text, addressed = _addressing(message.text or "", message, context)
    user = update.effective_user
    incoming = Incoming(
        PLATFORM, str(chat.id), str(user.id if user else chat.id), text=text, private=private, addressed=addressed
    )
    replies = await _conversation(context).handle(incoming)
    sent = await send_replies(context, chat.id, replies, reply_to=None if private else message.message_id)
    for reply, last in zip(replies, sent):
        if reply.live:
            context.application.create_task(refresh_status(context, last))


async def on_other(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, documents...: a short note in private chats, silence in groups.
    A document from an admin is a file to import: it is downloaded and handed over."""
    chat = update.effective_chat
    message = update.effective_message
    user = update.effective_user
    if chat is None:
        return
    conversation = _conversation(context)
    document = message.document if message is not None else None
    if document is not None and user is not None and f"{PLATFORM}:{user.id}" in conversation.admins:
        name = document.file_name or "tệp"
        size = document.file_size or 0
        if size > MAX_UPLOAD:
            mb = size / 1024 / 1024
            await context.bot.send_message(chat.id, f"Không nhập tệp: {name} nặng {mb:.1f} MB, tối đa 2 MB.")
            return
        data = bytes(await (await document.get_file()).download_as_bytearray())
        incoming = Incoming(PLATFORM, str(chat.id), str(user.id), upload=(name, data), private=chat.type == ChatType.PRIVATE)
        await send_replies(context, chat.id, await conversation.handle(incoming))
        return
    if chat.type == ChatType.PRIVATE:
        await context.bot.send_message(chat.id, conversation.addressed(TEXT_ONLY))


async def on_tap(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None:
        return
    await query.answer()
    message = query.message
    if message is None:
        return  # a button under an inline-mode message: nothing to reply in
    chat = message.chat
    incoming = Incoming(
        PLATFORM, str(chat.id), str(query.from_user.id), choice=query.data or "", private=chat.type == ChatType.PRIVATE
    )
    await send_replies(context, chat.id, await _conversation(context).handle(incoming))


async def on_inline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.inline_query
    if query is None:
        return
    results = [
        InlineQueryResultArticle(
            id=r.id,
            title=r.title,
            description=r.description,
            input_message_content=InputTextMessageContent(
                to_html(split_text(r.text, MessageLimit.MAX_TEXT_LENGTH - 200)[0]), parse_mode=ParseMode.HTML
            ),
        )
        for r in _conversation(context).inline(query.query)
    ]
    await query.answer(results, cache_time=60)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log and keep running; a chat that blocked the bot leaves the monthly update."""
    error = context.error
    chat = update.effective_chat if isinstance(update, Update) else None
    if isinstance(error, Forbidden) and chat is not None:
        log.warning("chat %s blocked the bot: %s", chat.id, error)
        _conversation(context).subscriptions.unsubscribe(PLATFORM, str(chat.id), reason="blocked")
        return
    log.error("error while handling an update", exc_info=error)
    if chat is not None and chat.type == ChatType.PRIVATE and not isinstance(error, TelegramError):
        try:
            await context.bot.send_message(chat.id, _conversation(context).addressed(SORRY))
        except TelegramError:
            log.warning("could not tell chat %s about the error", chat.id)


async def set_menus(application: Application) -> None:
    """Command menus: everyone's by default, the longer admin menu in each admin's chat."""
    conversation: Conversation = application.bot_data[CONVERSATION]
    bot = application.bot
    await bot.set_my_commands(
        [BotCommand(c.name, c.description) for c in conversation.commands()], scope=BotCommandScopeDefault()
    )
    admin_menu = [BotCommand(c.name, c.description) for c in conversation.commands(admin=True)]
    for admin in sorted(conversation.admins):
        platform, _, user_id = admin.partition(":")
        if platform != PLATFORM or not user_id.lstrip("-").isdigit():
            continue
        try:
            await bot.set_my_commands(admin_menu, scope=BotCommandScopeChat(int(user_id)))
        except BadRequest as exc:  # the admin has not opened a chat with the bot yet
            log.warning("admin menu not set for %s: %s", admin, exc)


def telegram_sender(bot: Bot) -> SendFn:
    """The monthly update's send function for Telegram (one part of a message: text, or the
    chart with a caption), mapping API errors to outcomes. The chart is uploaded once; later
    chats get Telegram's file id for it."""
    uploaded: dict[str, str] = {}

    async def send(chat_id: str, part: Part) -> None:
        markup = keyboard(Reply("", read_options(part.links)))
        try:
            if part.photo is None:
                await bot.send_message(int(chat_id), to_html(part.text), parse_mode=ParseMode.HTML, reply_markup=markup)
                return
            digest = hashlib.sha256(part.photo).hexdigest()
            message = await bot.send_photo(
                int(chat_id), uploaded.get(digest, part.photo), caption=to_html(part.text),
                parse_mode=ParseMode.HTML, reply_markup=markup,
            )
            if message.photo:
                uploaded[digest] = message.photo[-1].file_id
        except RetryAfter as exc:
            raise RetryLater(_seconds(exc.retry_after)) from exc
        except InvalidToken as exc:  # before Forbidden: the bot itself is refused, no chat is at fault
            raise PlatformDown("Telegram refused the bot token") from exc
        except Forbidden as exc:
            raise Unreachable(str(exc)) from exc
        except BadRequest as exc:
            if "chat not found" in str(exc).lower():
                raise Unreachable(str(exc)) from exc
            raise Rejected(str(exc)) from exc
        except NetworkError as exc:  # timeouts and 5xx
            raise Transient(str(exc)) from exc

    return send


def install_sender(dispatcher: Dispatcher, bot: Bot) -> None:
    """Let the monthly update reach Telegram subscribers through ``bot``: the chart as a photo,
    parts under the message limit, about a second apart in one chat."""
    limits = dispatcher.limits.get(PLATFORM, Limits())
    dispatcher.limits[PLATFORM] = dataclasses.replace(
        limits, chunk=CHUNK, part_interval=SAME_CHAT_INTERVAL, caption=MessageLimit.CAPTION_LENGTH,
    )
    dispatcher.senders[PLATFORM] = telegram_sender(bot)


REFUSED_TOKEN = (
    "Telegram từ chối TELEGRAM_BOT_TOKEN (token sai, đã bị thu hồi, hoặc TELEGRAM_BASE_URL sai). Hãy lấy lại token "
    "từ @BotFather, sửa tệp .env rồi chạy lại."
)


@contextlib.asynccontextmanager
async def refused_token():
    """Turn Telegram's refusal of the token into a clear stop: its own error message quotes
    the token, so it must never reach a traceback or a log."""
    try:
        yield
    except InvalidToken:
        raise SystemExit(REFUSED_TOKEN) from None


def _seconds(value: float | dt.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


def bot_api_url(base: str) -> str:
    """Base URL as python-telegram-bot wants it: ".../bot" (the token is appended)."""
    base = base.rstrip("/")
    return base if base.endswith("/bot") else f"{base}/bot"


TELEGRAM_API = "https://api.telegram.org/bot"


def _api_urls(settings: Settings) -> tuple[str, str]:
    """(base_url, base_file_url): Telegram's, or a self-hosted Bot API server's."""
    base = bot_api_url(settings.telegram_base_url or TELEGRAM_API)
    return base, base.removesuffix("/bot") + "/file/bot"


def build_application(
    settings: Settings, conversation: Conversation, concurrent: bool = True, rate_limit: bool = True
) -> Application:
    """The Telegram Application with every handler, the rate limiter and the menus.

    ``concurrent`` handles updates of different chats at once (the default); tests that check
    what was *not* sent turn it off so that updates are handled strictly in order. The
    benchmark turns ``rate_limit`` off to measure the stack itself.
    """
    base_url, base_file_url = _api_urls(settings)
    builder = (
        ApplicationBuilder().token(settings.telegram_token).concurrent_updates(concurrent)
        .base_url(base_url).base_file_url(base_file_url)
    )
    application: Application = (
        builder.rate_limiter(AIORateLimiter(overall_max_rate=30, group_max_rate=20, max_retries=5)).build()
        if rate_limit else builder.build()
    )
    application.bot_data[CONVERSATION] = conversation
    if conversation.broadcasts is not None:
        install_sender(conversation.broadcasts.dispatcher, application.bot)
    text = filters.TEXT & (filters.UpdateType.MESSAGE | filters.UpdateType.EDITED_MESSAGE)
    application.add_handler(MessageHandler(text, on_text))
    application.add_handler(MessageHandler(filters.UpdateType.MESSAGE & ~filters.TEXT, on_other))
    application.add_handler(CallbackQueryHandler(on_tap))
    application.add_handler(InlineQueryHandler(on_inline))
    application.add_error_handler(on_error)
    return application


class TelegramChannel:
    """Telegram through python-telegram-bot: long polling, or a webhook behind HTTPS."""

    platform = PLATFORM

    def __init__(self, settings: Settings, conversation: Conversation) -> None:
        self.settings = settings
        self.app = build_application(settings, conversation)

    @property
    def updater(self) -> Updater:
        if self.app.updater is None:  # the builder always makes one; only an explicit None removes it
            raise RuntimeError("the Telegram application has no updater")
        return self.app.updater

    async def start(self) -> None:
        async with refused_token():
            await self.app.initialize()
        await set_menus(self.app)
        await self.app.start()
        if self.settings.webhook_url:
            await self.updater.start_webhook(**webhook_options(self.settings))
        else:
            await self.updater.start_polling(allowed_updates=Update.ALL_TYPES)

    async def stop(self) -> None:
        await self.updater.stop()
        await self.app.stop()
        await self.app.shutdown()


@contextlib.asynccontextmanager
async def command_line_sender(settings: Settings, conversation: Conversation) -> AsyncIterator[None]:
    """Let a command-line process (`python -m bot broadcast send`) reach Telegram subscribers."""
    base_url, base_file_url = _api_urls(settings)
    bot = Bot(settings.telegram_token, base_url=base_url, base_file_url=base_file_url)
    async with refused_token():
        await bot.initialize()
    if conversation.broadcasts is not None:
        install_sender(conversation.broadcasts.dispatcher, bot)
    try:
        yield
    finally:
        await bot.shutdown()


def webhook_options(settings: Settings) -> dict:
    """How the webhook server listens: the path of WEBHOOK_URL, and the secret Telegram must send
    in X-Telegram-Bot-Api-Secret-Token (python-telegram-bot answers 403 to any other request)."""
    secret = settings.webhook_secret or secrets.token_urlsafe(32)
    redact_secrets([secret])  # python-telegram-bot logs setWebhook's parameters at DEBUG
    return {
        "listen": settings.webhook_listen,
        "port": settings.webhook_port,
        "url_path": urlparse(settings.webhook_url).path.lstrip("/"),
        "webhook_url": settings.webhook_url,
        "secret_token": secret,
        "allowed_updates": Update.ALL_TYPES,
    }
