"""`python -m bot run`: every configured channel in one process, around one conversation layer
and one scheduler, until SIGINT or SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import secrets
import signal
import sys
from urllib.parse import urlparse

from aiohttp import web

from .broadcast.quota import MonthlyCounter
from .broadcast.service import start_scheduler
from .chat.conversation import Conversation
from .logs import redact_secrets
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
                await senders[platform](user_id, text)
            except Exception as exc:  # noqa: BLE001 - a failed notice must not stop the update
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
    stoppers = []
    if settings.zalo_token:  # first: it checks its token before anything starts serving
        stoppers.append(await _start_zalo(settings, conversation, stop))
    if settings.telegram_token:
        stoppers.append(await _start_telegram(settings, conversation))
    scheduler = await start_scheduler(service)
    if scheduler is not None:  # edits made from the command line show up within seconds

        async def refresh() -> None:  # a coroutine, so it runs on the loop that owns the database
            conversation.refresh()

        scheduler.add_job(refresh, "interval", seconds=REFRESH_SECONDS, id="refresh-index",
                          replace_existing=True, coalesce=True, max_instances=1)
    log.info("bot running: %s", ", ".join(p for p, t in (("telegram", settings.telegram_token), ("zalo", settings.zalo_token)) if t))
    await stop.wait()
    if scheduler is not None:
        scheduler.shutdown(wait=False)
    for stopper in reversed(stoppers):
        await stopper()


async def _start_telegram(settings: Settings, conversation: Conversation):
    from .channels import telegram

    app = telegram.build_application(settings, conversation)
    async with telegram.refused_token():
        await app.initialize()
    await telegram.set_menus(app)
    await app.start()
    if settings.webhook_url:
        await app.updater.start_webhook(**telegram.webhook_options(settings))
    else:
        await app.updater.start_polling(allowed_updates=telegram.Update.ALL_TYPES)

    async def stop() -> None:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()

    return stop


async def _start_zalo(settings: Settings, conversation: Conversation, stopping: asyncio.Event):
    from .channels.zalo import ZaloChannel, ZaloClient, ZaloError

    client = ZaloClient(settings.zalo_token, settings.zalo_base_url)
    try:
        me = await client.call("getMe")  # fail fast on a wrong token, before serving anyone
    except ZaloError as exc:
        await client.close()
        raise SystemExit(f"ZALO_BOT_TOKEN không dùng được ({exc}). / The Zalo bot token was refused.") from exc
    name = str((me or {}).get("display_name") or (me or {}).get("account_name") or "") if isinstance(me, dict) else ""
    log.info("zalo: serving as %s", name)
    counter = MonthlyCounter(conversation.store.db)
    channel = ZaloChannel(client, conversation, counter, bot_name=name)
    if conversation.broadcasts is not None:
        channel.install(conversation.broadcasts.dispatcher, settings.zalo_rate, settings.zalo_monthly_quota)
    runner = None
    poller = None
    if settings.zalo_webhook_url:
        secret = settings.zalo_webhook_secret or secrets.token_urlsafe(32)
        redact_secrets([secret])  # generated here: never in a log line either
        await client.call("setWebhook", url=settings.zalo_webhook_url, secret_token=secret)
        runner = web.AppRunner(channel.webhook_app(urlparse(settings.zalo_webhook_url).path or "/", secret))
        await runner.setup()
        await web.TCPSite(runner, settings.zalo_webhook_listen, settings.zalo_webhook_port).start()
    else:
        try:
            await client.call("deleteWebhook")  # polling and webhook exclude each other
        except ZaloError as exc:
            log.info("zalo: deleteWebhook: %s", exc)
        poller = asyncio.get_running_loop().create_task(channel.poll(stopping))

    async def stop() -> None:
        if poller is not None:
            poller.cancel()
        if runner is not None:
            await runner.cleanup()
        await client.close()

    return stop


def run(settings: Settings, conversation: Conversation) -> None:
    asyncio.run(serve(settings, conversation))
