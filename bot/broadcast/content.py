"""What the monthly update says: each metric's figure for the month with its changes, the year
to date and the target, every figure's source and date, a chart of the last twelve months, the
entries that are new since the last update, and the admins' announcements.

A :class:`Bulletin` is built once and frozen in the ledger when it first goes out: the preview,
every recipient and every resend after a crash get the same text and chart.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections import defaultdict
from dataclasses import dataclass, field

from ..knowledge.readable import local_day
from ..knowledge.store import KnowledgeStore
from ..search.items import format_number
from ..search.periods import Month
from ..search.text import shorten
from . import chart
from .chart import Series

MAX_LINKS = 5
MAX_LATE = 4
TITLE_LENGTH = 40
EMPTY_NOTE = (
    "Tháng {month} chưa có số liệu mới về công tác luân chuyển cán bộ. "
    "Bot vẫn trả lời câu hỏi bất cứ lúc nào."
)
FOOTER = "Hỏi bot bất cứ lúc nào; gõ /huydangky để thôi nhận bản tin."


@dataclass(frozen=True)
class Bulletin:
    """One update as it goes out, the same for the preview, the ledger and every recipient."""

    text: str
    chart: bytes | None = None
    """A PNG of the last twelve months' figures."""
    caption: str = ""
    """What the chart shows, in words (its months and the month's figures)."""
    table: str = ""
    """The chart as text lines, for a platform that cannot show the picture."""
    links: tuple[tuple[str, str], ...] = field(default=())
    """(title, item key) of the entries new since the last update, each one tap to read."""

    def without_chart(self) -> str:
        """The text with the chart's figures written out, where no picture can go."""
        return f"{self.text}\n\n{self.table}" if self.chart is not None and self.table else self.text

    def links_json(self) -> str:
        return json.dumps([list(link) for link in self.links], ensure_ascii=False)

    @classmethod
    def from_row(cls, row: dict) -> Bulletin:
        """A bulletin as the ledger froze it."""
        links = tuple((str(title), str(key)) for title, key in json.loads(row.get("links") or "[]"))
        return cls(row["text"], row.get("chart"), row.get("caption") or "", row.get("table_text") or "", links)


def month_label(month: Month) -> str:
    return f"{month.month}/{month.year}"


def monthly_rows(store: KnowledgeStore) -> dict[str, dict[Month, dict]]:
    """Statistics rows for exactly one month, by metric and month."""
    rows: dict[str, dict[Month, dict]] = defaultdict(dict)
    for row in store.statistics():
        start, end = row["period_start"], row["period_end"]
        if start and end and start == end and "-" in start:
            rows[row["metric"]][Month.parse(start)] = row
    return rows


def _change(now: float, before: dict | None, month: Month) -> str | None:
    if before is None:
        return None
    diff = now - before["value"]
    sign = "+" if diff > 0 else ("−" if diff < 0 else "±")
    return f"{sign}{format_number(abs(diff))} so với tháng {month_label(month)}"


def _what(metric: dict) -> str:
    """"lượt cán bộ được luân chuyển": the unit, then the label unless it starts with it."""
    label = metric["label"]
    return label if label.lower().startswith(metric["unit"].lower()) else f"{metric['unit']} {label}"


def _source(row: dict) -> str:
    date = f", ghi ngày {local_day(row['updated_at'])}" if row.get("updated_at") else ""
    return f"  Nguồn: {row['source']}{date}"


def figure_block(metric: dict, values: dict[Month, dict], month: Month, target: dict | None) -> list[str]:
    """A metric's figure for ``month``: changes on the month before and a year before, the year
    to date against the target, the source and date; short lines for a phone."""
    row = values[month]
    value = row["value"]
    lines = [f"• {format_number(value)} {_what(metric)}"]
    changes = [c for c in (_change(value, values.get(month.shift(-1)), month.shift(-1)),
                           _change(value, values.get(month.shift(-12)), month.shift(-12))) if c]
    if changes:
        lines.append(f"  ({'; '.join(changes)})")
    year = [values[m]["value"] for m in (Month(month.year, i) for i in range(1, month.month + 1)) if m in values]
    if month.month > 1 or target is not None:
        known = "" if len(year) == month.month else f" ({len(year)}/{month.month} tháng có số liệu)"
        lines.append(f"  Từ đầu năm {month.year}: {format_number(sum(year))}{known}")
    if target is not None:
        share = round(100 * sum(year) / target["value"])
        lines.append(f"  Chỉ tiêu năm {month.year}: {format_number(target['value'])} – đã đạt {share}%")
    lines.append(_source(row))
    return lines


