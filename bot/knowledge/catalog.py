"""The knowledge as the engine reads it, made to stay small and quick as it grows.

- Items are built from the tables (an entry, a metric with its figures, a passage).
- Each item is *prepared* once, when it is written, in the same transaction: its folded texts
  and its index terms, stored as int32 ids (``terms`` gives each term its id for good) with
  their weights. Building the index then reads those arrays and does no text work.
- The index is saved beside the database (``bot.db.index/<version>/``, numpy files) and loaded
  memory-mapped by every process; it is rebuilt only when the knowledge changes.
- A :class:`StoredCatalog` reads an item from SQLite only when it is a candidate, so memory does
  not grow with every entry's text.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import sqlite_utils

from ..search import prepared as preparing
from ..search.catalog import Catalog
from ..search.index import InvertedIndex
from ..search.items import FaqItem, Item, MetricItem, PassageItem, Rendered, StatRow
from ..search.periods import Month, Period, describe_bounds
from ..search.prepared import Prepared
from ..search.semantic import MODEL, texts_of, vector_key
from .db import utc_now
from .formats.documents import place

if TYPE_CHECKING:
    from .store import KnowledgeStore

KINDS = {"entry": 0, "metric": 1, "passage": 2}
"""Item kinds in the order the index lists them (then by id)."""
CACHE = 4096
"""Items a stored catalog keeps read (the candidates of recent questions)."""
_CHUNK = 500


def create_tables(db: sqlite_utils.Database) -> None:
    """The tables of prepared items (inside the store's schema transaction)."""
    db.execute("create table if not exists terms (id integer primary key, term text not null unique)")
    db.execute(
        "create table if not exists prepared (key text primary key, kind integer not null, sort text not null, "
        "ids blob not null, weights blob not null, record text not null)"
    )
    db.execute("create index if not exists prepared_order on prepared (kind, sort)")
    db.execute("create table if not exists item_texts (item text not null, kind text not null, text text not null, "
               "vector text not null)")
    db.execute("create index if not exists item_texts_item on item_texts (item)")
    db.execute("create index if not exists item_texts_vector on item_texts (vector)")


# --- items from rows ----------------------------------------------------------------------

def entry_item(row: dict) -> FaqItem:
    return FaqItem(
        key=f"entry:{row['id']}", title=row["question"], label=row.get("title") or "",
        phrasings=_list(row["phrasings"]), body=row["answer"], source=row["source"], as_of=row["as_of"],
        tags=_list(row["tags"]), gap=bool(row["gap"]),
    )


def metric_item(row: dict, statistics: list[dict]) -> MetricItem:
    rows = [
        StatRow(
            r["value"], r["value_max"], r["unit"],
            Period(Month.parse(r["period_start"]) if r["period_start"] else None,
                   Month.parse(r["period_end"], end=True) if r["period_end"] else None),
            r["scope"], r["source"], r["note"], label=describe_bounds(r["period_start"], r["period_end"]),
        )
        for r in statistics
    ]
    return MetricItem(
        key=f"metric:{row['key']}", title=row["label"], phrasings=_list(row["phrasings"]),
        body=" ".join(f"{r.value_text()} {r.unit} {r.note}" for r in rows),
        source=rows[-1].source if rows else None, unit=row["unit"], scope=row["scope"], rows=rows,
    )


def passage_item(row: dict) -> PassageItem:
    title = f"{row['document']} – {row['section']}" if row["section"] else row["document"]
    return PassageItem(key=f"passage:{row['id']}", title=title, phrasings=[], body=row["text"], source=row["source"],
                       document=row["document"], section=row["section"], place=place(row["id"], row["section"]))


def _list(value: str | list) -> list:
    return json.loads(value) if isinstance(value, str) else list(value or [])


def load_items(store: KnowledgeStore) -> list[Item]:
    """Every searchable item in the store, in the index's order: entries, metrics, passages."""
    stats: dict[str, list[dict]] = {}
    for row in store.statistics():
        stats.setdefault(row["metric"], []).append(row)
    items: list[Item] = [entry_item(row) for row in store.entries()]
    items += [metric_item(row, stats.get(row["key"], [])) for row in store.metrics()]
    items += [passage_item(row) for row in store.passages()]
    return items


def read_items(store: KnowledgeStore, keys: Iterable[str]) -> dict[str, Item]:
    """The items of some keys, as they are stored now (absent: removed)."""
    wanted: dict[str, list[str]] = {}
    for key in keys:
        kind, _, ident = key.partition(":")
        wanted.setdefault(kind, []).append(ident)
    found: dict[str, Item] = {}
    for row in store.rows("entries", wanted.get("entry", [])).values():
        if not row["deleted"]:
            found[f"entry:{row['id']}"] = entry_item(row)
    for row in store.rows("metrics", wanted.get("metric", [])).values():
        found[f"metric:{row['key']}"] = metric_item(row, store.statistics(row["key"]))
    for row in store.rows("passages", wanted.get("passage", [])).values():
        found[f"passage:{row['id']}"] = passage_item(row)
    return found


def affected(table: str, changed: Iterable[dict | None]) -> set[str]:
    """The items a change of rows of ``table`` alters (rows before and after the change)."""
    rows = [r for r in changed if r is not None]
    if table == "entries":
        return {f"entry:{r['id']}" for r in rows}
    if table == "metrics":
        return {f"metric:{r['key']}" for r in rows}
    if table == "statistics":
        return {f"metric:{r['metric']}" for r in rows}
    if table == "passages":
        return {f"passage:{r['id']}" for r in rows}
    return set()


# --- preparing items when they are written ---------------------------------------------------

def refresh(store: KnowledgeStore, keys: Iterable[str]) -> None:
    """Prepare the given items again as stored now, or forget those removed (inside the
    caller's transaction)."""
    keys = list(dict.fromkeys(keys))
    db = store.db
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start:start + _CHUNK]
        items = read_items(store, chunk)
        marks = ", ".join("?" * len(chunk))
        db.execute(f"delete from prepared where key in ({marks})", chunk)
        db.execute(f"delete from item_texts where item in ({marks})", chunk)
        _store(db, [items[key] for key in chunk if key in items])


