"""Sentence vectors of the knowledge's texts, kept in SQLite by a hash of model, kind and text.

A text is embedded once, whichever entry holds it and however often the index is rebuilt.
Entries are written first; their vectors are computed afterwards, in the background (the bot)
or by `python -m bot kb vectors`, and until then the entry is matched by its words. The seed's
vectors ship precomputed (knowledge/vectors.npz), so a fresh install answers at once.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import sqlite_utils

from ..search.items import Item
from ..search.semantic import Embedder, texts_of, vector_key
from .db import transaction

SHIPPED = "vectors.npz"
"""The seed's vectors, beside the knowledge files."""
BATCH = 8
"""Texts embedded at a time in the background: short enough that a question waiting for the
model (one at a time) waits a few tens of milliseconds at most."""
_CHUNK = 500


class VectorStore:
    """The `vectors` table: key → float16 vector."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        with transaction(db):
            db.table("vectors").create({"key": str, "vec": bytes}, pk="key", if_not_exists=True)

    def get_many(self, keys: Iterable[str]) -> dict[str, np.ndarray]:
        keys = list(dict.fromkeys(keys))
        found: dict[str, np.ndarray] = {}
        for i in range(0, len(keys), _CHUNK):
            chunk = keys[i : i + _CHUNK]
            rows = self.db.execute(
                f"select key, vec from vectors where key in ({', '.join('?' * len(chunk))})", chunk
            ).fetchall()
            found.update((key, np.frombuffer(blob, dtype=np.float16).astype(np.float32)) for key, blob in rows)
        return found

    def put_many(self, vectors: dict[str, np.ndarray]) -> None:
        with transaction(self.db):
            self.db.conn.executemany(
                "insert or replace into vectors (key, vec) values (?, ?)",
                [(key, np.asarray(v, dtype=np.float16).tobytes()) for key, v in vectors.items()],
            )

    def count(self) -> int:
        return self.db.execute("select count(*) from vectors").fetchone()[0]


def needed(items: Iterable[Item], model: str) -> dict[str, tuple[str, str]]:
    """key → (kind, text) of every text the items are embedded by."""
    return {vector_key(kind, text, model): (kind, text) for item in items for kind, text in texts_of(item)}


def missing(items: list[Item], vectors: VectorStore, model: str) -> dict[str, tuple[str, str]]:
    """The texts of the items that have no vector yet."""
    wanted = needed(items, model)
    have = vectors.get_many(wanted)
    return {key: text for key, text in wanted.items() if key not in have}


def compute(
    todo: dict[str, tuple[str, str]], vectors: VectorStore, embedder: Embedder,
    progress: Callable[[int, int], None] | None = None, stop: threading.Event | None = None,
) -> int:
    """Embed and store the given texts, a few at a time (each batch its own short write),
    until done or ``stop`` is set; returns how many were stored."""
    pending = list(todo.items())
    done = 0
    for i in range(0, len(pending), BATCH):
        if stop is not None and stop.is_set():
            break
        batch = pending[i : i + BATCH]
        computed: dict[str, np.ndarray] = {}
        for kind in {kind for _, (kind, _) in batch}:
            chosen = [(key, text) for key, (k, text) in batch if k == kind]
            for (key, _), vector in zip(chosen, embedder.embed([t for _, t in chosen], kind)):
                computed[key] = vector
        vectors.put_many(computed)
        done += len(batch)
        if progress is not None:
            progress(done, len(pending))
    return done


def import_shipped(vectors: VectorStore, folder: Path, known: Callable[[str], str | None],
                   remember: Callable[[str, str], None]) -> int:
    """Load the shipped vectors of the seed once per file version; returns how many."""
    path = folder / SHIPPED
    if not path.is_file():
        return 0
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if known("vectors_digest") == digest:
        return 0
    with np.load(path) as shipped:
        keys = [str(k) for k in shipped["keys"]]
        matrix = shipped["vectors"]
    vectors.put_many(dict(zip(keys, matrix)))
    remember("vectors_digest", digest)
    return len(keys)


def ship(items: list[Item], vectors: VectorStore, model: str, path: Path) -> int:
    """Write the vectors of the items to a file shipped with the seed; returns how many."""
    wanted = needed(items, model)
    have = vectors.get_many(wanted)
    keys = sorted(have)
    np.savez_compressed(path, keys=np.array(keys), vectors=np.stack([have[k] for k in keys]).astype(np.float16))
    return len(keys)
