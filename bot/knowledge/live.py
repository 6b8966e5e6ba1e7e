"""The search engine over what the store holds now: items built from the tables with their
sentence vectors, and an engine that is rebuilt in the background whenever the knowledge (or
the set of computed vectors) changes, while the vectors still missing are computed."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import threading

from ..search.engine import Engine
from ..search.semantic import SemanticIndex, load_embedder
from ..search.text import ADDRESS_TERM
from .catalog import StoredCatalog, load_items, open_index, stored_vectors
from .store import KnowledgeStore
from .vectors import VectorStore, compute, missing, needed

log = logging.getLogger(__name__)


def build_engine(
    store: KnowledgeStore, today: dt.date | None = None, phrasings: bool = True, semantic: bool = True,
    address: str = ADDRESS_TERM,
) -> Engine:
    """An engine answering from everything the store holds: its index loaded from beside the
    database (or built from the stored term ids), its items read when they are candidates.
    Without ``phrasings``, as if no entry had alternative wordings (what an entry an admin adds
    from chat looks like; built in memory). Items whose vectors are computed are also matched
    by meaning, when the model loads."""
    embedder = load_embedder() if semantic else None
    if not phrasings or str(store.path) == ":memory:":
        items = load_items(store)
        if not phrasings:
            for item in items:
                item.phrasings = []
        vectors = VectorStore(store.db).get_many(needed(items, embedder.name)) if embedder is not None else {}
        meaning = SemanticIndex(items, vectors, embedder) if embedder is not None else None
        return Engine(items, today=today, semantic=meaning, address=address)
    index, keys = open_index(store)
    catalog = StoredCatalog(store.path, keys)
    meaning = SemanticIndex.from_rows(len(keys), stored_vectors(store, catalog), embedder) if embedder else None
    return Engine(catalog, today=today, semantic=meaning, address=address, index=index)


class LiveEngine:
    """The engine for the knowledge as it is now. When the store's version changes (an edit
    from chat, or from the command line in another process, or new vectors) a new engine is
    built in a worker thread while the old one keeps answering, then swapped in; outside an
    event loop (the console, the command line) it is rebuilt at once. Texts without a vector
    are embedded in a worker afterwards, a few at a time, and the engine rebuilt when done."""

    def __init__(self, store: KnowledgeStore, today: dt.date | None = None, address: str = ADDRESS_TERM) -> None:
        self.store = store
        self.today = today
        self.address = address
        self._engine = build_engine(store, today, address=address)
        self._version = store.version()
        self.building: asyncio.Future | None = None
        self.embedding: asyncio.Future | None = None
        self.vector_progress: tuple[int, int] = (0, 0)
        """Texts embedded so far out of those found missing (both 0 when nothing is pending)."""
        self._stopping = threading.Event()

    def stop(self) -> None:
        """Stop background work at the next batch (the process is shutting down)."""
        self._stopping.set()

    @property
    def latest(self) -> Engine:
        """The engine built last, without looking for changes."""
        return self._engine

    def current(self) -> Engine:
        version = self.store.version()
        if version != self._version and self.building is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                self._engine, self._version = self._build(), version
            else:
                self.building = loop.run_in_executor(None, self._build)
                self.building.add_done_callback(lambda done: self._swap(done, version))
        return self._engine

    def _build(self) -> Engine:
        store = KnowledgeStore(self.store.path)  # a thread of its own needs its own connection
        try:
            return build_engine(store, self.today, address=self.address)
        finally:
            store.db.close()

    def _swap(self, done: asyncio.Future, version: str) -> None:
        self.building = None
        if done.exception() is None:
            self._engine, self._version = done.result(), version
            self._embed_missing()
        else:
            log.error("rebuilding the search index failed; answering from the previous one", exc_info=done.exception())

    def _embed_missing(self) -> None:
        """Start embedding the texts of items that have no vector yet (new or edited entries)."""
        engine = self._engine
        covered = engine.semantic.covered if engine.semantic is not None else 0
        if engine.semantic is None or covered >= len(engine.items) or self.embedding is not None or self._stopping.is_set():
            return
        self.embedding = asyncio.get_running_loop().run_in_executor(None, self._embed)
        self.embedding.add_done_callback(self._embedded)

    def _embed(self) -> int:
        store = KnowledgeStore(self.store.path)
        embedder = load_embedder()
        try:
            vectors = VectorStore(store.db)
            todo = missing(load_items(store), vectors, embedder.name) if embedder is not None else {}
            if not todo or embedder is None:
                return 0
            self.vector_progress = (0, len(todo))

            def progress(done: int, total: int) -> None:
                self.vector_progress = (done, total)

            done = compute(todo, vectors, embedder, progress, self._stopping)
            store.vectors_changed()
            return done
        finally:
            store.db.close()

    def _embedded(self, done: asyncio.Future) -> None:
        self.embedding = None
        self.vector_progress = (0, 0)
        if done.exception() is not None:
            log.error("computing sentence vectors failed; those items are matched by words", exc_info=done.exception())
