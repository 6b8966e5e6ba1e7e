"""Two plain methods over the same knowledge items, to show what the engine's mechanisms add.

Both answer with the best item's text when its score clears a threshold; the report picks each
baseline's best threshold on the question set itself, which flatters them.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

from rapidfuzz import fuzz, process

from ..search.analysis import Analyzer
from ..search.items import Item
from ..search.text import fold_for_matching, tokenize


def _render(item: Item) -> str:
    query = Analyzer(lambda term: 0).analyze("")
    return item.render(query, dt.date.today()).text


class WRatioBaseline:
    """rapidfuzz WRatio between the raw question and each raw phrasing of every item."""

    name = "rapidfuzz WRatio"

    def __init__(self, items: Sequence[Item]) -> None:
        self.items = list(items)
        self.choices: list[str] = []
        self.owner: list[int] = []
        for i, item in enumerate(self.items):
            for text in item.texts():
                self.choices.append(text)
                self.owner.append(i)

    def best(self, question: str) -> tuple[str, float]:
        hit = process.extractOne(question, self.choices, scorer=fuzz.WRatio)
        if hit is None:
            return "", 0.0
        return _render(self.items[self.owner[hit[2]]]), float(hit[1])


class BM25Baseline:
    """bm25s over folded syllables of each item's phrasings and answer."""

    name = "BM25 (bm25s)"

    def __init__(self, items: Sequence[Item]) -> None:
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)  # it sets itself to DEBUG on import
        self.items = list(items)
        corpus = [tokenize(fold_for_matching(" ".join([*item.texts(), item.body]))) for item in self.items]
        self.retriever = bm25s.BM25()
        self.retriever.index(corpus, show_progress=False)

    def best(self, question: str) -> tuple[str, float]:
        tokens = tokenize(fold_for_matching(question))
        if not tokens:
            return "", 0.0
        vocab = self.retriever.vocab_dict
        if not any(t in vocab for t in tokens):
            return "", 0.0
        docs, scores = self.retriever.retrieve([tokens], k=1, show_progress=False)
        return _render(self.items[int(docs[0][0])]), float(scores[0][0])
