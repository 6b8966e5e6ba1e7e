"""`python -m bot run` with both tokens: Telegram and Zalo served by one process, around one
conversation layer and one scheduler."""

from __future__ import annotations

import asyncio

import pytest

from bot.app import build_conversation
from bot.runtime import serve
from bot.settings import Settings

from .conftest import KNOWLEDGE
from .fakes.telegram_server import FakeTelegram
from .fakes.zalo_server import FakeZalo


async def test_telegram_and_zalo_in_one_process_with_the_missed_update_caught_up(tmp_path):
    async with FakeTelegram() as tg, FakeZalo() as zalo:
        settings = Settings(
            database_path=tmp_path / "bot.db", knowledge_dir=KNOWLEDGE, log_level="INFO",
            telegram_token=tg.token, telegram_base_url=tg.base_url,
            zalo_token=zalo.token, zalo_base_url=zalo.base_url,
            broadcast_cron="0 0 1 * *",  # already past in any month, whatever the day of the test
        )
        conversation = build_conversation(settings)
        conversation.subscriptions.subscribe("telegram", "1")
        conversation.subscriptions.subscribe("zalo", "z1")
        assert conversation.broadcasts.due_month() is not None  # this month's update never went out
        stop = asyncio.Event()
        server = asyncio.create_task(serve(settings, conversation, stop))
        try:
            # The update missed while the bot was down goes out at start, once, on both platforms.
            [tg_update] = await tg.wait_for("sendMessage", chat_id=1)
            [zalo_update] = await zalo.wait_for("sendMessage", chat_id="z1")
            assert tg_update["text"] and zalo_update["text"]
            tg.user_sends(1, "luân chuyển tối thiểu mấy năm")
            zalo.user_sends("z1", "luan chuyen toi thieu may nam")
            assert "3 năm" in (await tg.wait_for("sendMessage", count=2, chat_id=1))[1]["text"]
            assert "3 năm" in (await zalo.wait_for("sendMessage", count=2, chat_id="z1"))[1]["text"]
            assert conversation.broadcasts.due_month() is None
        finally:
            stop.set()
            await asyncio.wait_for(server, timeout=10)


async def test_wrong_zalo_token_stops_with_a_clear_message(tmp_path):
    async with FakeZalo() as zalo:
        settings = Settings(
            database_path=tmp_path / "bot.db", knowledge_dir=KNOWLEDGE, log_level="INFO",
            zalo_token="not-the-token", zalo_base_url=zalo.base_url,
        )
        with pytest.raises(SystemExit, match="ZALO_BOT_TOKEN"):
            await serve(settings, build_conversation(settings), asyncio.Event())
