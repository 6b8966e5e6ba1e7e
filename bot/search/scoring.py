"""How sure the engine is that an item answers a question: the features and their weights.

A raw fuzzy score is not a confidence (unrelated short questions score 40-60), so confidence is
built from absolute features of one question against one item: the IDF-weighted share of the
question's words the item knows, the share one single phrasing covers, fuzzy similarity to the
closest phrasing, and factors for numbers and places the item does not know.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from . import lexicon
from .analysis import Query, bigrams
from .index import InvertedIndex
from .items import Item

W_COVERAGE = 0.49
W_PHRASING = 0.30
W_FUZZY = 0.21
"""Confidence = how much of the question the item's words cover, how much of it one single
phrasing covers (a real paraphrase matches one way of asking, not words picked from all over
the item), and fuzzy similarity to the closest phrasing. Calibrated on eval/questions.tsv."""
MISSING_NUMBER = 0.6
NUMBER_IN_PASSING = 0.85
OTHER_PLACE = 0.5
UNKNOWN_NAME = 0.6
OPPOSITE = 0.5
"""Score factors: a number the question names is absent from the item, or only in its answer
text; a place the question names ("huyện Bình Xuyên") is absent from the item; the question
names someone or something no item knows ("Trung Quốc"); the item says the opposite of what
the question asks ("tối thiểu" for "tối đa") and never what it asks."""


@dataclass
class Candidate:
    """A scored item: ``score`` is the confidence (0-100) the found decision uses; ``rank``
    adds preferences that only order equally likely items."""

    item: Item
    doc: int
    score: float
    rank: float
    coverage: float
    fuzzy: float
    phrase: float = 0.0
    """The share of the question one single text of the item holds."""


class QueryWeights:
    """The question's content words and word pairs with their IDF weights."""

    PAIR_WEIGHT = 0.5
    FUZZY_CREDIT = 0.7
    CONFLICT_CREDIT = 0.3
    """Credit for a word that matches only once folded, where the item spells it with other
    diacritics than the user did (lương against lượng)."""

    def __init__(self, unigrams: list[tuple[str, float]], pairs: list[tuple[str, float]]) -> None:
        self.unigrams = unigrams
        self.pairs = pairs
        self.total = sum(w for _, w in unigrams) + self.PAIR_WEIGHT * sum(w for _, w in pairs)

    def share(self, words: set[str], conflicts: Set[str] = frozenset()) -> float:
        """Share of the question's word weight found in one phrasing's words (0-1)."""
        total = sum(w for _, w in self.unigrams)
        if total <= 0:
            return 0.0
        got = sum(w * (self.CONFLICT_CREDIT if t in conflicts else 1.0) for t, w in self.unigrams if t in words)
        return got / total

    def coverage(self, known: set[int], index: InvertedIndex, conflicts: Set[str] = frozenset()) -> float:
        """Share of the question's weight that an item's words account for (0-1)."""
        if self.total <= 0:
            return 0.0
        got = 0.0
        known_words: list[str] | None = None
        for term, weight in self.unigrams:
            tid = index.term_id(term)
            if tid is not None and tid in known:
                got += weight * (self.CONFLICT_CREDIT if term in conflicts else 1.0)
            elif len(term) >= 4 and not term.isdigit() and tid is None:
                if known_words is None:
                    inverse = index.terms
                    known_words = [inverse[t] for t in known if "_" not in inverse[t]]
                if any(
                    abs(len(w) - len(term)) <= 1 and Levenshtein.distance(term, w, score_cutoff=1) <= 1
                    for w in known_words
                ):
                    got += weight * self.FUZZY_CREDIT
        for term, weight in self.pairs:
            tid = index.term_id(term)
            if tid is not None and tid in known:
                clash = any(part in conflicts for part in term.split("_"))
                got += self.PAIR_WEIGHT * weight * (self.CONFLICT_CREDIT if clash else 1.0)
        return got / self.total


def content_weights(query: Query, index: InvertedIndex) -> QueryWeights:
    unigrams = [(t, index.idf_of(t)) for t in dict.fromkeys(query.content)]
    pairs = [
        (p, index.idf_of(p))
        for p in dict.fromkeys(bigrams(query.tokens))
        if not any(part in lexicon.STOPWORDS or part.isdigit() for part in p.split("_"))
    ]
    return QueryWeights(unigrams, pairs)