def late_figures(store: KnowledgeStore, rows: dict[str, dict[Month, dict]], before: Month, since: str) -> list[str]:
    """Figures of the twelve months up to ``before`` written after ``since`` (a report that
    came late, a correction): they were not in the update of their month. At most a few."""
    metrics = {m["key"]: m for m in store.metrics()}
    months = set(chart.window(before))
    late = [
        (month, key, row) for key, values in sorted(rows.items()) for month, row in sorted(values.items())
        if month in months and key in metrics and (row.get("updated_at") or "") > since
    ]
    lines = []
    for month, key, row in late[:MAX_LATE]:
        lines += [f"• Tháng {month_label(month)}: {format_number(row['value'])} {_what(metrics[key])}", _source(row)]
    if len(late) > MAX_LATE:
        lines.append(f"• … và {len(late) - MAX_LATE} số liệu khác (gõ /thongke để xem)")
    return lines


def new_entries(store: KnowledgeStore, since: str) -> list[tuple[str, str]]:
    """(title, item key) of the entries admins or imports added or changed after ``since``
    (the shipped seed is not news)."""
    rows = store.db.table("entries").rows_where(
        "deleted = 0 and updated_at > ? and coalesce(changed_by, '') != 'seed'", [since], order_by="updated_at",
    )
    return [(r.get("title") or shorten(r["question"], TITLE_LENGTH), f"entry:{r['id']}") for r in rows]


def series(store: KnowledgeStore, rows: dict[str, dict[Month, dict]]) -> list[Series]:
    metrics = {m["key"]: m for m in store.metrics()}
    return [
        Series(metrics[key]["label"], metrics[key]["unit"], {m: r["value"] for m, r in values.items()})
        for key, values in sorted(rows.items()) if key in metrics
    ]


def build_update(
    store: KnowledgeStore, month: Month, since: str | None, announcements: list[str], when_empty: str = "note",
    org: str = "", supplement: bool = False,
) -> Bulletin | None:
    """The update for ``month`` with what is new after ``since`` (the previous update's time;
    None: the month's start). A supplement carries only what came after its month's update.
    None when nothing is new and the admins chose to skip such months."""
    since = since or f"{month}-01"
    rows = monthly_rows(store)
    metrics = {m["key"]: m for m in store.metrics()}
    targets = store.targets()
    figures: list[str] = []
    if not supplement:
        for key, values in sorted(rows.items()):
            if month in values and key in metrics:
                figures += figure_block(metrics[key], values, month, targets.get((key, month.year)))
    late = late_figures(store, rows, month if supplement else month.shift(-1), since)
    links = new_entries(store, since)
    if not (figures or late or links or announcements):
        if supplement or when_empty == "skip":
            return None
        return Bulletin(EMPTY_NOTE.format(month=month_label(month)))
    kind = "BẢN TIN BỔ SUNG" if supplement else "BẢN TIN"
    lines = [f"{kind} LUÂN CHUYỂN CÁN BỘ – THÁNG {month_label(month)}"]
    if org:
        lines.append(org)
    if figures:
        lines += ["", f"Số liệu tháng {month_label(month)}:", *figures]
    if late:
        lines += ["", "Số liệu bổ sung:" if supplement else "Số liệu bổ sung cho các tháng trước:", *late]
    if links:
        more = f"; {len(links) - MAX_LINKS} mục khác tra bằng câu hỏi" if len(links) > MAX_LINKS else ""
        lines += ["", f"Mới trong tháng ({len(links)} mục{more}), chọn để đọc:"]
    if announcements:
        lines += ["", "Thông báo:", *(f"• {a}" for a in announcements)]
    lines += ["", FOOTER]
    drawn = [] if supplement else chart.drawable(series(store, rows), month)
    return Bulletin(
        "\n".join(lines), None, chart.caption(drawn, month) if drawn else "", chart.table(drawn, month),
        tuple(links[:MAX_LINKS]),
    )


async def illustrate(store: KnowledgeStore, bulletin: Bulletin, month: Month) -> Bulletin:
    """The bulletin with its chart, drawn in a worker thread (the event loop keeps answering)."""
    if not bulletin.caption:
        return bulletin
    drawn = chart.drawable(series(store, monthly_rows(store)), month)
    png = await asyncio.to_thread(chart.render, drawn, month, chart_title(month))
    return dataclasses.replace(bulletin, chart=png)


def chart_title(month: Month) -> str:
    return f"Luân chuyển cán bộ – 12 tháng đến {month_label(month)}"


async def figures_chart(store: KnowledgeStore) -> tuple[bytes, str, str] | None:
    """(PNG, caption, text table) of the twelve months up to the latest month with a monthly
    figure, drawn in a worker thread; None when no figure is monthly."""
    rows = monthly_rows(store)
    months = [m for values in rows.values() for m in values]
    if not months:
        return None
    last = max(months)
    drawn = chart.drawable(series(store, rows), last)
    png = await asyncio.to_thread(chart.render, drawn, last, chart_title(last))
    return (png, chart.caption(drawn, last), chart.table(drawn, last)) if png else None
