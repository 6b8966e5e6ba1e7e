"""`python -m bot run`: every configured channel in one process, around one conversation layer
and one scheduler, until SIGINT or SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys

from .broadcast.delivery import Part
from .broadcast.ledger import Progress
from .broadcast.service import start_scheduler
from .channels.base import Channel
from .chat.conversation import Conversation
from .settings import Settings

log = logging.getLogger(__name__)

REFRESH_SECONDS = 15
"""How often the running bot looks for knowledge changes made by another process."""
SWITCH_INTERVAL = 0.001
"""Seconds a busy thread holds the interpreter before another may run (Python's default is
0.005). Admin work and re-indexing run in worker threads; the event loop that answers users
gives the interpreter up at every network or database call and waits up to this long to get
it back, so the default made answers wait 150-400 ms during a 10,000-row import and 10-40 ms
with this (bench/bench_admin_load.py)."""


def prefer_responsiveness() -> None:
    """Let the event loop take the interpreter back quickly from busy worker threads."""
    sys.setswitchinterval(SWITCH_INTERVAL)


async def notify_admins(conversation: Conversation, text: str) -> None:
    """Tell every admin reachable on a platform with a sender (best effort)."""
    senders = conversation.broadcasts.dispatcher.senders if conversation.broadcasts else {}
    for admin in sorted(conversation.admins):
        platform, _, user_id = admin.partition(":")
        if platform in senders:
            try:
                await senders[platform](user_id, Part(text))
            except Exception as exc:
                log.warning("could not notify admin %s: %s", admin, exc)


async def serve(settings: Settings, conversation: Conversation, stop: asyncio.Event | None = None) -> None:
    """Run Telegram and/or Zalo, whichever has a token, with the monthly update scheduled,
    until ``stop`` is set (by default: on SIGINT or SIGTERM)."""
    prefer_responsiveness()
    if stop is None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
    service = conversation.broadcasts
    if service is not None:

        async def paused(broadcast_id: str, platform: str, remaining: int, reason: str) -> None:
            await notify_admins(
                conversation,
                f"Bản tin {broadcast_id.removeprefix('monthly-')} tạm dừng trên {platform}: {reason}. "
                f"Còn {remaining} người chưa nhận; bản tin sẽ gửi tiếp khi gõ /bantin_gui hoặc "
                f"`python -m bot broadcast send` sau khi có hạn mức.",
            )

        service.dispatcher.on_paused = paused
    channels = _channels(settings, conversation)
    started: list[Channel] = []
    try:
        for channel in channels:  # Zalo first: it checks its token before anything serves
            await channel.start()
            started.append(channel)
        scheduler = await start_scheduler(service)
        if scheduler is not None:  # edits made from the command line show up within seconds

            async def refresh() -> None:  # a coroutine, so it runs on the loop that owns the database
                conversation.refresh()

            scheduler.add_job(refresh, "interval", seconds=REFRESH_SECONDS, id="refresh-index",
                              replace_existing=True, coalesce=True, max_instances=1)
        log.info("bot running: %s", ", ".join(c.platform for c in channels))
        await stop.wait()
        if scheduler is not None:
            scheduler.shutdown(wait=False)
    finally:
        conversation.close()
        for channel in reversed(started):
            await channel.stop()


def _channels(settings: Settings, conversation: Conversation) -> list[Channel]:
    """The channels with a token, Zalo first (platform libraries are imported only if used)."""
    channels: list[Channel] = []
    if settings.zalo_token:
        from .channels.zalo import ZaloChannel

        channels.append(ZaloChannel.from_settings(settings, conversation))
    if settings.telegram_token:
        from .channels.telegram import TelegramChannel

        channels.append(TelegramChannel(settings, conversation))
    return channels


def run(settings: Settings, conversation: Conversation) -> None:
    asyncio.run(serve(settings, conversation))


async def send_from_command_line(
    settings: Settings, conversation: Conversation, supplement: bool = False
) -> Progress | None:
    """`python -m bot broadcast send`: deliver (or resume) the update, or send the supplement,
    to the subscribers of every platform with a token, as the running bot would."""
    service = conversation.broadcasts
    if service is None:
        return None
    async with contextlib.AsyncExitStack() as stack:
        if settings.zalo_token:
            from .channels.zalo import command_line_sender as zalo

            await stack.enter_async_context(zalo(settings, conversation))
        if settings.telegram_token:
            from .channels.telegram import command_line_sender as telegram

            await stack.enter_async_context(telegram(settings, conversation))
        return await (service.send_supplement() if supplement else service.send())

