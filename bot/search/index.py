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

PRUNE_FROM = 50_000
COMMON_SHARE = 0.02
"""From this many items, a term found in more than this share of them is common: it scores only
the items that a rarer term of the question already found (see InvertedIndex.search)."""
_PROBE = 4096
"""Items of the rarest term checked at a time against the other terms' postings."""
_SLICE = 1 << 20
"""Postings placed at a time while building."""
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
        """Terms by id (typo-tolerant coverage reads the words of an item through it)."""
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
        ``doc_offsets[d]:doc_offsets[d+1]``): array operations only, no text. The postings are
        placed a slice at a time, so that memory stays near the size of the index itself."""
        size = len(doc_offsets) - 1
        doc_offsets = np.asarray(doc_offsets, np.int64)
        doc_terms = doc_terms.astype(np.int32, copy=False)
        doc_weights = doc_weights.astype(np.float32, copy=False)
        df = np.bincount(doc_terms, minlength=len(vocab)).astype(np.int32)
        n = max(size, 1)
        idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5)).astype(np.float32)
        lengths = np.zeros(size, np.float32)
        filled = doc_offsets[:-1] < doc_offsets[1:]
        if filled.any():  # exact in float32: weights are halves
            lengths[filled] = np.add.reduceat(doc_weights, doc_offsets[:-1][filled])
        avgdl = float(lengths.mean()) if size else 1.0
        norm = (K1 * (1 - B + B * lengths / max(avgdl, 1e-9))).astype(np.float32)
        post_offsets = np.concatenate(([0], np.cumsum(df, dtype=np.int64)))
        post_docs = np.empty(len(doc_terms), np.int32)
        post_weights = np.empty(len(doc_terms), np.float32)
        cursor = post_offsets[:-1].copy()
        for lo in range(0, len(doc_terms), _SLICE):  # in item order, so each posting lists items in order
            hi = min(lo + _SLICE, len(doc_terms))
            terms, tf = doc_terms[lo:hi], doc_weights[lo:hi]
            docs = (np.searchsorted(doc_offsets, np.arange(lo, hi), side="right") - 1).astype(np.int32)
            weights = idf[terms] * tf * np.float32(K1 + 1) / (tf + norm[docs])
            order = np.argsort(terms, kind="stable")
            ordered = terms[order]
            place = cursor[ordered] + np.arange(hi - lo) - np.searchsorted(ordered, ordered, side="left")
            post_docs[place] = docs[order]
            post_weights[place] = weights[order]
            cursor += np.bincount(terms, minlength=len(vocab))
        return cls(vocab, {
            "doc_offsets": doc_offsets, "doc_terms": doc_terms, "doc_weights": doc_weights,
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
        # plain views of the mapped files: slicing a np.memmap costs more than the work it serves
        arrays = {name: np.load(folder / f"{name}.npy", mmap_mode="r").view(np.ndarray) for name in _ARRAYS}
        return cls(json.loads((folder / "terms.json").read_text(encoding="utf-8")), arrays)

    # --- reading --------------------------------------------------------------------------

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

    def with_all(self, terms: list[str], enough: int) -> bool:
        """Whether at least ``enough`` items are indexed under every one of ``terms``. The
        rarest term's items are probed a slice at a time against the others' sorted postings,
        so a common combination is settled after the first slice."""
        ids = sorted((tid for t in terms if (tid := self.term_id(t)) is not None), key=lambda t: self.df[t])
        if len(ids) < len(terms) or not ids:
            return False
        postings = [self._post_docs[self._post_offsets[t]:self._post_offsets[t + 1]] for t in ids]
        found = 0
        for start in range(0, len(postings[0]), _PROBE):
            docs = postings[0][start:start + _PROBE]
            for posting in postings[1:]:
                at = np.minimum(np.searchsorted(posting, docs), len(posting) - 1)
                docs = docs[posting[at] == docs]
                if not len(docs):
                    break
            found += len(docs)
            if found >= enough:
                return True
        return False

    def idf_of(self, term: str) -> float:
        tid = self.term_id(term)
        return float(self.idf[tid]) if tid is not None else self.unknown_idf

    def terms_of(self, doc: int) -> set[int]:
        """Ids of every term an item was indexed under."""
        lo, hi = self._doc_offsets[doc], self._doc_offsets[doc + 1]
        return set(self._doc_terms[lo:hi].tolist())

    def holding(self, term: str, limit: int) -> list[int]:
        """The items indexed under a term, when it is rare enough to single out at most ``limit``
        of them; [] otherwise."""
        tid = self.term_id(term)
        if tid is None or self.df[tid] > limit:
            return []
        return [int(d) for d in self._postings(tid)[0]]

    def search(self, terms: Sequence[tuple[str, float]], k: int) -> list[tuple[int, float]]:
        """Top ``k`` items for weighted query terms, best first, as (item, BM25 score). In a
        large base, when the question has a term that is not common, only the items with such a
        term are scored (the common syllables then score just those): an item sharing nothing
        but common syllables with a question is no answer to it, and skipping their long
        postings keeps a question a few milliseconds at 100,000 items."""
        if not self.size:
            return []
        found = [(tid, weight) for term, weight in terms
                 if (tid := self.vocab.get(term)) is not None and self._post_offsets[tid + 1] > self._post_offsets[tid]]
        if not found:
            return []
        common = COMMON_SHARE * self.size
        rare = [tid for tid, _ in found if self.df[tid] <= common]
        if self.size >= PRUNE_FROM and rare:
            docs = np.unique(np.concatenate([self._postings(tid)[0] for tid in rare]))
        else:
            docs = None
        scores = np.zeros(self.size if docs is None else len(docs), dtype=np.float32)
        for tid, weight in found:
            posting, weights = self._postings(tid)
            weights = weights if weight == 1.0 else weights * weight
            if docs is None:
                scores[posting] += weights
            elif self.df[tid] <= common:  # its items are all among the scored ones
                scores[np.searchsorted(docs, posting)] += weights
            else:
                at = np.minimum(np.searchsorted(posting, docs), len(posting) - 1)
                hit = posting[at] == docs
                scores[hit] += weights[at[hit]]
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        ids = top if docs is None else docs[top]
        return [(int(d), float(s)) for d, s in zip(ids, scores[top]) if s > 0]

    def _postings(self, tid: int) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = self._post_offsets[tid], self._post_offsets[tid + 1]
        return self._post_docs[lo:hi], self._post_weights[lo:hi]
