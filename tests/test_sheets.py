"""Spreadsheets the way admins have them: Vietnamese headers and sheet names, days typed as
30/05/2019, a template to fill in, and an Excel export that imports back to the same knowledge.
Every workbook is built here with made-up data."""

from __future__ import annotations

import io

import openpyxl
import pytest

from bot.knowledge.formats import read_upload
from bot.knowledge.formats.columns import COLUMNS, EXAMPLE_MARK, GUIDE_SHEET, SHEETS, header_key
from bot.knowledge.formats.export import export_knowledge, knowledge_records
from bot.knowledge.formats.records import STAT_COLUMNS, KnowledgeFileError
from bot.knowledge.formats.tables import table_kind
from bot.knowledge.formats.workbook import template_workbook
from bot.knowledge.store import KnowledgeStore

from .conftest import write, xlsx

ENTRY_HEADER = ["Mã", "CÂU HỎI", "cach hoi khac", "Câu trả lời", "Chủ  đề", " Nguồn ", "Ngày cập nhật"]
STAT_HEADER = ["Mã chỉ số", "Giá trị", "Giá trị tối đa", "Đơn vị tính", "Từ kỳ", "Đến kỳ", "Phạm vi", "Nguồn", "Ghi chú"]


def sheets_of(data: bytes) -> dict[str, list[tuple]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def refusal(name: str, data: bytes) -> str:
    with pytest.raises(KnowledgeFileError) as info:
        read_upload(name, data)
    return "\n".join(info.value.problems)


# --- Vietnamese headers ---


def test_a_sheet_with_vietnamese_headers_is_imported(tmp_path):
    data = xlsx({
        "Hỏi đáp": [ENTRY_HEADER, [
            "mau-phu-cap", "Cán bộ mẫu được phụ cấp gì?", "phụ cấp mẫu\nchế độ mẫu", "Được phụ cấp mẫu (dữ liệu thử).",
            "mau | thu", "Quy định mẫu 01", "30/05/2019",
        ]],
        "Số liệu": [STAT_HEADER, ["luot_mau", 4, 6.5, "lượt", "2020-01", "2020-03", "đơn vị mẫu", "Báo cáo mẫu", None]],
    })
    path = tmp_path / "bang-tinh.xlsx"
    path.write_bytes(data)
    store = KnowledgeStore(tmp_path / "bot.db")
    report = store.import_path(path)
    assert report.added == 2
    [entry] = store.entries()
    assert entry["question"] == "Cán bộ mẫu được phụ cấp gì?" and entry["as_of"] == "2019-05-30"
    assert entry["phrasings"] == ["phụ cấp mẫu", "chế độ mẫu"] and entry["tags"] == ["mau", "thu"]
    [figure] = store.statistics()
    assert (figure["value"], figure["value_max"], figure["period_end"]) == (4.0, 6.5, "2020-03")


def test_a_csv_with_vietnamese_headers_is_recognised_by_its_header():
    text = "Chỉ số;Giá trị;Đơn vị;Từ kỳ;Đến kỳ;Nguồn\r\nluot_mau;3;lượt;2020-01;2020-01;Báo cáo mẫu\r\n"
    [figure] = read_upload("bang.csv", text.encode("utf-8-sig")).statistics
    assert figure["metric"] == "luot_mau" and figure["value"] == 3.0 and figure["scope"] == ""


def test_english_headers_and_sheet_names_still_work():
    rows = [["id", "question", "answer", "source", "as_of"], ["mau", "Hỏi mẫu?", "Đáp mẫu.", "Nguồn mẫu", "2020-01-01"]]
    assert read_upload("a.xlsx", xlsx({"entries": rows})).entries[0]["id"] == "mau"


def test_an_unknown_header_is_refused_by_name_and_nothing_is_written(tmp_path):
    store = KnowledgeStore(tmp_path / "bot.db")
    path = write(tmp_path / "entries.yaml", "- id: co-san\n  question: Hỏi mẫu?\n  answer: Đáp mẫu.\n"
                 "  source: Nguồn mẫu\n  as_of: '2020-01-01'\n")
    store.import_path(path)
    before = knowledge_records(store)
    bad = tmp_path / "bang.xlsx"
    bad.write_bytes(xlsx({"Hỏi đáp": [
        [*ENTRY_HEADER, "Người nhập"],
        ["mau-moi", "Hỏi mới?", None, "Đáp mới.", None, "Nguồn mẫu", "01/02/2020", "Văn thư"],
    ]}))
    with pytest.raises(KnowledgeFileError) as info:
        store.import_path(bad)
    assert "không nhận ra cột “Người nhập”" in str(info.value)
    assert "Câu hỏi (question), Cách hỏi khác (phrasings), Trả lời (answer)" in str(info.value)
    assert knowledge_records(store) == before


def test_two_headers_for_one_column_are_refused():
    rows = [["Mã", "Câu hỏi", "Trả lời", "Câu trả lời", "Nguồn", "Ngày"], ["a", "Hỏi?", "Đáp.", "Đáp.", "Nguồn", "2020-01-01"]]
    assert "“Trả lời”, “Câu trả lời” trùng nhau" in refusal("a.xlsx", xlsx({"Hỏi đáp": rows}))


def test_every_header_names_one_column_of_its_kind_and_each_kind_is_told_apart():
    for kind, columns in COLUMNS.items():
        keys = [header_key(name) for c in columns for name in (c.field, *c.labels)]
        assert len(keys) == len(set(keys)), kind
        assert table_kind([c.header for c in columns]) == kind
        assert table_kind([c.field for c in columns]) == kind
    assert [c.field for c in COLUMNS["statistics"]] == STAT_COLUMNS


def test_days_are_read_as_admins_type_them():
    rows = [["Mã", "Câu hỏi", "Trả lời", "Nguồn", "Ngày"], ["a", "Hỏi?", "Đáp.", "Nguồn", "5/3/2021"]]
    assert read_upload("a.xlsx", xlsx({"Hỏi đáp": rows})).entries[0]["as_of"] == "2021-03-05"
    rows[1][4] = "31/02/2021"
    assert "'31/02/2021' không phải ngày dạng 30/05/2019 hoặc 2019-05-30" in refusal("a.xlsx", xlsx({"Hỏi đáp": rows}))


def test_a_list_item_holding_the_separator_is_refused():
    text = "- id: a\n  question: Hỏi?\n  phrasings: ['hỏi | đáp']\n  answer: Đáp.\n  source: N\n  as_of: '2020-01-01'\n"
    assert "mục 'hỏi | đáp' có dấu '|'" in refusal("entries.yaml", text.encode())


# --- the template ---


def test_the_template_has_a_guide_and_a_sheet_per_kind_with_vietnamese_headers():
    sheets = sheets_of(template_workbook())
    assert list(sheets) == [GUIDE_SHEET, "Hỏi đáp", "Đoạn trích", "Chỉ số", "Số liệu"]
    assert sheets["Hỏi đáp"][0] == ("Mã", "Câu hỏi", "Cách hỏi khác", "Trả lời", "Thẻ", "Nguồn", "Ngày", "Chưa có thông tin",
                                    "Tiêu đề")
    assert sheets["Số liệu"][0][:3] == ("Chỉ số", "Giá trị", "Giá trị tối đa")
    for kind, title in SHEETS.items():
        [_, example] = sheets[title]
        assert example[0] == EXAMPLE_MARK
        guide_lines = [row for row in sheets[GUIDE_SHEET] if row[0] == title]
        assert [row[1] for row in guide_lines] == [c.header for c in COLUMNS[kind]] and all(row[3] for row in guide_lines)


def fill(template: bytes, rows: dict[str, list], edit_example: str | None = None) -> bytes:
    """The template as an admin returns it: rows added under the examples (left in place)."""
    book = openpyxl.load_workbook(io.BytesIO(template))
    for title, row in rows.items():
        book[title].append(row)
    if edit_example:
        book[edit_example]["B2"] = "Câu hỏi đã sửa?"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


FILLED = {
    "Hỏi đáp": ["mau-hoi", "Hỏi mẫu?", "cách hỏi mẫu", "Đáp mẫu.", None, "Nguồn mẫu", "01/06/2020", None],
    "Đoạn trích": ["doan-mau", "Văn bản mẫu", None, "Nội dung mẫu.", "Nguồn mẫu"],
    "Chỉ số": ["chi_so_mau", "chỉ số mẫu", "lượt", "bao nhiêu lượt mẫu", None],
    "Số liệu": ["chi_so_mau", 2, None, "lượt", "2020-01", "2020-01", None, "Nguồn mẫu", None],
}


def test_a_filled_template_imports_and_its_untouched_examples_are_skipped():
    batch = read_upload("mau.xlsx", fill(template_workbook(), FILLED))
    assert [e["id"] for e in batch.entries] == ["mau-hoi"] and batch.entries[0]["as_of"] == "2020-06-01"
    assert [p["id"] for p in batch.passages] == ["doan-mau"]
    assert [m["key"] for m in batch.metrics] == ["chi_so_mau"]
    assert [s["metric"] for s in batch.statistics] == ["chi_so_mau"]
    assert all(r["_line"] == 3 for r in (*batch.entries, *batch.passages, *batch.metrics, *batch.statistics))


def test_an_edited_example_row_still_marked_is_refused():
    text = refusal("mau.xlsx", fill(template_workbook(), FILLED, edit_example="Hỏi đáp"))
    assert f"trang 'Hỏi đáp', dòng 2: dòng ví dụ của mẫu đã bị sửa; hãy ghi mã thật thay cho “{EXAMPLE_MARK}”" in text


# --- Excel export ---


def test_excel_export_imports_back_to_the_same_knowledge(tmp_path, synthetic_kb):
    write(synthetic_kb / "passages.yaml", """
- id: doan-mau
  document: Văn bản mẫu
  section: ''
  text: =1+1 là một đoạn mẫu, không phải công thức.
  source: '-Nguồn mẫu'
""")
    write(synthetic_kb / "statistics_more.csv", "metric,value,value_max,unit,period_start,period_end,scope,source,note\n"
          "so_luot_mau,2.25,3.75,lượt,2021,2021-06,,Nguồn mẫu C,@ghi chú\n")
    store = KnowledgeStore(tmp_path / "a.db")
    store.import_path(synthetic_kb)
    [path] = export_knowledge(store, tmp_path / "out", "xlsx")
    assert path.suffix == ".xlsx"
    sheets = sheets_of(path.read_bytes())
    assert sheets["Hỏi đáp"][0][:4] == ("Mã", "Câu hỏi", "Cách hỏi khác", "Trả lời")
    assert "thử việc ít nhất mấy tháng\nthoi han thu viec" in [row[2] for row in sheets["Hỏi đáp"]]
    again = store.import_path(path)
    assert (again.added, again.updated) == (0, 0) and again.unchanged == 8
    fresh = KnowledgeStore(tmp_path / "b.db")
    fresh.import_path(path)
    assert knowledge_records(fresh) == knowledge_records(store)
