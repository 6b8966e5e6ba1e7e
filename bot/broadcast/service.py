"""When and what to send: the monthly schedule, the catch-up after downtime, and the single
path every trigger (the scheduler, an admin in chat, the command line) goes through."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from ..knowledge.store import KnowledgeStore
from ..search.periods import Month
from .content import build_update
from .delivery import Dispatcher
from .ledger import Ledger, Progress
from .subscriptions import Subscriptions

log = logging.getLogger(__name__)

TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")
DEFAULT_CRON = "0 8 1 * *"
JOB_ID = "monthly-update"
MISFIRE_GRACE = 6 * 3600
"""A run missed by up to 6 hours (a busy or restarting process) still happens, once."""


class BadCron(ValueError):
    """BROADCAST_CRON is not a valid five-field cron expression."""


def monthly_trigger(cron: str) -> CronTrigger:
    try:
        return CronTrigger.from_crontab(cron, timezone=TIMEZONE)
    except ValueError as exc:
        raise BadCron(
            f"BROADCAST_CRON='{cron}' không hợp lệ ({exc}). Dùng dạng cron 5 trường, ví dụ '0 8 1 * *' "
            f"(8 giờ sáng ngày 1 hằng tháng). / BROADCAST_CRON is not a valid cron expression."
        ) from exc


def broadcast_id(month: Month) -> str:
    return f"monthly-{month}"


def previous_month(now: dt.datetime) -> Month:
    local = now.astimezone(TIMEZONE)
    return Month(local.year, local.month).shift(-1)


class BroadcastService:
    """Builds, records and delivers the monthly update; every trigger ends here, so two
    triggers at once produce one update."""

    def __init__(
        self,
        store: KnowledgeStore,
        subscriptions: Subscriptions,
        ledger: Ledger,
        dispatcher: Dispatcher,
        cron: str = DEFAULT_CRON,
        when_empty: str = "note",
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(TIMEZONE),
    ) -> None:
        self.store = store
        self.subscriptions = subscriptions
        self.ledger = ledger
        self.dispatcher = dispatcher
        self.trigger = monthly_trigger(cron)
        self.when_empty = when_empty
        self.now = now
        self._lock = asyncio.Lock()
        self.running: str | None = None

    def preview(self, month: Month | None = None) -> str | None:
        """The update as it would be sent now (None: nothing new and the admins chose to skip)."""
        return build_update(self.store, self.ledger, month or previous_month(self.now()), self.when_empty)

    def prepare(self, month: Month | None = None) -> str | None:
        """Record the update for ``month`` (default: the month just ended) with one pending
        delivery per active subscriber. Returns its id, or None when the month is skipped."""
        month = month or previous_month(self.now())
        bid = broadcast_id(month)
        if self.ledger.get(bid) is not None:
            return bid
        text = self.preview(month)
        if text is None:
            log.info("broadcast %s skipped: nothing new", bid)
            return None
        recipients = [(s["platform"], s["chat_id"]) for s in self.subscriptions.active()]
        self.ledger.create(bid, str(month), text, recipients)
        return bid

    async def send(self, month: Month | None = None) -> Progress | None:
        """Prepare (or resume) the update and deliver its pending part."""
        async with self._lock:
            bid = self.prepare(month)
            if bid is None:
                return None
            self.running = bid
            try:
                return await self.dispatcher.deliver(bid)
            finally:
                self.running = None

    def due_month(self) -> Month | None:
        """The month whose update should already have gone out and has not: the scheduled time
        of this month has passed and no update for the month just ended exists."""
        now = self.now()
        local = now.astimezone(TIMEZONE)
        month_start = dt.datetime(local.year, local.month, 1, tzinfo=TIMEZONE)
        fire = self.trigger.get_next_fire_time(None, month_start - dt.timedelta(microseconds=1))
        if fire is None or fire > now or fire.month != local.month:
            return None
        month = previous_month(now)
        existing = self.ledger.get(broadcast_id(month))
        if existing is not None and existing["finished_at"]:
            return None
        return month

    async def catch_up(self) -> Progress | None:
        """On start: send (or finish) this month's update if it was due while the bot was down."""
        month = self.due_month()
        if month is None:
            return None
        log.info("catching up the monthly update for %s", month)
        return await self.send(month)

    def schedule(self, scheduler: AsyncIOScheduler) -> None:
        """Register the monthly job under a fixed id, so a restart replaces rather than adds."""
        scheduler.add_job(
            self.send, self.trigger, id=JOB_ID, name="monthly rotation update", replace_existing=True,
            misfire_grace_time=MISFIRE_GRACE, coalesce=True, max_instances=1,
        )


async def start_scheduler(service: BroadcastService | None) -> AsyncIOScheduler | None:
    """Start the process's one scheduler (call inside the running event loop) with the monthly
    job, and send this month's update now if it was missed while the bot was down."""
    if service is None:
        return None
    scheduler = AsyncIOScheduler(timezone=TIMEZONE)
    service.schedule(scheduler)
    scheduler.start()
    asyncio.get_running_loop().create_task(service.catch_up())
    return scheduler
