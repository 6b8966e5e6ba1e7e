"""Monthly update throughput against the local fake Bot API server.

Run: .venv/bin/python bench/bench_broadcast.py [--big 10000] [--small 1000]

The update holds a made-up metric with twelve monthly figures, so it goes out as it does in
production: the chart as a photo with the text as its caption, one message per subscriber
(uploaded once, then sent by Telegram's file id).

1. `--big` subscribers, server rate limit off, our pacing off: how fast the ledger and the
   sender go by themselves.
2. The server enforcing 30 messages a second (answering 429 beyond it): `--small` subscribers
   at our default pace (20/s), then `--small` and `--big` at 29/s: messages a second sustained
   after the first second, and the 429s received (all, and after the first second).
   Subscribers live in a temporary database. Prints a table.
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
from bot.channels.telegram import install_sender  # noqa: E402
from bot.knowledge.store import KnowledgeStore  # noqa: E402
from bot.search.periods import Month  # noqa: E402
from tests.fakes.base import Call  # noqa: E402
from tests.fakes.telegram_server import FakeTelegram  # noqa: E402

MONTH = Month(2026, 11)


def made_up_knowledge(folder: Path) -> Path:
    """A metric with twelve monthly figures (synthetic: no real facts)."""
    kb = folder / "kb"
    kb.mkdir(exist_ok=True)
    (kb / "metrics.yaml").write_text(
        "- key: so_luot_mau\n  label: lượt điều chuyển mẫu\n  unit: lượt\n  scope: đơn vị mẫu\n"
        "  phrasings: [số lượt điều chuyển mẫu]\n", encoding="utf-8",
    )
    rows = [f"so_luot_mau,{3 + i % 5},,lượt,{m},{m},đơn vị mẫu,Báo cáo mẫu,"
            for i, m in enumerate(str(MONTH.shift(-k)) for k in range(12))]
    (kb / "statistics.csv").write_text(
        "metric,value,value_max,unit,period_start,period_end,scope,source,note\n" + "\n".join(rows) + "\n",
        encoding="utf-8",
    )
    return kb


async def measure(subscribers: int, server_limit: float | None, pace: float | None, folder: Path) -> dict:
    store = KnowledgeStore(folder / f"bench-{subscribers}-{server_limit}-{pace}.db", seed_dir=made_up_knowledge(folder))
    subscriptions = Subscriptions(store.db)
    with store.db.conn:
        store.db["subscribers"].insert_all(
            {"id": f"telegram:{i}", "platform": "telegram", "chat_id": str(i), "active": 1, "subscribed_at": "",
             "changed_at": "", "reason": ""}
            for i in range(1, subscribers + 1)
        )
    async with FakeTelegram() as tg:
        tg.limit_rate(server_limit)
        refused: list[float] = []
        tg.listeners.append(lambda call: refused.append(call.at) if call.status == 429 else None)
        sent: list[Call] = []
        tg.listeners.append(lambda call: sent.append(call) if call.ok and call.method.startswith("send") else None)
        async with Bot(tg.token, base_url=tg.base_url) as bot:
            ledger = Ledger(store.db)
            limits = {"telegram": Limits(per_second=pace or 1e9)}
            dispatcher = Dispatcher(ledger, subscriptions, {}, limits)
            install_sender(dispatcher, bot)
            service = BroadcastService(store, subscriptions, ledger, dispatcher, now=lambda: _after(MONTH))
            await service.prepare()  # the chart is drawn and frozen before the clock starts
            started = time.monotonic()
            progress = await service.send()
            elapsed = time.monotonic() - started
        later = [c for c in sent if c.at - started >= 1.0]
        sustained = len(later) / (later[-1].at - started - 1.0) if len(later) > 1 else float("nan")
        return {
            "subscribers": subscribers, "server": f"{server_limit:g}/s" if server_limit else "off",
            "pace": f"{pace:g}/s" if pace else "off", "sent": progress.sent, "failed": progress.failed,
            "messages": len(sent), "photos": sum(c.method == "sendPhoto" for c in sent),
            "sustained": sustained, "seconds": elapsed, "429": len(refused),
            "429_late": sum(t - started >= 1.0 for t in refused),
        }


def _after(month: Month):
    import datetime as dt

    from bot.broadcast.service import TIMEZONE

    following = month.shift(1)
    return dt.datetime(following.year, following.month, 1, 9, tzinfo=TIMEZONE)


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--big", type=int, default=10_000)
    ap.add_argument("--small", type=int, default=1_000)
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        runs = [(args.big, None, None), (args.small, 30, 20), (args.small, 30, 29), (args.big, 30, 29)]
        for subscribers, server, pace in runs:
            rows.append(await measure(subscribers, server, pace, Path(folder)))
            print(f"measured {subscribers} subscribers, server {server}, pace {pace}", file=sys.stderr)
    print("| subscribers | server limit | our pace | delivered | failed | messages (photos) | seconds "
          "| messages/s after 1 s | 429 | 429 after 1 s |")
    print("|---:|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['subscribers']:,} | {r['server']} | {r['pace']} | {r['sent']:,} | {r['failed']} | "
              f"{r['messages']:,} ({r['photos']:,}) | {r['seconds']:.1f} | {r['sustained']:.1f} | {r['429']} | "
              f"{r['429_late']} |")


if __name__ == "__main__":
    asyncio.run(main())
