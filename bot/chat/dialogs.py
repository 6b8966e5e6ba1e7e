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
from typing import Any, NamedTuple

from rapidfuzz import fuzz

from ..knowledge.editing import EditError, Editor, UndoPlan
from ..knowledge.formats.records import (
    MAX_ANSWER_CHARS,
    MAX_ANSWER_SENTENCES,
    Batch,
    check_answer,
    finite_number,
)
from ..knowledge.readable import FIELDS, day, entry_ref, items
from ..search.items import format_number
from ..search.periods import describe_bounds, typed_period

CANCEL = ("Hủy", "dlg:cancel")
SKIP = ("Bỏ qua", "dlg:skip")
SAVE = ("Lưu", "dlg:save")
TODAY = ("Hôm nay", "dlg:today")
MAX_QUESTION = 300
MAX_SOURCE = 500


class TooLong(EditError):
    """A typed value refused for its size alone: it is given back to be shortened, not retyped."""


def _required(text: str, what: str, limit: int) -> str:
    text = text.strip()
    if not text:
        raise EditError("Nội dung trống; xin {you} gõ lại.")
    if len(text) > limit:
        raise TooLong(f"{what} dài {len(text)} ký tự; tối đa {limit}.")
    return text


def _question(text: str) -> str:
    return _required(text, "Câu hỏi", MAX_QUESTION)


def _source(text: str) -> str:
    return _required(text, "Nguồn", MAX_SOURCE)


def _answer(text: str) -> str:
    """An answer within the limits the loader enforces on every file."""
    text = _required(text, "Câu trả lời", MAX_ANSWER_CHARS)
    errors: list[tuple[str, str]] = []
    check_answer(text, errors)
    if errors:
        raise TooLong(f"Câu trả lời {errors[0][1]}.")
    return text


def _lines(text: str) -> list[str]:
    """A list typed one item a line, or split at ';' or '|' (as lists are shown: "a; b")."""
    return [p.strip() for p in re.split(r"[\n;|]", text) if p.strip()]


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
    label: str
    """What the summary calls the value."""
    prompt: str
    parse: Callable[[str], Any] = str.strip
    optional: bool = False
    choices: list[tuple[str, Any]] = dataclasses.field(default_factory=list)
    """Tappable values (label, value) besides typing one."""
    typed: bool = True
    """Whether a value may be typed; False: only the choices (which are then numbered)."""
    show: Callable[[Any], str] = str
    """The value as the summary shows it: a period as "tháng 11/2026", a number as "2,5"."""
    when: Callable[[dict], bool] | None = None
    """Asked only when the values so far meet it (the edit dialog asks for one field)."""


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

    def _asked(self, step: Step) -> bool:
        return step.when is None or step.when(self.values)

    def skip_filled(self) -> None:
        while not self.done and (self.step().field in self.values or not self._asked(self.step())):
            self.index += 1

    def take(self, value: Any) -> None:
        self.values[self.step().field] = value
        self.index += 1
        self.skip_filled()

    def summary(self) -> str:
        if not self.steps:
            return self.title
        lines = [f"{self.title} – kiểm tra trước khi lưu:"]
        for s in filter(self._asked, self.steps):
            lines.append(f"• {s.label}: {_shown(s, self.values.get(s.field)) or '(trống)'}")
        return "\n".join(lines)


def _shown(step: Step, value: Any) -> str:
    """A value as the admin chose or typed it: a choice by its label, others as the step shows them."""
    if value is None or value == []:
        return ""
    label = next((label for label, choice in step.choices if choice == value), None)
    return label if label is not None else step.show(value)


class _Field(NamedTuple):
    """How one field of an entry is typed and shown."""

    hint: str
    parse: Callable[[str], Any]
    show: Callable[[Any], str]


_ENTRY_FIELDS = {
    "question": _Field(f"tối đa {MAX_QUESTION} ký tự", _question, str),
    "phrasings": _Field("mỗi dòng một cách, hoặc ngăn bằng dấu ;", _lines, items),
    "answer": _Field(f"tối đa {MAX_ANSWER_SENTENCES} câu, {MAX_ANSWER_CHARS} ký tự", _answer, str),
    "source": _Field("văn bản, số, ngày", _source, str),
    "as_of": _Field("thông tin tính đến ngày nào, dạng 30/05/2019", _date, day),
}


def _label(field: str) -> str:
    return FIELDS[field][:1].upper() + FIELDS[field][1:]


