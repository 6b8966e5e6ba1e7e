"""Questions answered per second and reply latency through the whole Telegram stack.

Run: .venv/bin/python bench/bench_telegram.py [--questions 400]

The real python-telegram-bot Application long-polls the local fake Bot API server
(tests/fakes/telegram_server.py) on loopback; each chat sends a question, waits for the reply,
then sends the next (a closed loop, as a person does). Latency runs from the moment the update
is queued on the server to the moment the bot's sendMessage reaches it. Measured with the rate
limiter as deployed (at most 25 messages a second overall, Telegram's limit) and without it (the
stack's own capacity). A temporary database holds the shipped knowledge base. Prints a table.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.app import build_conversation  # noqa: E402
from bot.channels.telegram import build_application  # noqa: E402
from bot.chat.router import FloodControl  # noqa: E402
from bot.settings import DEFAULT_KNOWLEDGE_DIR, Settings  # noqa: E402
from tests.fakes.telegram_server import FakeTelegram  # noqa: E402

QUESTIONS = [
    "Ai chủ trì hội nghị sơ kết Nghị quyết 02?",
    "luan chuyen can bo toi thieu may nam",
    "Sau 2 năm có bao nhiêu lượt cán bộ được điều động, luân chuyển?",
    "QĐ 65 do cơ quan nào ban hành",
    "giá vàng hôm nay",
    "cb luân chuyển được hỗ trợ gì",
]


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


async def measure(chats: int, total: int, rate_limit: bool, folder: Path) -> dict:
    per_chat = max(1, total // chats)
    async with FakeTelegram() as tg:
        settings = Settings(
            database_path=folder / "bench.db", knowledge_dir=DEFAULT_KNOWLEDGE_DIR, log_level="WARNING",
            telegram_token=tg.token, telegram_base_url=tg.base_url,
        )
        conversation = build_conversation(settings, flood=FloodControl(limit=10**9))
        app = build_application(settings, conversation, rate_limit=rate_limit)
        await app.initialize()
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        waiting: dict[int, asyncio.Future] = {}
        latencies: list[float] = []

        def on_call(call) -> None:
            if call.method == "sendMessage" and call.ok:
                future = waiting.pop(int(call.params["chat_id"]), None)
                if future is not None and not future.done():
                    future.set_result(call.at)

        tg.listeners.append(on_call)

        async def chat(chat_id: int) -> None:
            loop = asyncio.get_running_loop()
            for i in range(per_chat):
                waiting[chat_id] = loop.create_future()
                queued = time.monotonic()
                tg.user_sends(chat_id, QUESTIONS[(chat_id + i) % len(QUESTIONS)])
                answered = await asyncio.wait_for(waiting[chat_id], timeout=120)
                latencies.append((answered - queued) * 1000)

        started = time.monotonic()
        await asyncio.gather(*(chat(1000 + c) for c in range(chats)))
        elapsed = time.monotonic() - started
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    return {
        "chats": chats, "limiter": "on (25/s)" if rate_limit else "off", "answered": len(latencies),
        "per_second": len(latencies) / elapsed, "p50": statistics.median(latencies), "p99": percentile(latencies, 99),
    }


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--questions", type=int, default=400, help="questions per run, spread over the chats")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for rate_limit in (True, False):
            for chats in (10, 100):
                rows.append(await measure(chats, args.questions, rate_limit, Path(folder)))
                print(f"measured {chats} chats, limiter {'on' if rate_limit else 'off'}", file=sys.stderr)
    print("| concurrent chats | rate limiter | answered | answers/s | latency p50 ms | latency p99 ms |")
    print("|---:|---|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['chats']} | {r['limiter']} | {r['answered']} | {r['per_second']:.1f} "
              f"| {r['p50']:.1f} | {r['p99']:.1f} |")


if __name__ == "__main__":
    asyncio.run(main())
