"""Uploads from admins' phones: YAML, CSV in the encodings Excel writes, and .xlsx; refused whole
with Vietnamese messages naming row and field. All files are built here, none are committed."""

from __future__ import annotations

import datetime as dt
import io
import re
import time
import unicodedata
import zipfile

import openpyxl
import pytest

from bot.knowledge.formats import MAX_UPLOAD, read_upload
from bot.knowledge.formats.records import STAT_COLUMNS, KnowledgeFileError

from .conftest import xlsx

SCOPE = "huyện Tam Dương, tỉnh Vĩnh Phúc"
SOURCE = "Báo Vĩnh Phúc, 30/05/2019"
NOTE = "sau 2 năm thực hiện Nghị quyết 02; số lượng vượt chỉ tiêu đề ra"
STAT_HEADER = ",".join(STAT_COLUMNS)
STAT_CSV = (
    f"{STAT_HEADER}\n"
    f'luot_luan_chuyen,136,,lượt,2017,2019-05,"{SCOPE}","{SOURCE}",{NOTE}\n'
    f'dong_chi_chu_chot,7,,đồng chí,2017,2019-05,"{SCOPE}","{SOURCE}",\n'
)
ENTRIES_YAML = """\
- id: hoi-nghi-so-ket
  question: Huyện ủy Tam Dương đã tổ chức hội nghị gì?
  phrasings:
  - Tam Dương tổ chức hội nghị gì
  - hội nghị sơ kết NQ 02 là gì
  answer: Huyện ủy Tam Dương tổ chức Hội nghị sơ kết 2 năm thực hiện Nghị quyết 02.
  tags: [hoi-nghi]
  source: Báo Vĩnh Phúc, 30/05/2019
  as_of: 2019-05-30
"""
ENTRY_HEADER = "id,question,answer,source,as_of,phrasings,tags,gap"


def problems(name: str, data: bytes) -> str:
    with pytest.raises(KnowledgeFileError) as info:
        read_upload(name, data)
    return "\n".join(info.value.problems)


