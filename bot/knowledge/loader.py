"""Reading and validating the human-editable knowledge files (YAML and CSV).

A file is accepted whole or refused whole: every problem is reported with the file, the line
and the field, and nothing reaches the database until every file has passed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..search.periods import Month
from ..search.text import clean

MAX_ANSWER_CHARS = 800
MAX_ANSWER_SENTENCES = 3
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,80}$")
_SENTENCE_END_RE = re.compile(r"[.!?…](?:\s|$)")
STAT_COLUMNS = ["metric", "value", "value_max", "unit", "period_start", "period_end", "scope", "source", "note"]

# libyaml's safe loader when built in: same results, several times faster on a large upload.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Which table a file feeds is told by the start of its name: entries*.yaml, statistics*.csv...
KINDS = {"entries": ".yaml", "passages": ".yaml", "metrics": ".yaml", "statistics": ".csv"}


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


Row = tuple[int, dict[str, int], Any]
"""One record to validate: its line, the line of each of its fields, and the parsed item."""


def name_kind(name: str) -> str | None:
    """The kind a file name announces by its start (entries..., statistics...), if any."""
    stem = Path(name).stem.lower()
    return next((kind for kind in KINDS if stem.startswith(kind)), None)


def file_kind(path: Path) -> str:
    """The table a file feeds, from its name; raises KnowledgeFileError for anything else."""
    suffix = path.suffix.lower()
    suffix = ".yaml" if suffix == ".yml" else suffix
    kind = name_kind(path.name)
    if kind is not None and suffix == KINDS[kind]:
        return kind
    raise KnowledgeFileError(
        [f"{path}: tên tệp không hợp lệ; cần entries*.yaml, passages*.yaml, metrics*.yaml hoặc statistics*.csv"]
    )


def knowledge_files(path: Path) -> list[Path]:
    """The knowledge files at a path: the file itself, or those a folder holds."""
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in (".yaml", ".yml", ".csv"))
        if not files:
            raise KnowledgeFileError([f"{path}: thư mục không có tệp YAML hoặc CSV nào"])
        return files
    if not path.exists():
        raise KnowledgeFileError([f"{path}: không tìm thấy tệp"])
    return [path]


def read_batch(path: Path) -> Batch:
    """Read and validate every knowledge file at ``path``; raise with all problems found."""
    batch = Batch([], [], [], [])
    problems: list[str] = []
    for file in knowledge_files(path):
        try:
            kind = file_kind(file)
            records = _read_file(file, kind)
        except KnowledgeFileError as exc:
            problems.extend(exc.problems)
            continue
        getattr(batch, kind).extend(records)
    problems.extend(duplicate_problems(batch))
    if problems:
        raise KnowledgeFileError(problems)
    return batch


def _read_file(file: Path, kind: str) -> list[dict]:
    try:
        text = file.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise KnowledgeFileError([f"{file}: không đọc được dạng UTF-8 (byte {exc.start})"]) from exc
    if kind == "statistics":
        return _read_statistics(file, text)
    return _read_yaml(file, text, kind)


def _read_yaml(file: Path, text: str, kind: str) -> list[dict]:
    return validate_rows(file, kind, yaml_rows(file, text))


def yaml_rows(file: Path | str, text: str) -> list[Row]:
    """Parse a YAML list into rows that keep the line of every item and field, in one pass
    over the parser's events. Refused before anything is built: anchors and aliases (a few
    lines of aliases expand to gigabytes even under a safe loader), tags other than plain
    values, directives, more than one document, and nesting deeper than MAX_YAML_DEPTH.
    Every reader of knowledge files (the seed, `kb import`/`validate`, chat uploads) uses it."""
    builder = _YamlBuilder(str(file))
    try:
        for event in yaml.parse(text, Loader=_SAFE_LOADER):
            if not builder.feed(event):
                break
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"dòng {mark.line + 1}" if mark else "?"
        builder.problems.append(f"{file}, {where}: YAML không hợp lệ ({getattr(exc, 'problem', None) or exc})")
    except ValueError as exc:  # e.g. an impossible date such as 2019-02-30, which PyYAML raises raw
        builder.problems.append(f"{file}: YAML có giá trị không hợp lệ ({exc})")
    if builder.problems:
        raise KnowledgeFileError(builder.problems)
    return builder.rows()


MAX_YAML_DEPTH = 20
_PLAIN_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")}
_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()


class _YamlBuilder:
    """Builds Python values from YAML events, refusing what a knowledge file never needs."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[str] = []
        self.stack: list[tuple[list | dict, list]] = []
        """Open collections, each with [pending key] for mappings."""
        self.root: object = None
        self.documents = 0
        self.items: list[tuple[int, dict[str, int]]] = []
        """Line of each top-level item and of each of its fields."""

    def _refuse(self, event: yaml.Event, message: str) -> bool:
        """Note a problem; reading stops at the first (what follows may not make sense)."""
        self.problems.append(f"{self.file}, dòng {event.start_mark.line + 1}: {message}")
        return False

    def feed(self, event: yaml.Event) -> bool:
        """Take one event; False once reading should stop."""
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            return self._refuse(event, "không dùng neo hoặc tham chiếu YAML ('&', '*'); hãy viết đầy đủ từng mục")
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if event.version or event.tags:
                return self._refuse(event, "không chấp nhận chỉ thị YAML ('%')")
            if self.documents > 1:
                return self._refuse(event, "tệp chỉ được có một tài liệu YAML (bỏ dòng '---' thứ hai)")
            return True
        tag = getattr(event, "tag", None)
        if tag and tag not in _PLAIN_TAGS and tag != "!":
            shown = "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,2002:") else tag
            return self._refuse(event, f"không chấp nhận thẻ YAML '{shown}'; chỉ dùng chữ, số, ngày và danh sách")
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            if len(self.stack) >= MAX_YAML_DEPTH:
                return self._refuse(event, f"dữ liệu lồng nhau quá sâu (tối đa {MAX_YAML_DEPTH} mức)")
            if len(self.stack) == 1 and isinstance(self.stack[0][0], list):
                self.items.append((event.start_mark.line + 1, {}))
            self.stack.append(([] if isinstance(event, yaml.SequenceStartEvent) else {}, [None]))
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            value, _ = self.stack.pop()
            return self._add(event, value)
        elif isinstance(event, yaml.ScalarEvent):
            if len(self.stack) == 1 and isinstance(self.stack[0][0], list):
                self.items.append((event.start_mark.line + 1, {}))
            return self._add(event, _scalar(event, tag))
        return True

    def _add(self, event: yaml.Event, value: object) -> bool:
        if not self.stack:
            self.root = value
            return True
        container, pending = self.stack[-1]
        if isinstance(container, list):
            container.append(value)
        elif pending[0] is None:
            if isinstance(value, (list, dict)) or value is None:
                return self._refuse(event, "khóa của một trường phải là chữ")
            pending[0] = (value,)
            if len(self.stack) == 2 and isinstance(self.stack[0][0], list) and self.items:
                self.items[-1][1].setdefault(str(value), event.start_mark.line + 1)
        else:
            container[pending[0][0]] = value
            pending[0] = None
        return True

    def rows(self) -> list[Row]:
        if self.root is None:
            return []
        if not isinstance(self.root, list):
            raise KnowledgeFileError([f"{self.file}, dòng 1: tệp phải là một danh sách (mỗi mục bắt đầu bằng '- ')"])
        return [(line, lines, item) for (line, lines), item in zip(self.items, self.root)]


