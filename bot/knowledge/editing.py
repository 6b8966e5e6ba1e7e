"""Changing the knowledge base safely: every change validated, written in one transaction,
recorded in an audit log (who, when, what, before and after) and reversible.

Chat commands, the command line and file imports all go through :class:`Editor`, so they share
the same checks and the same history; the store's :meth:`~.store.KnowledgeStore.write` is the
one place rows are written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..search.items import format_number
from ..search.periods import describe_bounds
from ..search.text import fold
from .db import transaction, utc_now
from .formats.records import Batch, finite_number, validate_entry, validate_statistic
from .readable import FIELDS, entry_ref, local_time, person
from .store import ImportReport, KnowledgeStore, Write, audited, entry_row, plain_row


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
    by: str
    """Who made it, in words ("Nguyễn Văn A", "quản trị viên telegram:42", "dòng lệnh")."""

    def line(self) -> str:
        """One line for history lists: number, time in Vietnam, who, what."""
        undone = f" (đã hoàn tác bằng #{self.undone_by})" if self.undone_by else ""
        return f"#{self.id} {local_time(self.at)} – {self.by}: {self.summary}{undone}"


@dataclass(frozen=True)
class UndoPlan:
    """What undoing a change takes: the change itself, and the later changes that went on to
    change the same rows (undoing it alone would silently throw their work away)."""

    change: Change
    later: list[Change]
    admins: bool
    """Whether any of them changes the admin list (only owners may undo that)."""

    @property
    def ids(self) -> list[int]:
        return [self.change.id] + [c.id for c in self.later]


def slug(text: str) -> str:
    """An entry id from its question: folded words joined by dashes, at most 60 characters; never
    digits alone, which name an entry by its short number."""
    made = re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")[:60].rstrip("-")
    return made if made and not made.isdigit() else f"muc-{made}".rstrip("-")


class Editor:
    """Validated, audited, reversible changes to one knowledge store."""

    def __init__(self, store: KnowledgeStore) -> None:
        self.store = store
        self.db = store.db

    def _apply(self, action: str, summary: str, who: str, writes: list[Write]) -> int:
        return self.store.write(action, summary, who, writes)

    # --- entries --------------------------------------------------------------------------

    def entry(self, ref: str) -> dict | None:
        """A live entry by its id or its short number ("12" or "#12")."""
        row = self._live_row(ref)
        if row is None:
            return None
        return row | {"phrasings": json.loads(row["phrasings"]), "tags": json.loads(row["tags"])}

    def _live_row(self, ref: str) -> dict | None:
        ref = ref.strip()
        number = ref.removeprefix("#")
        row = None
        if number.isascii() and number.isdigit():
            row = next(iter(self.db.table("entries").rows_where("code = ?", [int(number)])), None)
        if row is None and not ref.startswith("#"):
            row = self.store.row("entries", ref)
        return None if row is None or row["deleted"] else row

    def add_entry(self, fields: dict, who: str) -> tuple[int, str]:
        """Add a FAQ entry; its id is made from the question when not given. Returns the change's
        number and how admins name the entry ("#12 luan-chuyen-toi-thieu")."""
        fields = dict(fields)
        fields.setdefault("id", self._free_id(slug(str(fields.get("question") or ""))))
        fields.setdefault("tags", [])
        fields.setdefault("phrasings", [])
        record = self._valid_entry(fields)
        if self.store.row("entries", record["id"]) is not None:
            raise EditError(f"Mã '{record['id']}' đã có.")
        with transaction(self.db):  # the number named in the summary is the one written
            row = entry_row(record) | {"code": self.store.next_code()}
            change = self._apply("add", f"Thêm mục {entry_ref(row)}: {record['question']}", who,
                                 [("entries", record["id"], row)])
        return change, entry_ref(row)

    def update_entry(self, ref: str, changes: dict, who: str) -> int:
        current = self.entry(ref)
        if current is None:
            raise EditError(f"Không có mục '{ref}'.")
        fields = {k: current[k] for k in ("id", "question", "phrasings", "answer", "tags", "source", "as_of")}
        fields |= changes
        fields["id"] = current["id"]
        fields["gap"] = bool(current.get("gap"))
        record = self._valid_entry(fields, exclude=current["id"])
        what = ", ".join(FIELDS.get(k, k) for k in changes)
        return self._apply("update", f"Sửa mục {entry_ref(current)}: {what}", who,
                           [("entries", current["id"], entry_row(record))])

    def delete_entry(self, ref: str, who: str) -> int:
        """Soft delete: the row stays (marked deleted), so the change can be undone."""
        current = self._live_row(ref)
        if current is None:
            raise EditError(f"Không có mục '{ref}'.")
        return self._apply("delete", f"Xóa mục {entry_ref(current)}: {current['question']}", who,
                           [("entries", current["id"], audited(current) | {"deleted": 1})])

    def find(self, keyword: str, limit: int = 10) -> list[dict]:
        """Entries whose id, question, phrasings or answer contain all the keyword's folded
        words (on a folded copy kept with each row, so it stays fast on a large base)."""
        words = fold(keyword).split()
        if not words:
            return []
        where = " and ".join(["deleted = 0", *["instr(search, ?) > 0"] * len(words)])
        return list(self.db.table("entries").rows_where(where, words, order_by="id", limit=limit))

    def _valid_entry(self, fields: dict, exclude: str | None = None) -> dict:
        errors, record = validate_entry(fields)
        if errors:
            raise EditError("; ".join(f"trường '{f}': {m}" for f, m in errors))
        same = self.db.execute(
            "select id from entries where deleted = 0 and id != ? and question_key = ? limit 1",
            [exclude or "", fold(record["question"])],
        ).fetchone()
        if same:
            raise EditError(f"Câu hỏi này đã có ở mục '{same[0]}'.")
        return record

    def _free_id(self, base: str) -> str:
        candidate, n = base, 2
        while self.store.row("entries", candidate) is not None:
            candidate, n = f"{base}-{n}", n + 1
        return candidate

    # --- statistics and imports -----------------------------------------------------------

    def add_statistic(self, fields: dict, who: str, target: float | None = None) -> int:
        """Record (or correct) one figure of a known metric for a period, and with ``target``
        the metric's target for that period's year, in the same change."""
        errors, record = validate_statistic({k: "" if v is None else v for k, v in fields.items()})
        if errors:
            raise EditError("; ".join(f"trường '{f}': {m}" for f, m in errors))
        label = self._known_metric(record["metric"])["label"]
        writes: list[Write] = [("statistics", record["id"], plain_row(record))]
        period = describe_bounds(record["period_start"], record["period_end"])
        summary = f"Số liệu {label}, {period}: {format_number(record['value'])} {record['unit']}"
        if target is not None:
            year = int((record["period_end"] or record["period_start"])[:4])
            writes.append(self._target(record["metric"], year, target, record["source"]))
            summary += f"; chỉ tiêu năm {year}: {format_number(target)}"
        return self._apply("stat", summary, who, writes)

    def set_target(self, metric: str, year: int, value: float, source: str, who: str) -> int:
        """Set a metric's target for a year: the monthly update shows the year to date against it."""
        label = self._known_metric(metric)["label"]
        return self._apply("target", f"Chỉ tiêu năm {year}, {label}: {format_number(value)}", who,
                           [self._target(metric, year, value, source)])

    def _known_metric(self, metric: str) -> dict:
        found = self.store.row("metrics", metric)
        if found is None:
            known = ", ".join(m["key"] for m in self.store.metrics())
            raise EditError(f"Không có chỉ số '{metric}'. Các chỉ số: {known}.")
        return found

    @staticmethod
    def _target(metric: str, year: int, value: float, source: str) -> Write:
        if not 2000 <= year <= 2100:
            raise EditError(f"Năm {year} không hợp lệ; gõ năm dạng 2026.")
        try:
            value = finite_number(str(value))
        except ValueError as exc:
            raise EditError(f"Chỉ tiêu: {exc}.") from None
        if value <= 0:
            raise EditError("Chỉ tiêu phải lớn hơn 0.")
        key = f"{metric}:{year}"
        return ("targets", key, {"id": key, "metric": metric, "year": year, "value": value, "source": source.strip()})

    def import_batch(
        self, batch: Batch, who: str, name: str, progress: Callable[[int, int], None] | None = None
    ) -> tuple[int | None, ImportReport]:
        """A whole validated file as one change (None when it changes nothing), with counts."""
        writes, report = self.store.plan_import(batch)
        if not writes:
            return None, report
        return self.store.write("import", f"Nhập tệp {name}: {report}", who, writes, progress), report

    def documents_summary(self, batch: Batch) -> str:
        """What a batch's Word or PDF documents hold and what importing them replaces, for the
        admin to check first (the chat preview and ``kb import`` show the same)."""
        new = {passage["id"] for passage in batch.passages}
        lines = []
        for document in batch.documents:
            stored = self.store.document_passages(document.key)
            gone = sum(1 for key in stored if key not in new)
            replaces = (
                f"• Thay bản đã nhập trước ({len(stored)} đoạn); bỏ {gone} đoạn không còn trong bản mới"
                if stored else "• Văn bản mới, chưa nhập lần nào"
            )
            lines += [document.summary(), replaces]
        return "\n".join(lines)

    # --- admins ---------------------------------------------------------------------------

    def set_admin(self, admin: str, add: bool, who: str, name: str = "") -> int:
        """Add (with the name history shows for them) or remove an admin, audited and undoable
        like any other change."""
        row = {"id": admin, "added_by": who, "added_at": utc_now(), "name": name} if add else None
        named = f"{name} ({admin})" if name else admin
        summary = f"{'Thêm' if add else 'Bỏ'} quản trị viên {named}"
        return self._apply("admin", summary, who, [("admins", admin, row)])

    def names(self) -> dict[str, str]:
        """The names owners gave the admins they added, by "platform:id"."""
        return dict(self.db.execute("select id, name from admins where coalesce(name, '') != ''").fetchall())

    # --- history and undo -----------------------------------------------------------------

    def history(self, limit: int = 10) -> list[Change]:
        return self._changes(self.db.table("changes").rows_where(order_by="id desc", limit=limit))

    def change(self, change_id: int) -> Change:
        rows = self._changes(self.db.table("changes").rows_where("id = ?", [change_id]))
        if not rows:
            raise EditError(f"Không có thay đổi số {change_id}.")
        return rows[0]

    def _changes(self, rows: Iterable[dict]) -> list[Change]:
        names = self.names()
        return [Change(**row, by=person(row["who"], names)) for row in rows]

    def undo_plan(self, change_id: int) -> UndoPlan:
        """What undoing ``change_id`` involves; EditError when it cannot be undone at all."""
        change = self.change(change_id)
        if change.undone_by:
            raise EditError(f"Thay đổi số {change_id} đã được hoàn tác (thay đổi số {change.undone_by}).")
        rows = self._change_rows(change_id)
        later: list[Change] = []
        if self._changed_since(rows):
            later = self._later(change_id, {(table, key) for table, key, _, _ in rows})
        ids = [change_id] + [c.id for c in later]
        admins = bool(self.db.execute(
            f"select 1 from change_rows where tbl = 'admins' and change_id in ({', '.join('?' * len(ids))}) limit 1", ids,
        ).fetchone())
        return UndoPlan(change, later, admins)

    def undo(self, change_id: int, who: str, *, with_later: bool = False, owner: bool = True) -> int:
        """Put back what a change replaced, as one new change. Refused when later changes
        touched the same rows, unless ``with_later`` undoes them too (newest first, in the same
        transaction); changes to the admin list only for owners."""
        with transaction(self.db):
            plan = self.undo_plan(change_id)
            if plan.admins and not owner:
                raise EditError("Chỉ chủ bot (trong ADMIN_IDS) mới hoàn tác được thay đổi danh sách quản trị viên.")
            if plan.later and not with_later:
                raise EditError(
                    f"Sau thay đổi số {change_id}, chính các mục đó đã được sửa tiếp: "
                    + ", ".join(f"#{c.id}" for c in plan.later)
                    + ". Hoàn tác riêng thay đổi này sẽ xóa mất các sửa đổi sau; hãy hoàn tác cả chúng."
                )
            writes: list[Write] = []
            for cid in sorted(plan.ids, reverse=True):
                writes += [(table, key, before) for table, key, before, _ in reversed(self._change_rows(cid))]
            numbers = ", ".join(f"#{i}" for i in plan.ids)
            undo_id = self._apply("undo", f"Hoàn tác {numbers}: {plan.change.summary}", who, _last_wins(writes))
            for cid in plan.ids:
                self.db.execute("update changes set undone_by = ? where id = ?", [undo_id, cid])
        return undo_id

    def _change_rows(self, change_id: int) -> list[tuple[str, str, dict | None, dict | None]]:
        """(table, key, before, after) of each row a change wrote, in the order written."""
        return [
            (r["tbl"], r["key"], json.loads(r["before"]) if r["before"] else None,
             json.loads(r["after"]) if r["after"] else None)
            for r in self.db.table("change_rows").rows_where("change_id = ?", [change_id], order_by="rowid")
        ]

    def _changed_since(self, rows: list[tuple[str, str, dict | None, dict | None]]) -> bool:
        """Whether any row differs now from what the change left."""
        by_table: dict[str, list[tuple[str, dict | None]]] = {}
        for table, key, _, after in rows:
            by_table.setdefault(table, []).append((key, after))
        for table, items in by_table.items():
            current = self.store.rows(table, [key for key, _ in items])
            if any(_differs(current.get(key), after) for key, after in items):
                return True
        return False

    def _later(self, change_id: int, rows: set[tuple[str, str]]) -> list[Change]:
        """Changes after ``change_id``, not undone, that wrote any of ``rows`` or any row of
        such a change (undoing one of them alone would raise the same question)."""
        later: dict[int, Change] = {}
        pending = set(rows)
        seen: set[tuple[str, str]] = set()
        while pending:
            table, key = pending.pop()
            seen.add((table, key))
            found = self._changes(self.db.query(
                "select c.* from changes c join change_rows r on r.change_id = c.id"
                " where r.tbl = ? and r.key = ? and c.id > ? and c.undone_by is null and c.action != 'undo'",
                [table, key, change_id],
            ))
            for change in found:
                if change.id not in later:
                    later[change.id] = change
                    pending |= {(t, k) for t, k, _, _ in self._change_rows(change.id)} - seen
        return sorted(later.values(), key=lambda c: c.id)


def _differs(current: dict | None, after: dict | None) -> bool:
    """Whether a stored row is not what a change left. Only the columns the change wrote count:
    a column added since (an entry's short number) did not exist for it to leave."""
    if current is None or after is None:
        return current is not after
    return any(current.get(column) != value for column, value in after.items())


def _last_wins(writes: list[Write]) -> list[Write]:
    """Writes with each (table, key) kept once, at its last position: undoing several changes
    newest first ends with each row as the oldest of them found it."""
    last = {(table, key): i for i, (table, key, _) in enumerate(writes)}
    return [w for i, w in enumerate(writes) if last[(w[0], w[1])] == i]
