"""The lexical engine at 1,000 to 100,000 entries: writing, index build, load, answering,
precision on word salad, memory, and `ask` start-up.

Run: .venv/bin/python bench/bench_engine.py [--sizes 1000 10000 100000] [--queries 400]

Entries are synthetic (random Vietnamese syllables, a fixed seed) written through the store's
one write path into a temporary database (each is prepared there: folded, tokenised, terms
stored as ids). Each stage then runs in a process of its own, so that its peak memory
(ru_maxrss, the whole process) is its own:

- build: the index from the stored term ids, saved beside the database;
- serve: the saved index loaded memory-mapped, then questions answered, items read from SQLite
  only when they are candidates (lexical path: no sentence vectors exist for synthetic text);
- ask: `python -m bot ask` on that database, start to answer.

Questions: half are known questions reworded (a quarter of the words dropped, half of them
without diacritics), half are word salad from the same syllables. "found" on salad is the share
of salad the engine answers (it should refuse); "right" is the share of reworded questions
answered with their own entry. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
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
    """``n`` entries of random syllables: a question, three phrasings, an answer with a figure."""
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


def queries(items, count: int, seed: int = 11) -> list[tuple[str, str | None]]:
    """(question, the key it asks for; None for word salad): half each."""
    from bot.search.text import fold

    rng = random.Random(seed)
    out: list[tuple[str, str | None]] = []
    for i in range(count):
        if i % 2 == 0:
            item = rng.choice(items)
            words = item.title.split()
            kept = [w for w in words if rng.random() > 0.25] or words
            out.append((fold(" ".join(kept)) if rng.random() < 0.5 else " ".join(kept), item.key))
        else:
            out.append((" ".join(rng.choices(SYLLABLES, k=rng.randint(3, 10))), None))
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


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def populate(path: Path, n: int, count: int) -> dict:
    """Write ``n`` synthetic entries in one audited change (each prepared as it is written)."""
    from bot.knowledge.store import KnowledgeStore

    store = KnowledgeStore(path)
    writes = [
        ("entries", item.key.removeprefix("entry:"), {
            "id": item.key.removeprefix("entry:"), "question": item.title, "title": "",
            "phrasings": json.dumps(item.phrasings, ensure_ascii=False), "answer": item.body, "tags": "[]",
            "source": item.source, "as_of": item.as_of, "gap": 0, "deleted": 0,
        })
        for item in synthetic_items(n)
    ]
    t = time.perf_counter()
    store.write("import", f"{n} synthetic entries", "bench", writes)
    elapsed = time.perf_counter() - t
    questions_file(path).write_text(json.dumps(queries(synthetic_items(n), count), ensure_ascii=False))
    return {"write_s": elapsed}


def questions_file(path: Path) -> Path:
    """The questions asked of a database, made with it (the serving process holds no entry)."""
    return path.with_name("questions.json")


def build(path: Path) -> dict:
    from bot.knowledge.catalog import open_index
    from bot.knowledge.store import KnowledgeStore

    store = KnowledgeStore.reader(path)
    t = time.perf_counter()
    index, _keys = open_index(store)
    return {"build_s": time.perf_counter() - t, "build_mb": peak_mb(), "terms": len(index.terms),
            "postings": int(index.arrays["doc_terms"].shape[0])}


def serve(path: Path) -> dict:
    from bot.knowledge.catalog import StoredCatalog, open_index
    from bot.knowledge.store import KnowledgeStore
    from bot.search.engine import Engine

    store = KnowledgeStore.reader(path)
    t = time.perf_counter()
    index, keys = open_index(store)
    engine = Engine(StoredCatalog(path, keys), index=index)
    load = time.perf_counter() - t
    asked = json.loads(questions_file(path).read_text())
    answers: dict[str, object] = {}

    def answer(question: str) -> None:
        answers[question] = engine.answer(question)

    lat = latencies(answer, [q for q, _ in asked])
    salad = [answers[q] for q, key in asked if key is None]
    known = [(answers[q], key) for q, key in asked if key is not None]
    return {
        "load_s": load, "p50_ms": percentile(lat, 50), "p99_ms": percentile(lat, 99), "serve_mb": peak_mb(),
        "salad_found": sum(a.found for a in salad) / len(salad),  # type: ignore[attr-defined]
        "right": sum(a.found and a.item == key for a, key in known) / len(known),  # type: ignore[attr-defined]
    }


def ask_seconds(path: Path) -> float:
    """Wall time of `python -m bot ask` on the database, its index already saved (best of 3)."""
    env = dict(os.environ, DATABASE_PATH=str(path))
    runs = []
    for _ in range(3):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bot", "ask", "cán bộ luân chuyển"], cwd=ROOT, env=env,
                       capture_output=True, check=True)
        runs.append(time.perf_counter() - t)
    return min(runs)


def stage(name: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--stage", name, *args], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    ap.add_argument("--queries", type=int, default=400)
    ap.add_argument("--stage", help=argparse.SUPPRESS)
    ap.add_argument("--path", help=argparse.SUPPRESS)
    ap.add_argument("--n", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.stage:
        path = Path(args.path)
        row = {"populate": lambda: populate(path, args.n, args.queries), "build": lambda: build(path),
               "serve": lambda: serve(path)}[args.stage]()
        print(json.dumps(row))
        return
    rows = []
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "bot.db"
            common = ["--path", str(path), "--n", str(n), "--queries", str(args.queries)]
            row = {"entries": n} | stage("populate", *common) | stage("build", *common)
            row |= stage("serve", *common) | {"ask_s": ask_seconds(path)}
        rows.append(row)
        print(f"measured {n} entries: {row}", file=sys.stderr)
    print("| entries | write + prepare s | index build s | build peak MB | index load s | p50 ms | p99 ms "
          "| serving peak MB | word salad found | reworded right | `ask` s |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['entries']:,} | {r['write_s']:.1f} | {r['build_s']:.2f} | {r['build_mb']:.0f} | {r['load_s']:.3f} "
            f"| {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {r['serve_mb']:.0f} | {r['salad_found']:.1%} "
            f"| {r['right']:.1%} | {r['ask_s']:.2f} |"
        )


if __name__ == "__main__":
    main()
