"""Tables of knowledge: CSV files and Excel sheets whose first row names the columns, in
Vietnamese or by their English field names (see columns.py).

The kind of a table comes from the file or sheet name (entries..., "Số liệu"...) or else from
its header; cells become the fields the records need (lists split at line breaks or '|', Excel
dates and whole numbers written as people typed them). Excel values are those Excel cached when
saving: formulas are never evaluated.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from typing import Any

from ...search.text import clean
from .columns import (
    COLUMNS,
    EXAMPLE_MARK,
    LIST_HINT,
    SHEETS,
    accepted,
    column_field,
    is_guide,
    sheet_kind,
)
from .encoding import decode
from .records import (
    KnowledgeFileError,
    Part,
    Row,
    name_kind,
    unescape_cell,
)

MAX_UNPACKED = 40 * 1024 * 1024
"""An .xlsx is a zip: bound what its parts may expand to (a small zip can hold gigabytes)."""
MAX_COLUMNS = 40


LIST_COLUMNS = ("phrasings", "tags")
"""Cells holding several items: one a line, or separated by '|' (items may contain neither)."""
_ITEM_SEPARATOR = re.compile(r"[\r\n|]")


PERIOD_COLUMNS = ("period_start", "period_end")


_TRUE = {"true", "1", "có", "co", "x", "yes", "đúng"}


_FALSE = {"false", "0", "không", "khong", "no", "sai"}


def csv_part(name: str, data: bytes, max_rows: int) -> Part:
    """The rows of a CSV file (comma, semicolon or tab separated)."""
    text = decode(name, data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    table: list[tuple[int, list[Any]]] = []
    try:
        for cells in reader:
            if len(table) >= max_rows:
                raise KnowledgeFileError([f"{name}: quá {max_rows} dòng; hãy chia thành nhiều tệp"])
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
    (file or sheet name) or else from the header. The template's untouched example rows are
    skipped."""
    table = [(line, cells) for line, cells in table if any(_cell_text("", c) for c in cells)]
    if not table:
        raise KnowledgeFileError([f"{source}: không có dữ liệu"])
    (header_line, header_cells), body = table[0], table[1:]
    header = [clean(_cell_text("", c)) for c in header_cells]
    while header and not header[-1]:
        header.pop()
    kind = kind or table_kind(header)
    if kind is None:
        raise KnowledgeFileError(
            [(f"{source}, dòng {header_line}: không nhận ra loại bảng từ dòng tiêu đề "
              f"({', '.join(h for h in header if h) or 'trống'}); cần đúng các cột:")] + expected_columns()
        )
    fields = [column_field(kind, h) or "" for h in header]
    problems = _header_problems(source, header_line, kind, header, fields)
    rows: list[Row] = []
    for line, cells in body:
        item: dict[str, Any] = {}
        for i, value in enumerate(cells):
            column = fields[i] if i < len(fields) else ""
            text = _cell_text(column, value)
            if not text:
                continue
            if i >= len(header) or not header[i]:
                problems.append(f"{source}, dòng {line}, cột {i + 1}: có dữ liệu nhưng cột không có tiêu đề")
            elif column:
                item[column] = _field(column, text)
        if item.get(COLUMNS[kind][0].field) == EXAMPLE_MARK:
            if item != _example(kind):
                problems.append(f"{source}, dòng {line}: dòng ví dụ của mẫu đã bị sửa; hãy ghi mã thật thay cho "
                                f"“{EXAMPLE_MARK}”, hoặc xóa dòng này")
            continue
        rows.append((line, {}, item))
    if problems:
        raise KnowledgeFileError(problems)
    return source, kind, rows


def table_kind(header: list[str]) -> str | None:
    """The kind whose columns a header has: all required ones, and nothing unknown."""
    for kind, columns in COLUMNS.items():
        fields = {column_field(kind, h) for h in header if h}
        if None not in fields and {c.field for c in columns if c.required} <= fields:
            return kind
    return None


