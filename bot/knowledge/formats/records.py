"""Knowledge records: what an entry, a passage, a metric and a figure must hold, checked
the same way whichever file format or command they come from.

Every problem is reported with the file (or sheet), the line and the field, in Vietnamese, and a
batch is accepted whole or refused whole.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...search.periods import Month
from ...search.text import clean

if TYPE_CHECKING:
    from .documents import Document

MAX_ANSWER_CHARS = 800
MAX_ANSWER_SENTENCES = 3
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,80}$")
_SENTENCE_END_RE = re.compile(r"[.!?…](?:\s|$)")
STAT_COLUMNS = ["metric", "value", "value_max", "unit", "period_start", "period_end", "scope", "source", "note"]
KINDS = ("entries", "passages", "metrics", "statistics")
"""The tables a knowledge file feeds."""


class KnowledgeFileError(ValueError):
    """A knowledge file that cannot be imported; the message names file, line and field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass


class Batch:
    """Validated records from one or more files, ready to write."""

    entries: list[dict]
    passages: list[dict]
    metrics: list[dict]
    statistics: list[dict]
    documents: list[Document] = field(default_factory=list)
    """The Word and PDF documents the passages were read from: a newer version of one
    replaces the passages of the older."""


Row = tuple[int, dict[str, int], Any]
"""One record to validate: its line, the line of each of its fields, and the parsed item."""
Part = tuple[str, str, list[Row]]
"""Rows of one kind from one place (a file or a sheet), named for the messages."""


def name_kind(name: str) -> str | None:
    """The kind a file or sheet name announces by its start (entries..., statistics...)."""
    stem = Path(name).stem.strip().lower()
    return next((kind for kind in KINDS if stem.startswith(kind)), None)


def validate_rows(file: Path | str, kind: str, rows: list[Row]) -> list[dict]:
    """Validate rows of one kind, all or nothing; ``file`` names them in every message."""
    return _validate_rows(file, rows, VALIDATORS[kind])