def _entry_step(field: str, prompt: str, label: str = "", **more: Any) -> Step:
    spec = _ENTRY_FIELDS[field]
    choices = [TODAY] if field == "as_of" else []
    return Step(field, label or _label(field), prompt, spec.parse, choices=choices, show=spec.show, **more)


def add_entry_dialog(question: str | None = None, source: str | None = None) -> Dialog:
    def save(editor: Editor, v: dict, who: str) -> str:
        change, ref = editor.add_entry(
            {"question": v["question"], "phrasings": v.get("phrasings") or [], "answer": v["answer"],
             "source": v["source"], "as_of": v["as_of"]}, who,
        )
        return f"Đã thêm mục mới {ref} (thay đổi số {change}; hoàn tác: /hoantac {change}). Bot trả lời được ngay."

    dialog = Dialog("Thêm câu hỏi – trả lời", [
        _entry_step("question", "Câu hỏi chính là gì?"),
        _entry_step("phrasings", f"Các cách hỏi khác ({_ENTRY_FIELDS['phrasings'].hint})?", optional=True),
        _entry_step("answer", f"Câu trả lời ({_ENTRY_FIELDS['answer'].hint})?"),
        _entry_step("source", f"Nguồn ({_ENTRY_FIELDS['source'].hint})?"),
        _entry_step("as_of", "Thông tin tính đến ngày nào (30/05/2019)?"),
    ], save)
    if question and len(question) <= MAX_QUESTION:
        dialog.values["question"] = question
    if source:
        dialog.values["source"] = source
    dialog.skip_filled()
    return dialog


EDITABLE = [(_label(field), field) for field in _ENTRY_FIELDS]


def edit_entry_dialog(entry: dict, card: str) -> Dialog:
    """Show the entry as it is, ask which part to change, show that part's current text, then
    ask for the new one."""

    def save(editor: Editor, v: dict, who: str) -> str:
        field = v["field"]
        change = editor.update_entry(entry["id"], {field: v[field]}, who)
        return f"Đã sửa mục {entry_ref(entry)}: {FIELDS[field]} (thay đổi số {change}; hoàn tác: /hoantac {change})."

    steps = [Step("field", "Phần sửa", f"{card}\n\n{{You}} muốn sửa phần nào?", choices=EDITABLE, typed=False)]
    for field, spec in _ENTRY_FIELDS.items():
        current = spec.show(entry[field]) or "(trống)"
        prompt = f"{_label(field)} hiện tại: {current}\n\nXin {{you}} gõ {FIELDS[field]} mới ({spec.hint}):"
        steps.append(_entry_step(field, prompt, f"{_label(field)} mới", when=lambda v, f=field: v.get("field") == f))
    return Dialog(f"Sửa mục {entry_ref(entry)}", steps, save)


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
        Step("metric", "Chỉ số", "Số liệu của chỉ số nào?", choices=[(m["label"], m) for m in metrics], typed=False),
        Step("period", "Kỳ", "Kỳ số liệu (tháng 10/2026, hoặc 1/2026 - 3/2026)?", _period,
             show=lambda period: describe_bounds(*period)),
        Step("value", "Giá trị", "Giá trị?", _number, show=format_number),
        Step("source", "Nguồn", "Nguồn (báo cáo nào, ngày nào)?", _source),
        Step("target", "Chỉ tiêu cả năm", "Chỉ tiêu cả năm? (nếu có; bản tin tháng so số từ đầu năm với chỉ tiêu)",
             _number, optional=True, show=format_number),
    ], save)


def import_dialog(name: str, batch: Batch, counts: str, details: str = "") -> Dialog:
    """Confirm an import; ``details`` says more (what a document holds, what it replaces)."""

    def save(editor: Editor, v: dict, who: str) -> str:
        change, report = editor.import_batch(batch, who, name)
        return f"Đã nhập {name}: {report}." + (f" Hoàn tác: /hoantac {change}." if change else "")

    return Dialog(f"Nhập tệp {name} ({counts})?" + (f"\n{details}" if details else ""), [], save, confirm="Nhập")


def delete_dialog(entry: dict, card: str) -> Dialog:
    def save(editor: Editor, v: dict, who: str) -> str:
        change = editor.delete_entry(entry["id"], who)
        return f"Đã xóa mục {entry_ref(entry)} (thay đổi số {change}; hoàn tác: /hoantac {change})."

    return Dialog(f"Xóa mục này (hoàn tác được)?\n{card}", [], save, confirm="Xóa")


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


def group_questions(rows: list[dict], similarity: int = 80) -> list[tuple[str, int]]:
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
    return [(g[1], len(g) - 1) for g in ranked]
