"""The knowledge store: one SQLite file, read and written through sqlite-utils.

Tables: ``entries`` (FAQ; each with a short number, ``code``, besides its id), ``passages``
(source text), ``metrics`` (what a figure counts and how people ask for it), ``statistics`` (the
figures), ``admins`` (admins added from chat), ``changes`` and ``change_rows`` (the audit log),
``unanswered`` and ``meta``. The file is created and seeded from ``knowledge/`` on first use,
so a fresh clone answers with no configuration.

Every change of knowledge goes through :meth:`KnowledgeStore.write`: one transaction that
writes the rows and records who changed what, with the rows before and after, so that any
change can be undone. The shipped seed goes through it too, as the author "seed".
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ..search.text import fold
from . import catalog
from .db import insert, open_database, transaction, utc_now
from .formats import knowledge_files, read_path
from .formats.records import STAT_COLUMNS, Batch, validate_statistic
from .vectors import VectorStore, import_shipped

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2
SEED = "seed"
"""Author of the changes the shipped knowledge files make."""

_TABLES: dict[str, tuple[dict, str]] = {
    "entries": (
        {"id": str, "question": str, "title": str, "phrasings": str, "answer": str, "tags": str, "source": str,
         "as_of": str, "gap": int, "updated_at": str, "changed_by": str, "deleted": int,
         "search": str, "question_key": str, "code": int},
        "id",
    ),
    "passages": (
        {"id": str, "document": str, "section": str, "text": str, "source": str, "updated_at": str},
        "id",
    ),
    "metrics": (
        {"key": str, "label": str, "unit": str, "scope": str, "phrasings": str, "updated_at": str},
        "key",
    ),
    "statistics": (
        {"id": str, "metric": str, "value": float, "value_max": float, "unit": str, "period_start": str,
         "period_end": str, "scope": str, "source": str, "note": str, "updated_at": str},
        "id",
    ),
    "targets": (
        {"id": str, "metric": str, "year": int, "value": float, "source": str, "updated_at": str},
        "id",
    ),
}
DERIVED = {"entries": ("search", "question_key")}
"""Columns computed from the others when a row is written (folded text for admins' search
and the duplicate-question check); never part of the audit log."""
KEYS = {name: pk for name, (_, pk) in _TABLES.items()} | {"admins": "id"}
"""The tables a change may write, with their primary key."""
_CHUNK = 500
"""Keys per ``IN (...)`` query: well under SQLite's limit on bound parameters."""
_BATCH = 1000
"""Rows written between two progress reports."""

Write = tuple[str, str, "dict | None"]
"""One row a change writes: (table, key, the whole new row, or None to remove it)."""