def expected_columns() -> list[str]:
    """One line per kind saying which columns a table of it has."""
    lines = []
    for kind, columns in COLUMNS.items():
        line = f"– {SHEETS[kind]} ({kind}): {accepted(kind, required=True)}"
        if not all(c.required for c in columns):
            line += f"; thêm nếu cần: {accepted(kind, required=False)}"
        lists = [c.header for c in columns if c.field in LIST_COLUMNS]
        if lists:
            line += f"; {', '.join(lists)}: {LIST_HINT}"
        lines.append(line)
    return lines


def _header_problems(source: str, line: int, kind: str, header: list[str], fields: list[str]) -> list[str]:
    problems = []
    where = f"{source}, dòng {line}"
    missing = [f"{c.header} ({c.field})" for c in COLUMNS[kind] if c.required and c.field not in fields]
    if missing:
        problems.append(f"{where}: thiếu cột {', '.join(missing)}")
    unknown = [f"“{h}”" for h, f in zip(header, fields) if h and not f]
    if unknown:
        problems.append(f"{where}: không nhận ra cột {', '.join(unknown)}; bảng {SHEETS[kind]} nhận các cột: "
                        f"{accepted(kind)}")
    doubled = [f"“{h}”" for h, f in zip(header, fields) if f and fields.count(f) > 1]
    if doubled:
        problems.append(f"{where}: các cột {', '.join(doubled)} trùng nhau; hãy giữ một")
    return problems


def _example(kind: str) -> dict[str, Any]:
    """The template's example row of a kind, as read back."""
    cells = {c.field: _cell_text(c.field, c.example) for c in COLUMNS[kind]}
    return {field: _field(field, text) for field, text in cells.items() if text}


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
        return [part.strip() for part in _ITEM_SEPARATOR.split(text) if part.strip()]
    if column == "gap":
        lowered = text.lower()
        return True if lowered in _TRUE else False if lowered in _FALSE else text
    return text


# --- Excel ------------------------------------------------------------------------------------


def xlsx_parts(name: str, data: bytes, max_rows: int) -> list[Part]:
    """Sheets named by kind ("Hỏi đáp", "Số liệu"..., or entries, statistics...), or else the
    single sheet with data; the template's guide sheet is never read. Values are those Excel
    cached when saving; formulas are never evaluated."""
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
                (ws.title, _sheet_table(f"{name}, trang '{ws.title}'", ws, formulas[ws.title], problems, max_rows))
                for ws in values.worksheets if not is_guide(ws.title)
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
    if any(sheet_kind(title) for title, _ in filled):
        others = [title for title, _ in filled if not sheet_kind(title)]
        if others:
            raise KnowledgeFileError([
                f"{name}, trang '{title}': có dữ liệu nhưng tên trang không phải {', '.join(SHEETS.values())} "
                f"(hoặc {', '.join(SHEETS)})" for title in others
            ])
        return [_table_part(f"{name}, trang '{t}'", sheet_kind(t), table) for t, table in filled]
    if not filled:
        raise KnowledgeFileError([f"{name}: không có dữ liệu"])
    if len(filled) > 1:
        raise KnowledgeFileError([(
            f"{name}: có {len(filled)} trang tính có dữ liệu; hãy để một trang, hoặc đặt tên mỗi trang "
            f"theo loại: {', '.join(SHEETS.values())}"
        )])
    title, table = filled[0]
    return [_table_part(f"{name}, trang '{title}'", name_kind(name), table)]


def _sheet_table(
    source: str, values: Any, formulas: Any, problems: list[str], max_rows: int
) -> list[tuple[int, list[Any]]]:
    """Non-blank rows of a sheet with their row numbers; a formula without a cached value
    (a file never opened in Excel) or an error value is a problem naming its cell."""
    from openpyxl.utils import get_column_letter

    values.reset_dimensions()  # don't trust the declared size: it may be wrong or huge
    formulas.reset_dimensions()
    table = []
    rows = zip(values.iter_rows(max_col=MAX_COLUMNS), formulas.iter_rows(max_col=MAX_COLUMNS))
    for number, (value_row, formula_row) in enumerate(rows, start=1):
        if number > max_rows:
            raise KnowledgeFileError([f"{source}: quá {max_rows} dòng; hãy chia thành nhiều tệp"])
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
