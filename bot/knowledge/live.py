"""The search engine over what the store holds now: items built from the tables, and an
engine that is rebuilt in the background whenever the knowledge changes."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from ..search.engine import Engine
from ..search.items import FaqItem, Item, MetricItem, PassageItem, StatRow
from ..search.periods import Month, Period, describe_bounds
from .store import KnowledgeStore

log = logging.getLogger(__name__)


def build_engine(store: KnowledgeStore, today: dt.date | None = None, phrasings: bool = True) -> Engine:
    """An engine answering from everything the store holds; without ``phrasings``, as if no
    entry had alternative wordings (what an entry an admin adds from chat looks like)."""
    items = load_items(store)
    if not phrasings:
        for item in items:
            item.phrasings = []
    return Engine(items, today=today)


def load_items(store: KnowledgeStore) -> list[Item]:
    """Every searchable item in the store: entries, metrics with their figures, passages."""
    items: list[Item] = []
    for row in store.entries():
        items.append(
            FaqItem(
                key=f"entry:{row['id']}", title=row["question"], phrasings=row["phrasings"], body=row["answer"],
                source=row["source"], as_of=row["as_of"], tags=row["tags"], gap=row["gap"],
            )
        )
    stats: dict[str, list[StatRow]] = {}
    for row in store.statistics():
        period = Period(
            Month.parse(row["period_start"]) if row["period_start"] else None,
            Month.parse(row["period_end"], end=True) if row["period_end"] else None,
        )
        stats.setdefault(row["metric"], []).append(
            StatRow(
                row["value"], row["value_max"], row["unit"], period, row["scope"], row["source"], row["note"],
                label=describe_bounds(row["period_start"], row["period_end"]),
            )
        )
    for row in store.metrics():
        rows = stats.get(row["key"], [])
        items.append(
            MetricItem(
                key=f"metric:{row['key']}", title=row["label"], phrasings=row["phrasings"],
                body=" ".join(f"{r.value_text()} {r.unit} {r.note}" for r in rows),
                source=rows[-1].source if rows else None, unit=row["unit"], scope=row["scope"], rows=rows,
            )
        )
    for row in store.passages():
        title = f"{row['document']} – {row['section']}" if row["section"] else row["document"]
        items.append(
            PassageItem(key=f"passage:{row['id']}", title=title, phrasings=[], body=row["text"], source=row["source"])
        )
    return items


class LiveEngine:
    """The engine for the knowledge as it is now. When the store's version changes (an edit
    from chat, or from the command line in another process) a new engine is built in a worker
    thread while the old one keeps answering, then swapped in; outside an event loop (the
    console, the command line) it is rebuilt at once."""

    def __init__(self, store: KnowledgeStore, today: dt.date | None = None) -> None:
        self.store = store
        self.today = today
        self._engine = build_engine(store, today)
        self._version = store.version()
        self.building: asyncio.Future | None = None

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
            return build_engine(store, self.today)
        finally:
            store.db.close()

    def _swap(self, done: asyncio.Future, version: str) -> None:
        self.building = None
        if done.exception() is None:
            self._engine, self._version = done.result(), version
        else:
            log.error("rebuilding the search index failed; answering from the previous one", exc_info=done.exception())
