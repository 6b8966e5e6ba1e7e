"""The monthly update: schedule, content, delivery ledger, limits and faults, crash safety."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
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
from bot.knowledge.store import KnowledgeStore
from bot.search.periods import Month

from .conftest import ROOT, write
from .fakes.telegram_server import FakeTelegram


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TIMEZONE)


class Clock:
    """A controlled clock: sleeping moves time forward at once, and every sleep is recorded."""

    def __init__(self) -> None:
        self.t = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds


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

def test_update_has_the_month_changes_year_to_date_and_announcements(world, tmp_path):
    store, subscriptions, ledger = world
    write(tmp_path / "more" / "statistics.csv", "metric,value,value_max,unit,period_start,period_end,scope,source,note\n"
          "so_luot_mau,9,,lượt,2020-03,2020-03,đơn vị mẫu,Nguồn mẫu B,\n"
          "so_luot_mau,4,,lượt,2019-03,2019-03,đơn vị mẫu,Nguồn mẫu B,\n")
    store.import_path(tmp_path / "more")
    ledger.announce("Hội nghị giao ban ngày 5/4.", by="telegram:42")
    text = build_update(store, ledger, Month(2020, 3))
    assert "THÁNG 3/2020" in text
    assert "9 lượt điều chuyển mẫu (+2 so với tháng 2/2020; +5 so với tháng 3/2019)" in text
    assert "từ đầu năm: 21" in text
    assert "Hội nghị giao ban ngày 5/4." in text


def test_month_with_nothing_new_sends_a_note_or_is_skipped(world):
    store, subscriptions, ledger = world
    assert "chưa có số liệu mới" in build_update(store, ledger, Month(2021, 6), when_empty="note")
    assert build_update(store, ledger, Month(2021, 6), when_empty="skip") is None


def test_shipped_knowledge_is_not_reported_as_changed(world):
    store, subscriptions, ledger = world
    this_month = Month(dt.date.today().year, dt.date.today().month)
    assert "Cập nhật trong cơ sở dữ liệu" not in (build_update(store, ledger, this_month) or "")


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


async def test_broadcast_killed_part_way_resumes_with_no_one_missed(tmp_path):
    """A real `python -m bot broadcast send` process is killed mid-way, then started again."""
    db = tmp_path / "bot.db"
    chats = [str(1000 + i) for i in range(60)]
    store = KnowledgeStore(db)
    subscribe(Subscriptions(store.db), *chats)
    store.db.close()
    async with FakeTelegram() as tg:
        tg.delay("sendMessage", 0.02)
        env = os.environ | {
            "DATABASE_PATH": str(db), "TELEGRAM_BOT_TOKEN": tg.token, "TELEGRAM_BASE_URL": tg.base_url,
            "BROADCAST_RATE_TELEGRAM": "1000",
        }

        async def sender():
            return await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "broadcast", "send", cwd=ROOT, env=env,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            )

        first = await sender()
        await tg.wait_for("sendMessage", count=20, timeout=30)
        first.kill()
        await first.wait()
        assert len(tg.sent()) < len(chats)
        second = await sender()
        out, err = await asyncio.wait_for(second.communicate(), timeout=60)
        assert second.returncode == 0, err.decode()
        delivered = [str(m["chat_id"]) for m in tg.sent()]
        assert set(delivered) == set(chats)  # nobody missed
        assert len(delivered) - len(set(delivered)) <= 1  # at most the message in flight at the kill
        assert "đã gửi 60/60" in out.decode()


def test_run_refuses_to_start_with_a_malformed_cron(tmp_path):
    import subprocess

    env = os.environ | {"DATABASE_PATH": str(tmp_path / "x.db"), "TELEGRAM_BOT_TOKEN": "123:abc", "BROADCAST_CRON": "0 8 * *"}
    out = subprocess.run([sys.executable, "-m", "bot", "run"], capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)
    assert out.returncode == 2
    assert "BROADCAST_CRON='0 8 * *'" in out.stderr and "123:abc" not in out.stderr + out.stdout
