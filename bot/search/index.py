"""Candidate retrieval: a BM25 inverted index over folded syllables, syllable pairs and aliases.

Scoring is a handful of numpy operations per query term, so retrieval stays a few milliseconds
at 100,000 items; the expensive fuzzy comparisons then run on the few candidates only.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np

# BM25 parameters: low length normalisation, since an item's length mostly reflects how many
# phrasings an editor wrote, not how wordy it is.
K1 = 1.2
B = 0.3


class InvertedIndex:
    """BM25 over weighted term bags; items are addressed by their position in the build list."""

    def __init__(self, bags: Sequence[Counter[str]]) -> None:
        self.size = len(bags)
        vocab: dict[str, int] = {}
        term_ids: list[int] = []
        doc_ids: list[int] = []
        tfs: list[float] = []
        lengths = np.zeros(max(self.size, 1), dtype=np.float32)
        offsets = [0]
        for doc, bag in enumerate(bags):
            for term, tf in bag.items():
                tid = vocab.setdefault(term, len(vocab))
                term_ids.append(tid)
                doc_ids.append(doc)
                tfs.append(tf)
            lengths[doc] = sum(bag.values())
            offsets.append(len(term_ids))
        self.vocab = vocab
        self._inverse: list[str] | None = None
        # Per item, the ids of its terms (CSR layout): the scorers' "which words does it know".
        self._doc_terms = np.asarray(term_ids, dtype=np.int32)
        self._doc_offsets = np.asarray(offsets, dtype=np.int64)
        tid_arr = np.asarray(term_ids, dtype=np.int32)
        doc_arr = np.asarray(doc_ids, dtype=np.int32)
        tf_arr = np.asarray(tfs, dtype=np.float32)
        self.df = np.bincount(tid_arr, minlength=len(vocab)).astype(np.int32)
        n = max(self.size, 1)
        self.idf = np.log(1.0 + (n - self.df + 0.5) / (self.df + 0.5)).astype(np.float32)
        self.unknown_idf = float(math.log(1.0 + (n + 0.5) / 0.5))
        avgdl = float(lengths.mean()) if self.size else 1.0
        norm = K1 * (1 - B + B * lengths / max(avgdl, 1e-9))
        weights = self.idf[tid_arr] * tf_arr * (K1 + 1) / (tf_arr + norm[doc_arr])
        order = np.argsort(tid_arr, kind="stable")
        self._post_docs = doc_arr[order]
        self._post_weights = weights[order].astype(np.float32)
        self._post_offsets = np.concatenate(([0], np.cumsum(self.df))).astype(np.int64)

    def inverse_vocab(self) -> list[str]:
        """Terms by id (built on first use: only typo-tolerant coverage needs it)."""
        if self._inverse is None:
            self._inverse = list(self.vocab)
        return self._inverse

    def term_id(self, term: str) -> int | None:
        return self.vocab.get(term)

    def doc_freq(self, term: str) -> int:
        tid = self.vocab.get(term)
        return int(self.df[tid]) if tid is not None else 0

    def share_with_all(self, terms: list[str]) -> float:
        """The share of items indexed under every one of ``terms`` (how little they single out)."""
        docs: set[int] | None = None
        for term in terms:
            tid = self.vocab.get(term)
            if tid is None:
                return 0.0
            lo, hi = self._post_offsets[tid], self._post_offsets[tid + 1]
            found = set(self._post_docs[lo:hi].tolist())
            docs = found if docs is None else docs & found
        return len(docs or ()) / max(self.size, 1)

    def idf_of(self, term: str) -> float:
        tid = self.vocab.get(term)
        return float(self.idf[tid]) if tid is not None else self.unknown_idf

    def terms_of(self, doc: int) -> set[int]:
        """Ids of every term an item was indexed under."""
        lo, hi = self._doc_offsets[doc], self._doc_offsets[doc + 1]
        return set(self._doc_terms[lo:hi].tolist())

    def search(self, terms: Sequence[tuple[str, float]], k: int) -> list[tuple[int, float]]:
        """Top ``k`` items for weighted query terms, best first, as (item, BM25 score)."""
        if not self.size:
            return []
        scores = np.zeros(self.size, dtype=np.float32)
        hit = False
        for term, weight in terms:
            tid = self.vocab.get(term)
            if tid is None:
                continue
            lo, hi = self._post_offsets[tid], self._post_offsets[tid + 1]
            scores[self._post_docs[lo:hi]] += self._post_weights[lo:hi] * weight
            hit = True
        if not hit:
            return []
        k = min(k, self.size)
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(d), float(scores[d])) for d in top if scores[d] > 0]
