"""The monthly update as officials and admins meet it, through the fake Bot API servers of both
platforms: the preview is what goes out, the chart arrives as a photo, new subscribers are
served, and a killed sender loses nobody on either platform."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import os
import sys
from pathlib import Path

import httpx
from aiohttp import web

from bot.broadcast.service import TIMEZONE, previous_month
from bot.channels.console import ConsoleChannel
from bot.channels.zalo import CHART_PATH, ChartHost
from bot.cli import main
from bot.knowledge.store import KnowledgeStore
from bot.search.periods import Month

from .conftest import KNOWLEDGE, ROOT
from .fakes.telegram_server import FakeTelegram
from .fakes.zalo_server import FakeZalo
from .test_telegram import ADMIN, buttons, running_bot
from .test_zalo import running_zalo

METRIC = "luot_can_bo_dieu_dong_luan_chuyen"
PHOTO_TIMEOUT = 30
"""Seconds to wait for a chart: the first one imports matplotlib, slow on a busy machine."""


def last_month() -> Month:
    return previous_month(dt.datetime.now(TIMEZONE))


def add_made_up_figures(editor, month: Month) -> None:
    """Two monthly figures of a shipped metric (synthetic, in the test's own database)."""
    for shift, value in ((-1, 7), (0, 9)):
        m = str(month.shift(shift))
        editor.add_statistic({"metric": METRIC, "value": value, "unit": "lượt", "period_start": m, "period_end": m,
                              "scope": "đơn vị mẫu", "source": "Báo cáo mẫu"}, "telegram:42")


def add_made_up_entry(editor) -> None:
    editor.add_entry({"question": "Hồ sơ điều chuyển mẫu gồm những gì?", "answer": "Gồm ba loại giấy tờ mẫu.",
                      "source": "Nguồn mẫu C", "as_of": "2026-11-20"}, "telegram:42")


async def test_telegram_preview_is_what_subscribers_get_chart_and_entries_included(tmp_path):
    async with running_bot(tmp_path) as (tg, conversation):
        month = last_month()
        label = f"{month.month}/{month.year}"
        add_made_up_figures(conversation.editor, month)
        add_made_up_entry(conversation.editor)
        await conversation.idle()  # the new entry is searchable, as the running bot's refresh makes it
        tg.user_sends(51, "/dangky")
        await tg.wait_for("sendMessage", chat_id=51)

        tg.user_sends(ADMIN, "/bantin_xem")
        [head] = await tg.wait_for("sendMessage", chat_id=ADMIN)
        [preview] = await tg.wait_for("sendPhoto", chat_id=ADMIN, timeout=PHOTO_TIMEOUT)
        assert "đúng như sẽ gửi" in head["text"] and "1 người nhận" in head["text"]
        assert f"THÁNG {label}" in preview["caption"] and "9 lượt" in preview["caption"]
        assert [b["text"] for b in buttons(preview)] == ["Hồ sơ điều chuyển mẫu gồm những gì?"]

        tg.user_sends(ADMIN, "/bantin_gui")
        confirm = (await tg.wait_for("sendMessage", count=2, chat_id=ADMIN))[1]
        assert confirm["text"] == f"Gửi bản tin tháng {label} tới 1 người nhận?"
        tg.user_taps(ADMIN, 1, buttons(confirm)[0]["callback_data"])
        [update] = await tg.wait_for("sendPhoto", chat_id=51, timeout=PHOTO_TIMEOUT)
        assert update["caption"] == preview["caption"] and tg.photo(update) == tg.photo(preview)
        assert tg.photo(update).startswith(b"\x89PNG")
        await conversation.sending

        tg.user_taps(51, 1, buttons(update)[0]["callback_data"])  # open the new entry
        replies = await tg.wait_for("sendMessage", count=2, chat_id=51)
        assert "Gồm ba loại giấy tờ mẫu." in replies[1]["text"]

        tg.user_sends(52, "/dangky")  # a newcomer, after the month went out
        [welcome] = await tg.wait_for("sendMessage", chat_id=52)
        assert [b["text"] for b in buttons(welcome)] == ["Xem bản tin gần nhất"]
        tg.user_taps(52, 1, buttons(welcome)[0]["callback_data"])
        [latest] = await tg.wait_for("sendPhoto", chat_id=52, timeout=PHOTO_TIMEOUT)
        assert latest["caption"] == update["caption"]
        tg.user_sends(ADMIN, "/bantin_gui")
        nobody = (await tg.wait_for("sendMessage", count=4, chat_id=ADMIN))[3]
        assert nobody["text"].startswith(f"Cả 2 người nhận đã có bản tin tháng {label}")


async def test_figures_command_shows_the_chart_with_the_table_under_it(tmp_path):
    async with running_bot(tmp_path) as (tg, conversation):
        month = last_month()
        add_made_up_figures(conversation.editor, month)
        tg.user_sends(7, "/thongke")
        [photo] = await tg.wait_for("sendPhoto", chat_id=7, timeout=PHOTO_TIMEOUT)
        [table] = await tg.wait_for("sendMessage", chat_id=7)
        assert tg.photo(photo).startswith(b"\x89PNG") and f"tháng {month.month}/{month.year} 9 lượt" in photo["caption"]
        assert table["text"].startswith("<pre>Số liệu chính:") and "136" in table["text"]


async def test_console_writes_the_chart_to_a_file_and_prints_its_path(make_conversation):
    conversation = make_conversation()
    add_made_up_figures(conversation.editor, last_month())
    screen = io.StringIO()
    console = ConsoleChannel(conversation, stdout=screen)
    await console._turn("/thongke")
    out = screen.getvalue()
    path = out.split("(Biểu đồ: ", 1)[1].split(" – ", 1)[0]
    assert Path(path).read_bytes().startswith(b"\x89PNG") and "Số liệu chính:" in out


async def test_zalo_webhook_serves_the_chart_at_a_short_lived_address(tmp_path):
    clock = [0.0]
    async with running_zalo(tmp_path, poll=False) as (zalo, channel, conversation):
        runner = None
        try:
            channel.charts = ChartHost("http://127.0.0.1:0/zalo", lifetime=3600, clock=lambda: clock[0])
            runner = web.AppRunner(channel.webhook_app("/zalo", "s3cret-zalo"))
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            port = runner.addresses[0][1]
            channel.charts.public_url = f"http://127.0.0.1:{port}/zalo"
            channel.install(conversation.broadcasts.dispatcher, rate=1000)
            add_made_up_figures(conversation.editor, last_month())
            add_made_up_entry(conversation.editor)
            await conversation.idle()  # the new entry is searchable, as the running bot's refresh makes it
            conversation.subscriptions.subscribe("zalo", "z1")
            progress = await conversation.broadcasts.send()
            assert progress.sent == 1
            [photo] = zalo.sent("sendPhoto", chat_id="z1")
            assert photo["photo"].startswith(f"http://127.0.0.1:{port}/zalo/{CHART_PATH}/")
            assert "BẢN TIN LUÂN CHUYỂN CÁN BỘ" in photo["caption"] and "1. Hồ sơ điều chuyển mẫu" in photo["caption"]
            async with httpx.AsyncClient() as http:
                served = await http.get(photo["photo"])
                assert served.status_code == 200 and served.content.startswith(b"\x89PNG")
                clock[0] += 3601
                assert (await http.get(photo["photo"])).status_code == 404
            zalo.user_sends("z1", "1")  # the numbered entry under the update opens it
            await channel.handle_update(zalo.pending_updates[-1])
            assert "Gồm ba loại giấy tờ mẫu." in zalo.sent("sendMessage", chat_id="z1")[-1]["text"]
        finally:
            if runner is not None:
                await runner.cleanup()


async def test_zalo_without_a_webhook_gets_the_chart_as_text_lines(tmp_path):
    async with running_zalo(tmp_path, poll=False) as (zalo, channel, conversation):
        month = last_month()
        add_made_up_figures(conversation.editor, month)
        conversation.subscriptions.subscribe("zalo", "z2")
        assert (await conversation.broadcasts.send()).sent == 1
        assert zalo.sent("sendPhoto") == []
        [text] = zalo.sent("sendMessage", chat_id="z2")
        assert f"{month.month:>2}/{month.year}: 9" in text["text"] and "12 tháng" in text["text"]


def test_command_line_preview_writes_the_chart_and_prints_the_text(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "bot.db"))
    monkeypatch.setenv("ORG_NAME", "Ban Tổ chức mẫu")
    from bot.knowledge.editing import Editor

    store = KnowledgeStore(tmp_path / "bot.db", seed_dir=KNOWLEDGE)
    add_made_up_figures(Editor(store), last_month())
    store.db.close()
    assert main(["broadcast", "preview"]) == 0
    out = capsys.readouterr().out
    path = out.split("(Biểu đồ: ", 1)[1].split(" – ", 1)[0]
    assert Path(path).read_bytes().startswith(b"\x89PNG")
    assert "chưa gửi; sẽ gửi tới 0 người" in out and "\nBan Tổ chức mẫu\n" in out


