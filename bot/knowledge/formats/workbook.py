"""Excel workbooks for admins: the template to fill in (`/mau`, `kb template`) and the whole
knowledge base (`/xuat`, `kb export --format xlsx`). One sheet per kind with the Vietnamese
headers of columns.py; tables.py reads them back to exactly what was written.
"""

from __future__ import annotations

import io
from typing import Any

from .columns import COLUMNS, EXAMPLE_MARK, GUIDE_SHEET, SHEETS, Column
from .records import KINDS

TEMPLATE_NAME = "mau-nhap-du-lieu.xlsx"
MAX_WIDTH = 60
"""Widest column, in characters: long answers wrap instead of running off a phone's screen."""


def template_workbook() -> bytes:
    """The template: a guide sheet explaining each column in one line, then a sheet per kind
    with its headers and one made-up example row (skipped on import while left as it is)."""
    examples = {kind: [{c.field: c.example for c in columns}] for kind, columns in COLUMNS.items()}
    return _workbook(examples, guide=True)


def knowledge_workbook(records: dict[str, list[dict]]) -> bytes:
    """Records by kind as one workbook, a sheet per kind."""
    return _workbook(records, guide=False)


def _workbook(records: dict[str, list[dict]], guide: bool) -> bytes:
    import openpyxl  # only workbooks need it

    book = openpyxl.Workbook()
    book.remove(book.active)
    if guide:
        _guide(book.create_sheet(GUIDE_SHEET))
    for kind in KINDS:
        sheet = book.create_sheet(SHEETS[kind])
        columns = COLUMNS[kind]
        sheet.append([c.header for c in columns])
        for record in records[kind]:
            sheet.append([_cell(record.get(c.field)) for c in columns])
        _layout(sheet, columns)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value: Any) -> Any:
    """A record's value as a cell: a list one item a line (items hold neither line breaks nor
    '|'), a flag as "có" or empty, numbers as numbers, text as text."""
    if isinstance(value, list):
        return "\n".join(value) or None
    if isinstance(value, bool):
        return "có" if value else None
    return None if value == "" else value


def _layout(sheet: Any, columns: tuple[Column, ...]) -> None:
    """Bold frozen headers, columns as wide as their content (within reason), lists on several
    lines, and text that looks like a formula ("=...") kept as text."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    sheet.freeze_panes = "A2"
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for number, column in enumerate(sheet.iter_cols(max_col=len(columns)), start=1):
        longest = 0
        for cell in column:
            if cell.data_type == "f":
                cell.data_type = "s"
            lines = str(cell.value or "").splitlines()
            if len(lines) > 1:
                cell.alignment = wrap
            longest = max([longest, *map(len, lines)])
        sheet.column_dimensions[get_column_letter(number)].width = min(MAX_WIDTH, longest + 2)


def _guide(sheet: Any) -> None:
    from openpyxl.styles import Font

    for line in (
        "Mẫu nhập dữ liệu cho bot. Mỗi trang là một loại dữ liệu; dòng 1 là tên cột, xin giữ nguyên.",
        f"Dòng ví dụ (ô đầu ghi “{EXAMPLE_MARK}”) được bỏ qua khi nhập nếu để nguyên; có thể xóa đi, "
        "hoặc ghi đè dữ liệu thật lên cả dòng.",
        "Trang nào không dùng thì để trống. Điền xong, quản trị viên gửi tệp này cho bot trong chat "
        "(hoặc dùng lệnh: python -m bot kb import <tệp>).",
        "",
    ):
        sheet.append([line])
    sheet.append(["Trang", "Cột", "Bắt buộc", "Cách ghi", "Tên cột khác cũng được nhận"])
    header = sheet.max_row
    for cell in sheet[header]:
        cell.font = Font(bold=True)
    for kind in KINDS:
        for c in COLUMNS[kind]:
            sheet.append([SHEETS[kind], c.header, "có" if c.required else "", c.guide, ", ".join((*c.labels[1:], c.field))])
    for letter, width in zip("ABCDE", (12, 18, 9, 80, 36)):
        sheet.column_dimensions[letter].width = width
