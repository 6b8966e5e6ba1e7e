"""Reading a knowledge file that an admin uploads from a phone (YAML, CSV or Excel).

Uploads come from people and their phones, not from the repository, so everything is checked
before it is parsed: size, format, text encoding, YAML features (no aliases, no tags), Excel
formulas without a computed value. The rows then go through the same validators as the
knowledge files (:mod:`.loader`), and the whole upload is accepted or refused with every
problem named in Vietnamese by row and field: nothing is ever imported partially.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import math
import re
import unicodedata
import zipfile
from pathlib import PurePosixPath
from typing import Any

from ..search.text import clean
from .loader import (
    KINDS,
    STAT_COLUMNS,
    Batch,
    KnowledgeFileError,
    Row,
    duplicate_problems,
    name_kind,
    unescape_cell,
    validate_rows,
    yaml_rows,
)

MAX_UPLOAD = 2 * 1024 * 1024
MAX_UNPACKED = 40 * 1024 * 1024
"""An .xlsx is a zip: bound what its parts may expand to (a small zip can hold gigabytes)."""
MAX_ROWS = 20_000
"""Bounds the work on a sheet whose cells sit far down (a sparse sheet is tiny when zipped)."""
MAX_COLUMNS = 40
FORMATS = "YAML (.yaml, .yml), CSV (.csv) hoặc Excel (.xlsx)"

# Columns of each kind in a table (CSV or a sheet): required, then optional.
TABLE_COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "statistics": (tuple(STAT_COLUMNS), ()),
    "entries": (("id", "question", "answer", "source", "as_of"), ("phrasings", "tags", "gap")),
    "passages": (("id", "document", "text", "source"), ("section",)),
    "metrics": (("key", "label", "unit", "phrasings"), ("scope",)),
}
KIND_LABELS = {"statistics": "số liệu", "entries": "hỏi đáp", "passages": "đoạn trích", "metrics": "chỉ số"}
LIST_COLUMNS = ("phrasings", "tags")
"""Cells holding several items, separated by ' | '."""
PERIOD_COLUMNS = ("period_start", "period_end")
_TRUE = {"true", "1", "có", "co", "x", "yes", "đúng"}
_FALSE = {"false", "0", "không", "khong", "no", "sai"}
# Tone marks and the marks of ă â ê ô ơ ư, as NFD spells Vietnamese vowels.
_VIETNAMESE_MARKS = set("\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b")

Part = tuple[str, str, list[Row]]
"""Rows of one kind from one place (a file or a sheet), named for the messages."""


def read_upload(name: str, data: bytes) -> Batch:
    """Read and validate an uploaded file; raise KnowledgeFileError listing every problem."""
    name = PurePosixPath(name.replace("\\", "/")).name or "tệp"
    if len(data) > MAX_UPLOAD:
        size = math.ceil(len(data) / 1024 / 1024 * 100) / 100
        raise KnowledgeFileError([f"{name}: tệp nặng {size:.2f} MB, tối đa 2 MB; hãy chia thành nhiều tệp nhỏ hơn"])
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in (".yaml", ".yml", ".csv", ".xlsx"):
        shown = f"định dạng '{suffix}'" if suffix else "tệp không có đuôi"
        raise KnowledgeFileError([f"{name}: không nhận {shown}; chỉ nhận {FORMATS}"])
    if not data.strip():
        raise KnowledgeFileError([f"{name}: tệp rỗng"])
    if suffix == ".xlsx":
        parts = _xlsx_parts(name, data)
    elif suffix == ".csv":
        parts = [_csv_part(name, data)]
    else:
        parts = [_yaml_part(name, data)]
    return _batch(name, parts)


def _batch(name: str, parts: list[Part]) -> Batch:
    batch = Batch([], [], [], [])
    problems: list[str] = []
    for source, kind, rows in parts:
        try:
            getattr(batch, kind).extend(validate_rows(source, kind, rows))
        except KnowledgeFileError as exc:
            problems.extend(exc.problems)
    problems.extend(duplicate_problems(batch, statistics=True))
    if problems:
        raise KnowledgeFileError(problems)
    if not any((batch.entries, batch.passages, batch.metrics, batch.statistics)):
        raise KnowledgeFileError([f"{name}: không có dòng dữ liệu nào"])
    return batch


# --- text encodings ---------------------------------------------------------------------------


def decode(name: str, data: bytes, hint: str = "CSV UTF-8") -> str:
    """Text of an upload in NFC: UTF-8 (BOM or not), UTF-16 with BOM (Excel's "Unicode text"),
    or Windows-1258 when the result reads as Vietnamese; anything else is refused."""
    for bom, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                       (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            try:
                return unicodedata.normalize("NFC", data[len(bom):].decode(codec))
            except UnicodeDecodeError as exc:
                raise KnowledgeFileError(
                    [f"{name}: lỗi bảng mã {codec.upper()} ở byte {exc.start + len(bom)}; hãy lưu lại dạng \"{hint}\""]
                ) from exc
    try:
        return unicodedata.normalize("NFC", data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    try:
        # Windows-1258 writes most tones as combining marks after the vowel: NFC joins them.
        text = unicodedata.normalize("NFC", data.decode("cp1258"))
    except UnicodeDecodeError:
        text = None
    if text is not None and looks_vietnamese(text):
        return text
    raise KnowledgeFileError(
        [f"{name}: không đọc được bảng mã của tệp; hãy lưu lại dạng \"{hint}\" rồi gửi lại"]
    )


def looks_vietnamese(text: str) -> bool:
    """Whether cp1258-decoded text is plausible: no control characters, some Vietnamese
    letters, and no other non-ASCII letters or stray marks (which betray a wrong guess)."""
    has_vietnamese = False
    for ch in set(text):
        if ord(ch) < 128:
            if unicodedata.category(ch) == "Cc" and ch not in "\t\r\n":
                return False
            continue
        category = unicodedata.category(ch)
        if category in ("Cc", "Mn"):
            return False
        if ch.isalpha():
            if not _vietnamese_letter(ch):
                return False
            has_vietnamese = True
    return has_vietnamese


def _vietnamese_letter(ch: str) -> bool:
    if ch in "đĐ":
        return True
    parts = unicodedata.normalize("NFD", ch)
    return len(parts) > 1 and parts[0] in "aeiouyAEIOUY" and all(m in _VIETNAMESE_MARKS for m in parts[1:])


# --- YAML -------------------------------------------------------------------------------------


def _yaml_part(name: str, data: bytes) -> Part:
    text = decode(name, data, hint="UTF-8")
    rows = yaml_rows(name, text)
    return name, name_kind(name) or _yaml_kind(name, rows), rows


def _yaml_kind(name: str, rows: list[Row]) -> str:
    item = next((item for _, _, item in rows if isinstance(item, dict)), None)
    if item is None:
        raise KnowledgeFileError([f"{name}: không có mục nào"])
    keys = {str(k) for k in item}
    if "question" in keys:
        return "entries"
    if "document" in keys:
        return "passages"
    if {"key", "label"} <= keys:
        return "metrics"
    if {"metric", "value"} <= keys:
        return "statistics"
    raise KnowledgeFileError([(
        f"{name}: không nhận ra loại dữ liệu; mỗi mục cần có 'question' (hỏi đáp), 'document' (đoạn trích), "
        "'key' và 'label' (chỉ số), hoặc đặt tên tệp bắt đầu bằng entries, passages, metrics hay statistics"
    )])


# --- tables: CSV and Excel sheets -------------------------------------------------------------


def _csv_part(name: str, data: bytes) -> Part:
    text = decode(name, data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    table: list[tuple[int, list[Any]]] = []
    try:
        for cells in reader:
            if len(table) >= MAX_ROWS:
                raise KnowledgeFileError([f"{name}: quá {MAX_ROWS} dòng; hãy chia thành nhiều tệp"])
            table.append((reader.line_num, cells))
    except csv.Error as exc:
        raise KnowledgeFileError([f"{name}, dòng {reader.line_num}: CSV không hợp lệ ({exc})"]) from exc
    return _table_part(name, name_kind(name), table)


def sniff_delimiter(text: str) -> str:
    """',' or, as Excel writes in locales with a decimal comma, ';' (or a tab): the one the
    header line uses most, outside quotes."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    first = re.sub(r'"[^"]*"', "", first)
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _table_part(source: str, kind: str | None, table: list[tuple[int, list[Any]]]) -> Part:
    """Rows of a table whose first non-blank row is the header; the kind comes from the caller
    (file or sheet name) or else from the header."""
    table = [(line, cells) for line, cells in table if any(_cell_text("", c) for c in cells)]
    if not table:
        raise KnowledgeFileError([f"{source}: không có dữ liệu"])
    (header_line, header_cells), body = table[0], table[1:]
    header = [clean(_cell_text("", c)).lower() for c in header_cells]
    while header and not header[-1]:
        header.pop()
    kind = kind or table_kind(header)
    if kind is None:
        raise KnowledgeFileError(
            [(f"{source}, dòng {header_line}: không nhận ra loại bảng từ dòng tiêu đề "
              f"({', '.join(h for h in header if h) or 'trống'}); cần đúng các cột:")] + expected_columns()
        )
    problems = _header_problems(source, header_line, kind, header)
    rows: list[Row] = []
    for line, cells in body:
        item: dict[str, Any] = {}
        for i, value in enumerate(cells):
            column = header[i] if i < len(header) else ""
            text = _cell_text(column, value)
            if not text:
                continue
            if not column:
                problems.append(f"{source}, dòng {line}, cột {i + 1}: có dữ liệu nhưng cột không có tiêu đề")
            else:
                item[column] = _field(column, text)
        rows.append((line, {}, item))
    if problems:
        raise KnowledgeFileError(problems)
    return source, kind, rows


def table_kind(header: list[str]) -> str | None:
    """The kind whose columns a header has: all required ones, and nothing unknown."""
    names = {h for h in header if h}
    for kind, (required, optional) in TABLE_COLUMNS.items():
        if set(required) <= names <= set(required) | set(optional):
            return kind
    return None


def expected_columns() -> list[str]:
    """One line per kind saying which columns a table of it has."""
    lines = []
    for kind, (required, optional) in TABLE_COLUMNS.items():
        line = f"– {KIND_LABELS[kind]} ({kind}): {', '.join(required)}"
        if optional:
            line += f" (thêm nếu cần: {', '.join(optional)})"
        if set(LIST_COLUMNS) & set(required + optional):
            line += "; phrasings, tags ngăn cách bằng ' | '"
        lines.append(line)
    return lines


def _header_problems(source: str, line: int, kind: str, header: list[str]) -> list[str]:
    required, optional = TABLE_COLUMNS[kind]
    problems = []
    missing = [c for c in required if c not in header]
    if missing:
        problems.append(f"{source}, dòng {line}: thiếu cột {', '.join(missing)}")
    unknown = [h for h in header if h and h not in required + optional]
    if unknown:
        problems.append(f"{source}, dòng {line}: cột không được hỗ trợ: {', '.join(unknown)} "
                        f"(bảng {KIND_LABELS[kind]} gồm: {', '.join(required + optional)})")
    doubled = sorted({h for h in header if h and header.count(h) > 1})
    if doubled:
        problems.append(f"{source}, dòng {line}: cột bị lặp: {', '.join(doubled)}")
    return problems


def _cell_text(column: str, value: Any) -> str:
    """A cell as text: Excel dates as YYYY-MM-DD (YYYY-MM for periods), whole floats without
    '.0' (Excel stores every number as a float), booleans as true/false."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%Y-%m" if column in PERIOD_COLUMNS else "%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unescape_cell(str(value).strip())


def _field(column: str, text: str) -> Any:
    if column in LIST_COLUMNS:
        return [part.strip() for part in text.split("|") if part.strip()]
    if column == "gap":
        lowered = text.lower()
        return True if lowered in _TRUE else False if lowered in _FALSE else text
    return text


# --- Excel ------------------------------------------------------------------------------------


def _xlsx_parts(name: str, data: bytes) -> list[Part]:
    """Sheets named entries/passages/metrics/statistics, or else the single sheet with data.
    Values are those Excel cached when saving; formulas are never evaluated."""
    import openpyxl  # only uploads need it

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise KnowledgeFileError([f"{name}: không phải tệp Excel .xlsx hợp lệ"]) from exc
    if unpacked > MAX_UNPACKED:
        raise KnowledgeFileError([f"{name}: tệp Excel giải nén ra quá lớn; hãy chia thành nhiều tệp"])
    problems: list[str] = []
    try:
        values = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        formulas = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        try:
            sheets = [
                (ws.title, _sheet_table(f"{name}, trang '{ws.title}'", ws, formulas[ws.title], problems))
                for ws in values.worksheets
            ]
        finally:
            values.close()
            formulas.close()
    except KnowledgeFileError:
        raise
    except Exception as exc:  # openpyxl raises many kinds of errors on a damaged file
        raise KnowledgeFileError([f"{name}: tệp Excel bị hỏng hoặc không đọc được ({type(exc).__name__})"]) from exc
    if problems:
        raise KnowledgeFileError(problems)
    filled = [(title, table) for title, table in sheets if table]
    named = [(title, table) for title, table in filled if title.strip().lower() in KINDS]
    if named:
        others = [title for title, _ in filled if title.strip().lower() not in KINDS]
        if others:
            raise KnowledgeFileError([
                f"{name}, trang '{title}': có dữ liệu nhưng tên trang không phải entries, passages, "
                "metrics hay statistics" for title in others
            ])
        return [_table_part(f"{name}, trang '{t}'", t.strip().lower(), table) for t, table in named]
    if not filled:
        raise KnowledgeFileError([f"{name}: không có dữ liệu"])
    if len(filled) > 1:
        raise KnowledgeFileError([(
            f"{name}: có {len(filled)} trang tính có dữ liệu; hãy để một trang, hoặc đặt tên mỗi trang "
            "theo loại: entries, passages, metrics, statistics"
        )])
    title, table = filled[0]
    return [_table_part(f"{name}, trang '{title}'", name_kind(name), table)]


def _sheet_table(source: str, values: Any, formulas: Any, problems: list[str]) -> list[tuple[int, list[Any]]]:
    """Non-blank rows of a sheet with their row numbers; a formula without a cached value
    (a file never opened in Excel) or an error value is a problem naming its cell."""
    from openpyxl.utils import get_column_letter

    values.reset_dimensions()  # don't trust the declared size: it may be wrong or huge
    formulas.reset_dimensions()
    table = []
    rows = zip(values.iter_rows(max_col=MAX_COLUMNS), formulas.iter_rows(max_col=MAX_COLUMNS))
    for number, (value_row, formula_row) in enumerate(rows, start=1):
        if number > MAX_ROWS:
            raise KnowledgeFileError([f"{source}: quá {MAX_ROWS} dòng; hãy chia thành nhiều tệp"])
        cells = []
        for column, (cell, formula) in enumerate(zip(value_row, formula_row), start=1):
            where = f"{source}, ô {get_column_letter(column)}{number}"
            if formula.data_type == "f" and cell.value is None:
                text = getattr(formula.value, "text", formula.value)
                problems.append(f"{where}: công thức '{text}' chưa có giá trị đã tính; hãy mở tệp bằng Excel, "
                                "lưu lại rồi gửi lại (hoặc dán dạng giá trị)")
            elif cell.data_type == "e":
                problems.append(f"{where}: ô đang báo lỗi {cell.value}")
            cells.append(cell.value)
        if any(_cell_text("", c) for c in cells):
            table.append((number, cells))
    return table
