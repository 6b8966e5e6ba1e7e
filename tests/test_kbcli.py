"""`python -m bot kb|stats|db`: each command does one thing, says so, and exits 0 or non-zero."""

from __future__ import annotations

import argparse
import json
import sqlite3
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from bot.cli import build_parser, main
from bot.knowledge.formats import read_upload
from bot.knowledge.formats.records import KnowledgeFileError

from .conftest import KNOWLEDGE, write


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "cli.db"))

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def leaf_commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    """Every command a person can run, with its parser, read from the parser so none is left out."""
    groups = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not groups:
        return {path: parser}
    return {leaf: p for name, child in groups[0].choices.items() for leaf, p in leaf_commands(child, (*path, name)).items()}


LEAVES = leaf_commands(build_parser())


def flat(text: str) -> str:
    return " ".join(text.split())


def test_the_command_walk_finds_every_command():
    assert len(LEAVES) == 22
    assert {("ask",), ("broadcast", "preview"), ("broadcast", "send"), ("broadcast", "status"), ("kb", "import"),
            ("stats", "add"), ("db", "backup"), ("eval",)} <= set(LEAVES)


@pytest.mark.parametrize("command", list(LEAVES), ids=" ".join)
def test_every_command_has_its_own_help_in_vietnamese(command, capsys):
    with pytest.raises(SystemExit) as done:
        main([*command, "--help"])
    out = flat(capsys.readouterr().out)
    assert done.value.code == 0
    assert out.startswith(f"cách dùng: python -m bot {' '.join(command)} [-h]")
    assert "tùy chọn: -h, --help xem hướng dẫn này" in out
    assert flat(LEAVES[command].description) in out
    for action in LEAVES[command]._actions:
        assert action.help, f"{action.dest} of {command} is not described"
        assert flat(action.help) in out
        assert (action.option_strings or [action.metavar])[-1] in out
    assert not [english for english in ("usage", "options:", "positional arguments", "show this help") if english in out]


def test_broadcast_send_help_is_its_own(capsys):
    with pytest.raises(SystemExit):
        main(["broadcast", "send", "--help"])
    out = capsys.readouterr().out
    assert "--supplement" in out and "bản tin bổ sung" in out
    assert "status" not in out and "preview" not in out


@pytest.mark.parametrize(
    "command, told",
    [
        (["kb"], "còn thiếu: lệnh"),
        (["stats", "add", "--metric", "m"], "còn thiếu: --period, --value, --unit, --source"),
        (["broadcast", "sned"], "lệnh: không có 'sned'; chọn một trong: 'preview', 'send', 'status'"),
        (["broadcast", "status", "--supplement"], "không nhận ra: --supplement"),
        (["kb", "list", "--limit", "mười"], "--limit: 'mười' không phải số nguyên"),
        (["stats", "target", "--metric", "m", "--value", "40", "--year"], "--year: cần một giá trị"),
        (["stats", "add", "--metric", "m", "--period", "13/2026", "--value", "1", "--unit", "u", "--source", "s"],
         "--period: Kỳ chưa đúng; gõ dạng 10/2026 hoặc 2026-10"),
        (["ask", "--json", "--jsonl", "x"], "--jsonl: không dùng được cùng --json"),
    ],
)
def test_a_mistake_is_told_once_in_vietnamese_with_exit_code_2(command, told, capsys):
    with pytest.raises(SystemExit) as done:
        main(command)
    out = capsys.readouterr()
    assert done.value.code == 2 and out.out == ""
    assert out.err.startswith("cách dùng: python -m bot ")
    assert out.err.count(": lỗi: ") == 1 and told in out.err
    assert "error" not in out.err and "usage" not in out.err and "argument" not in out.err


def test_validate_reports_without_writing(cli, tmp_path):
    code, out, _ = cli("kb", "validate", str(KNOWLEDGE))
    assert code == 0 and "Hợp lệ" in out
    write(tmp_path / "bad" / "entries.yaml", "- id: x\n  question: Thiếu trả lời?\n")
    code, _, err = cli("kb", "validate", str(tmp_path / "bad"))
    assert code == 1 and "trường 'answer'" in err
    assert not (tmp_path / "cli.db").exists() or not list(sqlite3.connect(tmp_path / "cli.db").execute(
        "select name from sqlite_master where name = 'changes'"))


def test_export_then_import_changes_nothing(cli, tmp_path):
    code, out, _ = cli("kb", "export", str(tmp_path / "out"))
    assert code == 0 and "entries.yaml" in out and "statistics.csv" in out
    code, out, _ = cli("kb", "import", str(tmp_path / "out"))
    assert code == 0 and "thêm mới 0, cập nhật 0" in out


