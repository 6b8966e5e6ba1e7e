"""`python -m bot eval FILE...`: accuracy by kind and out-of-domain rejection, engine and
baselines side by side in one run."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from ..search.engine import Engine
from .baselines import BM25Baseline, WRatioBaseline
from .questions import LabelledQuestion, load_questions

Baseline = WRatioBaseline | BM25Baseline

TARGET = 95.0
COLUMN = 22


def _cell(results: list[bool], rows: list[int]) -> str:
    ok = sum(results[i] for i in rows)
    pct = f"{100 * ok / len(rows):5.1f}%" if rows else "    –"
    return f"{ok:>4d}/{len(rows):<4d} {pct}".rjust(COLUMN)


def _baseline_results(baseline: Baseline, questions: list[LabelledQuestion]) -> tuple[list[bool], float]:
    """Results at the threshold that maximises the baseline's number of correct answers."""
    best = [baseline.best(q.question) for q in questions]
    chosen, results = 0.0, list[bool]()
    for t in sorted({round(score, 3) for _, score in best} | {0.0}):
        oks = [q.is_correct(score >= t and score > 0, text) for q, (text, score) in zip(questions, best)]
        if sum(oks) > sum(results):
            chosen, results = t, oks
    return results or [q.out_of_domain for q in questions], chosen


def _meets(results: list[bool], inside: list[int], outside: list[int]) -> bool:
    return all(not rows or 100 * sum(results[i] for i in rows) / len(rows) >= TARGET for rows in (inside, outside))


def run_eval(
    engine: Engine, files: list[Path], verbose: bool = False, baselines: bool = True, out: TextIO = sys.stdout
) -> int:
    """Print the comparison for each file; exit code 0 when the engine meets both targets."""
    methods: list[Baseline] = [WRatioBaseline(engine.items), BM25Baseline(engine.items)] if baselines else []
    all_met = True
    for path in files:
        questions = load_questions(path)
        answers = [engine.answer(q.question) for q in questions]
        columns: list[tuple[str, list[bool], float | None]] = [
            ("engine", [q.is_correct(a.found, a.answer) for q, a in zip(questions, answers)], None)
        ]
        columns += [(m.name, *_baseline_results(m, questions)) for m in methods]
        inside = [i for i, q in enumerate(questions) if not q.out_of_domain]
        outside = [i for i, q in enumerate(questions) if q.out_of_domain]

        print(f"\n== {path} ({len(questions)} questions) ==", file=out)
        print(f"{'kind':12s}" + "".join(name.rjust(COLUMN) for name, _, _ in columns), file=out)
        for kind in sorted({q.kind for q in questions}):
            rows = [i for i, q in enumerate(questions) if q.kind == kind]
            print(f"{kind:12s}" + "".join(_cell(results, rows) for _, results, _ in columns), file=out)
        print(f"{'in-domain':12s}" + "".join(_cell(results, inside) for _, results, _ in columns), file=out)
        print(f"{'OOD refused':12s}" + "".join(_cell(results, outside) for _, results, _ in columns), file=out)
        for name, _, threshold in columns[1:]:
            print(f"  {name}: best threshold on this set = {threshold:.2f}", file=out)
        met = _meets(columns[0][1], inside, outside)
        print(f"  engine targets (>= {TARGET:.0f}% both): {'met' if met else 'NOT met'}", file=out)
        all_met = all_met and met
        if verbose:
            for q, a, ok in zip(questions, answers, columns[0][1]):
                if not ok:
                    print(
                        f"MISS [{q.kind}] {q.question!r}\n   expected {q.expected!r}\n"
                        f"   got found={a.found} score={a.score:.1f} {a.answer[:200]!r}",
                        file=out,
                    )
    return 0 if all_met else 1
