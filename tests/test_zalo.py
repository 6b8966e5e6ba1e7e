"""The Zalo channel end to end against a local stand-in for the Zalo Bot Platform
(tests/fakes/zalo_server.py): polling, webhook, numbered choices, updates and the quota."""

from __future__ import annotations

import asyncio
import logging
import socket
from contextlib import asynccontextmanager

import httpx
from aiohttp import web

from bot.app import build_conversation
from bot.broadcast.quota import MonthlyCounter
from bot.channels.zalo import (
    NO_SUCH_OPTION,
    PICK_HINT,
    TEXT_ONLY,
    ZaloChannel,
    ZaloClient,
)
from bot.chat.router import FloodControl
from bot.chat.subscribing import SUBSCRIBED
from bot.logs import REDACTED, redact_secrets
from bot.search.text import addressed
from bot.settings import Settings

from .conftest import KNOWLEDGE
from .fakes.zalo_server import FakeZalo

# What users see: the bot's sentences with the form of address filled in.
NO_SUCH_OPTION = addressed(NO_SUCH_OPTION)
TEXT_ONLY = addressed(TEXT_ONLY)

ADMIN = "u-admin-1"


@asynccontextmanager
async def running_zalo(tmp_path, quota: int = 0, poll: bool = True):
    async with FakeZalo() as zalo:
        settings = Settings(
            database_path=tmp_path / "bot.db", knowledge_dir=KNOWLEDGE, log_level="INFO",
            zalo_token=zalo.token, zalo_base_url=zalo.base_url, admin_ids=f"zalo:{ADMIN}",
        )
        redact_secrets(settings.secrets())
        conversation = build_conversation(settings, flood=FloodControl(limit=100))
        client = ZaloClient(settings.zalo_token, settings.zalo_base_url)
        channel = ZaloChannel(client, conversation, MonthlyCounter(conversation.store.db))
        channel.install(conversation.broadcasts.dispatcher, rate=1000, quota=quota)
        stop = asyncio.Event()
        task = asyncio.create_task(channel.poll(stop)) if poll else None
        try:
            yield zalo, channel, conversation
        finally:
            stop.set()
            if task is not None:
                task.cancel()
            await client.close()


async def test_question_with_and_without_diacritics(tmp_path):
    async with running_zalo(tmp_path) as (zalo, _, _):
        zalo.user_sends("u1", "Ai chủ trì hội nghị sơ kết Nghị quyết 02?")
        zalo.user_sends("u2", "ai chu tri hoi nghi so ket nq 02")
        for chat in ("u1", "u2"):
            [reply] = await zalo.wait_for("sendMessage", chat_id=chat)
            assert "Nguyễn Văn Quý" in reply["text"] and "Nguồn: Báo Vĩnh Phúc" in reply["text"]


async def test_choices_are_numbered_lines_answered_with_a_digit(tmp_path):
    async with running_zalo(tmp_path) as (zalo, _, _):
        zalo.user_sends("u3", "/start")
        [menu] = await zalo.wait_for("sendMessage", chat_id="u3")
        assert "\n1. " in menu["text"] and PICK_HINT in menu["text"]
        zalo.user_sends("u3", "1")
        replies = await zalo.wait_for("sendMessage", count=2, chat_id="u3")
        assert "136" in replies[1]["text"]
        zalo.user_sends("u3", "9")
        replies = await zalo.wait_for("sendMessage", count=3, chat_id="u3")
        assert replies[2]["text"] == NO_SUCH_OPTION


async def test_words_work_as_commands_and_subscribers_receive_the_update(tmp_path):
    async with running_zalo(tmp_path) as (zalo, _, conversation):
        zalo.user_sends("u4", "Đăng ký")
        [reply] = await zalo.wait_for("sendMessage", chat_id="u4")
        assert reply["text"].startswith(SUBSCRIBED) and "1. Xem bản tin gần nhất" in reply["text"]
        progress = await conversation.broadcasts.send()
        assert progress.sent == 1
        update = (await zalo.wait_for("sendMessage", count=2, chat_id="u4"))[1]
        assert "BẢN TIN" in update["text"] or "chưa có số liệu mới" in update["text"]


async def test_long_replies_are_split_under_2000_characters(tmp_path):
    async with running_zalo(tmp_path, poll=False) as (zalo, channel, _):
        await channel.send("u5", ("Một đoạn trả lời dài. " * 60 + "\n\n") * 4)
        parts = zalo.sent("sendMessage", chat_id="u5")
        assert len(parts) >= 3 and all(1 <= len(p["text"]) <= 2000 for p in parts)


async def test_images_stickers_and_voice_get_a_note_that_the_bot_reads_text(tmp_path):
    async with running_zalo(tmp_path) as (zalo, _, _):
        zalo.user_sends_image("u6")
        zalo.user_sends_sticker("u6")
        zalo.user_sends_voice("u6")
        replies = await zalo.wait_for("sendMessage", count=3, chat_id="u6")
        assert [r["text"] for r in replies] == [TEXT_ONLY] * 3


