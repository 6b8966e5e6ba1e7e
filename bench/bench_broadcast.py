"""Monthly update throughput against the local fake Bot API server.

Run: .venv/bin/python bench/bench_broadcast.py [--big 10000] [--small 1000]

1. `--big` subscribers, server rate limit off, our pacing off: how fast the ledger and the
   sender go by themselves.
2. `--small` subscribers with the server enforcing 30 messages a second (answering 429 beyond
   it), our pacing at the default 20/s and at 30/s: messages a second achieved against the
   limit, and the 429s received. Subscribers live in a temporary database. Prints a table.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from telegram import Bot  # noqa: E402

from bot.broadcast.delivery import Dispatcher, Limits  # noqa: E402
from bot.broadcast.ledger import Ledger  # noqa: E402
from bot.broadcast.service import BroadcastService  # noqa: E402
from bot.broadcast.subscriptions import Subscriptions  # noqa: E402
from bot.channels.telegram import telegram_sender  # noqa: E402
from bot.knowledge.store import KnowledgeStore  # noqa: E402
from tests.fakes.telegram_server import FakeTelegram  # noqa: E402


async def measure(subscribers: int, server_limit: float | None, pace: float | None, folder: Path) -> dict:
    store = KnowledgeStore(folder / f"bench-{subscribers}-{server_limit}-{pace}.db")
    subscriptions = Subscriptions(store.db)
    with store.db.conn:
        store.db["subscribers"].insert_all(
            {"id": f"telegram:{i}", "platform": "telegram", "chat_id": str(i), "active": 1, "subscribed_at": "",
             "changed_at": "", "reason": ""}
            for i in range(1, subscribers + 1)
        )
    async with FakeTelegram() as tg:
        tg.limit_rate(server_limit)
        async with Bot(tg.token, base_url=tg.base_url) as bot:
            ledger = Ledger(store.db)
            limits = {"telegram": Limits(per_second=pace or 1e9)}
            dispatcher = Dispatcher(ledger, subscriptions, {"telegram": telegram_sender(bot)}, limits)
            service = BroadcastService(store, subscriptions, ledger, dispatcher)
            started = time.monotonic()
            progress = await service.send()
            elapsed = time.monotonic() - started
        return {
            "subscribers": subscribers, "server": f"{server_limit:g}/s" if server_limit else "off",
            "pace": f"{pace:g}/s" if pace else "off", "sent": progress.sent, "failed": progress.failed,
            "per_second": progress.sent / elapsed, "seconds": elapsed, "429": tg.too_many_requests_sent,
        }


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--big", type=int, default=10_000)
    ap.add_argument("--small", type=int, default=1_000)
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for subscribers, server, pace in ((args.big, None, None), (args.small, 30, 20), (args.small, 30, 30)):
            rows.append(await measure(subscribers, server, pace, Path(folder)))
            print(f"measured {subscribers} subscribers", file=sys.stderr)
    print("| subscribers | server limit | our pace | sent | failed | seconds | messages/s | 429 received |")
    print("|---:|---|---|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['subscribers']:,} | {r['server']} | {r['pace']} | {r['sent']:,} | {r['failed']} | "
              f"{r['seconds']:.1f} | {r['per_second']:.1f} | {r['429']} |")


if __name__ == "__main__":
    asyncio.run(main())
