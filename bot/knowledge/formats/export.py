"""Writing the knowledge base back out as the files it is imported from."""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from .records import FORMULA_STARTS, STAT_COLUMNS

if TYPE_CHECKING:
    from ..store import KnowledgeStore


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
            writer.writerow([csv_cell(row[c]) for c in STAT_COLUMNS])
    written.append(path)
    return written


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