async def test_duplicates_malformed_and_unknown_updates_are_skipped(tmp_path, caplog):
    async with running_zalo(tmp_path) as (zalo, _, _):
        first = zalo.user_sends("u7", "luân chuyển tối thiểu mấy năm")
        zalo.resend(first)
        zalo.queue({"event_name": "message.text.received"})
        zalo.queue({"event_name": "oa.follow", "message": {"chat": {"id": "u7"}, "from": {"id": "u7"}}})
        zalo.queue(["not", "an", "object"])
        zalo.user_sends("u8", "xin chào")
        await zalo.wait_for("sendMessage", chat_id="u8")
        assert len(zalo.sent("sendMessage", chat_id="u7")) == 1
        assert "skipped unknown event 'oa.follow'" in caplog.text


async def test_polling_survives_server_errors(tmp_path):
    async with running_zalo(tmp_path) as (zalo, _, _):
        zalo.fail("getUpdates", status=502, times=1)
        zalo.user_sends("u9", "xin chào")
        [reply] = await zalo.wait_for("sendMessage", chat_id="u9", timeout=10)
        assert "Kính chào đồng chí" in reply["text"]


async def test_broadcast_backs_off_on_429(tmp_path):
    async with running_zalo(tmp_path, poll=False) as (zalo, _, conversation):
        conversation.subscriptions.subscribe("zalo", "u10")
        clock_sleeps = []

        async def sleep(seconds):
            clock_sleeps.append(seconds)

        conversation.broadcasts.dispatcher.sleep = sleep
        zalo.fail("sendMessage", status=429, times=2)
        progress = await conversation.broadcasts.send()
        assert progress.sent == 1 and [s for s in clock_sleeps if s >= 1] == [5.0, 5.0]


async def test_monthly_quota_pauses_the_update_resumably_and_tells_admins(tmp_path):
    async with running_zalo(tmp_path, quota=3, poll=False) as (zalo, channel, conversation):
        for chat in ("u11", "u12", "u13", "u14", "u15"):
            conversation.subscriptions.subscribe("zalo", chat)
        told = []

        async def paused(broadcast_id, platform, remaining, reason):
            told.append((platform, remaining))

        conversation.broadcasts.dispatcher.on_paused = paused
        progress = await conversation.broadcasts.send()
        assert (progress.sent, progress.pending) == (3, 2)
        assert told == [("zalo", 2)]
        assert "tạm dừng" in conversation.broadcast_status()
        channel.install(conversation.broadcasts.dispatcher, rate=1000, quota=0)  # next month, or a paid plan
        progress = await conversation.broadcasts.send()
        assert (progress.sent, progress.pending) == (5, 0)
        assert sorted(m["chat_id"] for m in zalo.sent()) == ["u11", "u12", "u13", "u14", "u15"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_webhook_checks_the_secret_and_accepts_wrapped_and_flat_bodies(tmp_path):
    async with running_zalo(tmp_path, poll=False) as (zalo, channel, _):
        runner = web.AppRunner(channel.webhook_app("/zalo", "s3cret-zalo"))
        await runner.setup()
        port = _free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        url = f"http://127.0.0.1:{port}/zalo"
        try:
            update = zalo.user_sends("u20", "luân chuyển tối thiểu mấy năm")
            assert await zalo.deliver_webhook(url, update, secret=None) == 401
            assert await zalo.deliver_webhook(url, update, secret="forged-secret") == 403
            async with httpx.AsyncClient() as http:
                bad = await http.post(url, content=b"{not json", headers={"X-Bot-Api-Secret-Token": "s3cret-zalo"})
            assert bad.status_code == 400
            assert zalo.sent("sendMessage") == []
            assert await zalo.deliver_webhook(url, update, secret="s3cret-zalo", wrapped=True) == 200
            flat = zalo.user_sends("u21", "ai chủ trì hội nghị sơ kết nq 02")
            assert await zalo.deliver_webhook(url, flat, secret="s3cret-zalo", wrapped=False) == 200
            [first] = await zalo.wait_for("sendMessage", chat_id="u20")
            [second] = await zalo.wait_for("sendMessage", chat_id="u21")
            assert "3 năm" in first["text"] and "Nguyễn Văn Quý" in second["text"]
        finally:
            await runner.cleanup()


async def test_token_never_appears_in_logs(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="httpx")  # it logs every request URL, token included
    async with running_zalo(tmp_path) as (zalo, _, _):
        zalo.user_sends("u30", "xin chào")
        await zalo.wait_for("sendMessage", chat_id="u30")
        assert zalo.token not in caplog.text
        assert REDACTED in caplog.text


async def test_admins_are_told_when_the_update_pauses(tmp_path):
    from bot.runtime import notify_admins

    async with running_zalo(tmp_path, poll=False) as (zalo, _, conversation):
        await notify_admins(conversation, "Bản tin tạm dừng: còn 2 người chưa nhận.")
        [notice] = zalo.sent("sendMessage", chat_id=ADMIN)
        assert "còn 2 người" in notice["text"]


async def test_idle_long_poll_ends_in_408_and_yields_no_update(tmp_path):
    async with FakeZalo() as zalo:
        client = ZaloClient(zalo.token, zalo.base_url)
        try:
            assert await client.get_updates(timeout=1) is None
            zalo.user_sends("u40", "xin chào")
            update = await client.get_updates(timeout=1)
            assert update["message"]["text"] == "xin chào"
        finally:
            await client.close()
