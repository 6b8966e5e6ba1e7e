"""The fake Bot API server, checked with python-telegram-bot's real client.

If these pass, a test of the bot that runs against FakeTelegram exercises the same HTTP
requests, error parsing and polling loop it would in production.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.error import (
    BadRequest,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    BaseHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.fakes.telegram_server import DOWNLOAD, FakeTelegram

# RetryAfter.retry_after warns about its future timedelta type; irrelevant here.
ignore_timedelta_warning = pytest.mark.filterwarnings(
    "ignore::telegram.warnings.PTBDeprecationWarning")


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
async def bot(tg: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(tg.token, base_url=tg.base_url, base_file_url=tg.base_file_url) as client:
        yield client


@asynccontextmanager
async def running_app(tg: FakeTelegram, *handlers: BaseHandler,
                      max_retries: int = 0) -> AsyncIterator[Application]:
    """A real Application polling the fake, as the production entry point would run it."""
    app = (ApplicationBuilder().token(tg.token).base_url(tg.base_url)
           .rate_limiter(AIORateLimiter(max_retries=max_retries)).build())
    for handler in handlers:
        app.add_handler(handler)
    await app.initialize()
    await app.start()
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text(f"Bạn hỏi: {update.effective_message.text}")


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text("Xin chào!")


# ---------------------------------------------------------------- basic methods

async def test_get_me(tg: FakeTelegram, bot: Bot) -> None:
    me = await bot.get_me()
    assert me.id == 123456
    assert me.is_bot
    assert me.username == "luanchuyen_bot"
    assert me.supports_inline_queries
    assert bot.username == "luanchuyen_bot"  # Bot.initialize() called getMe


async def test_send_message_is_recorded_and_returned(tg: FakeTelegram, bot: Bot) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Chi tiết", callback_data="more:1")]])
    first = await bot.send_message(42, "Xin chào", reply_markup=markup)
    second = await bot.send_message(42, "123")

    assert first.chat.id == 42 and first.chat.type == "private"
    assert first.from_user.id == 123456 and first.from_user.is_bot
    assert first.text == "Xin chào"
    assert first.reply_markup == markup
    assert (first.message_id, second.message_id) == (1, 2)
    assert second.text == "123"  # a numeric text stays a string

    sent = tg.sent(chat_id=42)
    assert [m["text"] for m in sent] == ["Xin chào", "123"]
    assert sent[0]["chat_id"] == 42
    assert sent[0]["reply_markup"] == {
        "inline_keyboard": [[{"text": "Chi tiết", "callback_data": "more:1"}]]}
    assert tg.sent(chat_id=7) == []


async def test_group_chat_type_is_remembered(tg: FakeTelegram, bot: Bot) -> None:
    tg.user_sends(-100, "chào", chat_type="supergroup")
    message = await bot.send_message(-100, "Chào đơn vị")
    assert message.chat.type == "supergroup"
    assert message.message_id == 2  # ids are shared with the user's message in that chat


async def test_validation_errors_like_telegram(tg: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(BadRequest, match="too long"):
        await bot.send_message(1, "a" * 4097)
    await bot.send_message(1, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendNothing", api_kwargs={"chat_id": 1})
    assert [call.status for call in tg.calls[-3:]] == [400, 200, 404]


async def test_edit_message_text(tg: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_message(5, "Đang tra cứu…")
    edited = await bot.edit_message_text("Kết quả", chat_id=5, message_id=sent.message_id)
    assert edited.text == "Kết quả" and edited.edit_date is not None
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text("Kết quả", chat_id=5, message_id=sent.message_id)
    with pytest.raises(BadRequest, match="not found"):
        await bot.edit_message_text("x", chat_id=5, message_id=99)


async def test_commands_round_trip(tg: FakeTelegram, bot: Bot) -> None:
    await bot.set_my_commands([("start", "Bắt đầu"), ("help", "Hướng dẫn")])
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    assert tg.sent("setMyCommands")[0]["commands"][0] == {"command": "start",
                                                          "description": "Bắt đầu"}
    await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()


# ---------------------------------------------------------------- updates

async def test_get_updates_returns_queued_messages(tg: FakeTelegram, bot: Bot) -> None:
    tg.user_sends(7, "Thời hạn luân chuyển là bao lâu?")
    tg.user_sends(7, "/start")
    tg.user_sends_sticker(7)

    updates = await bot.get_updates(timeout=0)

    assert [u.update_id for u in updates] == [1, 2, 3]
    question, command, sticker = (u.message for u in updates)
    assert question.text == "Thời hạn luân chuyển là bao lâu?"
    assert question.chat.id == 7 and question.from_user.id == 7
    assert question.from_user.first_name == "Cán bộ"
    assert command.entities[0].type == "bot_command" and command.entities[0].length == 6
    assert sticker.sticker is not None and sticker.text is None


async def test_other_update_kinds_parse(tg: FakeTelegram, bot: Bot) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]])
    sent = await bot.send_message(9, "Chọn", reply_markup=keyboard)
    tg.user_taps(9, sent.message_id, "a")
    tg.user_inline_query(9, "luân chuyển")
    tg.user_sends(9, "câu sửa", edited=True)
    tg.user_sends_document(9, "quyet-dinh.pdf", caption="xem giúp")
    tg.user_sends_photo(9)
    tg.user_sends(-5, "/hoi@luanchuyen_bot abc", chat_type="group", reply_to_message_id=1)

    tap, inline, edit, document, photo, group = await bot.get_updates()

    assert tap.callback_query.data == "a"
    assert tap.callback_query.message.message_id == sent.message_id
    assert tap.callback_query.message.reply_markup == sent.reply_markup
    assert tap.callback_query.from_user.id == 9
    assert inline.inline_query.query == "luân chuyển" and inline.inline_query.offset == ""
    assert edit.edited_message.text == "câu sửa" and edit.message is None
    assert document.message.document.mime_type == "application/pdf"
    assert document.message.caption == "xem giúp"
    assert len(photo.message.photo) == 2
    assert group.message.chat.title == "Đơn vị" and group.message.chat.type == "group"
    assert group.message.from_user.id == 1001
    assert group.message.reply_to_message.from_user.is_bot
    assert group.message.entities[0].length == len("/hoi@luanchuyen_bot")


async def test_long_poll_returns_as_soon_as_an_update_is_queued(
        tg: FakeTelegram, bot: Bot) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await tg.wait_until_polling()
    started = time.monotonic()

    tg.user_sends(3, "có ai không?")

    # The poll asked to wait 5 s; it must be answered well within 1 s of the update.
    await tg.wait_for("getUpdates", timeout=1)
    updates = await asyncio.wait_for(poll, timeout=1)
    assert time.monotonic() - started < 1
    assert [u.message.text for u in updates] == ["có ai không?"]


async def test_long_poll_times_out_empty(tg: FakeTelegram, bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert 0.9 < time.monotonic() - started < 3


async def test_offset_confirms_updates(tg: FakeTelegram, bot: Bot) -> None:
    first = tg.user_sends(1, "một")
    second = tg.user_sends(1, "hai")

    assert len(await bot.get_updates()) == 2
    assert len(await bot.get_updates()) == 2  # not confirmed yet: delivered again

    updates = await bot.get_updates(offset=first["update_id"] + 1)
    assert [u.update_id for u in updates] == [second["update_id"]]
    assert await bot.get_updates(offset=second["update_id"] + 1) == ()
    assert tg.pending_updates == []


# ---------------------------------------------------------------- faults

@ignore_timedelta_warning
async def test_injected_429_raises_retry_after(tg: FakeTelegram, bot: Bot) -> None:
    tg.fail("sendMessage", retry_after=3)

    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(1, "a")
    assert caught.value.retry_after == 3
    await bot.send_message(1, "b")  # only the next call failed

    assert [(c.method, c.status) for c in tg.calls if c.method == "sendMessage"] == [
        ("sendMessage", 429), ("sendMessage", 200)]
    assert [m["text"] for m in tg.sent()] == ["b"]
    assert tg.too_many_requests_sent == 1


async def test_injected_5xx_and_chat_filter(tg: FakeTelegram, bot: Bot) -> None:
    tg.fail("sendMessage", status=502, times=2, chat_id=2)

    await bot.send_message(1, "other chat unaffected")
    for _ in range(2):
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await bot.send_message(2, "x")
    await bot.send_message(2, "ok now")
    assert [m["text"] for m in tg.sent(chat_id=2)] == ["ok now"]


async def test_blocked_user_raises_forbidden(tg: FakeTelegram, bot: Bot) -> None:
    tg.block(4)
    with pytest.raises(Forbidden, match="blocked by the user"):
        await bot.send_message(4, "x")
    with pytest.raises(Forbidden):
        await bot.send_chat_action(4, "typing")
    await bot.send_message(5, "others still reachable")

    tg.unblock(4)
    await bot.send_message(4, "back")
    assert [m["text"] for m in tg.sent(chat_id=4)] == ["back"]


async def test_wrong_token_is_rejected(tg: FakeTelegram) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("999:WRONG", base_url=tg.base_url):
            pass
    assert tg.calls[-1].status == 401


@ignore_timedelta_warning
async def test_server_side_rate_limit(tg: FakeTelegram, bot: Bot) -> None:
    tg.limit_rate(2)
    await bot.send_message(1, "1")
    await bot.send_message(1, "2")
    with pytest.raises(RetryAfter):
        await bot.send_message(1, "3")
    assert tg.too_many_requests_sent == 1
    tg.limit_rate(None)
    await bot.send_message(1, "4")


async def test_delay(tg: FakeTelegram, bot: Bot) -> None:
    tg.delay("sendMessage", 0.3)
    started = time.monotonic()
    await bot.send_message(1, "chậm")
    assert time.monotonic() - started >= 0.3


async def test_wait_for_timeout_says_what_was_sent(tg: FakeTelegram, bot: Bot) -> None:
    await bot.send_message(8, "khác")
    expected = r"(?s)expected 1 successful sendMessage.*chat 9.*khác"
    with pytest.raises(AssertionError, match=expected):
        await tg.wait_for(chat_id=9, timeout=0.2)


# ---------------------------------------------------------------- the real Application

async def test_application_answers_a_user(tg: FakeTelegram) -> None:
    started = time.monotonic()
    async with running_app(tg, CommandHandler("start", start),
                           MessageHandler(filters.TEXT & ~filters.COMMAND, echo)):
        tg.user_sends(1, "/start")
        tg.user_sends(1, "Ai được luân chuyển?")

        replies = await tg.wait_for("sendMessage", count=2, chat_id=1)

        assert [r["text"] for r in replies] == ["Xin chào!", "Bạn hỏi: Ai được luân chuyển?"]
    assert tg.pending_updates == []  # shutdown confirmed what it fetched
    assert time.monotonic() - started < 5


@ignore_timedelta_warning
async def test_application_rate_limiter_retries_after_429(tg: FakeTelegram) -> None:
    tg.fail("sendMessage", retry_after=0.2)
    async with running_app(tg, MessageHandler(filters.TEXT, echo), max_retries=2):
        tg.user_sends(1, "alo")
        replies = await tg.wait_for("sendMessage", chat_id=1)
    assert [r["text"] for r in replies] == ["Bạn hỏi: alo"]
    assert [c.status for c in tg.calls if c.method == "sendMessage"] == [429, 200]


async def test_json_and_multipart_bodies_are_accepted(tg: FakeTelegram) -> None:
    """Other clients (and file uploads) send JSON or multipart instead of a plain form."""
    url = f"{tg.base_url}{tg.token}/sendMessage"
    form = aiohttp.FormData({"chat_id": "3", "text": "multipart"})
    form.add_field("document", b"%PDF", filename="a.pdf", content_type="application/pdf")
    async with aiohttp.ClientSession() as http:
        async with http.post(url, json={"chat_id": 3, "text": "json"}) as response:
            assert (await response.json())["result"]["text"] == "json"
        async with http.post(url, data=form) as response:
            assert response.status == 200
        async with http.post(f"{tg.base_url}{tg.token}/getMe", data=b"{oops",
                             headers={"Content-Type": "application/json"}) as response:
            assert response.status == 400
    sent = tg.sent(chat_id=3)
    assert [m["text"] for m in sent] == ["json", "multipart"]
    assert sent[1]["document"]["file_name"] == "a.pdf"


# ---------------------------------------------------------------- files

async def test_document_the_user_sent_can_be_downloaded(tg: FakeTelegram, bot: Bot) -> None:
    data = "cán_bộ:\n  - Nguyễn Văn A\n".encode() + bytes(range(256))
    tg.user_sends_document(9, "danh sách cán bộ.yaml", data=data, caption="nhập giúp")
    [update] = await bot.get_updates()
    document = update.message.document
    assert document.file_name == "danh sách cán bộ.yaml" and document.file_size == len(data)
    assert update.message.caption == "nhập giúp"

    file = await bot.get_file(document.file_id)
    assert file.file_size == len(data) and file.file_unique_id == document.file_unique_id
    assert file.file_path == (f"{tg.base_file_url}{tg.token}/documents/{document.file_id}/"
                              "danh sách cán bộ.yaml")
    assert await file.download_as_bytearray() == bytearray(data)
    assert await update.message.document.get_file() == file  # the shortcut works too

    relative = f"documents/{document.file_id}/danh sách cán bộ.yaml"
    assert tg.sent("getFile")[0]["file_id"] == document.file_id
    assert tg.sent(DOWNLOAD) == [{"file_path": relative}]
    assert tg.file(document.file_id).data == data


async def test_files_without_contents_and_unknown_ids(tg: FakeTelegram, bot: Bot) -> None:
    tg.user_sends_document(1, "a.pdf")  # no data: 10 KiB of zero bytes
    tg.user_sends_document(1, "big.zip", file_size=30 * 1024 * 1024)
    tg.user_sends_photo(1)
    small, big, photo = (u.message for u in await bot.get_updates())

    file = await bot.get_file(small.document.file_id)
    assert await file.download_as_bytearray() == bytearray(10_240)
    with pytest.raises(BadRequest, match="(?i)file is too big"):
        await bot.get_file(big.document.file_id)
    photo_file = await photo.photo[-1].get_file()
    assert photo_file.file_path.endswith(".jpg") and photo_file.file_size == 120_000
    with pytest.raises(BadRequest, match="(?i)invalid file_id"):
        await bot.get_file("no-such-file")
    assert tg.calls[-1].status == 400
    with pytest.raises(ValueError):
        tg.user_sends_document(1, "x.txt", data=b"abc", file_size=4)


async def test_download_errors(tg: FakeTelegram, bot: Bot) -> None:
    tg.user_sends_document(1, "a.txt", data=b"abc")
    [update] = await bot.get_updates()
    file = await bot.get_file(update.message.document.file_id)

    tg.fail(DOWNLOAD, status=502)
    with pytest.raises(NetworkError):
        await file.download_as_bytearray()
    assert await file.download_as_bytearray() == bytearray(b"abc")  # only once

    async with aiohttp.ClientSession() as http:
        async with http.get(f"{tg.base_file_url}{tg.token}/documents/nope/a.txt") as response:
            assert response.status == 404
            assert (await response.json())["description"] == "Not Found"
        async with http.get(f"{tg.base_file_url}1:WRONG/{file.file_path.split('/', 5)[-1]}"
                            ) as response:
            assert response.status == 401
    assert [c.status for c in tg.calls if c.method == DOWNLOAD] == [502, 200, 404, 401]


async def test_send_document_upload_is_recorded(tg: FakeTelegram, bot: Bot) -> None:
    data = b"nguon: nghi-quyet-02\nthoi_han: 3\n"
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("OK", callback_data="ok")]])
    message = await bot.send_document(42, document=data, filename="x.yaml",
                                      caption="Bản <b>mới</b>", parse_mode="HTML",
                                      reply_markup=markup)

    assert message.document.file_name == "x.yaml"
    assert message.document.file_size == len(data)
    assert message.caption == "Bản <b>mới</b>" and message.reply_markup == markup
    assert message.chat.id == 42 and message.from_user.is_bot

    [params] = tg.sent("sendDocument", chat_id=42)
    assert params["document"]["file_name"] == "x.yaml"
    assert params["document"]["data"] == data
    assert params["caption"] == "Bản <b>mới</b>"

    # The uploaded file can be fetched back and re-sent by file_id, like on Telegram.
    file = await bot.get_file(message.document.file_id)
    assert await file.download_as_bytearray() == bytearray(data)
    again = await bot.send_document(43, message.document.file_id)
    assert again.document.file_id == message.document.file_id
    assert again.document.file_name == "x.yaml"


async def test_send_document_errors(tg: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(BadRequest, match="(?i)must be non-empty"):
        await bot.send_document(1, document=b"", filename="empty.txt")
    with pytest.raises(BadRequest, match="(?i)wrong file identifier"):
        await bot.send_document(1, "no-such-file")
    with pytest.raises(BadRequest, match="caption is too long"):
        await bot.send_document(1, b"x", filename="a.txt", caption="a" * 1025)
    tg.user_sends_photo(1)
    [update] = await bot.get_updates()
    with pytest.raises(BadRequest, match="(?i)type of file mismatch"):
        await bot.send_document(1, update.message.photo[0].file_id)
    tg.block(2)
    with pytest.raises(Forbidden):
        await bot.send_document(2, b"x", filename="a.txt")
    assert tg.sent("sendDocument") == []
