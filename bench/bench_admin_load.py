"""How long users wait for answers while an admin works on a large knowledge base.

Run: .venv/bin/python bench/bench_admin_load.py [--rows 10000] [--every 0.025]

One conversation layer (as `python -m bot run` has) over a fresh seeded database in a
temporary folder. A user asks a question every 25 ms, each on schedule whatever happened to
the previous one, so time the event loop spends blocked shows up as waiting. Meanwhile an admin
uploads a CSV of N synthetic entries (no real facts) and confirms it, undoes it, and exports
the whole base. Prints a Markdown table: the user's wait (p50, p99, max) during each admin
action, and how long the action itself took.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUESTIONS = ["luân chuyển tối thiểu mấy năm", "ai chủ trì hội nghị sơ kết nq 02", "giá vàng hôm nay"]
ADMIN = "42"


def upload(rows: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "question", "answer", "source", "as_of"])
    for i in range(rows):
        writer.writerow([f"mau-{i}", f"Câu hỏi mẫu số {i} về chủ đề thử nghiệm?", f"Trả lời mẫu số {i}.",
                         "Nguồn mẫu", "2020-01-01"])
    return out.getvalue().encode()


async def user_waits(conversation, stop: asyncio.Event, every: float) -> list[float]:
    """Seconds from each question's scheduled time to its answer, until ``stop``."""
    from bot.chat.router import Incoming

    waits: list[float] = []
    tasks = []
    start = time.perf_counter()
    n = 0

    async def ask(scheduled: float, text: str) -> None:
        await conversation.handle(Incoming("telegram", "5", "5", text=text))
        waits.append(time.perf_counter() - scheduled)

    while not stop.is_set():
        scheduled = start + n * every
        if (delay := scheduled - time.perf_counter()) > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(ask(scheduled, QUESTIONS[n % len(QUESTIONS)])))
        n += 1
    await asyncio.gather(*tasks)
    return waits


async def measure(conversation, action, every: float) -> tuple[list[float], float]:
    stop = asyncio.Event()
    user = asyncio.create_task(user_waits(conversation, stop, every))
    await asyncio.sleep(0.2)
    started = time.perf_counter()
    await action()
    took = time.perf_counter() - started
    await asyncio.sleep(0.2)
    stop.set()
    return await user, took


async def main(rows: int, every: float, switch_interval: float | None = None) -> None:
    from bot.app import build_conversation
    from bot.chat.router import FloodControl, Incoming
    from bot.runtime import prefer_responsiveness
    from bot.settings import DEFAULT_KNOWLEDGE_DIR, Settings

    if switch_interval:
        sys.setswitchinterval(switch_interval)
    else:
        prefer_responsiveness()  # as `python -m bot run` does

    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(database_path=Path(folder) / "bot.db", knowledge_dir=DEFAULT_KNOWLEDGE_DIR,
                            log_level="WARNING", admin_ids=f"telegram:{ADMIN}")
        conversation = build_conversation(settings, flood=FloodControl(limit=10**9))
        admin = lambda **kw: Incoming("telegram", ADMIN, ADMIN, **kw)  # noqa: E731
        data = upload(rows)

        async def nothing() -> None:
            await asyncio.sleep(1.0)

        async def import_rows() -> None:
            [summary] = await conversation.handle(admin(upload=("entries.csv", data)))
            [done] = await conversation.handle(admin(choice=summary.options[0].data))
            assert "thêm mới" in done.text, done.text

        async def undo() -> None:
            number = conversation.editor.history(1)[0].id
            [ask] = await conversation.handle(admin(text=f"/hoantac {number}"))
            [done] = await conversation.handle(admin(choice=ask.options[0].data))
            assert "Đã hoàn tác" in done.text, done.text

        async def export() -> None:
            [reply] = await conversation.handle(admin(text="/xuat"))
            assert reply.files

        interval = sys.getswitchinterval() * 1000
        print(f"{rows:,} rows; a user question every {every * 1000:.0f} ms; switch interval {interval:g} ms\n")
        print("| admin action | user answers | wait p50 | wait p99 | wait max | action took |")
        print("|---|---|---|---|---|---|")
        for name, action in (("none (idle)", nothing), (f"upload and save {rows:,} rows", import_rows),
                             ("re-indexing after it", conversation.idle), (f"undo the {rows:,}-row import", undo),
                             ("re-indexing after it", conversation.idle), ("export the whole base", export)):
            waits, took = await measure(conversation, action, every)
            waits.sort()
            p99 = waits[min(len(waits) - 1, int(len(waits) * 0.99))]
            print(f"| {name} | {len(waits)} | {statistics.median(waits) * 1000:.0f} ms | {p99 * 1000:.0f} ms "
                  f"| {waits[-1] * 1000:.0f} ms | {took:.2f} s |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--every", type=float, default=0.025)
    parser.add_argument("--switch-interval", type=float, help="seconds (default: as the bot runs)")
    args = parser.parse_args()
    asyncio.run(main(args.rows, args.every, args.switch_interval))