async def test_sender_killed_mid_send_on_both_platforms_loses_nobody(tmp_path):
    """A real `python -m bot broadcast send` serving Telegram and Zalo is killed part way,
    then started again: everyone on both platforms gets the update, at most the message in
    flight on each platform twice."""
    db = tmp_path / "bot.db"
    telegram_chats = [str(1000 + i) for i in range(40)]
    zalo_chats = [f"z{i}" for i in range(40)]
    store = KnowledgeStore(db)
    from bot.broadcast.subscriptions import Subscriptions

    subscriptions = Subscriptions(store.db)
    for chat in telegram_chats:
        subscriptions.subscribe("telegram", chat)
    for chat in zalo_chats:
        subscriptions.subscribe("zalo", chat)
    store.db.close()
    async with FakeTelegram() as tg, FakeZalo() as zalo:
        tg.delay("sendMessage", 0.02)
        zalo.delay("sendMessage", 0.02)
        env = os.environ | {
            "DATABASE_PATH": str(db), "TELEGRAM_BOT_TOKEN": tg.token, "TELEGRAM_BASE_URL": tg.base_url,
            "ZALO_BOT_TOKEN": zalo.token, "ZALO_BASE_URL": zalo.base_url,
            "BROADCAST_RATE_TELEGRAM": "1000", "BROADCAST_RATE_ZALO": "1000", "ZALO_MONTHLY_QUOTA": "0",
        }

        async def sender():
            return await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "broadcast", "send", cwd=ROOT, env=env,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            )

        first = await sender()
        await tg.wait_for("sendMessage", count=10, timeout=30)
        await zalo.wait_for("sendMessage", count=10, timeout=30)
        first.kill()
        await first.wait()
        assert len(tg.sent()) < len(telegram_chats) and len(zalo.sent()) < len(zalo_chats)
        second = await sender()
        out, err = await asyncio.wait_for(second.communicate(), timeout=60)
        assert second.returncode == 0, err.decode()
        for sent, chats in ((tg.sent(), telegram_chats), (zalo.sent(), zalo_chats)):
            delivered = [str(m["chat_id"]) for m in sent]
            assert set(delivered) == set(chats)  # nobody missed
            assert len(delivered) - len(set(delivered)) <= 1  # at most the message in flight at the kill
        assert "đã gửi 80/80" in out.decode()


