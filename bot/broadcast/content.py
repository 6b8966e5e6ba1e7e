"""The text of the monthly update: the month's figures with their changes, the year to date,
what changed in the knowledge base, and the admins' announcements."""

from __future__ import annotations

from collections import defaultdict

from ..knowledge.store import KnowledgeStore
from ..search.items import format_number
from ..search.periods import Month
from .ledger import Ledger

MAX_CHANGED = 5
EMPTY_NOTE = "Tháng {month} chưa có số liệu mới về công tác luân chuyển cán bộ. Bạn vẫn có thể hỏi bot bất cứ lúc nào."


def _label(month: Month) -> str:
    return f"{month.month}/{month.year}"


def _change(now: float, before: float | None, what: str) -> str | None:
    if before is None:
        return None
    diff = now - before
    sign = "+" if diff > 0 else ("−" if diff < 0 else "±")
    return f"{sign}{format_number(abs(diff))} so với {what}"


def monthly_figures(store: KnowledgeStore, month: Month) -> list[str]:
    """One line per metric with a figure for exactly this month, with its changes and the
    year to date where the monthly rows allow them."""
    labels = {m["key"]: m for m in store.metrics()}
    monthly: dict[str, dict[Month, float]] = defaultdict(dict)
    for row in store.statistics():
        start, end = row["period_start"], row["period_end"]
        if start and end and start == end and "-" in start:
            monthly[row["metric"]][Month.parse(start)] = row["value"]
    lines = []
    for metric, values in sorted(monthly.items()):
        if month not in values or metric not in labels:
            continue
        meta = labels[metric]
        value = values[month]
        parts = [f"• {format_number(value)} {meta['label']}"]
        compared = [
            _change(value, values.get(month.shift(-1)), f"tháng {_label(month.shift(-1))}"),
            _change(value, values.get(month.shift(-12)), f"tháng {_label(month.shift(-12))}"),
        ]
        changes = [c for c in compared if c]
        if changes:
            parts.append(f"({'; '.join(changes)})")
        year = [values[m] for m in (Month(month.year, i) for i in range(1, month.month + 1)) if m in values]
        if month.month > 1 and len(year) > 1:
            known = "" if len(year) == month.month else f", {len(year)} tháng có số liệu"
            parts.append(f"– từ đầu năm: {format_number(sum(year))}{known}")
        lines.append(" ".join(parts))
    return lines


def changed_entries(store: KnowledgeStore, month: Month) -> list[str]:
    """Questions added or changed in the month by admins or imports (not the shipped seed)."""
    start = f"{month}-01"
    end = f"{month.shift(1)}-01"
    rows = store.db.table("entries").rows_where(
        "deleted = 0 and updated_at >= ? and updated_at < ? and coalesce(changed_by, '') != 'seed'",
        [start, end], order_by="updated_at",
    )
    return [r["question"] for r in rows]


def build_update(store: KnowledgeStore, ledger: Ledger, month: Month, when_empty: str = "note") -> str | None:
    """The update for ``month``; None when nothing is new and the admins chose to skip."""
    figures = monthly_figures(store, month)
    changed = changed_entries(store, month)
    announcements = ledger.queued_announcements()
    if not (figures or changed or announcements):
        return None if when_empty == "skip" else EMPTY_NOTE.format(month=_label(month))
    lines = [f"BẢN TIN LUÂN CHUYỂN CÁN BỘ – THÁNG {_label(month)}"]
    if figures:
        lines += ["", "Số liệu trong tháng:", *figures]
    if changed:
        lines += ["", f"Cập nhật trong cơ sở dữ liệu ({len(changed)} mục):"]
        lines += [f"• {q}" for q in changed[:MAX_CHANGED]]
        if len(changed) > MAX_CHANGED:
            lines.append(f"• … và {len(changed) - MAX_CHANGED} mục khác")
    if announcements:
        lines += ["", "Thông báo:", *(f"• {a}" for a in announcements)]
    lines += ["", "Hỏi bot bất cứ lúc nào; gõ /huydangky để thôi nhận bản tin."]
    return "\n".join(lines)
