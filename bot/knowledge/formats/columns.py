"""The columns of each kind of knowledge table, declared once for reading (CSV and Excel),
for the Excel template and for the Excel export.

Admins write Vietnamese headers ("Câu hỏi", "Trả lời", "Ngày"); the English field names of the
YAML files work too. Headers and sheet names are matched without case, diacritics, spaces or
punctuation, so "cau hoi", "CÂU HỎI" and "Câu  hỏi:" are the same column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...search.text import clean, fold
from .records import DAY_FORMATS, KINDS


@dataclass(frozen=True)
class Column:
    field: str
    labels: tuple[str, ...]
    """Vietnamese headers accepted; the first is the one the template and the export write."""
    guide: str
    """One line for the template's guide sheet."""
    example: str | float = ""
    """The template's made-up example row."""
    required: bool = True
    """Whether a table of its kind must have this column (its cells may still be optional)."""

    @property
    def header(self) -> str:
        return self.labels[0]


EXAMPLE_MARK = "(ví dụ – xóa dòng này)"
"""What the template writes in the first column (the id) of its example rows; such a row, left
as the template has it, is skipped on import (so a filled-in template imports whether or not the
admin deleted it), and refused if it was edited but still carries the mark."""

LIST_HINT = "mỗi mục một dòng trong ô (Alt+Enter) hoặc ngăn cách bằng |"
MONTH_HINT = "tháng dạng 2026-01, hoặc năm 2026"

COLUMNS: dict[str, tuple[Column, ...]] = {
    "entries": (
        Column("id", ("Mã", "Mã câu hỏi", "Mã mục"),
               "mã không trùng: chữ thường không dấu, số, - _ . (ví dụ: thoi-gian-luan-chuyen)", EXAMPLE_MARK),
        Column("question", ("Câu hỏi",), "câu hỏi chính, tối đa 300 ký tự",
               "Cán bộ luân chuyển được hỗ trợ những gì?"),
        Column("phrasings", ("Cách hỏi khác", "Các cách hỏi khác", "Cách hỏi"),
               f"những cách hỏi khác cùng ý; {LIST_HINT}",
               "luân chuyển có được hỗ trợ không\nchế độ cho cán bộ luân chuyển", required=False),
        Column("answer", ("Trả lời", "Câu trả lời"), "tối đa 3 câu, 800 ký tự",
               "Đây là câu trả lời mẫu, tối đa 3 câu và 800 ký tự."),
        Column("tags", ("Thẻ", "Chủ đề"), f"chủ đề để phân loại; {LIST_HINT}", "che-do", required=False),
        Column("source", ("Nguồn",), "văn bản hoặc bài báo có thông tin này",
               "Quy định mẫu số 01 (ví dụ)"),
        Column("as_of", ("Ngày", "Ngày cập nhật"), f"ngày của thông tin: {DAY_FORMATS}", "30/05/2019"),
        Column("gap", ("Chưa có thông tin", "Khoảng trống"),
               "ghi “có” khi câu trả lời nói rằng nguồn chưa có thông tin này; không thì để trống",
               required=False),
        Column("title", ("Tiêu đề", "Tiêu đề ngắn"),
               "tên ngắn hiện trên nút bấm, tối đa 40 ký tự; bỏ trống thì lấy từ câu hỏi",
               "Hỗ trợ cán bộ luân chuyển", required=False),
    ),
    "passages": (
        Column("id", ("Mã", "Mã đoạn"), "mã không trùng: chữ thường không dấu, số, - _ .", EXAMPLE_MARK),
        Column("document", ("Văn bản", "Tên văn bản"), "tên văn bản có đoạn trích", "Quy định mẫu số 01 (ví dụ)"),
        Column("section", ("Mục", "Điều khoản", "Phần"), "điều, khoản, mục trong văn bản", "Điều 2",
               required=False),
        Column("text", ("Nội dung", "Đoạn trích", "Trích đoạn"), "đoạn trích nguyên văn, tối đa 800 ký tự",
               "Đây là một đoạn trích mẫu."),
        Column("source", ("Nguồn",), "nơi lấy văn bản", "Công báo (ví dụ)"),
    ),
    "metrics": (
        Column("key", ("Mã chỉ số", "Mã"),
               "mã không trùng: chữ thường không dấu, số, - _ .; trang Số liệu ghi mã này ở cột Chỉ số", EXAMPLE_MARK),
        Column("label", ("Tên chỉ số", "Tên"), "tên đầy đủ của chỉ số", "lượt cán bộ được luân chuyển (ví dụ)"),
        Column("unit", ("Đơn vị", "Đơn vị tính"), "đơn vị đếm", "lượt"),
        Column("phrasings", ("Cách hỏi", "Cách hỏi khác"), f"ít nhất một cách hỏi; {LIST_HINT}",
               "bao nhiêu lượt luân chuyển\nsố lượt luân chuyển"),
        Column("scope", ("Phạm vi",), "địa bàn hoặc cơ quan mà chỉ số nói tới", "tỉnh A (ví dụ)", required=False),
    ),
    "statistics": (
        Column("metric", ("Chỉ số", "Mã chỉ số"), "mã chỉ số (cột Mã chỉ số của trang Chỉ số)", EXAMPLE_MARK),
        Column("value", ("Giá trị",), "một số, ví dụ 12 hoặc 2,5", 12),
        Column("value_max", ("Giá trị tối đa",), "khi số liệu là một khoảng (12 – 15): số lớn; không thì để trống",
               required=False),
        Column("unit", ("Đơn vị", "Đơn vị tính"), "đơn vị đếm", "lượt"),
        Column("period_start", ("Từ kỳ", "Kỳ bắt đầu"), f"đầu kỳ: {MONTH_HINT}; có thể để trống nếu có Đến kỳ",
               "2026-01"),
        Column("period_end", ("Đến kỳ", "Kỳ kết thúc"), f"cuối kỳ: {MONTH_HINT}", "2026-03"),
        Column("scope", ("Phạm vi",), "địa bàn hoặc cơ quan", "tỉnh A (ví dụ)", required=False),
        Column("source", ("Nguồn",), "báo cáo nào, ngày nào", "Báo cáo quý I/2026 (ví dụ)"),
        Column("note", ("Ghi chú",), "ghi chú thêm nếu cần", required=False),
    ),
}

