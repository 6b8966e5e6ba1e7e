"""What matching needs of one item, worked out once when the item is written: the folded and
rewritten texts it is asked by, its weighted index terms, the numbers it is about and how it
is asked. The knowledge layer stores it beside the item, so that building the index never folds
text again and an edit re-prepares one item, not all."""

from __future__ import annotations

import hashlib
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from . import analysis, lexicon
from . import text as folding
from .analysis import article_number, goes_up, index_terms, initialism, named_places, normalize, question_types
from .items import Item


def _version() -> str:
    """A fingerprint of the code and word lists preparing depends on: any change to them (a new
    abbreviation, synonym, rewrite) gives another version, and stored preparations of another
    version are redone when the store is opened."""
    digest = hashlib.sha1()
    for module in (lexicon, analysis, folding, sys.modules[__name__]):
        digest.update(Path(module.__file__ or "").read_bytes())
    return digest.hexdigest()[:12]

BODY_WEIGHT = 0.5
"""Answer text counts half as much as the phrasings an item is asked by."""


@dataclass(frozen=True)
class Prepared:
    """One item as the matcher sees it. ``terms`` are its index terms with their weights (1 per
    phrasing use, ``BODY_WEIGHT`` per answer use); ``texts`` its question and phrasings folded
    and rewritten, ``plain`` the same without stop words; ``subject`` the numbers in those
    texts (what the item is about, as opposed to numbers its answer mentions in passing)."""

    terms: dict[str, float]
    texts: list[str]
    plain: list[str]
    subject: list[str]
    types: frozenset[str]
    upward: bool = False
    """Whether the item speaks of cadres going up a level (see analysis.goes_up)."""

    def to_record(self) -> dict:
        """A JSON-able form, without the terms (stored as ids)."""
        return {"texts": self.texts, "plain": self.plain, "subject": self.subject, "types": sorted(self.types),
                "upward": self.upward}

    @classmethod
    def from_record(cls, record: dict) -> Prepared:
        """A stored preparation, without its terms (the index holds them)."""
        return cls({}, record["texts"], record["plain"], record["subject"], frozenset(record["types"]),
                   record.get("upward", False))


def prepare(item: Item) -> Prepared:
    """Fold, rewrite and tokenise an item's texts once."""
    bag: Counter[str] = Counter()
    texts, plain = [], []
    for text in item.texts():
        tokens = normalize(text)
        texts.append(" ".join(tokens))
        plain.append(" ".join(t for t in tokens if t not in lexicon.STOPWORDS))
        bag.update(index_terms(tokens))
    terms: dict[str, float] = {t: float(n) for t, n in bag.items()}
    body = normalize(item.body)
    for term in index_terms(body):
        terms[term] = terms.get(term, 0.0) + BODY_WEIGHT
    for place in named_places(" ".join([*item.texts(), item.body])):
        key = initialism(place)
        terms[key] = terms.get(key, 0.0) + 1.0
    subject = sorted({n for text in texts for n in _subject_numbers(text.split())})
    types = frozenset().union(*(question_types(text.split()) for text in texts))
    upward = goes_up(" ".join([*texts, *body]))
    return Prepared(terms, texts, plain, subject, types, upward)


def _subject_numbers(tokens: list[str]) -> list[str]:
    """The numbers a text is about, with a document part's also by its word ("dieu_4")."""
    found = [t for t in tokens if t.isdigit()]
    return found + [f"{tokens[i - 1]}_{t}" for i, t in enumerate(tokens) if t.isdigit() and article_number(tokens, i)]


VERSION = _version()