def test_excel_export_then_import_changes_nothing(cli, tmp_path):
    code, out, _ = cli("kb", "export", str(tmp_path / "out"), "--format", "xlsx")
    [path] = out.split()
    assert code == 0 and path.endswith(".xlsx")
    assert openpyxl.load_workbook(path, read_only=True).sheetnames == ["Hỏi đáp", "Đoạn trích", "Chỉ số", "Số liệu"]
    code, out, _ = cli("kb", "import", path)
    assert code == 0 and "thêm mới 0, cập nhật 0" in out


def test_template_is_written_once_and_validates(cli, tmp_path):
    path = tmp_path / "mau" / "mau.xlsx"
    code, out, _ = cli("kb", "template", str(path))
    assert code == 0 and str(path) in out
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Hướng dẫn", "Hỏi đáp", "Đoạn trích", "Chỉ số", "Số liệu"]
    assert [c.value for c in book["Số liệu"][1]] == [
        "Chỉ số", "Giá trị", "Giá trị tối đa", "Đơn vị", "Từ kỳ", "Đến kỳ", "Phạm vi", "Nguồn", "Ghi chú"]
    code, _, err = cli("kb", "validate", str(path))  # its example rows are skipped: nothing to import yet
    assert code == 1 and "không có dòng dữ liệu nào" in err
    code, _, err = cli("kb", "template", str(path))
    assert code == 1 and "đã tồn tại" in err
    code, _, err = cli("kb", "template", str(tmp_path / "mau.csv"))
    assert code == 1 and ".xlsx" in err and not (tmp_path / "mau.csv").exists()


def test_add_show_answer_delete(cli):
    code, out, _ = cli(
        "kb", "add", "--question", "Bot này do ai vận hành?", "--answer", "Bot do văn phòng cấp ủy vận hành (ví dụ).",
        "--source", "Quy chế thử nghiệm", "--as-of", "2026-11-01", "--phrasing", "ai quản lý bot này",
    )
    assert code == 0 and "Thêm mục #" in out and "bot-nay-do-ai-van-hanh: Bot này do ai vận hành?" in out
    number = out.split("#")[1].split()[0]
    code, out, _ = cli("kb", "show", "bot-nay-do-ai-van-hanh")
    assert code == 0 and f"#{number} bot-nay-do-ai-van-hanh\nCâu hỏi: Bot này do ai vận hành?\n" in out
    assert "Cách hỏi khác: ai quản lý bot này\n" in out and "Nguồn: Quy chế thử nghiệm\nNgày: 01/11/2026\n" in out
    assert "dòng lệnh" in out.splitlines()[-1]  # who changed it last, and when (in Vietnam's time)
    assert cli("kb", "show", number)[1] == out  # its number finds it as its id does
    _, listing, _ = cli("kb", "list")
    assert f"#{number} bot-nay-do-ai-van-hanh\tBot này do ai vận hành?" in listing.splitlines()
    code, out, _ = cli("ask", "--json", "ai quản lý bot này")
    assert json.loads(out)["found"] is True
    code, out, _ = cli("kb", "delete", number)
    assert code == 0 and f"Xóa mục #{number} bot-nay-do-ai-van-hanh" in out
    code, out, _ = cli("ask", "--json", "ai quản lý bot này")
    assert json.loads(out)["found"] is False
    code, _, err = cli("kb", "delete", "bot-nay-do-ai-van-hanh")
    assert code == 1 and "Không có mục" in err


def test_bad_entry_is_refused_with_the_field(cli):
    code, _, err = cli("kb", "add", "--question", "Q?", "--answer", "A.", "--source", "S", "--as-of", "mai")
    assert code == 1 and "trường 'as_of'" in err


def test_stats_add_and_list(cli):
    code, out, _ = cli(
        "stats", "add", "--metric", "luot_can_bo_dieu_dong_luan_chuyen", "--period", "2026-10", "--value", "3",
        "--unit", "lượt", "--source", "Báo cáo tháng 10/2026 (thử nghiệm)",
    )
    assert code == 0
    code, out, _ = cli("stats", "list", "--metric", "luot_can_bo_dieu_dong_luan_chuyen")
    assert "2026-10:2026-10\t3 lượt" in out
    code, _, err = cli("stats", "add", "--metric", "khong_co", "--period", "2026-10", "--value", "3", "--unit", "x",
                       "--source", "y")
    assert code == 1 and "Không có chỉ số" in err
    code, _, err = cli("stats", "add", "--metric", "luot_can_bo_dieu_dong_luan_chuyen", "--period", "2026-12",
                       "--value", "nhiều", "--unit", "x", "--source", "y")
    assert code == 1 and "trường 'value'" in err