def _store(db: sqlite_utils.Database, items: list[Item]) -> None:
    prepared = [preparing.prepare(item) for item in items]
    ids = _term_ids(db, {term for p in prepared for term in p.terms})
    rows = []
    for item, p in zip(items, prepared):
        kind, _, ident = item.key.partition(":")
        rows.append((
            item.key, KINDS[kind], ident,
            np.fromiter((ids[t] for t in p.terms), np.int32, len(p.terms)).tobytes(),
            np.fromiter(p.terms.values(), np.float32, len(p.terms)).tobytes(),
            json.dumps(p.to_record(), ensure_ascii=False),
        ))
    db.conn.executemany("insert or replace into prepared (key, kind, sort, ids, weights, record) "
                        "values (?, ?, ?, ?, ?, ?)", rows)
    db.conn.executemany(
        "insert into item_texts (item, kind, text, vector) values (?, ?, ?, ?)",
        [(item.key, kind, text, vector_key(kind, text, MODEL)) for item in items for kind, text in texts_of(item)],
    )


def _term_ids(db: sqlite_utils.Database, terms: set[str]) -> dict[str, int]:
    """Ids of terms, giving new terms the next ids (an id is never reused)."""
    ids: dict[str, int] = {}
    listed = list(terms)
    for start in range(0, len(listed), _CHUNK):
        chunk = listed[start:start + _CHUNK]
        ids.update(db.execute(f"select term, id from terms where term in ({', '.join('?' * len(chunk))})", chunk))
    new = [t for t in listed if t not in ids]
    if new:
        first = db.execute("select coalesce(max(id), -1) + 1 from terms").fetchone()[0]
        db.conn.executemany("insert into terms (id, term) values (?, ?)", [(first + i, t) for i, t in enumerate(new)])
        ids.update((t, first + i) for i, t in enumerate(new))
    return ids


def prepare_all(store: KnowledgeStore) -> bool:
    """Prepare every item whose preparation is missing or of an older version (a file made by
    an older version, or new preparing rules); True when anything was done."""
    db = store.db
    version = store.meta("prepared_version")
    items = db.execute(
        "select (select count(*) from entries where deleted = 0) + (select count(*) from metrics) "
        "+ (select count(*) from passages)").fetchone()[0]
    if version == preparing.VERSION and items == db.execute("select count(*) from prepared").fetchone()[0]:
        return False
    db.execute("delete from prepared")
    db.execute("delete from item_texts")
    if version != preparing.VERSION:
        db.execute("delete from terms")
    all_items = load_items(store)
    for start in range(0, len(all_items), _CHUNK):
        _store(db, all_items[start:start + _CHUNK])
    store.set_meta("prepared_version", preparing.VERSION)
    store.set_meta("prepared_at", utc_now())
    return True


# --- the index on disk -----------------------------------------------------------------------