SHEETS = {"entries": "Hỏi đáp", "passages": "Đoạn trích", "metrics": "Chỉ số", "statistics": "Số liệu"}
"""The sheet of each kind in the template and the export; the English kind names work too."""

GUIDE_SHEET = "Hướng dẫn"
"""The template's explanations: never read as data."""


def header_key(text: str) -> str:
    """A header or sheet name as compared: no case, diacritics, spaces or punctuation."""
    return re.sub(r"[^a-z0-9]", "", fold(clean(text)))


_FIELDS = {
    kind: {header_key(name): c.field for c in columns for name in (c.field, *c.labels)}
    for kind, columns in COLUMNS.items()
}
_SHEET_KINDS = {header_key(name): kind for kind in KINDS for name in (kind, SHEETS[kind])}


def column_field(kind: str, header: str) -> str | None:
    """The field a header names in a table of ``kind``, or None."""
    return _FIELDS[kind].get(header_key(header))


def sheet_kind(title: str) -> str | None:
    """The kind a sheet's name announces ("Hỏi đáp", "entries"...), or None."""
    return _SHEET_KINDS.get(header_key(title))


def is_guide(title: str) -> bool:
    return header_key(title) == header_key(GUIDE_SHEET)


def accepted(kind: str, required: bool | None = None) -> str:
    """The headers of a kind as a message lists them: "Câu hỏi (question), ..."."""
    return ", ".join(f"{c.header} ({c.field})" for c in COLUMNS[kind] if required in (None, c.required))
