"""The monthly update: schedule, content, delivery ledger, limits and faults, crash safety."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import struct
import sys

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.broadcast.content import build_update
from bot.broadcast.delivery import (
    Dispatcher,
    Limits,
    RetryLater,
    Transient,
    Unreachable,
)
from bot.broadcast.ledger import Ledger
from bot.broadcast.service import (
    JOB_ID,
    TIMEZONE,
    BadCron,
    BroadcastService,
    monthly_trigger,
)
from bot.broadcast.subscriptions import Subscriptions
from bot.knowledge.editing import Editor
from bot.knowledge.store import KnowledgeStore
from bot.search.periods import Month

from .conftest import ROOT, Clock, write
from .fakes.telegram_server import FakeTelegram


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TIMEZONE)


class Recipient:
    """A send function that records messages and plays scripted failures per chat."""

    def __init__(self, script: dict[str, list[Exception]] | None = None) -> None:
        self.script = script or {}
        self.received: list[str] = []

    async def __call__(self, chat_id: str, text: str) -> None:
        if self.script.get(chat_id):
            raise self.script[chat_id].pop(0)
        self.received.append(chat_id)


@pytest.fixture
def world(tmp_path, synthetic_kb):
    store = KnowledgeStore(tmp_path / "bot.db", seed_dir=synthetic_kb)
    subscriptions = Subscriptions(store.db)
    return store, subscriptions, Ledger(store.db)


def make_service(world, send, now, clock=None, limits=None, when_empty="note"):
    store, subscriptions, ledger = world
    clock = clock or Clock()
    dispatcher = Dispatcher(
        ledger, subscriptions, {"telegram": send}, limits or {"telegram": Limits(per_second=1000)},
        sleep=clock.sleep, clock=clock,
    )
    return BroadcastService(store, subscriptions, ledger, dispatcher, when_empty=when_empty, now=lambda: now)


def subscribe(subscriptions, *chats):
    for chat in chats:
        subscriptions.subscribe("telegram", str(chat))


# --- schedule -------------------------------------------------------------------------------

def test_default_schedule_is_8_am_on_the_first_in_vietnam():
    trigger = monthly_trigger("0 8 1 * *")
    assert trigger.get_next_fire_time(None, at(2026, 11, 29, 10, 0)) == at(2026, 12, 1, 8, 0)
    assert trigger.get_next_fire_time(None, at(2026, 12, 1, 8, 0, 1)) == at(2027, 1, 1, 8, 0)


def test_malformed_cron_names_the_setting():
    with pytest.raises(BadCron, match="BROADCAST_CRON='0 8 32 \\* \\*'"):
        monthly_trigger("0 8 32 * *")


async def test_restart_never_adds_a_second_job(world):
    service = make_service(world, Recipient(), at(2026, 12, 1))
    scheduler = AsyncIOScheduler(timezone=TIMEZONE)
    scheduler.start(paused=True)
    try:
        service.schedule(scheduler)
        service.schedule(scheduler)
        [job] = scheduler.get_jobs()
        assert job.id == JOB_ID and job.coalesce and job.misfire_grace_time >= 3600
        assert job.trigger.get_next_fire_time(None, at(2026, 11, 29)) == at(2026, 12, 1, 8, 0)
    finally:
        scheduler.shutdown(wait=False)


@pytest.mark.parametrize(
    "now, due",
    [(at(2026, 12, 1, 7, 59), None), (at(2026, 12, 1, 8, 0), Month(2026, 11)), (at(2026, 12, 20), Month(2026, 11))],
)
def test_due_month_with_a_controlled_clock(world, now, due):
    assert make_service(world, Recipient(), now).due_month() == due


async def test_catch_up_after_downtime_sends_once(world):
    store, subscriptions, ledger = world
    subscribe(subscriptions, 1, 2, 3)
    send = Recipient()
    service = make_service(world, send, at(2026, 12, 3, 9, 0))  # the bot was down on the 1st
    progress = await service.catch_up()
    assert progress.sent == 3 and sorted(send.received) == ["1", "2", "3"]
    assert await service.catch_up() is None
    assert len(send.received) == 3


# --- content --------------------------------------------------------------------------------

def add_figures(store, tmp_path, rows: str) -> None:
    write(tmp_path / "more" / "statistics.csv", "metric,value,value_max,unit,period_start,period_end,scope,source,note\n" + rows)
    store.import_path(tmp_path / "more")


def test_update_has_changes_year_to_date_target_sources_org_and_announcements(world, tmp_path):
    store, subscriptions, ledger = world
    add_figures(store, tmp_path, "so_luot_mau,9,,lượt,2020-03,2020-03,đơn vị mẫu,Nguồn mẫu B,\n"
                                 "so_luot_mau,4,,lượt,2019-03,2019-03,đơn vị mẫu,Nguồn mẫu B,\n")
    Editor(store).set_target("so_luot_mau", 2020, 30, "Kế hoạch mẫu", "telegram:42")
    since = store.db.execute("select max(updated_at) from statistics").fetchone()[0]
    bulletin = build_update(store, Month(2020, 3), since, ["Hội nghị giao ban ngày 5/4."], org="Ban Tổ chức mẫu")
    lines = bulletin.text.splitlines()
    assert lines[:2] == ["BẢN TIN LUÂN CHUYỂN CÁN BỘ – THÁNG 3/2020", "Ban Tổ chức mẫu"]
    assert "• 9 lượt điều chuyển mẫu" in lines
    assert "  (+2 so với tháng 2/2020; +5 so với tháng 3/2019)" in lines
    assert "  Từ đầu năm 2020: 21" in lines
    assert "  Chỉ tiêu năm 2020: 30 – đã đạt 70%" in lines
    today = dt.datetime.now(TIMEZONE).strftime("%d/%m/%Y")
    assert f"  Nguồn: Nguồn mẫu B, ghi ngày {today}" in lines
    assert "• Hội nghị giao ban ngày 5/4." in lines
    assert max(len(line) for line in lines) <= 60  # readable on a phone


def test_month_with_nothing_new_sends_a_note_or_is_skipped(world):
    store, subscriptions, ledger = world
    since = dt.datetime.now(dt.UTC).isoformat()
    assert "chưa có số liệu mới" in build_update(store, Month(2021, 6), since, [], when_empty="note").text
    assert build_update(store, Month(2021, 6), since, [], when_empty="skip") is None


def test_new_entries_are_listed_to_open_but_the_shipped_knowledge_is_not(world):
    store, subscriptions, ledger = world
    this_month = Month(dt.date.today().year, dt.date.today().month)
    assert "Mới trong tháng" not in build_update(store, this_month, None, []).text
    Editor(store).add_entry({"question": "Hồ sơ điều chuyển mẫu gồm những giấy tờ gì theo quy định mẫu mới nhất?",
                             "answer": "Gồm ba loại giấy tờ mẫu.", "source": "Nguồn mẫu C", "as_of": "2026-11-20"},
                            "telegram:42")
    bulletin = build_update(store, this_month, None, [])
    assert "Mới trong tháng (1 mục), chọn để đọc:" in bulletin.text
    [(title, key)] = bulletin.links
    assert key.startswith("entry:") and title.endswith("…") and len(title) <= 60
    assert "Hồ sơ điều chuyển mẫu gồm những giấy tờ gì".startswith(title.removesuffix("…").split(" theo")[0])


async def test_chart_is_a_png_of_twelve_months_named_in_its_caption(world, tmp_path):
    store, subscriptions, ledger = world
    add_figures(store, tmp_path, "so_luot_mau,9,,lượt,2020-03,2020-03,đơn vị mẫu,Nguồn mẫu B,\n")
    service = make_service(world, Recipient(), at(2020, 4, 1, 9))
    bulletin = await service.draft(Month(2020, 3))
    png = bulletin.chart
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and 10_000 < len(png) < 300_000
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (800, 450)
    assert "Biểu đồ 12 tháng (4/2019 – 3/2020)" in bulletin.caption
    assert "lượt điều chuyển mẫu: tháng 3/2020 9 lượt" in bulletin.caption
    assert " 1/2020: 5" in bulletin.table and " 3/2020: 9" in bulletin.table and " 4/2019: –" in bulletin.table


# --- who receives it ------------------------------------------------------------------------

async def test_fresh_install_after_the_hour_does_not_burn_the_month_on_nobody(world):
    store, subscriptions, ledger = world
    send = Recipient()
    service = make_service(world, send, at(2026, 12, 1, 10, 0))  # first start, after 08:00
    assert await service.catch_up() is None
    assert ledger.get("monthly-2026-11") is None and service.due_month() == Month(2026, 11)
    subscribe(subscriptions, 1, 2)
    plan = await service.plan()
    assert (plan.month, plan.frozen, plan.due) == (Month(2026, 11), False, 2)
    progress = await service.catch_up()  # the next start, or an admin's confirm
    assert progress.sent == 2 and sorted(send.received) == ["1", "2"]


async def month_sent_to(world, *chats):
    """A service whose November update went out to ``chats``, and the recipient that got it."""
    send = Recipient()
    service = make_service(world, send, at(2026, 12, 1, 9, 0))
    subscribe(world[1], *chats)
    assert (await service.send()).sent == len(chats)
    return service, send


async def test_subscribers_added_after_a_finished_month_get_it_once_on_confirm(world):
    store, subscriptions, ledger = world
    service, send = await month_sent_to(world, 1, 2, 3)
    assert ledger.get("monthly-2026-11")["finished_at"]
    subscribe(subscriptions, 4, 5)
    plan = await service.plan()
    assert (plan.frozen, plan.due, plan.received) == (True, 2, 3)
    progress = await service.send()
    assert progress.sent == 5 and sorted(send.received) == ["1", "2", "3", "4", "5"]
    assert (await service.plan()).due == 0
    await service.send()
    assert len(send.received) == 5


async def test_preview_of_a_frozen_month_shows_the_frozen_text_and_newer_goes_to_a_supplement(world):
    store, subscriptions, ledger = world
    service, send = await month_sent_to(world, 1)
    frozen = ledger.get("monthly-2026-11")["text"]
    ledger.announce("Thông báo mẫu đến sau.", by="telegram:42")
    plan = await service.plan()
    assert plan.bulletin.text == frozen and "Thông báo mẫu đến sau." not in frozen
    assert "BẢN TIN BỔ SUNG" in plan.newer.text and "Thông báo mẫu đến sau." in plan.newer.text
    subscribe(subscriptions, 2)
    progress = await service.send_supplement()
    assert progress.sent == 2 and ledger.latest()["id"] == "monthly-2026-11-bs1"
    assert (await service.plan()).newer is None  # nothing newer than the supplement
    assert "Thông báo mẫu đến sau." not in (await service.draft(Month(2026, 12))).text


async def test_a_new_subscriber_who_opens_the_latest_update_is_not_sent_it_again(world):
    store, subscriptions, ledger = world
    service, send = await month_sent_to(world, 1)
    subscribe(subscriptions, 2)
    latest = await service.latest("telegram", "2")
    assert latest.text == ledger.get("monthly-2026-11")["text"]
    assert (await service.plan()).due == 0
    await service.send()
    assert send.received == ["1"]


# --- delivery -------------------------------------------------------------------------------

async def test_429_waits_what_the_platform_asks(world):
    store, subscriptions, ledger = world
    subscribe(subscriptions, 1, 2)
    clock = Clock()
    send = Recipient({"1": [RetryLater(3), RetryLater(3), RetryLater(7)]})
    progress = await make_service(world, send, at(2026, 12, 1, 9), clock).send()
    assert progress.sent == 2 and progress.failed == 0
    assert [s for s in clock.sleeps if s >= 1] == [3, 3, 7]


async def test_blocked_chat_is_marked_and_unsubscribed(world):
    store, subscriptions, ledger = world
    subscribe(subscriptions, 1, 2)
    send = Recipient({"2": [Unreachable("Forbidden: bot was blocked by the user")]})
    progress = await make_service(world, send, at(2026, 12, 1, 9)).send()
    assert (progress.sent, progress.blocked) == (1, 1)
    assert not subscriptions.is_active("telegram", "2") and subscriptions.is_active("telegram", "1")


async def test_server_errors_are_retried_with_backoff_then_failed(world):
    store, subscriptions, ledger = world
    subscribe(subscriptions, 1, 2)
    clock = Clock()
    send = Recipient({"1": [Transient("502")] * 2, "2": [Transient("timeout")] * 10})
    limits = {"telegram": Limits(per_second=1000, max_attempts=4, backoff=1)}
    progress = await make_service(world, send, at(2026, 12, 1, 9), clock, limits).send()
    assert (progress.sent, progress.failed) == (1, 1)
    assert [s for s in clock.sleeps if s >= 1] == [1, 2, 1, 2, 4]
    row = next(r for r in ledger.db["deliveries"].rows if r["chat_id"] == "2")
    assert row["status"] == "failed" and row["attempts"] == 4 and "timeout" in row["last_error"]


async def test_sending_is_paced_to_the_platform_rate(world):
    store, subscriptions, ledger = world
    subscribe(subscriptions, *range(10))
    clock = Clock()
    await make_service(world, Recipient(), at(2026, 12, 1, 9), clock, {"telegram": Limits(per_second=5)}).send()
    assert clock.t == pytest.approx(9 * 0.2)


async def test_two_triggers_at_once_produce_one_update(world):
    store, subscriptions, ledger = world
    subscribe(subscriptions, *range(20))
    send = Recipient()
    service = make_service(world, send, at(2026, 12, 1, 8))
    await asyncio.gather(service.send(), service.send(), service.catch_up())
    assert sorted(send.received) == sorted(str(i) for i in range(20))
    assert ledger.db["broadcasts"].count == 1


async def test_429_storm_from_the_bot_api_is_survived(world):
    from telegram import Bot

    from bot.channels.telegram import telegram_sender

    store, subscriptions, ledger = world
    subscribe(subscriptions, *range(1, 6))
    async with FakeTelegram() as tg:
        tg.fail("sendMessage", status=429, times=8, retry_after=0.05)
        bot = Bot(tg.token, base_url=tg.base_url)
        async with bot:
            progress = await make_service(world, telegram_sender(bot), at(2026, 12, 1, 9)).send()
        assert progress.sent == 5
        assert sorted(m["chat_id"] for m in tg.sent()) == [1, 2, 3, 4, 5]
        assert tg.too_many_requests_sent == 8


def test_run_refuses_to_start_with_a_malformed_cron(tmp_path):
    import subprocess

    env = os.environ | {"DATABASE_PATH": str(tmp_path / "x.db"), "TELEGRAM_BOT_TOKEN": "123:abc", "BROADCAST_CRON": "0 8 * *"}
    out = subprocess.run([sys.executable, "-m", "bot", "run"], capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)
    assert out.returncode == 2
    assert "BROADCAST_CRON='0 8 * *'" in out.stderr and "123:abc" not in out.stderr + out.stdout
