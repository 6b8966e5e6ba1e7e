"""The figures of the last twelve months as a chart (PNG), and as text where no picture can go.

matplotlib draws with the Agg backend (no display) and DejaVu Sans, the font it ships, which
has every Vietnamese letter with its tone marks. It is imported on the first chart only, so
answering questions never pays for it.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass

from ..search.items import format_number
from ..search.periods import Month

MONTHS = 12
_LOCK = threading.Lock()
"""pyplot keeps global state: one chart at a time, whichever thread draws it."""


@dataclass(frozen=True)
class Series:
    """One metric's monthly figures."""

    label: str
    unit: str
    values: dict[Month, float]


def window(last: Month, months: int = MONTHS) -> list[Month]:
    """The ``months`` months ending with ``last``, oldest first."""
    return [last.shift(i - months + 1) for i in range(months)]


def short(month: Month) -> str:
    """"11/2026"."""
    return f"{month.month}/{month.year}"


def drawable(series: list[Series], last: Month) -> list[Series]:
    """The series with at least one figure in the twelve months up to ``last``."""
    months = set(window(last))
    return [s for s in series if months & s.values.keys()]


def caption(series: list[Series], last: Month) -> str:
    """What the chart shows, in words: its months and each metric's figure for ``last``."""
    months = window(last)
    parts = []
    for s in drawable(series, last):
        value = s.values.get(last)
        figure = f"{format_number(value)} {s.unit}" if value is not None else "chưa có số liệu"
        parts.append(f"{s.label}: tháng {short(last)} {figure}")
    return f"Biểu đồ {len(months)} tháng ({short(months[0])} – {short(last)}). " + "; ".join(parts) + "."


def table(series: list[Series], last: Month) -> str:
    """The chart as short text lines (for a platform that cannot show the picture)."""
    lines = []
    for s in drawable(series, last):
        lines.append(f"{s.label} ({s.unit}), {MONTHS} tháng:")
        for month in window(last):
            value = s.values.get(month)
            lines.append(f"  {month.month:>2}/{month.year}: {format_number(value) if value is not None else '–'}")
    return "\n".join(lines)


def render(series: list[Series], last: Month, title: str) -> bytes | None:
    """A PNG line chart of each metric over the twelve months up to ``last``; None when no
    metric has a figure in them."""
    shown = drawable(series, last)
    if not shown:
        return None
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    months = window(last)
    labels = [f"{m.month}/{m.year % 100:02d}" for m in months]
    with _LOCK, plt.rc_context({"font.family": "DejaVu Sans", "font.size": 11}):
        figure, axes = plt.subplots(figsize=(8, 4.5), dpi=100)
        try:
            for s in shown:
                xs = [i for i, m in enumerate(months) if m in s.values]
                ys = [s.values[months[i]] for i in xs]
                axes.plot(xs, ys, marker="o", linewidth=2, label=f"{_wrap(s.label)} ({s.unit})")
                if last in s.values:
                    axes.annotate(format_number(s.values[last]), (len(months) - 1, s.values[last]),
                                  textcoords="offset points", xytext=(0, 8), ha="center", fontweight="bold")
            axes.set_xticks(range(len(months)), labels)
            axes.set_ylim(bottom=0)
            axes.margins(y=0.2)
            axes.grid(axis="y", alpha=0.3)
            axes.spines[["top", "right"]].set_visible(False)
            axes.set_title(title, fontsize=13)
            axes.legend(loc="upper left", fontsize=9, frameon=False)
            figure.tight_layout()
            out = io.BytesIO()
            figure.savefig(out, format="png")
        finally:
            plt.close(figure)
    return out.getvalue()


def _wrap(label: str, width: int = 45) -> str:
    """A legend label on lines of at most ``width`` characters."""
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "\n".join(lines)
