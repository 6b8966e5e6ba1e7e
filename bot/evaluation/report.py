"""`python -m bot eval FILE...`: accuracy by kind and out-of-domain rejection, engine and
baselines side by side in one run."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from ..search.engine import Answer, Engine
from .baselines import BM25Baseline, WRatioBaseline
from .questions import LabelledQuestion, is_conversation_file, load_conversations, load_questions

Baseline = WRatioBaseline | BM25Baseline

TARGET = 95.0
FOLLOW_UP_TARGET = 90.0
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
    engine: Engine, files: list[Path], verbose: bool = False, baselines: bool = True, out: TextIO = sys.stdout,
    without_phrasings: Engine | None = None,
) -> int:
    """Print the comparison for each file; exit code 0 when the engine meets both targets.
    ``without_phrasings`` is the same knowledge with every phrasings list emptied (the
    ablation: how entries admins add from chat, with no phrasings, are found)."""
    methods: list[Baseline] = [WRatioBaseline(engine.items), BM25Baseline(engine.items)] if baselines else []
    all_met = True
    for path in files:
        if is_conversation_file(path):
            all_met = _conversations(engine, path, verbose, out, without_phrasings) and all_met
            continue
        questions = load_questions(path)
        answers = [engine.answer(q.question) for q in questions]
        columns: list[tuple[str, list[bool], float | None]] = [
            ("engine", [q.is_correct(a.found, a.answer) for q, a in zip(questions, answers)], None)
        ]
        if without_phrasings is not None:
            ablated = [without_phrasings.answer(q.question) for q in questions]
            columns.append(("no phrasings", [q.is_correct(a.found, a.answer) for q, a in zip(questions, ablated)], None))
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
        for name, _, threshold in columns:
            if threshold is not None:
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


COURTESY_KINDS = ("greeting", "thanks", "help")


def _conversations(
    engine: Engine, path: Path, verbose: bool, out: TextIO, without_phrasings: Engine | None
) -> bool:
    """Scripted conversations: each turn answered with the previous turn as its context."""
    scenarios = load_conversations(path)
    engines = [("engine", engine)] + ([("no phrasings", without_phrasings)] if without_phrasings else [])
    columns: list[tuple[str, list[bool]]] = []
    misses: list[str] = []
    turns = [turn for scenario in scenarios for turn in scenario]
    for name, used in engines:
        results = []
        for scenario in scenarios:
            context: Answer | None = None
            for turn in scenario:
                answer = used.answer(turn.question, context=context)
                ok = turn.is_correct(answer.found, answer.answer, answer.kind in COURTESY_KINDS)
                results.append(ok)
                if not ok and used is engine:
                    misses.append(f"MISS [{turn.scenario} {turn.kind}] {turn.question!r}\n   expected {turn.expected!r}\n"
                                  f"   got found={answer.found} {answer.answer[:160]!r}")
                context = answer if answer.item else context
        columns.append((name, results))
    print(f"\n== {path} ({len(scenarios)} conversations, {len(turns)} turns) ==", file=out)
    print(f"{'kind':12s}" + "".join(name.rjust(COLUMN) for name, _ in columns), file=out)
    for kind in sorted({t.kind for t in turns}):
        rows = [i for i, t in enumerate(turns) if t.kind == kind]
        print(f"{kind:12s}" + "".join(_cell(results, rows) for _, results in columns), file=out)
    every = list(range(len(turns)))
    print(f"{'all turns':12s}" + "".join(_cell(results, every) for _, results in columns), file=out)
    follow = [i for i, t in enumerate(turns) if t.kind == "followup"]
    met = not follow or 100 * sum(columns[0][1][i] for i in follow) / len(follow) >= FOLLOW_UP_TARGET
    print(f"  follow-up target (>= {FOLLOW_UP_TARGET:.0f}% of follow-up turns): {'met' if met else 'NOT met'}", file=out)
    if verbose:
        print("\n".join(misses), file=out)
    return met
