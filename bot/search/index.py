"""Candidate retrieval: a BM25 inverted index over folded syllables, syllable pairs and aliases.

The index is a handful of numpy arrays: per item the ids and weights of its terms (CSR), and
per term the items using it (CSC, the postings). Built from term ids the knowledge layer stores
per item, it takes no text processing; saved beside the database it is loaded memory-mapped,
so a process starts answering without building anything. Scoring is a handful of numpy
operations per query term; the expensive fuzzy comparisons then run on the few candidates only.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

# BM25 parameters: low length normalisation, since an item's length mostly reflects how many
# phrasings an editor wrote, not how wordy it is.
K1 = 1.2
B = 0.3

_ARRAYS = ("doc_offsets", "doc_terms", "doc_weights", "post_offsets", "post_docs", "post_weights", "df", "idf")


class InvertedIndex:
    """BM25 over weighted term bags; items are addressed by their position (doc), terms by id.
    ``vocab`` may hold terms no item uses any more (ids are never reused): they count as
    unknown."""

    def __init__(self, vocab: Sequence[str], arrays: Mapping[str, np.ndarray]) -> None:
        self.arrays = dict(arrays)
        self._doc_offsets, self._doc_terms = arrays["doc_offsets"], arrays["doc_terms"]
        self._post_offsets, self._post_docs, self._post_weights = (
            arrays["post_offsets"], arrays["post_docs"], arrays["post_weights"])
        self.df, self.idf = arrays["df"], arrays["idf"]
        self.size = len(self._doc_offsets) - 1
        self.terms: Sequence[str] = vocab
        self.vocab: dict[str, int] = {term: tid for tid, term in enumerate(vocab)}
        self.unknown_idf = float(math.log(1.0 + (max(self.size, 1) + 0.5) / 0.5))

    # --- building -----------------------------------------------------------------------

    @classmethod
    def from_bags(cls, bags: Sequence[Mapping[str, float]]) -> InvertedIndex:
        """An index over term bags given as text (ids assigned here, in order of first use)."""
        vocab: dict[str, int] = {}
        ids: list[int] = []
        weights: list[float] = []
        offsets = [0]
        for bag in bags:
            for term, tf in bag.items():
                ids.append(vocab.setdefault(term, len(vocab)))
                weights.append(tf)
            offsets.append(len(ids))
        return cls.from_ids(
            list(vocab), np.asarray(offsets, np.int64), np.asarray(ids, np.int32), np.asarray(weights, np.float32)
        )

    @classmethod
    def from_ids(
        cls, vocab: Sequence[str], doc_offsets: np.ndarray, doc_terms: np.ndarray, doc_weights: np.ndarray,
    ) -> InvertedIndex:
        """An index over per-item term ids and weights (CSR: item ``d`` owns the slice
        ``doc_offsets[d]:doc_offsets[d+1]``): array operations only, no text."""
        size = len(doc_offsets) - 1
        doc_terms = doc_terms.astype(np.int32, copy=False)
        doc_weights = doc_weights.astype(np.float32, copy=False)
        docs = np.repeat(np.arange(size, dtype=np.int32), np.diff(doc_offsets))
        df = np.bincount(doc_terms, minlength=len(vocab)).astype(np.int32)
        n = max(size, 1)
        idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5)).astype(np.float32)
        lengths = np.bincount(docs, weights=doc_weights, minlength=size).astype(np.float32)
        avgdl = float(lengths.mean()) if size else 1.0
        norm = (K1 * (1 - B + B * lengths / max(avgdl, 1e-9))).astype(np.float32)
        weights = idf[doc_terms] * doc_weights * np.float32(K1 + 1) / (doc_weights + norm[docs])
        order = np.argsort(doc_terms, kind="stable")
        post_docs = docs[order]
        del docs
        post_weights = weights[order]
        del weights, order
        post_offsets = np.concatenate(([0], np.cumsum(df, dtype=np.int64)))
        return cls(vocab, {
            "doc_offsets": np.asarray(doc_offsets, np.int64), "doc_terms": doc_terms, "doc_weights": doc_weights,
            "post_offsets": post_offsets, "post_docs": post_docs, "post_weights": post_weights, "df": df, "idf": idf,
        })

    # --- on disk --------------------------------------------------------------------------

    def save(self, folder: Path, extra: Mapping[str, str] | None = None) -> None:
        """Write the index as .npy files, its terms and the ``extra`` text files, into
        a folder made whole before it appears under its name (a reader never sees half an
        index)."""
        folder.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".index-", dir=folder.parent))
        try:
            for name in _ARRAYS:
                np.save(work / f"{name}.npy", np.asarray(self.arrays[name]))
            (work / "terms.json").write_text(json.dumps(list(self.terms)), encoding="utf-8")
            for name, text in (extra or {}).items():
                (work / name).write_text(text, encoding="utf-8")
            os.replace(work, folder)
        except OSError:
            shutil.rmtree(work, ignore_errors=True)
            if not folder.exists():
                raise  # another process did not write it either

    @classmethod
    def load(cls, folder: Path) -> InvertedIndex:
        """An index saved by :meth:`save`, its arrays memory-mapped (pages are read on use)."""
        arrays = {name: np.load(folder / f"{name}.npy", mmap_mode="r") for name in _ARRAYS}
        return cls(json.loads((folder / "terms.json").read_text(encoding="utf-8")), arrays)

    # --- reading --------------------------------------------------------------------------

    def inverse_vocab(self) -> Sequence[str]:
        """Terms by id (only typo-tolerant coverage needs it)."""
        return self.terms

    def known_words(self) -> list[str]:
        """The terms some item uses (the words typos are repaired to)."""
        used = np.flatnonzero(np.asarray(self.df) > 0)
        return [self.terms[t] for t in used.tolist()]

    def term_id(self, term: str) -> int | None:
        """The id of a term some item uses; None for a term no item uses."""
        tid = self.vocab.get(term)
        return tid if tid is not None and self.df[tid] else None

    def doc_freq(self, term: str) -> int:
        tid = self.vocab.get(term)
        return int(self.df[tid]) if tid is not None else 0

    def share_with_all(self, terms: list[str]) -> float:
        """The share of items indexed under every one of ``terms`` (how little they single out)."""
        docs: set[int] | None = None
        for term in terms:
            tid = self.term_id(term)
            if tid is None:
                return 0.0
            lo, hi = self._post_offsets[tid], self._post_offsets[tid + 1]
            found = set(self._post_docs[lo:hi].tolist())
            docs = found if docs is None else docs & found
        return len(docs or ()) / max(self.size, 1)

    def count_with_all(self, terms: list[str], enough: int) -> int:
        """How many items are indexed under every one of ``terms``, counted up to ``enough``
        at least (the rarest term's items are checked against the others' sorted postings)."""
        ids = sorted((tid for t in terms if (tid := self.term_id(t)) is not None), key=lambda t: self.df[t])
        if len(ids) < len(terms) or not ids:
            return 0
        docs = np.asarray(self._post_docs[self._post_offsets[ids[0]]:self._post_offsets[ids[0] + 1]])
        for tid in ids[1:]:
            if len(docs) < enough:
                break
            posting = self._post_docs[self._post_offsets[tid]:self._post_offsets[tid + 1]]
            at = np.searchsorted(posting, docs)
            docs = docs[(at < len(posting)) & (posting[np.minimum(at, len(posting) - 1)] == docs)]
        return len(docs)

    def idf_of(self, term: str) -> float:
        tid = self.term_id(term)
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
            if hi > lo:
                scores[self._post_docs[lo:hi]] += self._post_weights[lo:hi] * weight
                hit = True
        if not hit:
            return []
        k = min(k, self.size)
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(d), float(scores[d])) for d in top if scores[d] > 0]