@dataclass
class ImportReport:
    """What an import did: rows added, rows changed, rows already identical."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: int = 0
    """Rows of a new seed release left alone because an admin changed them."""
    removed: int = 0
    """Passages of an earlier version of a document that the new version no longer has."""

    def __str__(self) -> str:
        text = f"thêm mới {self.added}, cập nhật {self.updated}, giữ nguyên {self.unchanged}"
        text += f", bỏ {self.removed} đoạn của bản cũ" if self.removed else ""
        return text + (f", giữ bản của quản trị viên {self.kept}" if self.kept else "")


class KnowledgeStore:
    """Typed access to the knowledge tables of one SQLite file."""

    def __init__(self, path: str | Path, seed_dir: str | Path | None = None) -> None:
        self.path = Path(path)
        self.db = open_database(path)
        self._bad_logged: set[str] = set()
        self._ensure_schema()
        if seed_dir is not None:
            self.seed(Path(seed_dir))
            import_shipped(VectorStore(self.db), Path(seed_dir), self.meta, self.set_meta)

    @classmethod
    def reader(cls, path: str | Path) -> KnowledgeStore:
        """A store for reading only, from any thread (its user serialises access), on a file
        whose schema is already made."""
        store = cls.__new__(cls)
        store.path, store.db, store._bad_logged = Path(path), open_database(path, any_thread=True), set()
        return store

    def _ensure_schema(self) -> None:
        with transaction(self.db):
            for name, (columns, pk) in _TABLES.items():
                table = self.db.table(name)
                table.create(columns, pk=pk, if_not_exists=True, not_null={pk})
                for column, kind in columns.items():  # files made by an older version
                    if column not in table.columns_dict:
                        table.add_column(column, kind)
            admins = self.db.table("admins")
            admins.create({"id": str, "added_by": str, "added_at": str, "name": str}, pk="id", if_not_exists=True)
            if "name" not in admins.columns_dict:  # a file made by an older version
                admins.add_column("name", str)
            self.db.table("changes").create(
                {"id": int, "at": str, "who": str, "action": str, "summary": str, "undone_by": int},
                pk="id", if_not_exists=True,
            )
            self.db.table("change_rows").create(
                {"change_id": int, "tbl": str, "key": str, "before": str, "after": str}, if_not_exists=True,
            )
            self.db.table("change_rows").create_index(["tbl", "key"], if_not_exists=True)
            self.db.table("change_rows").create_index(["change_id"], if_not_exists=True)
            self.db.table("unanswered").create(
                {"id": int, "asked_at": str, "platform": str, "text": str, "folded": str},
                pk="id", if_not_exists=True,
            )
            self.db.table("feedback").create(
                {"id": int, "at": str, "platform": str, "rating": int, "question": str, "answer": str, "item": str,
                 "comment": str},
                pk="id", if_not_exists=True,
            )
            self.db.table("meta").create({"key": str, "value": str}, pk="key", if_not_exists=True)
            self.db.table("entries").create_index(["question_key"], if_not_exists=True)
            self._number_entries()
            self.db.table("entries").create_index(["code"], unique=True, if_not_exists=True)
            if self.meta("schema_version") != str(SCHEMA_VERSION):
                stale = [r for r in self.db.table("entries").rows_where("search is null")]
                for names, rows in _by_columns([with_derived("entries", r) for r in stale]).items():
                    self.db.conn.executemany(_upsert_sql("entries", "id", names), [[r[c] for c in names] for r in rows])
                self.set_meta("schema_version", str(SCHEMA_VERSION))
            catalog.create_tables(self.db)
            catalog.prepare_all(self)

    def _number_entries(self) -> None:
        """Give entries written by an older version their short numbers, in the order they were
        written (inside the schema's transaction)."""
        unnumbered = [row[0] for row in self.db.execute("select rowid from entries where code is null order by rowid")]
        if not unnumbered:
            return
        last = max(self.next_code() - 1, self.db.execute("select coalesce(max(code), 0) from entries").fetchone()[0])
        self.db.conn.executemany(
            "update entries set code = ? where rowid = ?", [(last + i, rowid) for i, rowid in enumerate(unnumbered, 1)]
        )
        self.set_meta("last_code", str(last + len(unnumbered)))

    def next_code(self) -> int:
        """The short number the next new entry gets (read inside the transaction that writes it)."""
        return int(self.meta("last_code") or 0) + 1

    def _with_codes(self, group: list[tuple[str, dict | None]], before: dict[str, dict]) -> list[tuple[str, dict | None]]:
        """Entries written for the first time get the next short numbers. A number is never
        given twice: an entry an undo removed keeps its number in the audit log and gets it
        back if that undo is undone."""
        last = given = self.next_code() - 1
        numbered: list[tuple[str, dict | None]] = []
        for key, row in group:
            if row is not None and row.get("code") is None and key not in before:
                last += 1
                row = row | {"code": last}
            elif row is not None and row.get("code") is not None:
                last = max(last, row["code"])
            numbered.append((key, row))
        if last != given:
            self.set_meta("last_code", str(last))
        return numbered

    # --- the one write path ---------------------------------------------------------------

    def write(
        self, action: str, summary: str, who: str, writes: list[Write],
        progress: Callable[[int, int], None] | None = None,
    ) -> int:
        """Write rows (None removes one) with their before and after in the audit log, all in
        one transaction; returns the change's number. ``progress(done, total)`` is told every
        few thousand rows (the command line shows it)."""
        now = utc_now()
        with transaction(self.db):
            change_id = insert(
                self.db, "changes", {"at": now, "who": who, "action": action, "summary": summary[:300], "undone_by": None}
            )
            done = 0
            items: set[str] = set()
            for table, group in _by_table(writes).items():
                pk = KEYS[table]
                keys = [key for key, _ in group]
                before = self.rows(table, keys)
                stamp = {"updated_at": now} if table in _TABLES else {}
                if table == "entries":
                    stamp["changed_by"] = who
                    group = self._with_codes(group, before)
                for start in range(0, len(group), _BATCH):
                    chunk = group[start:start + _BATCH]
                    removed = [(key,) for key, row in chunk if row is None]
                    if removed:
                        self.db.conn.executemany(f"delete from [{table}] where [{pk}] = ?", removed)
                    upserts = [with_derived(table, row | stamp) for _, row in chunk if row is not None]
                    for columns, rows in _by_columns(upserts).items():
                        self.db.conn.executemany(_upsert_sql(table, pk, columns), [[r[c] for c in columns] for r in rows])
                    done += len(chunk)
                    if progress is not None:
                        progress(done, len(writes))
                after = self.rows(table, keys)
                items |= catalog.affected(table, [*before.values(), *after.values()])
                self.db.conn.executemany(
                    "insert into change_rows (change_id, tbl, key, before, after) values (?, ?, ?, ?, ?)",
                    [(change_id, table, key, _json(before.get(key)), _json(after.get(key))) for key in keys],
                )
            catalog.refresh(self, items)
            self.set_meta("changed_at", f"{now}#{change_id}")
        return change_id

    def rows(self, table: str, keys: Iterable[str]) -> dict[str, dict]:
        """Stored rows of ``table`` by key, for the keys that exist."""
        pk = KEYS[table]
        keys = list(dict.fromkeys(keys))
        found: dict[str, dict] = {}
        for i in range(0, len(keys), _CHUNK):
            chunk = keys[i:i + _CHUNK]
            marks = ", ".join("?" * len(chunk))
            found.update((row[pk], row) for row in self.db.table(table).rows_where(f"[{pk}] in ({marks})", chunk))
        return found

    def row(self, table: str, key: str) -> dict | None:
        return self.rows(table, [key]).get(key)

    # --- imports and the seed -------------------------------------------------------------

    def plan_import(self, batch: Batch) -> tuple[list[Write], ImportReport]:
        """The rows a batch would write, leaving out rows identical to what is stored, with the
        counts of added, updated and unchanged rows. A document's earlier version loses the
        passages the new one no longer has, in the same change (so one undo restores it)."""
        report = ImportReport()
        writes: list[Write] = []
        for table, records, to_row in (
            ("entries", batch.entries, entry_row), ("passages", batch.passages, plain_row),
            ("metrics", batch.metrics, metric_row), ("statistics", batch.statistics, plain_row),
        ):
            pk = KEYS[table]
            rows = [to_row(record) for record in records]
            stored = self.rows(table, [row[pk] for row in rows])
            for row in rows:
                current = stored.get(row[pk])
                if current is not None and all(current.get(k) == v for k, v in row.items()):
                    report.unchanged += 1
                    continue
                report.added += current is None
                report.updated += current is not None
                writes.append((table, row[pk], row))
        new = {record["id"] for record in batch.passages}
        for document in batch.documents:
            gone = [key for key in self.document_passages(document.key) if key not in new]
            writes += [("passages", key, None) for key in gone]
            report.removed += len(gone)
        return writes, report

    def document_passages(self, key: str) -> list[str]:
        """Ids of the stored passages read from a document, by the prefix its number gives
        (every version of the document shares it)."""
        prefix = f"{key}."
        rows = self.db.execute("select id from passages where substr(id, 1, ?) = ? order by id", [len(prefix), prefix])
        return [row[0] for row in rows]

    def import_path(self, path: str | Path, who: str = "import") -> ImportReport:
        """Validate every file at ``path``, then write them all as one audited change."""
        writes, report = self.plan_import(read_path(Path(path)))
        if writes:
            self.write("import", f"Nhập {path}: {report}", who, writes)
        return report

    def seed(self, seed_dir: Path) -> ImportReport | None:
        """Apply the shipped knowledge files: all of them on the first start; after a new
        release, only to rows no person has changed (an admin's edit or delete is never
        reverted, a deleted entry never comes back). Recorded as a change by "seed".
        Unchanged files cost one hash and no write."""
        digest = files_digest(knowledge_files(seed_dir))
        if self.meta("seed_digest") == digest:
            return None
        batch = read_path(seed_dir)
        writes, report = self.plan_import(batch)
        touched = self.touched_by_people()
        kept = [w for w in writes if (w[0], w[1]) in touched]
        writes = [w for w in writes if (w[0], w[1]) not in touched]
        report.kept = len(kept)
        report.added -= sum(1 for w in kept if self.row(w[0], w[1]) is None)
        report.updated = len(writes) - report.added
        shipped = _seed_keys(batch)
        previous = {(t, k) for t, k in json.loads(self.meta("seed_keys") or "[]")}
        gone = sorted(previous - {(t, k) for t, k in shipped} - touched)
        writes += [removal for t, k in gone if (removal := self._removal(t, k)) is not None]
        first = self.meta("seed_digest") is None
        with transaction(self.db):
            if writes:
                what = "Nạp dữ liệu gốc" if first else "Cập nhật dữ liệu gốc (phiên bản mới)"
                self.write("seed", f"{what}: {report}" + (f", bỏ {len(gone)}" if gone else ""), SEED, writes)
            self.set_meta("seed_digest", digest)
            self.set_meta("seed_keys", json.dumps(shipped, ensure_ascii=False))
        log.info("seeded knowledge store %s from %s: %s", self.path, seed_dir, report)
        return report

    def touched_by_people(self) -> set[tuple[str, str]]:
        """(table, key) of every row a person (not the seed) has ever changed."""
        rows = self.db.execute(
            "select distinct r.tbl, r.key from change_rows r join changes c on c.id = r.change_id where c.who != ?",
            [SEED],
        ).fetchall()
        return {(t, k) for t, k in rows}

    def _removal(self, table: str, key: str) -> Write | None:
        """How a row the seed no longer ships leaves: entries are marked deleted (undoable),
        other rows are removed; None when it is already gone."""
        current = self.row(table, key)
        if current is None or current.get("deleted"):
            return None
        return (table, key, current | {"deleted": 1}) if table == "entries" else (table, key, None)

    # --- reading --------------------------------------------------------------------------

    def version(self) -> str:
        """Changes whenever the knowledge or its sentence vectors change, from any process
        (for fresh answers)."""
        return f"{self.meta('changed_at') or ''}|{self.meta('vectors_at') or ''}"

    def vectors_changed(self) -> None:
        """Note that new sentence vectors were stored (the index is rebuilt with them)."""
        self.set_meta("vectors_at", utc_now() + f"#{VectorStore(self.db).count()}")

    def meta(self, key: str) -> str | None:
        row = self.db.execute("select value from meta where key = ?", [key]).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("insert into meta (key, value) values (?, ?) on conflict(key) do update set value = excluded.value",
                        [key, value])

    def entries(self) -> list[dict]:
        """Live FAQ entries with their lists decoded."""
        return [
            row | {"phrasings": json.loads(row["phrasings"]), "tags": json.loads(row["tags"]), "gap": bool(row["gap"])}
            for row in self.db.table("entries").rows_where("deleted = 0", order_by="id")
        ]

    def passages(self) -> list[dict]:
        return list(self.db.table("passages").rows_where(order_by="id"))

    def metrics(self) -> list[dict]:
        rows = self.db.table("metrics").rows_where(order_by="key")
        return [row | {"phrasings": json.loads(row["phrasings"])} for row in rows]

    def statistics(self, metric: str | None = None, logged: bool = True) -> list[dict]:
        """Figures that make sense; a broken row (a value that is not a finite number, a period
        that is not a month), written by an older version or by hand, is left out and logged,
        unless the caller tells a person through bad_statistics (``logged=False``)."""
        return [row for row in self._statistics(metric) if not self._problem(row, logged)]

    def targets(self) -> dict[tuple[str, int], dict]:
        """The admins' yearly targets by (metric, year), which the monthly update measures the
        year to date against."""
        return {(r["metric"], r["year"]): r for r in self.db.table("targets").rows_where(order_by="id")}

    def bad_statistics(self) -> list[tuple[str, str]]:
        """(row id, what is wrong) for each figure left out of answers and updates, for a caller
        that tells a person (so not logged here)."""
        return [(row["id"], problem) for row in self._statistics(None) if (problem := self._problem(row, False))]

    def _statistics(self, metric: str | None) -> list[dict]:
        if metric is None:
            return list(self.db.table("statistics").rows_where(order_by="metric, period_end"))
        return list(self.db.table("statistics").rows_where("metric = ?", [metric], order_by="period_end"))

    def _problem(self, row: dict, logged: bool) -> str:
        fields = {k: ("" if row.get(k) is None else row[k]) for k in STAT_COLUMNS}
        errors, _ = validate_statistic(fields)
        problem = "; ".join(f"{f}: {m}" for f, m in errors)
        if problem and logged and row["id"] not in self._bad_logged:
            self._bad_logged.add(row["id"])
            log.error("statistics row %r left out of answers: %s", row["id"], problem)
        return problem

    def counts(self) -> dict[str, int]:
        """Row counts per knowledge table (live entries only), for status lines and tests."""
        counts = {name: self.db.table(name).count for name in _TABLES}
        counts["entries"] = self.db.execute("select count(*) from entries where deleted = 0").fetchone()[0]
        return counts



def record_unanswered(path: str | Path, platform: str, text: str, folded: str) -> None:
    """Keep a question the bot could not answer (no user names), for the admins' review; on a
    connection of its own, so it can run in any thread."""
    db = open_database(path)
    try:
        db.table("unanswered").insert(
            {"asked_at": utc_now(), "platform": platform, "text": text[:500], "folded": folded[:500]}
        )
    finally:
        db.close()


def record_feedback(path: str | Path, platform: str, rating: int, question: str, answer: str, item: str) -> int:
    """Keep a user's 👍 (1) or 👎 (-1) on an answer, with the question and the answer (no user
    names), for the admins' review; returns its number. On a connection of its own."""
    db = open_database(path)
    try:
        with transaction(db):
            return insert(db, "feedback", {"at": utc_now(), "platform": platform, "rating": rating,
                                           "question": question[:500], "answer": answer[:1000], "item": item,
                                           "comment": ""})
    finally:
        db.close()


def add_feedback_comment(path: str | Path, feedback_id: int, comment: str) -> None:
    """The comment a user added to their 👎."""
    db = open_database(path)
    try:
        with transaction(db):
            db.execute("update feedback set comment = ? where id = ?", [comment[:1000], feedback_id])
    finally:
        db.close()


def _by_table(writes: list[Write]) -> dict[str, list[tuple[str, dict | None]]]:
    """Writes grouped by table, the last write of a key winning, in first-seen order."""
    grouped: dict[str, dict[str, dict | None]] = {}
    for table, key, row in writes:
        grouped.setdefault(table, {})[key] = row
    return {table: list(rows.items()) for table, rows in grouped.items()}


def _by_columns(rows: list[dict]) -> dict[tuple[str, ...], list[dict]]:
    grouped: dict[tuple[str, ...], list[dict]] = {}
    for row in rows:
        grouped.setdefault(tuple(row), []).append(row)
    return grouped


def _upsert_sql(table: str, pk: str, columns: tuple[str, ...]) -> str:
    names = ", ".join(f"[{c}]" for c in columns)
    marks = ", ".join("?" * len(columns))
    updates = ", ".join(f"[{c}] = excluded.[{c}]" for c in columns if c != pk) or f"[{pk}] = excluded.[{pk}]"
    return f"insert into [{table}] ({names}) values ({marks}) on conflict([{pk}]) do update set {updates}"


def _json(row: dict | None) -> str | None:
    return json.dumps(audited(row), ensure_ascii=False) if row is not None else None


def audited(row: dict) -> dict:
    """A row as the audit log keeps it: without the derived columns."""
    return {k: v for k, v in row.items() if k not in _ALL_DERIVED}


_ALL_DERIVED = {c for columns in DERIVED.values() for c in columns}


def with_derived(table: str, row: dict) -> dict:
    """The row with its derived columns computed."""
    if table != "entries":
        return row
    row = audited(row)
    text = " ".join(str(row.get(k) or "") for k in ("id", "question", "phrasings", "answer"))
    return row | {"search": fold(text), "question_key": fold(row.get("question") or "")}


def _seed_keys(batch: Batch) -> list[list[str]]:
    keys = [["entries", r["id"]] for r in batch.entries] + [["passages", r["id"]] for r in batch.passages]
    keys += [["metrics", r["key"]] for r in batch.metrics] + [["statistics", r["id"]] for r in batch.statistics]
    return keys


def entry_row(record: dict) -> dict:
    row = plain_row(record)
    row["phrasings"] = json.dumps(record["phrasings"], ensure_ascii=False)
    row["tags"] = json.dumps(record["tags"], ensure_ascii=False)
    row["deleted"] = 0
    row["gap"] = int(record["gap"])
    return row


def metric_row(record: dict) -> dict:
    row = plain_row(record)
    row["phrasings"] = json.dumps(record["phrasings"], ensure_ascii=False)
    return row


def plain_row(record: dict) -> dict:
    return {k: v for k, v in record.items() if not k.startswith("_")}


def files_digest(files: list[Path]) -> str:
    """A fingerprint of files' names and contents."""
    h = hashlib.sha256()
    for file in files:
        h.update(file.name.encode())
        h.update(file.read_bytes())
    return h.hexdigest()
