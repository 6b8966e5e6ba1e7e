"""`python -m bot kb|stats|db`: each command does one thing, says so, and exits 0 or non-zero."""

from __future__ import annotations

import json
import sqlite3

import openpyxl
import pytest

from bot.cli import main

from .conftest import KNOWLEDGE, write


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "cli.db"))

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


@pytest.mark.parametrize(
    "command",
    [["kb", "import"], ["kb", "export"], ["kb", "template"], ["kb", "validate"], ["kb", "list"], ["kb", "show"], ["kb", "add"],
     ["kb", "delete"], ["stats", "add"], ["stats", "list"], ["db", "backup"]],
)
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as done:
        main([*command, "--help"])
    assert done.value.code == 0 and "usage:" in capsys.readouterr().out


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
    code, out, _ = cli("kb", "validate", str(path))
    assert code == 0 and "Hợp lệ: 0 câu hỏi, 0 đoạn văn bản, 0 chỉ số, 0 số liệu" in out
    code, _, err = cli("kb", "template", str(path))
    assert code == 1 and "đã tồn tại" in err
    code, _, err = cli("kb", "template", str(tmp_path / "mau.csv"))
    assert code == 1 and ".xlsx" in err and not (tmp_path / "mau.csv").exists()


def test_add_show_answer_delete(cli):
    code, out, _ = cli(
        "kb", "add", "--question", "Bot này do ai vận hành?", "--answer", "Bot do văn phòng cấp ủy vận hành (ví dụ).",
        "--source", "Quy chế thử nghiệm", "--as-of", "2026-11-01", "--phrasing", "ai quản lý bot này",
    )
    assert code == 0 and "bot-nay-do-ai-van-hanh" in out
    code, out, _ = cli("kb", "show", "bot-nay-do-ai-van-hanh")
    assert code == 0 and "Quy chế thử nghiệm" in out
    code, out, _ = cli("ask", "--json", "ai quản lý bot này")
    assert json.loads(out)["found"] is True
    code, out, _ = cli("kb", "delete", "bot-nay-do-ai-van-hanh")
    assert code == 0
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
    code, _, err = cli("stats", "add", "--metric", "luot_can_bo_dieu_dong_luan_chuyen", "--period", "2026-13",
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