def _scalar(event: yaml.ScalarEvent, tag: str | None) -> object:
    """A scalar as the safe loader would build it: quoted text stays text; plain text may be
    a number, a boolean, a date or null."""
    if not tag or tag == "!":
        if not event.implicit[0]:
            return event.value
        tag = _RESOLVER.resolve(yaml.ScalarNode, event.value, (True, False))
    node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
    return _CONSTRUCTOR.yaml_constructors[tag](_CONSTRUCTOR, node)


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


def _read_statistics(file: Path, text: str) -> list[dict]:
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [c for c in STAT_COLUMNS if c not in header]
    if missing:
        raise KnowledgeFileError([f"{file}, dòng 1: thiếu cột {', '.join(missing)}"])
    rows = [(reader.line_num, {}, {k: unescape_cell(v) if isinstance(v, str) else v for k, v in row.items()})
            for row in reader]
    return _validate_rows(file, rows, validate_statistic)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet takes for the start of a formula. Exported CSV cells of text starting so
get a leading apostrophe (spreadsheets then show them as text); readers take it off again."""


def unescape_cell(text: str) -> str:
    """A CSV cell as it was before export escaped it (see FORMULA_STARTS)."""
    return text[1:] if text.startswith("'") and text[1:2] and text[1:].startswith(FORMULA_STARTS) else text


def duplicate_problems(batch: Batch, *, statistics: bool = False) -> list[str]:
    """Records of a batch that share an id (or key); with ``statistics``, also figures sharing
    metric, period and scope, which would otherwise silently overwrite one another."""
    problems: list[str] = []
    for kind, key in (("entries", "id"), ("passages", "id"), ("metrics", "key")):
        problems.extend(_duplicates(getattr(batch, kind), key))
    if statistics:
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
    return out


def _id(item: dict, field: str, errors: Errors) -> str | None:
    value = _text(item, field, errors, limit=80)
    if value is not None and not _ID_RE.match(value):
        errors.append((field, f"'{value}' chỉ được gồm chữ thường không dấu, số, '-', '_' hoặc '.'"))
    return value


def _date(item: dict, field: str, errors: Errors, *, required: bool = True) -> str | None:
    value = item.get(field)
    if value is None or value == "":
        if required:
            errors.append((field, "bắt buộc, đang để trống (dạng YYYY-MM-DD)"))
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%Y-%m"):
        try:
            dt.datetime.strptime(text, fmt)
            return text
        except ValueError:
            pass
    errors.append((field, f"'{text}' không phải ngày dạng YYYY-MM-DD"))
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
        "phrasings": _text_list(item, "phrasings", errors),
        "answer": _text(item, "answer", errors, limit=MAX_ANSWER_CHARS * 4),
        "tags": _text_list(item, "tags", errors, limit=60),
        "source": _text(item, "source", errors, limit=500),
        "as_of": _date(item, "as_of", errors),
        "gap": _flag(item, "gap", errors),
    }
    check_answer(record["answer"], errors)
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
    if not record["period_start"] and not record["period_end"]:
        errors.append(("period_end", "cần ít nhất một trong period_start, period_end"))
    if (
        record["period_start"] and record["period_end"]
        and Month.parse(record["period_start"]) > Month.parse(record["period_end"], end=True)
    ):
        errors.append(("period_end", "trước period_start"))
    if record.get("value") is not None and record.get("value_max") is not None and record["value_max"] < record["value"]:
        errors.append(("value_max", "nhỏ hơn value"))
    record["id"] = statistic_id(record)
    return errors, record


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
