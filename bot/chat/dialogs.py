"""Guided changes for admins in chat: one question at a time, a cancel button at every step,
and a summary to confirm before anything is written (through the audited Editor).

Dialogs are platform-neutral: each step is a Reply with options, which Telegram shows as
buttons and Zalo as numbered lines.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

from ..knowledge.editing import EditError, Editor, UndoPlan
from ..knowledge.formats.records import Batch, check_answer, finite_number
from ..search.periods import typed_period

CANCEL = ("Hủy", "dlg:cancel")
SKIP = ("Bỏ qua", "dlg:skip")
SAVE = ("Lưu", "dlg:save")
TODAY = ("Hôm nay", "dlg:today")
MAX_FIELD = 800
MAX_QUESTION = 300
MAX_SOURCE = 500


def _required(text: str, limit: int = MAX_FIELD) -> str:
    text = text.strip()
    if not text:
        raise EditError("Nội dung trống; hãy gõ lại.")
    if len(text) > limit:
        raise EditError(f"Dài {len(text)} ký tự; tối đa {limit}. Hãy gõ lại ngắn gọn hơn.")
    return text


def _question(text: str) -> str:
    return _required(text, MAX_QUESTION)


def _source(text: str) -> str:
    return _required(text, MAX_SOURCE)


def _answer(text: str) -> str:
    text = _required(text)
    errors: list[tuple[str, str]] = []
    check_answer(text, errors)
    if errors:
        raise EditError(f"Câu trả lời {errors[0][1]}. Hãy rút gọn (tối đa 3 câu, 800 ký tự).")
    return text


def _lines(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n|\|", text) if p.strip()]


def _date(text: str) -> str:
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            pass
    raise EditError("Ngày chưa đúng; gõ dạng 30/05/2019 hoặc 2019-05-30.")


def _period(text: str) -> tuple[str, str]:
    try:
        return typed_period(text)
    except ValueError as exc:
        raise EditError(str(exc)) from None


def _number(text: str) -> float:
    try:
        return finite_number(text.strip().replace(".", "").replace(",", "."))
    except ValueError as exc:
        raise EditError(f"{exc}. Hãy gõ một con số, ví dụ 12.") from None


@dataclass
class Step:
    field: str
    prompt: str
    parse: Callable[[str], Any] = _required
    optional: bool = False
    choices: list[tuple[str, Any]] = dataclasses.field(default_factory=list)
    """Tappable values (label, value) besides typing one."""
    typed: bool = True
    """Whether a value may be typed; False: only the choices (which are then numbered)."""


@dataclass
class Dialog:
    """A change being prepared; ``save`` writes it through the editor and says what happened."""

    title: str
    steps: list[Step]
    save_fn: Callable[[Editor, dict, str], str]
    values: dict = dataclasses.field(default_factory=dict)
    index: int = 0
    confirm: str = SAVE[0]
    """The label of the button that carries the change out."""

    @property
    def done(self) -> bool:
        return self.index >= len(self.steps)

    def step(self) -> Step:
        return self.steps[self.index]

    def skip_filled(self) -> None:
        while not self.done and self.step().field in self.values:
            self.index += 1

    def take(self, value: Any) -> None:
        self.values[self.step().field] = value
        self.index += 1
        self.skip_filled()

    def summary(self) -> str:
        if not self.steps:
            return self.title
        lines = [f"{self.title} – kiểm tra trước khi lưu:"]
        for s in self.steps:
            lines.append(f"• {s.prompt.split(':')[0].split('?')[0]}: {_shown(s, self.values.get(s.field)) or '(trống)'}")
        return "\n".join(lines)


def _shown(step: Step, value: Any) -> str:
    """A value as the admin chose or typed it: a choice by its label, a number without '.0'."""
    label = next((label for label, choice in step.choices if choice == value), None)
    if label is not None:
        return label
    if isinstance(value, list):
        return " | ".join(value)
    if isinstance(value, tuple):
        return " – ".join(dict.fromkeys(value))
    if isinstance(value, float):
        return f"{value:g}"
    return "" if value is None else str(value)


def add_entry_dialog(question: str | None = None, source: str | None = None) -> Dialog:
    def save(editor: Editor, v: dict, who: str) -> str:
        change = editor.add_entry(
            {"question": v["question"], "phrasings": v.get("phrasings") or [], "answer": v["answer"],
             "source": v["source"], "as_of": v["as_of"]}, who,
        )
        return f"Đã thêm mục mới (thay đổi số {change}; hoàn tác: /hoantac {change}). Bot trả lời được ngay."

    dialog = Dialog("Thêm câu hỏi – trả lời", [
        Step("question", "Câu hỏi chính là gì?", _question),
        Step("phrasings", "Các cách hỏi khác (mỗi dòng một cách, hoặc ngăn bằng |)?", _lines, optional=True),
        Step("answer", "Câu trả lời (tối đa 3 câu, 800 ký tự)?", _answer),
        Step("source", "Nguồn (văn bản, số, ngày)?", _source),
        Step("as_of", "Thông tin tính đến ngày nào (30/05/2019)?", _date, choices=[TODAY]),
    ], save)
    if question and len(question) <= MAX_QUESTION:
        dialog.values["question"] = question
    if source:
        dialog.values["source"] = source
    dialog.skip_filled()
    return dialog


EDITABLE = [("Câu hỏi", "question"), ("Cách hỏi khác", "phrasings"), ("Trả lời", "answer"), ("Nguồn", "source"),
            ("Ngày", "as_of")]
PARSERS = {"question": _question, "phrasings": _lines, "answer": _answer, "source": _source, "as_of": _date}


def edit_entry_dialog(entry: dict) -> Dialog:
    def save(editor: Editor, v: dict, who: str) -> str:
        change = editor.update_entry(entry["id"], {v["field"]: v["value"]}, who)
        return f"Đã sửa mục {entry['id']} (thay đổi số {change}; hoàn tác: /hoantac {change})."

    dialog = Dialog(f"Sửa mục {entry['id']}", [
        Step("field", f"Sửa phần nào của “{entry['question']}”?", choices=EDITABLE, typed=False),
        Step("value", "Nội dung mới?", lambda text: PARSERS[dialog.values["field"]](text)),
    ], save)
    return dialog


def statistic_dialog(metrics: list[dict]) -> Dialog:
    def save(editor: Editor, v: dict, who: str) -> str:
        metric = v["metric"]
        change = editor.add_statistic(
            {"metric": metric["key"], "value": v["value"], "unit": metric["unit"], "period_start": v["period"][0],
             "period_end": v["period"][1], "scope": metric["scope"], "source": v["source"]}, who,
            target=v.get("target") or None,
        )
        return f"Đã ghi số liệu (thay đổi số {change}); bot và bản tin tháng dùng ngay."

    return Dialog("Ghi số liệu", [
        Step("metric", "Số liệu của chỉ số nào?", choices=[(m["label"][:60], m) for m in metrics], typed=False),
        Step("period", "Kỳ số liệu (tháng 10/2026, hoặc 1/2026 - 3/2026)?", _period),
        Step("value", "Giá trị?", _number),
        Step("source", "Nguồn (báo cáo nào, ngày nào)?", _source),
        Step("target", "Chỉ tiêu cả năm? (nếu có; bản tin tháng so số từ đầu năm với chỉ tiêu)", _number,
             optional=True),
    ], save)


def import_dialog(name: str, batch: Batch, counts: str) -> Dialog:
    def save(editor: Editor, v: dict, who: str) -> str:
        change, report = editor.import_batch(batch, who, name)
        return f"Đã nhập {name}: {report}." + (f" Hoàn tác: /hoantac {change}." if change else "")

    return Dialog(f"Nhập tệp {name} ({counts})?", [], save, confirm="Nhập")


def delete_dialog(entry: dict) -> Dialog:
    def save(editor: Editor, v: dict, who: str) -> str:
        change = editor.delete_entry(entry["id"], who)
        return f"Đã xóa mục {entry['id']} (thay đổi số {change}; hoàn tác: /hoantac {change})."

    return Dialog(f"Xóa mục {entry['id']}: “{entry['question']}”?", [], save, confirm="Xóa")


def undo_dialog(plan: UndoPlan, owner: bool) -> Dialog:
    """Confirm an undo; when later changes touched the same rows, say which and offer to
    undo them together (undoing one alone would silently throw the later work away)."""
    number = plan.change.id

    def save(editor: Editor, v: dict, who: str) -> str:
        now = editor.undo_plan(number)
        if [c.id for c in now.later] != [c.id for c in plan.later]:
            raise EditError(f"Trong lúc chờ xác nhận đã có thay đổi mới; hãy gõ lại /hoantac {number}.")
        change = editor.undo(number, who, with_later=bool(plan.later), owner=owner)
        return f"Đã hoàn tác {', '.join(f'#{i}' for i in plan.ids)} (thay đổi mới số {change})."

    if not plan.later:
        return Dialog(f"Hoàn tác thay đổi {plan.change.line()}?", [], save, confirm="Hoàn tác")
    title = "\n".join([
        f"Sau thay đổi #{number}, chính các mục đó đã được sửa tiếp:",
        *(f"• {c.line()}" for c in plan.later),
        f"Hoàn tác riêng #{number} sẽ xóa mất các sửa đổi này. Hoàn tác cả {len(plan.ids)} thay đổi?",
    ])
    return Dialog(title, [], save, confirm=f"Hoàn tác cả {len(plan.ids)} thay đổi")


def group_questions(rows: list[dict], limit: int = 5, similarity: int = 80) -> list[tuple[str, int]]:
    """Unanswered questions grouped by similarity, most asked first: (example, count)."""
    groups: list[list[str]] = []
    for row in rows:
        text = row["folded"] or row["text"]
        for group in groups:
            if fuzz.token_sort_ratio(text, group[0]) >= similarity:
                group.append(row["text"])
                break
        else:
            groups.append([text, row["text"]])
    ranked = sorted(groups, key=len, reverse=True)
    return [(g[1], len(g) - 1) for g in ranked[:limit]]