def test_backup_is_a_consistent_copy(cli, tmp_path):
    cli("kb", "list")
    code, out, _ = cli("db", "backup", str(tmp_path / "copy.db"))
    assert code == 0
    count = sqlite3.connect(tmp_path / "copy.db").execute("select count(*) from entries").fetchone()[0]
    assert count > 40
    code, _, err = cli("db", "backup", str(tmp_path / "copy.db"))
    assert code == 1 and "đã tồn tại" in err


METRIC = "luot_can_bo_dieu_dong_luan_chuyen"


@pytest.mark.parametrize(
    "typed, stored",
    [("11/2026", "2026-11:2026-11"), ("2026-11", "2026-11:2026-11"), ("1/2026 - 3/2026", "2026-01:2026-03"),
     ("2026-01:2026-03", "2026-01:2026-03")],
)
def test_stats_add_takes_the_periods_chat_takes(cli, typed, stored):
    code, out, _ = cli("stats", "add", "--metric", METRIC, "--period", typed, "--value", "7", "--unit", "lượt",
                       "--source", "Báo cáo thử nghiệm")
    assert code == 0 and "Đã ghi số liệu" in out
    _, out, _ = cli("stats", "list", "--metric", METRIC)
    assert f"{stored}\t7 lượt" in out


def spreadsheet(path: Path, entries: list[list], statistics: list[list]) -> Path:
    """An Excel workbook with an entries sheet and a statistics sheet, as an admin would fill it."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "entries"
    for row in [["id", "question", "answer", "source", "as_of"], *entries]:
        sheet.append(row)
    sheet = workbook.create_sheet("statistics")
    for row in [["metric", "value", "value_max", "unit", "period_start", "period_end", "scope", "source", "note"],
                *statistics]:
        sheet.append(row)
    workbook.save(path)
    return path


ENTRY = ["thu-nghiem-bang-tinh", "Bảng tính thử nghiệm có nhập được không?", "Được, đây là dữ liệu thử nghiệm.",
         "Tài liệu thử nghiệm", "2026-11-01"]
FIGURE = [METRIC, 5, None, "lượt", "2026-11", "2026-11", None, "Báo cáo thử nghiệm", None]


def test_kb_import_reads_a_spreadsheet_as_chat_does(cli, tmp_path):
    path = spreadsheet(tmp_path / "du_lieu.xlsx", [ENTRY], [FIGURE])
    code, out, _ = cli("kb", "validate", str(path))
    assert code == 0 and "Hợp lệ: 1 câu hỏi, 0 đoạn văn bản, 0 chỉ số, 1 số liệu." in out
    code, out, _ = cli("kb", "import", str(path))
    assert code == 0 and "thêm mới 2" in out
    code, out, _ = cli("kb", "show", "thu-nghiem-bang-tinh")
    assert code == 0 and "Tài liệu thử nghiệm" in out
    _, out, _ = cli("stats", "list", "--metric", METRIC)
    assert "2026-11:2026-11\t5 lượt" in out


def test_a_bad_spreadsheet_changes_nothing(cli, tmp_path):
    cli("kb", "list")  # the database, seeded
    before = list(sqlite3.connect(tmp_path / "cli.db").iterdump())
    bad_entry = ["thu-nghiem-thieu", "Dòng này thiếu câu trả lời?", None, "Tài liệu thử nghiệm", "2026-11-01"]
    path = spreadsheet(tmp_path / "du_lieu.xlsx", [ENTRY, bad_entry], [[*FIGURE[:1], "nhiều", *FIGURE[2:]]])
    code, out, err = cli("kb", "import", str(path))
    assert code == 1 and out == ""
    assert "Không nhập được, cơ sở dữ liệu giữ nguyên" in err
    assert "trang 'entries', dòng 3, trường 'answer'" in err and "trang 'statistics', dòng 2, trường 'value'" in err
    assert list(sqlite3.connect(tmp_path / "cli.db").iterdump()) == before


def test_a_spreadsheet_without_rows_is_refused_as_in_chat(cli, tmp_path):
    path = spreadsheet(tmp_path / "trong.xlsx", [], [])
    code, out, err = cli("kb", "import", str(path))
    assert code == 1 and out == "" and "trong.xlsx: không có dòng dữ liệu nào" in err
    with pytest.raises(KnowledgeFileError, match="trong.xlsx: không có dòng dữ liệu nào"):
        read_upload(path.name, path.read_bytes())