def cp1258(text: str) -> bytes:
    """Encode as Windows-1258 does: base letters with their circumflex/breve/horn, tones as
    separate combining marks (the code page has no precomposed toned vowels)."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = []
    for ch in unicodedata.normalize("NFC", text):
        try:
            out.append(ch.encode("cp1258"))
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(m for m in parts if m not in tones))
            out.append((base + "".join(m for m in parts if m in tones)).encode("cp1258"))
    return b"".join(out)


def stat_rows() -> list[list]:
    return [
        STAT_COLUMNS,
        ["luot_luan_chuyen", 136, None, "lượt", 2017, dt.datetime(2019, 5, 1), SCOPE, SOURCE, NOTE],
        ["ty_le", 12.5, 15, "%", "2019-01", "2019-04", SCOPE, SOURCE, None],
    ]


# --- YAML ---


def test_yaml_entries_are_read_and_kind_comes_from_content():
    batch = read_upload("faq.yaml", ENTRIES_YAML.encode())
    [entry] = batch.entries
    assert entry["id"] == "hoi-nghi-so-ket" and entry["as_of"] == "2019-05-30"
    assert entry["phrasings"] == ["Tam Dương tổ chức hội nghị gì", "hội nghị sơ kết NQ 02 là gì"]
    assert not batch.statistics and not batch.metrics


def test_yaml_alias_bomb_is_refused_quickly():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(9)
    )
    start = time.perf_counter()
    text = problems("entries.yaml", bomb.encode())
    assert time.perf_counter() - start < 1
    assert "dòng 1" in text and "neo hoặc tham chiếu" in text


def test_yaml_python_tag_is_refused_in_vietnamese():
    text = problems("entries.yaml", b"- id: x\n  question: !!python/object/apply:os.system ['echo hi']\n")
    assert "dòng 2" in text and "không chấp nhận thẻ YAML '!!python/object/apply:os.system'" in text


# --- CSV ---


@pytest.mark.parametrize(
    "encode",
    [
        lambda s: s.encode("utf-8-sig"),
        lambda s: s.encode("utf-16"),  # with BOM, in the machine's order
        lambda s: s.encode("utf-16-be").join([b"\xfe\xff", b""]),
        lambda s: cp1258(s.replace("\n", "\r\n")),
    ],
    ids=["utf8-bom", "utf16", "utf16-be", "cp1258"],
)
def test_statistics_csv_in_every_excel_encoding(encode):
    batch = read_upload("so-lieu.csv", encode(STAT_CSV))
    first, second = batch.statistics
    assert first["scope"] == unicodedata.normalize("NFC", SCOPE)
    assert first["note"] == NOTE and first["value"] == 136.0 and first["period_end"] == "2019-05"
    assert second["unit"] == "đồng chí"


def test_cp1258_bytes_really_use_combining_tones():
    data = cp1258("huyện")
    assert data.decode("cp1258") != "huyện" and unicodedata.normalize("NFC", data.decode("cp1258")) == "huyện"


def test_semicolon_separated_csv():
    text = (
        ";".join(STAT_COLUMNS) + "\r\n"
        f'luot_luan_chuyen;136;;lượt;2017;2019-05;{SCOPE};{SOURCE};"{NOTE}"\r\n'
        f"ty_le;12,5;;%;2017;2019-05;{SCOPE};{SOURCE};\r\n"
    )
    batch = read_upload("so-lieu.csv", text.encode("utf-8-sig"))
    assert [s["value"] for s in batch.statistics] == [136.0, 12.5]
    assert batch.statistics[0]["scope"] == SCOPE and batch.statistics[0]["note"] == NOTE


def test_entries_csv_splits_phrasings_and_tags():
    data = (
        f"{ENTRY_HEADER}\n"
        "bau-cu,Khi nào bầu cử?,Bầu cử vào tháng 5.,Luật bầu cử,2021-03-01,khi nào bầu | ngày bầu cử,bau-cu,\n"
        "thieu,Chưa có dữ liệu?,Chưa có.,Ghi chú,2021-03-01,,,true\n"
    ).encode()
    first, second = read_upload("hoi-dap.csv", data).entries
    assert first["phrasings"] == ["khi nào bầu", "ngày bầu cử"] and first["tags"] == ["bau-cu"]
    assert not first["gap"] and second["gap"] and second["phrasings"] == []


def test_undecodable_bytes_ask_for_csv_utf8():
    data = STAT_HEADER.encode() + b"\nx,1,,\x81\x8d\x00\xff,2017,2019,a,b,c\n"
    assert 'hãy lưu lại dạng "CSV UTF-8"' in problems("statistics.csv", data)


def test_latin1_text_is_not_taken_for_vietnamese():
    data = f"{STAT_HEADER}\nx,1,,señor,2017,2019,Müller,b,c\n".encode("latin-1")
    assert "CSV UTF-8" in problems("statistics.csv", data)


def test_unknown_columns_are_refused_listing_the_expected_ones():
    text = problems("bang.csv", b"ma,noi dung\n1,2\n")
    assert "không nhận ra loại bảng" in text
    assert "Số liệu (statistics): Chỉ số (metric), Giá trị (value), Đơn vị (unit)" in text
    assert "Hỏi đáp (entries): Mã (id), Câu hỏi (question), Trả lời (answer)" in text


def test_duplicate_ids_are_refused():
    row = "bau-cu,Khi nào bầu cử?,Bầu cử vào tháng 5.,Luật bầu cử,2021-03-01,,,"
    text = problems("entries.csv", f"{ENTRY_HEADER}\n{row}\n{row}\n".encode())
    assert "dòng 3, trường 'id': trùng mã 'bau-cu'" in text and "dòng 2" in text


def test_duplicate_statistics_are_refused():
    line = STAT_CSV.splitlines()[1]
    assert "trùng số liệu" in problems("statistics.csv", f"{STAT_HEADER}\n{line}\n{line}\n".encode())


def test_long_answer_is_refused_naming_row_and_field():
    data = f"{ENTRY_HEADER}\nok,Hỏi?,Đáp.,Nguồn,2021-03-01,,,\ndai,Hỏi?,{'a' * 801},Nguồn,2021-03-01,,,\n".encode()
    text = problems("entries.csv", data)
    assert "entries.csv, dòng 3, trường 'answer': dài 801 ký tự, tối đa 800" in text


def test_one_bad_row_refuses_the_whole_file():
    data = STAT_CSV + f"x,không-phải-số,,lượt,2017,2019-05,a,{SOURCE},\n"
    assert "dòng 4, trường 'value'" in problems("statistics.csv", data.encode())


# --- size and format ---


def test_files_over_two_megabytes_are_refused():
    text = problems("entries.yaml", b"#" * (MAX_UPLOAD + 1))
    assert "2,00 MB" not in text and "2.01 MB, tối đa 2 MB" in text


@pytest.mark.parametrize("name", ["bang.xls", "ghi-chu.txt", "khong-duoi", "ke-hoach.doc"])
def test_other_formats_are_refused_listing_accepted_ones(name):
    text = problems(name, b"PK\x03\x04 something")
    assert ".yaml" in text and ".csv" in text and ".xlsx" in text


# --- Excel ---


def test_xlsx_statistics_with_real_dates_and_floats():
    batch = read_upload("thong-ke.xlsx", xlsx({"Sheet1": stat_rows()}))
    first, second = batch.statistics
    assert first["period_start"] == "2017" and first["period_end"] == "2019-05" and first["value"] == 136.0
    assert second["value"] == 12.5 and second["value_max"] == 15.0
    assert first["_file"] == "thong-ke.xlsx, trang 'Sheet1'"


def test_xlsx_entries_dates_become_iso_days():
    rows = [
        ["id", "question", "answer", "source", "as_of", "phrasings", "gap"],
        ["bau-cu", "Khi nào bầu cử?", "Tháng 5.", "Luật", dt.datetime(2021, 3, 1), "a | b", False],
    ]
    [entry] = read_upload("faq.xlsx", xlsx({"Trang tính 1": rows})).entries
    assert entry["as_of"] == "2021-03-01" and entry["phrasings"] == ["a", "b"] and entry["gap"] is False


def test_xlsx_sheets_named_by_kind():
    entries = [["id", "question", "answer", "source", "as_of"], ["a", "Hỏi?", "Đáp.", "Nguồn", "2021-03-01"]]
    batch = read_upload("tong-hop.xlsx", xlsx({"entries": entries, "statistics": stat_rows(), "trống": []}))
    assert len(batch.entries) == 1 and len(batch.statistics) == 2


def test_xlsx_formula_without_cached_value_is_refused_naming_the_cell():
    rows = stat_rows()
    rows[1][1] = "=100+36"  # openpyxl writes formulas without a cached value, as if never opened in Excel
    text = problems("statistics.xlsx", xlsx({"statistics": rows}))
    assert "trang 'statistics', ô B2: công thức '=100+36' chưa có giá trị đã tính" in text


def test_xlsx_formula_with_cached_value_uses_it_without_evaluating():
    rows = stat_rows()
    rows[1][1] = "=100+36"
    data = xlsx({"statistics": rows})
    # What Excel does on saving: keep the formula and cache its result (here deliberately 999).
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buf, "w") as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                # An empty value is written <v/> or <v></v> (openpyxl with lxml, which python-docx brings).
                content = re.sub(rb"(<f>100\+36</f>)<v\s*(?:/>|></v>)", rb"\1<v>999</v>", content)
            dst.writestr(info, content)
    assert read_upload("statistics.xlsx", buf.getvalue()).statistics[0]["value"] == 999.0


def test_xlsx_errors_name_sheet_row_and_field():
    rows = stat_rows()
    rows[2][4] = "tháng 1"
    text = problems("statistics.xlsx", xlsx({"statistics": rows}))
    assert "statistics.xlsx, trang 'statistics', dòng 3, trường 'period_start'" in text


def test_xlsx_that_is_not_a_zip_is_refused():
    assert "không phải tệp Excel" in problems("bang.xlsx", b"not a zip at all")


def test_deeply_nested_yaml_is_refused_before_parsing():
    assert "lồng nhau quá sâu" in problems("entries.yaml", b"[" * 30)
    assert "YAML không hợp lệ" in problems("entries.yaml", b"[" * 100_000)


def test_xlsx_sheet_far_down_is_refused_without_walking_a_million_rows():
    wb = openpyxl.Workbook()
    wb.active.append(STAT_COLUMNS)
    wb.active.cell(row=1_000_000, column=1, value="x")
    buf = io.BytesIO()
    wb.save(buf)
    start = time.perf_counter()
    assert "quá 20000 dòng" in problems("statistics.xlsx", buf.getvalue())
    assert time.perf_counter() - start < 2


def test_xlsx_data_on_an_unnamed_sheet_beside_named_ones_is_refused():
    text = problems("a.xlsx", xlsx({"statistics": stat_rows(), "Ghi chú": [["không rõ"]]}))
    assert "trang 'Ghi chú': có dữ liệu nhưng tên trang không phải" in text