async def test_admin_confirm_reaches_zalo_subscribers_who_joined_after_the_month_went_out(tmp_path):
    async with running_zalo(tmp_path) as (zalo, channel, conversation):
        from .test_zalo import ADMIN as ZALO_ADMIN

        service = conversation.broadcasts
        service.now = lambda: dt.datetime(2026, 12, 1, 10, tzinfo=TIMEZONE)  # first start, after 08:00
        assert await service.catch_up() is None and service.due_month() == Month(2026, 11)  # not burnt on nobody
        conversation.subscriptions.subscribe("zalo", "z1")
        assert (await service.catch_up()).sent == 1  # the next start serves the first subscriber
        zalo.user_sends("z2", "đăng ký")
        [welcome] = await zalo.wait_for("sendMessage", chat_id="z2")
        assert "1. Xem bản tin gần nhất" in welcome["text"]
        zalo.user_sends("z3", "đăng ký")
        await zalo.wait_for("sendMessage", chat_id="z3")
        zalo.user_sends("z2", "1")  # z2 reads it at once; z3 does not
        await zalo.wait_for("sendMessage", count=2, chat_id="z2")
        zalo.user_sends(ZALO_ADMIN, "/bantin_gui", user_id=ZALO_ADMIN)
        [confirm] = await zalo.wait_for("sendMessage", chat_id=ZALO_ADMIN)
        assert "tới 1 người nhận?" in confirm["text"] and "(2 người đã nhận" in confirm["text"]
        zalo.user_sends(ZALO_ADMIN, "1", user_id=ZALO_ADMIN)
        await zalo.wait_for("sendMessage", count=2, chat_id=ZALO_ADMIN)
        await conversation.sending
        assert len(zalo.sent(chat_id="z1")) == 1 and len(zalo.sent(chat_id="z2")) == 2
        assert len(zalo.sent(chat_id="z3")) == 2  # the welcome, then the update
        assert "BẢN TIN" in zalo.sent(chat_id="z3")[1]["text"] or "chưa có số liệu" in zalo.sent(chat_id="z3")[1]["text"]



async def test_telegram_fresh_install_after_the_hour_then_late_subscribers_each_get_it_once(tmp_path):
    async with running_bot(tmp_path) as (tg, conversation):
        service = conversation.broadcasts
        service.now = lambda: dt.datetime(2026, 12, 1, 10, tzinfo=TIMEZONE)  # first start, after 08:00
        assert await service.catch_up() is None and service.due_month() == Month(2026, 11)
        for chat in (61, 62):
            tg.user_sends(chat, "/dangky")
            await tg.wait_for("sendMessage", chat_id=chat)
        tg.user_sends(ADMIN, "/bantin_gui")
        [confirm] = await tg.wait_for("sendMessage", chat_id=ADMIN)
        assert confirm["text"] == "Gửi bản tin tháng 11/2026 tới 2 người nhận?"
        tg.user_taps(ADMIN, 1, buttons(confirm)[0]["callback_data"])
        for chat in (61, 62):
            await tg.wait_for("sendMessage", count=2, chat_id=chat)
        await conversation.sending
        tg.user_sends(63, "/dangky")  # after the month went out
        await tg.wait_for("sendMessage", chat_id=63)
        tg.user_sends(ADMIN, "/bantin_gui")
        confirm = (await tg.wait_for("sendMessage", count=3, chat_id=ADMIN))[2]
        assert confirm["text"] == "Gửi bản tin tháng 11/2026 tới 1 người nhận? (2 người đã nhận trước đó sẽ không nhận lại.)"
        tg.user_taps(ADMIN, 1, buttons(confirm)[0]["callback_data"])
        await tg.wait_for("sendMessage", count=2, chat_id=63)
        await conversation.sending
        assert [len(tg.sent(chat_id=c)) for c in (61, 62, 63)] == [2, 2, 2]  # the welcome, then the update once
        assert "đã gửi 3/3" in conversation.broadcast_status()
