"""The knowledge store: one SQLite file, read and written through sqlite-utils.

Tables: ``entries`` (FAQ), ``passages`` (source text), ``metrics`` (what a figure counts and
how people ask for it), ``statistics`` (the figures), ``unanswered`` (questions the bot could
not answer) and ``meta``. The file is created and seeded from ``knowledge/`` on first use, so a
fresh clone answers with no configuration.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils
import yaml

from .loader import STAT_COLUMNS, Batch, knowledge_files, read_batch

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1

_TABLES: dict[str, tuple[dict, str]] = {
    "entries": (
        {"id": str, "question": str, "phrasings": str, "answer": str, "tags": str, "source": str,
         "as_of": str, "gap": int, "updated_at": str, "changed_by": str, "deleted": int},
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
}


@dataclass
class ImportReport:
    """What an import did: rows added, rows changed, rows already identical."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"thêm mới {self.added}, cập nhật {self.updated}, giữ nguyên {self.unchanged}"


class KnowledgeStore:
    """Typed access to the knowledge tables of one SQLite file."""

    def __init__(self, path: str | Path, seed_dir: str | Path | None = None) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite_utils.Database(str(path))
        if str(path) != ":memory:":
            self.db.enable_wal()
        self._ensure_schema()
        if seed_dir is not None:
            self.seed(Path(seed_dir))

    def _ensure_schema(self) -> None:
        with self.db.conn:
            for name, (columns, pk) in _TABLES.items():
                table = self.db[name]
                table.create(columns, pk=pk, if_not_exists=True, not_null={pk})
                for column, kind in columns.items():  # files made by an older version
                    if column not in table.columns_dict:
                        table.add_column(column, kind)
            self.db["unanswered"].create(
                {"id": int, "asked_at": str, "platform": str, "text": str, "folded": str},
                pk="id", if_not_exists=True,
            )
            self.db["meta"].create({"key": str, "value": str}, pk="key", if_not_exists=True)
            self.db["meta"].upsert({"key": "schema_version", "value": str(SCHEMA_VERSION)}, pk="key")

    def seed(self, seed_dir: Path) -> ImportReport | None:
        """Load the shipped knowledge files on the first start, and again whenever they change
        (a new release); unchanged files cost one hash and no write."""
        digest = files_digest(knowledge_files(seed_dir))
        if self.meta("seed_digest") == digest:
            return None
        report = self.import_batch(read_batch(seed_dir), by="seed")
        self.set_meta("seed_digest", digest)
        log.info("seeded knowledge store %s from %s: %s", self.path, seed_dir, report)
        return report

    def version(self) -> str:
        """Changes whenever the knowledge changes, from any process (for fresh answers)."""
        return self.meta("changed_at") or ""

    def meta(self, key: str) -> str | None:
        row = self._get("meta", "key", key)
        return row["value"] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.db.conn:
            self.db["meta"].upsert({"key": key, "value": value}, pk="key")

    def import_path(self, path: str | Path, by: str = "import") -> ImportReport:
        """Validate every file at ``path``, then write them all in one transaction."""
        return self.import_batch(read_batch(Path(path)), by=by)

    def plan_import(self, batch: Batch) -> tuple[list[tuple[str, str, dict]], ImportReport]:
        """The rows a batch would write, (table, key, row), leaving out rows identical to what is
        stored, with the counts of added, updated and unchanged rows."""
        report = ImportReport()
        writes = []
        for table, records, to_row in (
            ("entries", batch.entries, entry_row), ("passages", batch.passages, plain_row),
            ("metrics", batch.metrics, metric_row), ("statistics", batch.statistics, plain_row),
        ):
            pk = _TABLES[table][1]
            for record in records:
                row = to_row(record)
                current = self._get(table, pk, row[pk])
                if current is not None and all(current.get(k) == v for k, v in row.items()):
                    report.unchanged += 1
                    continue
                report.added += current is None
                report.updated += current is not None
                writes.append((table, row[pk], row))
        return writes, report

    def import_batch(self, batch: Batch, by: str = "import") -> ImportReport:
        """Upsert validated records in one transaction, without an audit trail (the shipped seed;
        admins' imports go through the Editor). ``by`` marks who changed entries."""
        writes, report = self.plan_import(batch)
        now = _now()
        with self.db.conn:
            for table, _, row in writes:
                stamp = {"updated_at": now} | ({"changed_by": by} if table == "entries" else {})
                self.db[table].upsert(row | stamp, pk=_TABLES[table][1], alter=True)
            self.db["meta"].upsert({"key": "changed_at", "value": now}, pk="key")
        return report

    def _get(self, table: str, pk: str, value: str) -> dict | None:
        rows = list(self.db[table].rows_where(f"[{pk}] = ?", [value], limit=1))
        return rows[0] if rows else None

    def entries(self) -> list[dict]:
        """Live FAQ entries with their lists decoded."""
        return [
            row | {"phrasings": json.loads(row["phrasings"]), "tags": json.loads(row["tags"]), "gap": bool(row["gap"])}
            for row in self.db["entries"].rows_where("deleted = 0", order_by="id")
        ]

    def passages(self) -> list[dict]:
        return list(self.db["passages"].rows_where(order_by="id"))

    def metrics(self) -> list[dict]:
        return [row | {"phrasings": json.loads(row["phrasings"])} for row in self.db["metrics"].rows_where(order_by="key")]

    def statistics(self, metric: str | None = None) -> list[dict]:
        if metric is None:
            return list(self.db["statistics"].rows_where(order_by="metric, period_end"))
        return list(self.db["statistics"].rows_where("metric = ?", [metric], order_by="period_end"))

    def counts(self) -> dict[str, int]:
        """Row counts per knowledge table, for status lines and tests."""
        return {name: self.db[name].count for name in _TABLES}

    def record_unanswered(self, platform: str, text: str, folded: str) -> None:
        """Keep a question the bot could not answer (no user names), for the admins' review."""
        self.db["unanswered"].insert(
            {"asked_at": _now(), "platform": platform, "text": text[:500], "folded": folded[:500]}
        )


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


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def export_knowledge(store: KnowledgeStore, folder: Path) -> list[Path]:
    """Write the knowledge base as the files it is imported from (entries, passages and
    metrics as YAML, statistics as CSV): importing them back changes nothing."""
    folder.mkdir(parents=True, exist_ok=True)
    entries = [
        {k: e[k] for k in ("id", "question", "phrasings", "answer", "tags", "source", "as_of")}
        | ({"gap": True} if e["gap"] else {})
        for e in store.entries()
    ]
    passages = [{k: p[k] for k in ("id", "document", "section", "text", "source")} for p in store.passages()]
    metrics = [{k: m[k] for k in ("key", "label", "unit", "scope", "phrasings")} for m in store.metrics()]
    written = []
    for name, data in (("entries.yaml", entries), ("passages.yaml", passages), ("metrics.yaml", metrics)):
        path = folder / name
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000), encoding="utf-8")
        written.append(path)
    path = folder / "statistics.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(STAT_COLUMNS)
        for row in store.statistics():
            writer.writerow([_csv_value(row[c]) for c in STAT_COLUMNS])
    written.append(path)
    return written


def _csv_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
