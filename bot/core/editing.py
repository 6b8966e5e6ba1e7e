"""Changing the knowledge base safely: every change validated, written in one transaction,
recorded in an audit log (who, when, what, before and after) and reversible.

Chat commands, the command line and file imports all go through :class:`Editor`, so they share
the same checks and the same history.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

from .loader import Batch, validate_entry, validate_statistic
from .store import ImportReport, KnowledgeStore, entry_row, plain_row
from .text import fold


class EditError(ValueError):
    """A change that cannot be made; the message is for the user, in Vietnamese."""


@dataclass(frozen=True)
class Change:
    id: int
    at: str
    who: str
    action: str
    summary: str
    undone_by: int | None


_KEYS = {"entries": "id", "passages": "id", "metrics": "key", "statistics": "id", "admins": "id"}


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def slug(text: str) -> str:
    """An entry id from its question: folded words joined by dashes, at most 60 characters."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")[:60].rstrip("-") or "muc"


class Editor:
    """Validated, audited, reversible changes to one knowledge store."""

    def __init__(self, store: KnowledgeStore) -> None:
        self.store = store
        self.db = store.db
        with self.db.conn:
            self.db["changes"].create(
                {"id": int, "at": str, "who": str, "action": str, "summary": str, "undone_by": int},
                pk="id", if_not_exists=True,
            )
            self.db["change_rows"].create(
                {"change_id": int, "tbl": str, "key": str, "before": str, "after": str},
                if_not_exists=True,
            )

    # --- the one write path -----------------------------------------------------------------

    def _apply(self, action: str, summary: str, who: str, writes: list[tuple[str, str, dict | None]]) -> int:
        """Write rows (None removes one) with their before/after in the audit log, all in one
        transaction; returns the change id."""
        now = _now()
        with self.db.conn:
            change_id = self.db["changes"].insert(
                {"at": now, "who": who, "action": action, "summary": summary[:300], "undone_by": None}
            ).last_pk
            for table, key, row in writes:
                pk = _KEYS[table]
                before = self._row(table, key)
                if row is None:
                    if before is not None:
                        self.db[table].delete(key)
                else:
                    stamp = {"updated_at": now} | ({"changed_by": who} if table == "entries" else {})
                    self.db[table].upsert(row | stamp, pk=pk, alter=True)
                after = self._row(table, key)
                self.db["change_rows"].insert(
                    {"change_id": change_id, "tbl": table, "key": key,
                     "before": json.dumps(before, ensure_ascii=False) if before else None,
                     "after": json.dumps(after, ensure_ascii=False) if after else None}
                )
            self.db["meta"].upsert({"key": "changed_at", "value": f"{now}#{change_id}"}, pk="key")
        return change_id

    def _row(self, table: str, key: str) -> dict | None:
        rows = list(self.db[table].rows_where(f"[{_KEYS[table]}] = ?", [key]))
        return rows[0] if rows else None

    # --- entries --------------------------------------------------------------------------

    def entry(self, entry_id: str) -> dict | None:
        row = self._row("entries", entry_id)
        if row is None or row["deleted"]:
            return None
        return row | {"phrasings": json.loads(row["phrasings"]), "tags": json.loads(row["tags"])}

    def add_entry(self, fields: dict, who: str) -> int:
        """Add a FAQ entry; its id is made from the question when not given."""
        fields = dict(fields)
        fields.setdefault("id", self._free_id(slug(str(fields.get("question") or ""))))
        fields.setdefault("tags", [])
        fields.setdefault("phrasings", [])
        record = self._valid_entry(fields)
        if self.entry(record["id"]) is not None:
            raise EditError(f"Mã '{record['id']}' đã có.")
        return self._apply("add", f"Thêm mục {record['id']}: {record['question']}", who,
                           [("entries", record["id"], entry_row(record))])

    def update_entry(self, entry_id: str, changes: dict, who: str) -> int:
        current = self.entry(entry_id)
        if current is None:
            raise EditError(f"Không có mục '{entry_id}'.")
        fields = {k: current[k] for k in ("id", "question", "phrasings", "answer", "tags", "source", "as_of")}
        fields |= changes
        fields["id"] = entry_id
        fields["gap"] = bool(current.get("gap"))
        record = self._valid_entry(fields, exclude=entry_id)
        return self._apply("update", f"Sửa mục {entry_id}: {', '.join(changes)}", who,
                           [("entries", entry_id, entry_row(record))])

    def delete_entry(self, entry_id: str, who: str) -> int:
        """Soft delete: the row stays (marked deleted), so the change can be undone."""
        current = self._row("entries", entry_id)
        if current is None or current["deleted"]:
            raise EditError(f"Không có mục '{entry_id}'.")
        return self._apply("delete", f"Xóa mục {entry_id}: {current['question']}", who,
                           [("entries", entry_id, current | {"deleted": 1})])

    def find(self, keyword: str, limit: int = 10) -> list[dict]:
        """Entries whose question, phrasings or answer contain all the keyword's folded words."""
        words = fold(keyword).split()
        if not words:
            return []
        found = []
        for row in self.db["entries"].rows_where("deleted = 0", order_by="id"):
            haystack = fold(" ".join([row["id"], row["question"], row["phrasings"], row["answer"]]))
            if all(w in haystack for w in words):
                found.append(row)
                if len(found) == limit:
                    break
        return found

    def _valid_entry(self, fields: dict, exclude: str | None = None) -> dict:
        errors, record = validate_entry(fields)
        if errors:
            raise EditError("; ".join(f"trường '{f}': {m}" for f, m in errors))
        asked = fold(record["question"])
        for row in self.db["entries"].rows_where("deleted = 0 and id != ?", [exclude or ""]):
            if fold(row["question"]) == asked:
                raise EditError(f"Câu hỏi này đã có ở mục '{row['id']}'.")
        return record

    def _free_id(self, base: str) -> str:
        candidate, n = base, 2
        while self._row("entries", candidate) is not None:
            candidate, n = f"{base}-{n}", n + 1
        return candidate

    # --- statistics and imports -----------------------------------------------------------

    def add_statistic(self, fields: dict, who: str) -> int:
        """Record (or correct) one figure of a known metric for a period."""
        errors, record = validate_statistic({k: "" if v is None else v for k, v in fields.items()})
        if errors:
            raise EditError("; ".join(f"trường '{f}': {m}" for f, m in errors))
        if self._row("metrics", record["metric"]) is None:
            known = ", ".join(m["key"] for m in self.store.metrics())
            raise EditError(f"Không có chỉ số '{record['metric']}'. Các chỉ số: {known}.")
        label = record["period_end"] or record["period_start"]
        return self._apply("stat", f"Số liệu {record['metric']} ({label}): {record['value']:g}", who,
                           [("statistics", record["id"], plain_row(record))])

    def import_batch(self, batch: Batch, who: str, name: str) -> tuple[int | None, ImportReport]:
        """A whole validated file as one change (None when it changes nothing), with counts."""
        writes, report = self.store.plan_import(batch)
        if not writes:
            return None, report
        return self._apply("import", f"Nhập {name}: {report}", who, writes), report

    # --- admins ---------------------------------------------------------------------------

    def set_admin(self, admin: str, add: bool, who: str) -> int:
        """Add or remove an admin, audited and undoable like any other change."""
        row = {"id": admin, "added_by": who, "added_at": _now()} if add else None
        summary = f"{'Thêm' if add else 'Bỏ'} quản trị viên {admin}"
        return self._apply("admin", summary, who, [("admins", admin, row)])

    # --- history --------------------------------------------------------------------------

    def history(self, limit: int = 10) -> list[Change]:
        return [Change(**row) for row in self.db["changes"].rows_where(order_by="id desc", limit=limit)]

    def undo(self, change_id: int, who: str) -> int:
        """Put back what a change replaced, as a new change of its own."""
        rows = list(self.db["changes"].rows_where("id = ?", [change_id]))
        if not rows:
            raise EditError(f"Không có thay đổi số {change_id}.")
        if rows[0]["undone_by"]:
            raise EditError(f"Thay đổi số {change_id} đã được hoàn tác (thay đổi số {rows[0]['undone_by']}).")
        writes = []
        for r in self.db["change_rows"].rows_where("change_id = ?", [change_id], order_by="rowid desc"):
            before = json.loads(r["before"]) if r["before"] else None
            writes.append((r["tbl"], r["key"], before))
        undo_id = self._apply("undo", f"Hoàn tác thay đổi số {change_id}: {rows[0]['summary']}", who, writes)
        with self.db.conn:
            self.db["changes"].update(change_id, {"undone_by": undo_id})
        return undo_id
