"""Sending one update to every pending chat, within each platform's limits.

Channels provide a send function per platform that raises the outcomes below; this module
knows nothing of Telegram or Zalo. One message part at a time per platform, paced to the
platform's rate; each part that arrives is recorded, so a retry or a restart never sends a part
twice. 429 waits the time the platform asks, and too many in a row pause the platform; timeouts
and 5xx are retried with backoff, then given up as failed; a chat that blocked the bot is marked
blocked and unsubscribed; a platform that refuses the bot itself (a revoked token, a wrong
address) or whose monthly quota is used up is paused, resumably, and the admins are told.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from ..search.text import split_message
from .content import Bulletin
from .ledger import BLOCKED, FAILED, PENDING, SENDING, SENT, Ledger, Progress
from .subscriptions import Subscriptions

log = logging.getLogger(__name__)


class RetryLater(Exception):
    """The platform asked to wait (HTTP 429)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds}s")
        self.seconds = seconds


class Unreachable(Exception):
    """The chat is gone for good: the bot was blocked, or the chat does not exist."""


class Transient(Exception):
    """A timeout or server error: worth another try later."""


class Rejected(Exception):
    """The platform refused this message for a reason retrying will not fix."""


class Paused(Exception):
    """Stop sending on this platform for now (a monthly quota is used up); resume later."""


class PlatformDown(Paused):
    """The platform refused the bot itself (token invalid or revoked, wrong API address): no
    chat is at fault, nobody is unsubscribed; sending stops until an admin resumes it."""


@dataclass(frozen=True)
class Part:
    """One message of an update as a platform sends it: text, or a photo with the text as its
    caption; the last part carries the entries readers can open."""

    text: str
    photo: bytes | None = None
    links: tuple[tuple[str, str], ...] = ()
    """(title, item key): buttons on Telegram, numbered lines on Zalo."""


SendFn = Callable[[str, Part], Awaitable[None]]
"""send(chat_id, part): one part of a message; raises one of the exceptions above unless the
platform accepted it."""


@dataclass(frozen=True)
class Limits:
    """How fast and how stubbornly to send on one platform."""

    per_second: float = 20.0
    """Leaves part of Telegram's 25-30 messages a second for answering questions meanwhile."""
    max_attempts: int = 5
    backoff: float = 1.0
    """Seconds before the first retry after a timeout or 5xx; doubles each time."""
    max_waits: int = 20
    """429 answers in a row tolerated for one message before the platform is paused."""
    chunk: int = 3500
    """Longest part of a message the platform takes (the rest follows in further parts)."""
    part_interval: float = 0.0
    """Seconds between two parts to the same chat (Telegram: about one message a second)."""
    remaining: Callable[[], int] | None = None
    """Messages the platform's monthly quota still allows; a message that would not fit in
    whole pauses the platform before its first part."""
    caption: int = 0
    """Longest photo caption; 0: no photo can be sent now, the chart goes as text lines."""


def compose(bulletin: Bulletin, limits: Limits) -> list[Part]:
    """The messages an update is sent as on a platform: the chart as a photo (with the whole
    text as its caption when it fits), then the text in parts under the platform's limit."""
    if bulletin.chart is None or not limits.caption:
        parts = [Part(text) for text in split_message(bulletin.without_chart(), limits.chunk)]
    elif len(bulletin.text) <= limits.caption:
        parts = [Part(bulletin.text, bulletin.chart)]
    else:
        photo = Part(split_message(bulletin.caption, limits.caption)[0], bulletin.chart)
        parts = [photo] + [Part(text) for text in split_message(bulletin.text, limits.chunk)]
    last = parts[-1]
    parts[-1] = Part(last.text, last.photo, bulletin.links)
    return parts


def process_owner() -> str:
    """Who is sending: this host and process, so a restart can tell a dead sender's claims."""
    return f"{socket.gethostname()}:{os.getpid()}"


