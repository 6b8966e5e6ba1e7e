"""Answering speed and size at 100 to 100,000 entries, beside the two baselines.

Run: .venv/bin/python bench/bench_engine.py [--sizes 100 1000 10000 100000] [--queries 300]

Entries are synthetic (random Vietnamese syllables, a fixed seed) and live only in memory: no
knowledge file or database is touched. Each size runs in its own process so that its peak
memory (ru_maxrss) is its own. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SYLLABLES = """
cán bộ luân chuyển lãnh đạo quản lý huyện tỉnh xã phường nghị quyết quy định kết luận ban
chấp hành thường vụ đảng bộ ủy viên bí thư chủ tịch phó trưởng phòng sở ngành cơ quan đơn vị
công tác điều động bổ nhiệm miễn nhiệm đánh giá quy hoạch đào tạo bồi dưỡng rèn luyện thực tiễn
nhiệm kỳ giai đoạn năm tháng ngày kế hoạch kiểm tra giám sát tuyên truyền phổ biến quán triệt
thực hiện nghiêm túc chấp hành tổ chức hội nghị sơ kết tổng kết báo cáo số lượng chất lượng tăng
giảm vượt chỉ tiêu đề ra cơ sở địa phương cục bộ khép kín trẻ trưởng thành phát triển toàn diện
chính sách hỗ trợ phụ cấp nhà ở đi lại sinh hoạt điều kiện tiêu chuẩn sức khỏe phẩm chất năng lực
triển vọng chức vụ chức danh tương đương cao hơn thấp hơn thời hạn tối thiểu hằng năm trung ương
bộ chính trị ban bí thư nhân dân hội đồng mặt trận tổ quốc kinh tế văn hóa giáo dục y tế nông
nghiệp công nghiệp giao thông xây dựng tài chính thuế hải quan công an viện kiểm sát tòa án thanh
tra nội vụ lao động thương binh xã hội tài nguyên môi trường khoa học công nghệ thông tin truyền
thông du lịch thể thao dân tộc tôn giáo biên giới miền núi đồng bằng ven biển hải đảo thành phố
thị xã thị trấn thôn bản tổ dân phố khu dân cư hộ gia đình người dân doanh nghiệp hợp tác
""".split()


def synthetic_items(n: int, seed: int = 7):
    from bot.search.items import FaqItem

    rng = random.Random(seed)
    items = []
    for i in range(n):
        question = " ".join(rng.choices(SYLLABLES, k=rng.randint(7, 12)))
        phrasings = [" ".join(rng.choices(SYLLABLES, k=rng.randint(5, 10))) for _ in range(3)]
        answer = " ".join(rng.choices(SYLLABLES, k=rng.randint(20, 40))) + f" {rng.randint(1, 500)} lượt."
        items.append(
            FaqItem(key=f"entry:s{i}", title=question, phrasings=phrasings, body=answer, source="synthetic",
                    as_of="2020-01-01")
        )
    return items


def queries(items, count: int, seed: int = 11) -> list[str]:
    """Half reworded known questions (words dropped, no diacritics), half random word salad."""
    from bot.search.text import fold

    rng = random.Random(seed)
    out = []
    for i in range(count):
        if i % 2 == 0:
            words = rng.choice(items).title.split()
            kept = [w for w in words if rng.random() > 0.25] or words
            out.append(fold(" ".join(kept)) if rng.random() < 0.5 else " ".join(kept))
        else:
            out.append(" ".join(rng.choices(SYLLABLES, k=rng.randint(3, 10))))
    return out


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def latencies(answer, questions: list[str], warm: int = 5) -> list[float]:
    """Milliseconds each question takes to answer, after a few answers to warm up."""
    for q in questions[:warm]:
        answer(q)
    out = []
    for q in questions:
        t = time.perf_counter()
        answer(q)
        out.append((time.perf_counter() - t) * 1000)
    return out


def measure(n: int, count: int) -> dict:
    """One size, in this process: build times, latencies, peak memory."""
    from bot.evaluation.baselines import BM25Baseline, WRatioBaseline
    from bot.search.engine import Engine

    items = synthetic_items(n)
    qs = queries(items, count)
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    row: dict = {"entries": n}
    t = time.perf_counter()
    engine = Engine(items)
    row["build_s"] = time.perf_counter() - t
    row["peak_mb"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base_rss) / 1024
    lat = latencies(engine.answer, qs)
    row["p50_ms"], row["p99_ms"] = percentile(lat, 50), percentile(lat, 99)
    for key, cls in (("bm25", BM25Baseline), ("wratio", WRatioBaseline)):
        t = time.perf_counter()
        method = cls(items)
        row[f"{key}_build_s"] = time.perf_counter() - t
        sample = qs[: max(20, count // (10 if n >= 10000 and key == "wratio" else 1))]
        lat = []
        for q in sample:
            t = time.perf_counter()
            method.best(q)
            lat.append((time.perf_counter() - t) * 1000)
        row[f"{key}_p50_ms"], row[f"{key}_p99_ms"] = percentile(lat, 50), percentile(lat, 99)
    return row


def startup_seconds() -> float:
    """Wall time of `python -m bot ask` on the seed knowledge base (database already created)."""
    cmd = [sys.executable, "-m", "bot", "ask", "--json", "Nghị quyết 02 là gì?"]
    subprocess.run(cmd, cwd=ROOT, capture_output=True, check=True)
    runs = []
    for _ in range(3):
        t = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, capture_output=True, check=True)
        runs.append(time.perf_counter() - t)
    return min(runs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000, 100000])
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.queries)))
        return
    rows = []
    for n in args.sizes:
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(n), "--queries", str(args.queries)],
            capture_output=True, text=True, check=True,
        )
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(f"measured {n} entries", file=sys.stderr)
    print("| entries | engine build s | engine peak MB | engine p50 ms | engine p99 ms | BM25 build s "
          "| BM25 p50 ms | BM25 p99 ms | WRatio p50 ms | WRatio p99 ms |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['entries']:,} | {r['build_s']:.2f} | {r['peak_mb']:.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | "
            f"{r['bm25_build_s']:.2f} | {r['bm25_p50_ms']:.2f} | {r['bm25_p99_ms']:.2f} "
            f"| {r['wratio_p50_ms']:.2f} | {r['wratio_p99_ms']:.2f} |"
        )
    print(f"\n`python -m bot ask` start to answer on the seed knowledge base: {startup_seconds():.2f} s")


if __name__ == "__main__":
    main()