def index_version(store: KnowledgeStore) -> str:
    """Names the index of the knowledge as it is now (any change of items gives another)."""
    counts = store.db.execute("select count(*), coalesce(max(rowid), 0) from prepared").fetchone()
    text = f"{preparing.VERSION}|{store.meta('changed_at') or ''}|{store.meta('prepared_at') or ''}|{counts}"
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def build_index(store: KnowledgeStore) -> tuple[InvertedIndex, list[str]]:
    """The index and its item keys from the stored term ids: array work only, read in one
    snapshot of the file (a writer in another process changes nothing half-way)."""
    db = store.db
    outer = db.conn.in_transaction
    if not outer:
        db.execute("begin")
    try:
        count, total = db.execute("select count(*), coalesce(sum(length(ids)), 0) / 4 from prepared").fetchone()
        keys: list[str] = []
        offsets = np.zeros(count + 1, np.int64)
        doc_terms = np.empty(total, np.int32)
        doc_weights = np.empty(total, np.float32)
        at = 0
        rows = db.execute("select key, ids, weights from prepared order by kind, sort")
        for doc, (key, ids, weights) in enumerate(rows):  # copied into place: no list of every blob
            keys.append(key)
            doc_terms[at:at + len(ids) // 4] = np.frombuffer(ids, np.int32)
            doc_weights[at:at + len(ids) // 4] = np.frombuffer(weights, np.float32)
            at += len(ids) // 4
            offsets[doc + 1] = at
        vocab = [""] * db.execute("select coalesce(max(id), -1) + 1 from terms").fetchone()[0]
        for tid, term in db.execute("select id, term from terms"):
            vocab[tid] = term
    finally:
        if not outer:
            db.execute("commit")
    return InvertedIndex.from_ids(vocab, offsets, doc_terms, doc_weights), keys


def open_index(store: KnowledgeStore) -> tuple[InvertedIndex, list[str]]:
    """The index of the knowledge as it is now: loaded from beside the database when saved
    there (by this or another process), else built from the stored term ids and saved."""
    home = store.path.with_name(store.path.name + ".index")
    folder = home / index_version(store)
    if (folder / "keys.json").is_file():
        try:
            return InvertedIndex.load(folder), json.loads((folder / "keys.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            shutil.rmtree(folder, ignore_errors=True)  # damaged: built again and saved afresh
    index, keys = build_index(store)
    try:
        index.save(folder, {"keys.json": json.dumps(keys, ensure_ascii=False)})
        for old in home.iterdir():
            if old.name != folder.name and not old.name.startswith("."):
                shutil.rmtree(old, ignore_errors=True)  # a process still using it keeps its mapped pages
    except OSError:
        pass  # a read-only folder: answer from memory
    return index, keys


def stored_vectors(store: KnowledgeStore, catalog: Catalog) -> Iterator[tuple[int, str, np.ndarray]]:
    """(position, kind, vector) of every item text whose sentence vector is computed."""
    rows = store.db.execute("select t.item, t.kind, v.vec from vectors v join item_texts t on t.vector = v.key")
    for key, kind, blob in rows:
        doc = catalog.doc(key)
        if doc is not None:
            yield doc, kind, np.frombuffer(blob, dtype=np.float16).astype(np.float32)


# --- items read on demand ----------------------------------------------------------------------

class Gone(Item):
    """An item removed since the index was built: it matches nothing until the next index."""

    def __init__(self, key: str) -> None:
        super().__init__(key=key, title="", phrasings=[], body="", source=None, weight=0.0)

    def render(self, query: object, today: object) -> Rendered:
        return Rendered("", found=False)


class StoredCatalog(Catalog):
    """The store's items by index position, read from SQLite on first use and kept for a while
    (its own connection, usable from any thread)."""

    def __init__(self, path: Path, keys: list[str]) -> None:
        self.keys = keys
        self._path = path
        self._docs: dict[str, int] | None = None
        self._cache: OrderedDict[int, tuple[Item, Prepared]] = OrderedDict()
        self._lock = threading.Lock()
        self._store: KnowledgeStore | None = None

    def item(self, doc: int) -> Item:
        return self._read(doc)[0]

    def prepared(self, doc: int) -> Prepared:
        return self._read(doc)[1]

    def doc(self, key: str) -> int | None:
        if self._docs is None:
            self._docs = {key: doc for doc, key in enumerate(self.keys)}
        return self._docs.get(key)

    def fetch(self, docs: Iterable[int]) -> None:
        with self._lock:
            self._load([d for d in docs if d not in self._cache])

    def _read(self, doc: int) -> tuple[Item, Prepared]:
        with self._lock:
            if doc not in self._cache:
                self._load([doc])
            self._cache.move_to_end(doc)
            return self._cache[doc]

    def _load(self, docs: list[int]) -> None:
        """Read items and their preparations in a few queries (the caller holds the lock)."""
        if not docs:
            return
        keys = [self.keys[d] for d in docs]
        store = self._open()
        items = read_items(store, keys)
        marks = ", ".join("?" * len(keys))
        records = dict(store.db.execute(f"select key, record from prepared where key in ({marks})", keys))
        for doc, key in zip(docs, keys):
            item, record = items.get(key), records.get(key)
            self._cache[doc] = (item, Prepared.from_record(json.loads(record))) if item and record else (
                Gone(key), Prepared({}, [], [], [], frozenset()))
        while len(self._cache) > CACHE:
            self._cache.popitem(last=False)

    def _open(self) -> KnowledgeStore:
        if self._store is None:
            from .store import KnowledgeStore

            self._store = KnowledgeStore.reader(self._path)
        return self._store