def owner_alive(owner: str) -> bool:
    """Whether the process that claimed a delivery still runs (on this host)."""
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Dispatcher:
    """Delivers the pending part of an update; safe to run again after any interruption."""

    def __init__(
        self,
        ledger: Ledger,
        subscriptions: Subscriptions,
        senders: dict[str, SendFn],
        limits: dict[str, Limits] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        on_progress: Callable[[str, Progress], None] | None = None,
        on_paused: Callable[[str, str, int, str], Awaitable[None]] | None = None,
    ) -> None:
        self.ledger = ledger
        self.subscriptions = subscriptions
        self.senders = senders
        self.limits = limits or {}
        self.sleep = sleep
        self.clock = clock
        self.on_progress = on_progress
        self.on_paused = on_paused
        """Told (broadcast id, platform, deliveries still pending, reason) when a platform pauses."""
        self.owner = process_owner()

    async def deliver(self, broadcast_id: str) -> Progress:
        """Send to every pending chat of every platform that has a sender; return the tally."""
        broadcast = self.ledger.get(broadcast_id)
        if broadcast is None:
            raise KeyError(broadcast_id)
        released = self.ledger.release_orphans(broadcast_id, lambda owner: owner == self.owner or owner_alive(owner))
        if released:
            log.warning("broadcast %s: %d delivery(ies) in flight at a crash will be sent again", broadcast_id, released)
        platforms = [p for p in self.ledger.platforms(broadcast_id) if p in self.senders]
        bulletin = Bulletin.from_row(broadcast)
        await asyncio.gather(*(self._platform(broadcast_id, p, bulletin) for p in platforms))
        progress = self.ledger.progress(broadcast_id)
        if progress.done:
            self.ledger.finish(broadcast_id)
        return progress

    async def _platform(self, broadcast_id: str, platform: str, bulletin: Bulletin) -> None:
        limits = self.limits.get(platform, Limits())
        send = self.senders[platform]
        parts = compose(bulletin, limits)
        interval = 1.0 / limits.per_second
        next_at = self.clock()
        for delivery in self.ledger.pending(broadcast_id, platform):
            if not self.ledger.claim(delivery, self.owner):
                continue
            done = delivery.get("parts_sent") or 0
            if limits.remaining is not None and limits.remaining() < len(parts) - done:
                await self._pause(delivery, Paused(f"{platform} monthly quota reached"))
                return
            failures = waits = 0
            while done < len(parts):
                if (wait := next_at - self.clock()) > 0:
                    await self.sleep(wait)
                # Keep to the schedule (a sleep that overshoots by a millisecond must not slow
                # every later message); after a real pause, start afresh rather than burst.
                next_at = (next_at if self.clock() - next_at < interval else self.clock()) + interval
                try:
                    await send(delivery["chat_id"], parts[done])
                except Paused as exc:
                    await self._pause(delivery, exc)
                    return
                except RetryLater as exc:
                    waits += 1
                    if waits > limits.max_waits:
                        await self._pause(delivery, Paused(f"{platform} kept answering 429 ({waits} times)"))
                        return
                    self.ledger.mark(delivery, SENDING, f"429: {exc}")
                    await self.sleep(exc.seconds)
                    continue
                except Unreachable as exc:
                    self.ledger.mark(delivery, BLOCKED, str(exc))
                    self.subscriptions.unsubscribe(platform, delivery["chat_id"], reason="blocked")
                    break
                except Rejected as exc:
                    self.ledger.mark(delivery, FAILED, str(exc))
                    break
                except Transient as exc:
                    failures += 1
                    if failures >= limits.max_attempts:
                        self.ledger.mark(delivery, FAILED, str(exc))
                        break
                    self.ledger.mark(delivery, SENDING, str(exc))
                    await self.sleep(limits.backoff * 2 ** (failures - 1))
                    continue
                waits = 0
                done = self.ledger.part_sent(delivery)
                if done < len(parts) and limits.part_interval:
                    await self.sleep(limits.part_interval)
            else:
                self.ledger.mark(delivery, SENT)
            if self.on_progress is not None:
                self.on_progress(broadcast_id, self.ledger.progress(broadcast_id))

    async def _pause(self, delivery: dict, exc: Paused) -> None:
        """Put the delivery back as pending and stop this platform; tell whoever listens."""
        broadcast_id, platform = delivery["broadcast_id"], delivery["platform"]
        self.ledger.mark(delivery, PENDING, str(exc), attempt=False)
        remaining = len(self.ledger.pending(broadcast_id, platform))
        log.error("broadcast %s paused on %s: %s (%d pending)", broadcast_id, platform, exc, remaining)
        if self.on_paused is not None:
            await self.on_paused(broadcast_id, platform, remaining, str(exc))
