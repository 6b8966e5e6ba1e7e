"""When and what to send: the monthly schedule, the catch-up after downtime, and the single
path every trigger (the scheduler, an admin in chat, the command line) goes through."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from ..knowledge.readable import TIMEZONE
from ..knowledge.store import KnowledgeStore
from ..search.periods import Month
from .content import Bulletin, build_update, illustrate
from .delivery import Dispatcher
from .ledger import Ledger, Progress
from .subscriptions import Subscriptions

log = logging.getLogger(__name__)

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
            "(8 giờ sáng ngày 1 hằng tháng)."
        ) from exc


def broadcast_id(month: Month) -> str:
    return f"monthly-{month}"


def previous_month(now: dt.datetime) -> Month:
    local = now.astimezone(TIMEZONE)
    return Month(local.year, local.month).shift(-1)


@dataclass(frozen=True)
class Plan:
    """What confirming a send would do now, so the admin is told exactly that."""

    month: Month
    bulletin: Bulletin | None
    """What goes out: the frozen update once anyone has it, else the draft (None: skipped)."""
    frozen: bool
    due: int
    """Current subscribers who have not received it and would on confirming."""
    received: int
    """Chats that have it already."""
    newer: Bulletin | None
    """A supplement with what came after the frozen update, when there is any."""


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
        org: str = "",
    ) -> None:
        self.store = store
        self.subscriptions = subscriptions
        self.ledger = ledger
        self.dispatcher = dispatcher
        self.trigger = monthly_trigger(cron)
        self.when_empty = when_empty
        self.now = now
        self.org = org
        """The issuing unit named under the title (ORG_NAME)."""
        self._lock = asyncio.Lock()
        self.running: str | None = None

    def _recipients(self) -> list[tuple[str, str]]:
        return [(s["platform"], s["chat_id"]) for s in self.subscriptions.active()]

    def _since(self, exclude: str) -> str | None:
        """When the previous update was frozen: what changed after it is news."""
        rows = self.store.db.execute(
            "select max(created_at) from broadcasts where id != ?", [exclude]
        ).fetchone()
        return rows[0] if rows else None

    async def draft(self, month: Month, chart: bool = True) -> Bulletin | None:
        """The update for ``month`` as it would be frozen now, with its chart unless ``chart``
        is False (a count of recipients needs no drawing)."""
        bulletin = build_update(
            self.store, month, self._since(broadcast_id(month)), self.ledger.queued_announcements(),
            self.when_empty, self.org,
        )
        return bulletin if bulletin is None or not chart else await illustrate(self.store, bulletin, month)

    async def plan(self, month: Month | None = None, chart: bool = True) -> Plan:
        """The update for ``month`` (default: the month just ended) and who would get it."""
        month = month or previous_month(self.now())
        bid = broadcast_id(month)
        recipients = self._recipients()
        frozen = self.ledger.get(bid)
        if frozen is None:
            return Plan(month, await self.draft(month, chart), False, len(recipients), 0, None)
        due = self.ledger.due(bid, recipients)
        return Plan(month, Bulletin.from_row(frozen), True, due, self.ledger.progress(bid).sent, self.supplement(month))

    async def prepare(self, month: Month | None = None) -> str | None:
        """Freeze the update for ``month`` (default: the month just ended), or take the frozen
        one, and make it due for every current subscriber who has not received it. None when
        nobody subscribes yet (the month stays open for them) or the month is skipped."""
        month = month or previous_month(self.now())
        bid = broadcast_id(month)
        recipients = self._recipients()
        if self.ledger.get(bid) is not None:
            self.ledger.enqueue(bid, recipients)
            return bid
        if not recipients:
            log.info("broadcast %s not made: nobody subscribes yet", bid)
            return None
        bulletin = await self.draft(month)
        if bulletin is None:
            log.info("broadcast %s skipped: nothing new", bid)
            return None
        self.ledger.create(bid, str(month), bulletin, recipients)
        return bid

    def supplement(self, month: Month) -> Bulletin | None:
        """What came after the frozen update of ``month`` (late figures, entries, announcements),
        as a supplement an admin may send; None when nothing did."""
        return build_update(
            self.store, month, self._since(""), self.ledger.queued_announcements(), org=self.org, supplement=True,
        )

    async def send(self, month: Month | None = None) -> Progress | None:
        """Prepare (or resume) the update and deliver its pending part."""
        async with self._lock:
            bid = await self.prepare(month)
            return None if bid is None else await self._deliver(bid)

    async def send_supplement(self, month: Month | None = None) -> Progress | None:
        """Freeze the supplement of ``month``'s update and send it to every current subscriber."""
        month = month or previous_month(self.now())
        async with self._lock:
            bulletin = self.supplement(month)
            recipients = self._recipients()
            if bulletin is None or not recipients:
                return None
            base = broadcast_id(month)
            number = 1 + self.store.db.execute(
                "select count(*) from broadcasts where id like ?", [f"{base}-bs%"]
            ).fetchone()[0]
            bid = f"{base}-bs{number}"
            self.ledger.create(bid, str(month), bulletin, recipients)
            return await self._deliver(bid)

    async def _deliver(self, bid: str) -> Progress:
        self.running = bid
        try:
            return await self.dispatcher.deliver(bid)
        finally:
            self.running = None

    async def latest(self, platform: str, chat_id: str) -> Bulletin | None:
        """The latest update for a new subscriber who asks for it: the last one sent (recorded
        as received, so a later send skips that chat), or the draft of last month's."""
        row = self.ledger.latest(supplements=False)
        if row is None:
            return await self.draft(previous_month(self.now()))
        self.ledger.received(row["id"], platform, chat_id)
        return Bulletin.from_row(row)

    def due_month(self) -> Month | None:
        """The month whose update should already have gone out and has not: the scheduled time
        of this month has passed and no finished update for the month just ended exists."""
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
        """On start: send (or finish) this month's update if it was due while the bot was down.
        With nobody subscribed yet, nothing is made and the month stays due."""
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
