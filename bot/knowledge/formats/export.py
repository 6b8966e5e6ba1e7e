"""Writing the knowledge base back out as the files it is imported from: YAML and CSV, or one
Excel workbook; importing them back changes nothing."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from .records import FORMULA_STARTS, STAT_COLUMNS
from .workbook import knowledge_workbook

if TYPE_CHECKING:
    from ..store import KnowledgeStore

EXPORT_FORMATS = ("xlsx", "yaml")
"""One Excel workbook, or YAML files with the statistics as CSV."""
WORKBOOK_NAME = "co-so-du-lieu.xlsx"


def export_knowledge(store: KnowledgeStore, folder: Path, fmt: str = "yaml") -> list[Path]:
    """Write the knowledge base into ``folder`` as :func:`export_files` makes it."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in export_files(store, fmt):
        path = folder / name
        path.write_bytes(data)
        written.append(path)
    return written


def export_files(store: KnowledgeStore, fmt: str) -> list[tuple[str, bytes]]:
    """The knowledge base as files (name, content): one workbook ("xlsx"), or entries, passages
    and metrics as YAML and statistics as CSV ("yaml")."""
    records = knowledge_records(store)
    if fmt == "xlsx":
        return [(WORKBOOK_NAME, knowledge_workbook(records))]
    files = [
        (f"{kind}.yaml", yaml.safe_dump(records[kind], allow_unicode=True, sort_keys=False, width=10_000).encode())
        for kind in ("entries", "passages", "metrics")
    ]
    table = io.StringIO(newline="")
    writer = csv.writer(table)
    writer.writerow(STAT_COLUMNS)
    writer.writerows([csv_cell(row[c]) for c in STAT_COLUMNS] for row in records["statistics"])
    return files + [("statistics.csv", table.getvalue().encode())]


def knowledge_records(store: KnowledgeStore) -> dict[str, list[dict]]:
    """Every record by kind with the fields its files hold (an entry's gap only when set)."""
    return {
        "entries": [
            {k: e[k] for k in ("id", "question", "phrasings", "answer", "tags", "source", "as_of")}
            | ({"title": e["title"]} if e.get("title") else {}) | ({"gap": True} if e["gap"] else {})
            for e in store.entries()
        ],
        "passages": [{k: p[k] for k in ("id", "document", "section", "text", "source")} for p in store.passages()],
        "metrics": [{k: m[k] for k in ("key", "label", "unit", "scope", "phrasings")} for m in store.metrics()],
        "statistics": [{c: row[c] for c in STAT_COLUMNS} for row in store.statistics()],
    }


def csv_cell(value: object) -> str:
    """A value as a CSV cell: whole numbers without '.0', text that a spreadsheet would run
    as a formula escaped with a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isfinite(value):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
