"""`python -m bot eval FILE...`: accuracy by kind and out-of-domain rejection, engine and
baselines side by side in one run."""

from __future__ import annotations

import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ..core.engine import Engine
from .baselines import BM25Baseline, WRatioBaseline
from .questions import LabelledQuestion, load_questions

TARGET = 95.0


@dataclass
class Tally:
    """Correct / total per kind, plus the in-domain and out-of-domain summaries."""

    by_kind: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))

    def add(self, q: LabelledQuestion, ok: bool) -> None:
        self.by_kind[q.kind][0] += ok
        self.by_kind[q.kind][1] += 1

    def split(self, questions: list[LabelledQuestion], results: list[bool]) -> tuple[tuple[int, int], tuple[int, int]]:
        ind = [ok for q, ok in zip(questions, results) if not q.out_of_domain]
        ood = [ok for q, ok in zip(questions, results) if q.out_of_domain]
        return (sum(ind), len(ind)), (sum(ood), len(ood))


def _pct(ok: int, n: int) -> str:
    return f"{100 * ok / n:5.1f}%" if n else "    –"


def _baseline_results(baseline, questions: list[LabelledQuestion]) -> tuple[list[bool], float]:
    """Results at the threshold that maximises the baseline's combined accuracy."""
    best = [baseline.best(q.question) for q in questions]
    thresholds = sorted({round(score, 3) for _, score in best} | {0.0})
    chosen, chosen_ok = 0.0, -1
    results: list[bool] = []
    for t in thresholds:
        oks = [q.is_correct(score >= t and score > 0, text) for q, (text, score) in zip(questions, best)]
        if sum(oks) > chosen_ok:
            chosen, chosen_ok, results = t, sum(oks), oks
    return results, chosen


def run_eval(engine: Engine, files: list[Path], verbose: bool = False, baselines: bool = True, out=sys.stdout) -> int:
    """Print the comparison for each file; exit code 0 when the engine meets both targets."""
    meets = True
    methods = [WRatioBaseline(engine.items), BM25Baseline(engine.items)] if baselines else []
    for path in files:
        questions = load_questions(path)
        answers = [engine.answer(q.question) for q in questions]
        engine_results = [q.is_correct(a.found, a.answer) for q, a in zip(questions, answers)]
        columns = [("engine", engine_results, None)]
        for method in methods:
            results, threshold = _baseline_results(method, questions)
            columns.append((method.name, results, threshold))
        print(f"\n== {path} ({len(questions)} questions) ==", file=out)
        header = f"{'kind':12s}" + "".join(f"{name:>22s}" for name, _, _ in columns)
        print(header, file=out)
        kinds = sorted({q.kind for q in questions})
        for kind in kinds:
            cells = []
            for _, results, _ in columns:
                ok = sum(r for q, r in zip(questions, results) if q.kind == kind)
                n = sum(1 for q in questions if q.kind == kind)
                cells.append(f"{ok:>4d}/{n:<4d} {_pct(ok, n)}")
            print(f"{kind:12s}" + "".join(f"{c:>22s}" for c in cells), file=out)
        summary_in, summary_ood = [], []
        for _, results, _ in columns:
            (iok, inn), (ook, on) = Tally().split(questions, results)
            summary_in.append(f"{iok:>4d}/{inn:<4d} {_pct(iok, inn)}")
            summary_ood.append(f"{ook:>4d}/{on:<4d} {_pct(ook, on)}")
        print(f"{'in-domain':12s}" + "".join(f"{c:>22s}" for c in summary_in), file=out)
        print(f"{'OOD refused':12s}" + "".join(f"{c:>22s}" for c in summary_ood), file=out)
        for name, _, threshold in columns[1:]:
            print(f"  {name}: best threshold on this set = {threshold:.2f}", file=out)
        (iok, inn), (ook, on) = Tally().split(questions, engine_results)
        ok_targets = (not inn or 100 * iok / inn >= TARGET) and (not on or 100 * ook / on >= TARGET)
        print(f"  engine targets (>= {TARGET:.0f}% both): {'met' if ok_targets else 'NOT met'}", file=out)
        meets = meets and ok_targets
        if verbose:
            for q, a, ok in zip(questions, answers, engine_results):
                if not ok:
                    print(f"MISS [{q.kind}] {q.question!r}\n   expected {q.expected!r}\n   got found={a.found} score={a.score:.1f} {a.answer[:200]!r}", file=out)
    return 0 if meets else 1