def _validate_rows(
    file: Path | str, rows: list[Row], validate: Callable[[dict], tuple[Errors, dict]]
) -> list[dict]:
    """Validate (line, line of each field, item) rows; raise with every problem found."""
    records, problems = [], []
    for line, lines, item in rows:
        if not isinstance(item, dict):
            problems.append(f"{file}, dòng {line}: mỗi mục phải là một bảng khóa: giá trị")
            continue
        errors, record = validate(item)
        for fld, message in errors:
            problems.append(f"{file}, dòng {lines.get(fld, line)}, trường '{fld}': {message}")
        if not errors:
            records.append(record | {"_line": line, "_file": str(file)})
    if problems:
        raise KnowledgeFileError(problems)
    return records


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet takes for the start of a formula. Exported CSV cells of text starting so
get a leading apostrophe (spreadsheets then show them as text); readers take it off again."""


def unescape_cell(text: str) -> str:
    """A CSV cell as it was before export escaped it (see FORMULA_STARTS)."""
    return text[1:] if text.startswith("'") and text[1:2] and text[1:].startswith(FORMULA_STARTS) else text


def duplicate_problems(batch: Batch) -> list[str]:
    """Records of a batch that share an id (or key), and figures sharing metric, period and
    scope, which would otherwise silently overwrite one another."""
    problems: list[str] = []
    for kind, key in (("entries", "id"), ("passages", "id"), ("metrics", "key")):
        problems.extend(_duplicates(getattr(batch, kind), key))
    problems.extend(_duplicates(batch.statistics, "id", "metric", "trùng số liệu (cùng metric, kỳ và scope)"))
    return problems


def _duplicates(records: list[dict], key: str, field: str | None = None, what: str = "trùng mã") -> list[str]:
    seen: dict[str, dict] = {}
    problems = []
    for rec in records:
        if rec[key] in seen:
            first = seen[rec[key]]
            problems.append(
                f"{rec['_file']}, dòng {rec['_line']}, trường '{field or key}': {what} '{rec[key]}' "
                f"(đã có ở {first['_file']}, dòng {first['_line']})"
            )
        else:
            seen[rec[key]] = rec
    return problems


Errors = list[tuple[str, str]]


def _text(item: dict, field: str, errors: Errors, *, required: bool = True, limit: int = 2000) -> str | None:
    value = item.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.append((field, "bắt buộc, đang để trống"))
        return None
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        errors.append((field, "phải là một đoạn chữ"))
        return None
    value = clean(str(value))
    if len(value) > limit:
        errors.append((field, f"dài {len(value)} ký tự, tối đa {limit}"))
    return value


def _text_list(item: dict, field: str, errors: Errors, *, limit: int = 300) -> list[str]:
    value = item.get(field)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
        errors.append((field, "phải là một danh sách các đoạn chữ"))
        return []
    out = [clean(str(v)) for v in value if clean(str(v))]
    for v in out:
        if len(v) > limit:
            errors.append((field, f"một mục dài {len(v)} ký tự, tối đa {limit}"))
        if "|" in v:  # it separates the items of a spreadsheet cell: '|' inside one would split it on export
            errors.append((field, f"mục '{v}' có dấu '|' (dấu ngăn cách các mục); hãy tách thành hai mục"))
    return out


def _id(item: dict, field: str, errors: Errors) -> str | None:
    value = _text(item, field, errors, limit=80)
    if value is not None and not _ID_RE.match(value):
        errors.append((field, f"'{value}' chỉ được gồm chữ thường không dấu, số, '-', '_' hoặc '.'"))
    return value


DAY_FORMATS = "30/05/2019 hoặc 2019-05-30"


def _date(item: dict, field: str, errors: Errors, *, required: bool = True) -> str | None:
    """A day as stored: YYYY-MM-DD (or YYYY-MM) kept as written, a day typed the Vietnamese way
    (30/05/2019) turned into 2019-05-30."""
    value = item.get(field)
    if value is None or value == "":
        if required:
            errors.append((field, f"bắt buộc, đang để trống (dạng {DAY_FORMATS})"))
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%Y-%m", "%d/%m/%Y"):
        try:
            day = dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
        return text if fmt.startswith("%Y") else day.date().isoformat()
    errors.append((field, f"'{text}' không phải ngày dạng {DAY_FORMATS}"))
    return None


def _flag(item: dict, field: str, errors: Errors) -> bool:
    value = item.get(field, False)
    if not isinstance(value, bool):
        errors.append((field, "phải là true hoặc false"))
        return False
    return value


def check_answer(answer: str | None, errors: Errors, field: str = "answer") -> None:
    """Answers must fit a phone screen: at most 3 sentences and 800 characters."""
    if answer is None:
        return
    if len(answer) > MAX_ANSWER_CHARS:
        errors.append((field, f"dài {len(answer)} ký tự, tối đa {MAX_ANSWER_CHARS}"))
    sentences = len(_SENTENCE_END_RE.findall(answer.rstrip() + " "))
    if sentences > MAX_ANSWER_SENTENCES:
        errors.append((field, f"có {sentences} câu, tối đa {MAX_ANSWER_SENTENCES}"))


def validate_entry(item: dict[str, Any]) -> tuple[Errors, dict]:
    """Check one FAQ entry; return the problems and the cleaned record."""
    errors: Errors = []
    record = {
        "id": _id(item, "id", errors),
        "question": _text(item, "question", errors, limit=300),
        # A short name for buttons and lists; empty: made from the question, cut at a word.
        "title": _text(item, "title", errors, required=False, limit=TITLE_LIMIT) or "",
        "phrasings": _text_list(item, "phrasings", errors),
        "answer": _text(item, "answer", errors, limit=MAX_ANSWER_CHARS * 4),
        "tags": _text_list(item, "tags", errors, limit=60),
        "source": _text(item, "source", errors, limit=500),
        # The date the information holds for; empty when the source gives none (never guessed).
        "as_of": _date(item, "as_of", errors, required=False),
        "gap": _flag(item, "gap", errors),
    }
    check_answer(record["answer"] if isinstance(record["answer"], str) else None, errors)
    _unknown_fields(item, record, errors)
    return errors, record


def validate_passage(item: dict[str, Any]) -> tuple[Errors, dict]:
    """Check one passage of source text."""
    errors: Errors = []
    record = {
        "id": _id(item, "id", errors),
        "document": _text(item, "document", errors, limit=300),
        "section": _text(item, "section", errors, required=False, limit=200) or "",
        "text": _text(item, "text", errors, limit=MAX_ANSWER_CHARS),
        "source": _text(item, "source", errors, limit=500),
    }
    _unknown_fields(item, record, errors)
    return errors, record


def validate_metric(item: dict[str, Any]) -> tuple[Errors, dict]:
    """Check one metric definition (what a statistics row counts, and how people ask for it)."""
    errors: Errors = []
    record = {
        "key": _id(item, "key", errors),
        "label": _text(item, "label", errors, limit=200),
        "unit": _text(item, "unit", errors, limit=40),
        "scope": _text(item, "scope", errors, required=False, limit=200) or "",
        "phrasings": _text_list(item, "phrasings", errors),
    }
    if not record["phrasings"]:
        errors.append(("phrasings", "cần ít nhất một cách hỏi"))
    _unknown_fields(item, record, errors)
    return errors, record


def validate_statistic(row: dict[str, Any]) -> tuple[Errors, dict]:
    """Check one statistics row; periods are YYYY-MM, values are numbers."""
    errors: Errors = []
    record: dict[str, Any] = {
        "metric": _id(row, "metric", errors),
        "unit": _text(row, "unit", errors, limit=40),
        "scope": _text(row, "scope", errors, required=False, limit=200) or "",
        "source": _text(row, "source", errors, limit=500),
        "note": _text(row, "note", errors, required=False, limit=300) or "",
    }
    for fld, required in (("value", True), ("value_max", False)):
        value = row.get(fld)
        raw = ("" if value is None else str(value)).strip().replace(",", ".")  # a number 0 is a value
        if not raw:
            if required:
                errors.append((fld, "bắt buộc, đang để trống"))
            record[fld] = None
            continue
        try:
            record[fld] = finite_number(raw)
        except ValueError as exc:
            errors.append((fld, str(exc)))
            record[fld] = None
    for fld in ("period_start", "period_end"):
        raw = str(row.get(fld) or "").strip()
        record[fld] = None
        if raw:
            try:
                Month.parse(raw)
                record[fld] = raw
            except ValueError:
                errors.append((fld, f"'{raw}' không phải tháng dạng YYYY-MM (hoặc năm YYYY)"))
    # Both bounds empty: the source gives no period ("mỗi nhiệm kỳ trước khi có Nghị quyết
    # 02"); a period is never guessed.
    if (
        record["period_start"] and record["period_end"]
        and Month.parse(record["period_start"]) > Month.parse(record["period_end"], end=True)
    ):
        errors.append(("period_end", "trước period_start"))
    if record.get("value") is not None and record.get("value_max") is not None and record["value_max"] < record["value"]:
        errors.append(("value_max", "nhỏ hơn value"))
    record["id"] = statistic_id(record)
    return errors, record


TITLE_LIMIT = 40
"""Characters of an entry's short title (a button, a numbered line, an inline result)."""
MAX_FIGURE = 1e12
"""Larger than any count of cadres, posts or units: such a value is a typing or file error."""


def finite_number(raw: str) -> float:
    """A figure from text ("12", "2,5"); ValueError, in Vietnamese, for anything that is not a
    finite number of a sensible size (nan, inf, 1e400)."""
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"'{raw}' không phải là số") from None
    if not math.isfinite(value):
        raise ValueError(f"'{raw}' không phải là một số hữu hạn (ví dụ hợp lệ: 12 hoặc 2,5)")
    if abs(value) > MAX_FIGURE:
        raise ValueError(f"'{raw}' quá lớn (tối đa {MAX_FIGURE:,.0f})".replace(",", "."))
    return value


def statistic_id(record: dict) -> str:
    """Natural key of a statistics row: one value per metric, period and scope."""
    return f"{record['metric']}|{record['period_start'] or ''}|{record['period_end'] or ''}|{record['scope']}"


def _unknown_fields(item: dict, record: dict, errors: Errors) -> None:
    for key in item:
        if key not in record:
            errors.append((str(key), "trường không được hỗ trợ"))


VALIDATORS: dict[str, Callable[[dict[str, Any]], tuple[Errors, dict]]] = {
    "entries": validate_entry, "passages": validate_passage, "metrics": validate_metric,
    "statistics": validate_statistic,
}
