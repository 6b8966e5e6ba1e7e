"""The Telegram channel end to end: the real python-telegram-bot Application, long polling a
local stand-in for the Bot API (tests/fakes/telegram_server.py) over loopback HTTP."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
from contextlib import asynccontextmanager

import httpx
import pytest

from bot.app import build_conversation
from bot.channels.telegram import (
    TEXT_ONLY,
    build_application,
    set_menus,
    split_text,
    to_html,
    webhook_options,
)
from bot.chat.answers import STALE_OPTION
from bot.chat.conversation import NOT_ADMIN
from bot.chat.router import FloodControl
from bot.knowledge.store import record_unanswered
from bot.logs import REDACTED, redact_secrets
from bot.search.text import addressed
from bot.settings import Settings

from .conftest import KNOWLEDGE, unanswered_questions
from .fakes.telegram_server import FakeTelegram

# What users see: the bot's sentences with the form of address filled in.
STALE_OPTION = addressed(STALE_OPTION)
NOT_ADMIN = addressed(NOT_ADMIN)
TEXT_ONLY = addressed(TEXT_ONLY)

ADMIN = 42


@asynccontextmanager
async def running_bot(tmp_path, *, concurrent: bool = False, flood: FloodControl | None = None):
    """Our bot, as `python -m bot run` builds it, polling a fresh fake Bot API server."""
    async with FakeTelegram() as tg:
        settings = Settings(
            database_path=tmp_path / "bot.db", knowledge_dir=KNOWLEDGE, log_level="INFO",
            telegram_token=tg.token, telegram_base_url=tg.base_url, admin_ids=f"telegram:{ADMIN}",
        )
        redact_secrets(settings.secrets())
        conversation = build_conversation(settings, flood=flood)
        app = build_application(settings, conversation, concurrent=concurrent)
        await app.initialize()
        await set_menus(app)
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            yield tg, conversation
        finally:
            await app.updater.stop()
            await app.stop()
            await app.shutdown()


def texts(messages: list[dict]) -> list[str]:
    return [m["text"] for m in messages]


def buttons(message: dict) -> list[dict]:
    return [button for row in message["reply_markup"]["inline_keyboard"] for button in row]


async def test_start_shows_what_the_bot_knows_and_example_buttons(tmp_path):
    async with running_bot(tmp_path) as (tg, _):
        tg.user_sends(1, "/start")
        [reply] = await tg.wait_for("sendMessage", chat_id=1)
        assert "Nghị quyết 02" in reply["text"] and reply["parse_mode"] == "HTML"
        assert len(buttons(reply)) == 3
        tg.user_taps(1, 1, buttons(reply)[0]["callback_data"])
        await tg.wait_for("answerCallbackQuery")
        replies = await tg.wait_for("sendMessage", count=2, chat_id=1)
        assert "136" in replies[1]["text"]


async def test_command_menus_are_set_with_a_longer_admin_menu(tmp_path):
    async with running_bot(tmp_path) as (tg, _):
        menus = tg.sent("setMyCommands")
        default = next(m for m in menus if m.get("scope", {}).get("type") in (None, "default"))
        admin = next(m for m in menus if m.get("scope", {}).get("type") == "chat")
        assert admin["scope"]["chat_id"] == ADMIN
        assert {"start", "hoi", "dangky"} <= {c["command"] for c in default["commands"]}
        assert "trangthai" not in {c["command"] for c in default["commands"]}
        assert "trangthai" in {c["command"] for c in admin["commands"]}


@pytest.mark.parametrize("question", ["Ai chủ trì hội nghị sơ kết Nghị quyết 02?", "ai chu tri hoi nghi so ket nq 02"])
async def test_question_with_and_without_diacritics(tmp_path, question):
    async with running_bot(tmp_path) as (tg, _):
        tg.user_sends(5, question)
        [reply] = await tg.wait_for("sendMessage", chat_id=5)
        assert "Nguyễn Văn Quý" in reply["text"]
        assert "Nguồn: Báo Vĩnh Phúc" in reply["text"]


def test_knowledge_text_is_html_escaped():
    assert to_html("Điều 4 <QĐ 65> & NĐ 138") == "Điều 4 &lt;QĐ 65&gt; &amp; NĐ 138"
    assert to_html("136 | lượt", monospace=True) == "<pre>136 | lượt</pre>"


def test_long_text_is_split_under_the_message_limit():
    text = ("Câu trả lời rất dài. " * 40 + "\n\n") * 12
    parts = split_text(text)
    assert len(parts) > 1 and all(len(to_html(p)) < 4096 for p in parts)
    assert "".join(parts).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace("\n", "")


async def test_tapping_a_suggestion_answers_it(tmp_path):
    async with running_bot(tmp_path) as (tg, _):
        tg.user_sends(6, "lương của cán bộ luân chuyển mỗi tháng")
        [unsure] = await tg.wait_for("sendMessage", chat_id=6)
        assert "Nguồn:" not in unsure["text"]  # not an answer: the bot says what it lacks
        choice = buttons(unsure)[0]
        assert len(choice["callback_data"].encode()) <= 64 and len(choice["text"]) <= 40
        tg.user_taps(6, 1, choice["callback_data"])
        replies = await tg.wait_for("sendMessage", count=2, chat_id=6)
        assert replies[1]["text"].startswith("Câu hỏi: ") and "Nguồn:" in replies[1]["text"]  # the question first
        tg.user_taps(6, 1, "s:deadbeefdeadbeef")  # a button from an older version of the bot
        replies = await tg.wait_for("sendMessage", count=3, chat_id=6)
        assert replies[2]["text"] == STALE_OPTION


async def test_group_answers_only_what_is_addressed_to_the_bot(tmp_path):
    async with running_bot(tmp_path) as (tg, _):
        tg.user_sends(-100, "các đồng chí chiều nay họp lúc mấy giờ?", chat_type="supergroup")
        tg.user_sends(-100, "@luanchuyen_bot luân chuyển tối thiểu mấy năm?", chat_type="supergroup")
        [reply] = await tg.wait_for("sendMessage", chat_id=-100)
        assert "3 năm" in reply["text"]
        tg.user_sends(-100, "/hoi ai chủ trì hội nghị sơ kết nq 02", chat_type="supergroup")
        replies = await tg.wait_for("sendMessage", count=2, chat_id=-100)
        assert "Nguyễn Văn Quý" in replies[1]["text"]
        bot_message = [c for c in tg.calls if c.method == "sendMessage" and c.ok][-1].result["message_id"]
        tg.user_sends(-100, "thế còn Quy định 98 ban hành năm nào", chat_type="supergroup",
                      reply_to_message_id=bot_message)
        replies = await tg.wait_for("sendMessage", count=3, chat_id=-100)
        assert "2017" in replies[2]["text"]
        assert len(tg.sent("sendMessage", chat_id=-100)) == 3  # the chatter got nothing


async def test_inline_query_offers_answers(tmp_path):
    async with running_bot(tmp_path) as (tg, _):
        tg.user_inline_query(9, "luan chuyen toi thieu may nam")
        [answer] = await tg.wait_for("answerInlineQuery")
        assert answer["results"] and "3 năm" in answer["results"][0]["input_message_content"]["message_text"]
        assert answer["results"][0]["title"] == "Thời gian luân chuyển theo QĐ 65"  # the entry's title, not the query


async def test_a_burst_is_answered_in_full_a_little_later_without_holding_up_others(tmp_path):
    async with running_bot(tmp_path, concurrent=True, flood=FloodControl(limit=3, window=0.5)) as (tg, _):
        questions = ["luân chuyển tối thiểu mấy năm", "ai chủ trì hội nghị sơ kết nq 02", "nq 11 ban hành năm nào",
                     "qđ 65 ban hành năm nào", "sau 2 năm có bao nhiêu lượt cán bộ được luân chuyển"]
        for question in questions:
            tg.user_sends(11, question)
        tg.user_sends(12, "xin chào")  # another user is answered at once, not after the burst
        await tg.wait_for("sendMessage", chat_id=12)
        assert len(tg.sent("sendMessage", chat_id=11)) < len(questions)
        answers = texts(await tg.wait_for("sendMessage", count=len(questions), chat_id=11, timeout=10))
        assert len(answers) == len(questions) and "136" in answers[-1]  # nothing dropped, the last one too


async def test_survives_a_429_storm(tmp_path):
    async with running_bot(tmp_path) as (tg, _):
        tg.fail("sendMessage", status=429, times=3, retry_after=0.2)
        tg.user_sends(13, "luân chuyển tối thiểu mấy năm")
        [reply] = await tg.wait_for("sendMessage", chat_id=13, timeout=10)
        assert "3 năm" in reply["text"]
        assert tg.too_many_requests_sent == 3


async def test_server_error_is_logged_and_the_bot_keeps_answering(tmp_path, caplog):
    async with running_bot(tmp_path) as (tg, _):
        tg.fail("sendMessage", status=502, times=1)
        tg.user_sends(14, "luân chuyển tối thiểu mấy năm")
        tg.user_sends(14, "ai chủ trì hội nghị sơ kết nq 02")
        [reply] = await tg.wait_for("sendMessage", chat_id=14)
        assert "Nguyễn Văn Quý" in reply["text"]
        assert "error while handling an update" in caplog.text


async def test_blocked_chat_leaves_the_monthly_update(tmp_path):
    async with running_bot(tmp_path) as (tg, conversation):
        tg.user_sends(15, "/dangky")
        await tg.wait_for("sendMessage", chat_id=15)
        assert conversation.subscriptions.is_active("telegram", "15")
        tg.block(15)
        tg.user_sends(15, "xin chào")
        tg.user_sends(16, "xin chào")
        await tg.wait_for("sendMessage", chat_id=16)
        assert not conversation.subscriptions.is_active("telegram", "15")


async def test_non_admin_is_refused_an_admin_command(tmp_path):
    async with running_bot(tmp_path) as (tg, _):
        tg.user_sends(17, "/trangthai")
        tg.user_sends(ADMIN, "/trangthai")
        [refusal] = await tg.wait_for("sendMessage", chat_id=17)
        [status] = await tg.wait_for("sendMessage", chat_id=ADMIN)
        assert refusal["text"] == NOT_ADMIN
        assert "Cơ sở dữ liệu" in status["text"]


async def test_non_text_messages_and_edits(tmp_path):
    async with running_bot(tmp_path) as (tg, _):
        tg.user_sends_sticker(18)
        tg.user_sends_photo(18)
        tg.user_sends_document(18, "danh_sach.xlsx")
        replies = await tg.wait_for("sendMessage", count=3, chat_id=18)
        assert texts(replies) == [TEXT_ONLY] * 3
        tg.user_sends(18, "luân chuyển tối thiểu mấy năm", edited=True)
        replies = await tg.wait_for("sendMessage", count=4, chat_id=18)
        assert "3 năm" in replies[3]["text"]
        tg.user_sends_sticker(-200, chat_type="group")
        tg.user_sends(-200, "/hoi luân chuyển tối thiểu mấy năm", chat_type="group")
        [reply] = await tg.wait_for("sendMessage", chat_id=-200)
        assert "3 năm" in reply["text"]
        assert len(tg.sent("sendMessage", chat_id=-200)) == 1


async def test_long_message_is_answered_without_error(tmp_path):
    async with running_bot(tmp_path) as (tg, _):
        tg.user_sends(19, "luân chuyển cán bộ " * 210)  # about 4,000 characters
        [reply] = await tg.wait_for("sendMessage", chat_id=19)
        assert len(reply["text"]) < 4096


async def test_token_never_appears_in_logs(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="httpx")  # it logs every request URL, token included
    async with running_bot(tmp_path) as (tg, _):
        tg.user_sends(20, "xin chào")
        await tg.wait_for("sendMessage", chat_id=20)
        assert tg.token not in caplog.text
        assert REDACTED in caplog.text  # the HTTP client did log the URLs, without the token


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_webhook_mode_checks_the_secret_token(tmp_path):
    async with FakeTelegram() as tg:
        port = _free_port()
        settings = Settings(
            database_path=tmp_path / "bot.db", knowledge_dir=KNOWLEDGE, log_level="INFO",
            telegram_token=tg.token, telegram_base_url=tg.base_url,
            webhook_url="https://bot.example.vn/telegram", webhook_secret="s3cret-token",
            webhook_listen="127.0.0.1", webhook_port=port,
        )
        app = build_application(settings, build_conversation(settings))
        await app.initialize()
        await app.start()
        await app.updater.start_webhook(**webhook_options(settings))
        try:
            [hook] = tg.sent("setWebhook")
            assert hook["url"] == "https://bot.example.vn/telegram" and hook["secret_token"] == "s3cret-token"
            update = tg.user_sends(21, "luân chuyển tối thiểu mấy năm")
            async with httpx.AsyncClient() as http:
                url = f"http://127.0.0.1:{port}/telegram"
                forged = await http.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"})
                missing = await http.post(url, json=update)
                assert forged.status_code == 403 and missing.status_code == 403
                assert tg.sent("sendMessage") == []
                real = await http.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"})
                assert real.status_code == 200
            [reply] = await tg.wait_for("sendMessage", chat_id=21)
            assert "3 năm" in reply["text"]
        finally:
            await app.updater.stop()
            await app.stop()
            await app.shutdown()


def test_run_without_token_explains_what_to_set(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"} | {"DATABASE_PATH": str(tmp_path / "x.db")}
    out = subprocess.run([sys.executable, "-m", "bot", "run"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)
    assert out.returncode == 2
    assert "TELEGRAM_BOT_TOKEN" in out.stderr and "python -m bot chat" in out.stderr


async def test_admin_sends_the_monthly_update_and_watches_progress(tmp_path):
    async with running_bot(tmp_path, concurrent=True) as (tg, conversation):
        for chat in (31, 32, 33):
            tg.user_sends(chat, "/dangky")
        for chat in (31, 32, 33):
            await tg.wait_for("sendMessage", chat_id=chat)
        tg.user_sends(ADMIN, "/bantin_gui")
        [confirm] = await tg.wait_for("sendMessage", chat_id=ADMIN)
        assert "3 người nhận" in confirm["text"]
        send_now = next(b for b in buttons(confirm) if b["callback_data"].startswith("bt:send:"))
        tg.delay("sendMessage", 0.3)  # a slow server, so the update is still going out below
        tg.user_taps(ADMIN, 1, send_now["callback_data"])
        await tg.wait_for("sendMessage", count=2, chat_id=ADMIN)
        tg.user_sends(ADMIN, "/bantin_trangthai")
        replies = await tg.wait_for("sendMessage", count=3, chat_id=ADMIN)
        assert "đang gửi" in replies[2]["text"]
        await conversation.sending
        for chat in (31, 32, 33):
            update = (await tg.wait_for("sendMessage", count=2, chat_id=chat))[1]
            assert "BẢN TIN LUÂN CHUYỂN CÁN BỘ" in update["text"] or "chưa có số liệu mới" in update["text"]
        count = 1
        while "(xong)" not in (edits := await tg.wait_for("editMessageText", count=count, timeout=10))[-1]["text"]:
            count += 1  # the progress message is edited in place until the update is out
        assert "đã gửi 3/3" in edits[-1]["text"]


async def test_admin_imports_a_spreadsheet_and_a_bad_one_changes_nothing(tmp_path):
    import io

    from openpyxl import Workbook

    def sheet(rows) -> bytes:
        book = Workbook()
        book.active.title = "statistics"
        for row in rows:
            book.active.append(row)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    header = ["metric", "value", "value_max", "unit", "period_start", "period_end", "scope", "source", "note"]
    good = sheet([header, ["luot_can_bo_dieu_dong_luan_chuyen", 3, None, "lượt", "2026-10", "2026-10",
                           "huyện Tam Dương, tỉnh Vĩnh Phúc", "Báo cáo thử nghiệm", None]])
    bad = sheet([header, ["luot_can_bo_dieu_dong_luan_chuyen", "nhiều", None, "lượt", "2026-13", "2026-10", "", "x", None]])
    async with running_bot(tmp_path) as (tg, conversation):
        before = conversation.store.counts()
        tg.user_sends_document(ADMIN, "bad.xlsx", data=bad)
        [refusal] = await tg.wait_for("sendMessage", chat_id=ADMIN)
        assert "Không nhập tệp" in refusal["text"] and conversation.store.counts() == before
        tg.user_sends_document(ADMIN, "so_lieu_thang_10.xlsx", data=good)
        [_, summary] = await tg.wait_for("sendMessage", count=2, chat_id=ADMIN)
        tg.user_taps(ADMIN, 1, next(b["callback_data"] for b in buttons(summary) if b["text"] == "Nhập"))
        [*_, done] = await tg.wait_for("sendMessage", count=3, chat_id=ADMIN)
        assert "Đã nhập so_lieu_thang_10.xlsx: thêm mới 1" in done["text"]
        await conversation.refresh()  # the new index is built in the background
        tg.user_sends(5, "tháng 10/2026 có bao nhiêu lượt cán bộ được điều động, luân chuyển")
        [answer] = await tg.wait_for("sendMessage", chat_id=5)
        assert "3 lượt" in answer["text"]


async def test_export_sends_the_knowledge_base_as_files(tmp_path):
    async with running_bot(tmp_path) as (tg, _):
        tg.user_sends(ADMIN, "/xuat")
        [workbook] = await tg.wait_for("sendDocument", chat_id=ADMIN)
        assert workbook["document"]["file_name"] == "co-so-du-lieu.xlsx"
        tg.user_sends(ADMIN, "/xuat yaml")
        documents = await tg.wait_for("sendDocument", count=5, chat_id=ADMIN)
        assert [d["document"]["file_name"] for d in documents[1:]] == [
            "entries.yaml", "passages.yaml", "metrics.yaml", "statistics.csv"]
        tg.user_sends_document(ADMIN, "co-so-du-lieu.xlsx", data=workbook["document"]["data"])
        [*_, summary] = await tg.wait_for("sendMessage", count=3, chat_id=ADMIN)
        assert "Nhập tệp co-so-du-lieu.xlsx" in summary["text"]
        tg.user_sends_document(7, "entries.yaml", data=documents[1]["document"]["data"])
        [note] = await tg.wait_for("sendMessage", chat_id=7)
        assert note["text"] == TEXT_ONLY  # a file from someone who is not an admin is not read


async def test_admin_adds_an_entry_step_by_step_and_it_is_answered(tmp_path):
    async with running_bot(tmp_path) as (tg, conversation):
        steps = [
            "/them", "Bot có trả lời ngoài giờ hành chính không?", None, "Bot trả lời mọi lúc, kể cả ngoài giờ (mục thử nghiệm).",
            "Quy chế vận hành bot (thử nghiệm)",
        ]
        count = 0
        for text in steps:
            if text is None:
                tg.user_taps(ADMIN, 1, "dlg:skip")
            else:
                tg.user_sends(ADMIN, text)
            count += 1
            [*_, prompt] = await tg.wait_for("sendMessage", count=count, chat_id=ADMIN)
            assert "Hủy" in [b["text"] for b in buttons(prompt)]  # a way out at every step
        today = next(b for b in buttons(prompt) if b["text"] == "Hôm nay")
        tg.user_taps(ADMIN, 1, today["callback_data"])
        [*_, summary] = await tg.wait_for("sendMessage", count=count + 1, chat_id=ADMIN)
        tg.user_taps(ADMIN, 1, next(b["callback_data"] for b in buttons(summary) if b["text"] == "Lưu"))
        [*_, done] = await tg.wait_for("sendMessage", count=count + 2, chat_id=ADMIN)
        assert "Đã thêm mục mới" in done["text"]
        await conversation.refresh()
        tg.user_sends(8, "bot có trả lời ngoài giờ hành chính không")
        [answer] = await tg.wait_for("sendMessage", chat_id=8)
        assert "kể cả ngoài giờ" in answer["text"]


async def test_admin_pages_through_unanswered_questions_with_buttons(tmp_path):
    async with running_bot(tmp_path) as (tg, conversation):
        topics = unanswered_questions(conversation.store.path)
        tg.user_sends(ADMIN, "/chuatraloi")
        [first] = await tg.wait_for("sendMessage", chat_id=ADMIN)
        rows = [[b["text"] for b in row] for row in first["reply_markup"]["inline_keyboard"]]
        assert rows == [[f"Tạo mục: {t}"] for t in topics[:5]] + [["Trang sau »"]]
        tg.user_taps(ADMIN, 1, buttons(first)[-1]["callback_data"])
        [_, second] = await tg.wait_for("sendMessage", count=2, chat_id=ADMIN)
        rows = [[b["text"] for b in row] for row in second["reply_markup"]["inline_keyboard"]]
        assert rows[-1] == ["« Trang trước", "Trang sau »"] and f"• {topics[5]} (8 lần)" in second["text"]
        record_unanswered(conversation.store.path, "telegram", "câu hỏi mới đến sau", "cau hoi moi den sau")
        tg.user_taps(ADMIN, 1, buttons(second)[0]["callback_data"])  # the page's first question, as listed
        [*_, step] = await tg.wait_for("sendMessage", count=3, chat_id=ADMIN)
        assert "Câu trả lời" in step["text"] and conversation.dialogs["telegram:42"].values["question"] == topics[5]


async def test_under_each_answer_read_more_and_thumbs_side_by_side(tmp_path):
    async with running_bot(tmp_path) as (tg, conversation):
        tg.user_sends(15, "luân chuyển cán bộ tối thiểu mấy năm")
        [answer] = await tg.wait_for("sendMessage", chat_id=15)
        rows = [[b["text"] for b in row] for row in answer["reply_markup"]["inline_keyboard"]]
        assert rows == [["Xem thêm"], ["👍 Hữu ích", "👎 Chưa đúng"]]
        tg.user_taps(15, 1, buttons(answer)[2]["callback_data"])
        thanks = (await tg.wait_for("sendMessage", count=2, chat_id=15))[1]
        assert "quản trị viên sẽ xem lại" in thanks["text"] and buttons(thanks)[0]["text"] == "Gửi góp ý"
        [row] = conversation.store.db["feedback"].rows
        assert row["rating"] == -1 and row["question"] == "luân chuyển cán bộ tối thiểu mấy năm" and "3 năm" in row["answer"]


async def test_admin_uploads_a_word_regulation_and_officials_read_its_article(tmp_path):
    from .documents_sample import docx_bytes, regulation
    from .test_documents import QUESTION

    async with running_bot(tmp_path) as (tg, conversation):
        tg.user_sends_document(ADMIN, "quy-dinh-mau.docx", data=docx_bytes(regulation()))
        [preview] = await tg.wait_for("sendMessage", chat_id=ADMIN, timeout=15)
        assert "Số: 99-QĐ/TW" in preview["text"] and "4 điều" in preview["text"]
        tg.user_taps(ADMIN, 1, next(b["callback_data"] for b in buttons(preview) if b["text"] == "Nhập"))
        [_, done] = await tg.wait_for("sendMessage", count=2, chat_id=ADMIN, timeout=15)
        assert "thêm mới 6" in done["text"]
        await conversation.idle()  # the new passages are indexed in the background
        tg.user_sends(8, QUESTION)
        [answer] = await tg.wait_for("sendMessage", chat_id=8)
        assert "Điều 2, khoản 1 Quy định 99-QĐ/TW" in answer["text"] and "45 ngày" in answer["text"]
        whole = next(b for b in buttons(answer) if b["text"] == "Xem nguyên văn Điều 2")
        tg.user_taps(8, 1, whole["callback_data"])
        replies = await tg.wait_for("sendMessage", count=2, chat_id=8)
        assert replies[1]["text"].startswith("Điều 2 (Thời hạn tập huấn nuôi ong)")
