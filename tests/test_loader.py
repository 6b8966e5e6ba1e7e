"""Importing knowledge files: all or nothing, idempotent, errors that name file, line, field."""

from __future__ import annotations

import pytest

from bot.cli import main
from bot.knowledge.formats import read_path
from bot.knowledge.formats.records import KnowledgeFileError
from bot.knowledge.store import KnowledgeStore

from .conftest import KNOWLEDGE, write


def test_shipped_knowledge_is_valid():
    batch = read_path(KNOWLEDGE)
    assert len(batch.entries) >= 40 and batch.metrics and batch.statistics and batch.passages


def test_every_entry_has_source_and_short_answer_and_no_made_up_date():
    batch = read_path(KNOWLEDGE)
    for entry in batch.entries:
        # as_of is the date the information holds for, and only when a source gives one.
        assert entry["source"], entry["id"]
        assert len(entry["answer"]) <= 800, entry["id"]
        assert len(entry["phrasings"]) >= 3 or entry["gap"], entry["id"]
    entries = {entry["id"]: entry for entry in batch.entries}
    assert entries["nd138-cong-chuc"]["as_of"] is None  # no source dates NĐ 138/2020/NĐ-CP
    [before_nq02] = [s for s in batch.statistics if s["metric"] == "can_bo_luan_chuyen_ve_co_so_moi_nhiem_ky_truoc_nq02"]
    assert not before_nq02["period_start"] and not before_nq02["period_end"]  # "trước kia, mỗi nhiệm kỳ"


def test_importing_the_same_files_twice_changes_nothing(tmp_path, synthetic_kb):
    store = KnowledgeStore(tmp_path / "bot.db")
    first = store.import_path(synthetic_kb)
    before = store.db.execute("select id, updated_at from entries order by id").fetchall()
    second = store.import_path(synthetic_kb)
    after = store.db.execute("select id, updated_at from entries order by id").fetchall()
    assert first.added == 6 and first.updated == 0
    assert second.added == 0 and second.updated == 0 and second.unchanged == 6
    assert before == after


def test_changed_entry_is_updated(tmp_path, synthetic_kb):
    store = KnowledgeStore(tmp_path / "bot.db")
    store.import_path(synthetic_kb)
    path = synthetic_kb / "entries.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("2 tháng", "3 tháng"), encoding="utf-8")
    report = store.import_path(synthetic_kb)
    assert report.updated == 1
    assert "3 tháng" in store.entries()[1]["answer"] or "3 tháng" in store.entries()[0]["answer"]


def test_bad_file_is_refused_whole_and_names_file_line_field(tmp_path, synthetic_kb):
    store = KnowledgeStore(tmp_path / "bot.db")
    store.import_path(synthetic_kb)
    counts = store.counts()
    write(synthetic_kb / "entries_more.yaml", """
- id: tot
  question: Một câu hỏi hợp lệ?
  answer: Câu trả lời hợp lệ.
  source: Nguồn mẫu
  as_of: '2020-01-01'
- id: hong
  question: Câu thiếu nguồn?
  answer: Có câu trả lời.
  as_of: 'ngày mai'
""")
    with pytest.raises(KnowledgeFileError) as err:
        store.import_path(synthetic_kb)
    message = str(err.value)
    assert "entries_more.yaml, dòng 7, trường 'source'" in message
    assert "entries_more.yaml, dòng 10, trường 'as_of'" in message
    assert store.counts() == counts  # the valid entry 'tot' was not written either


def test_bad_statistics_row_names_its_line(tmp_path):
    write(tmp_path / "kb" / "statistics.csv", "metric,value,value_max,unit,period_start,period_end,scope,source,note\n"
          "x,1,,lượt,2020-01,2020-01,,Nguồn,\n"
          "x,nhiều,,lượt,2020-13,2020-01,,Nguồn,\n")
    with pytest.raises(KnowledgeFileError) as err:
        read_path(tmp_path / "kb")
    assert "statistics.csv, dòng 3, trường 'value'" in str(err.value)
    assert "statistics.csv, dòng 3, trường 'period_start'" in str(err.value)


def test_duplicate_ids_are_refused(tmp_path, synthetic_kb):
    write(synthetic_kb / "entries_dup.yaml", """
- id: mau-thoi-han
  question: Trùng mã?
  answer: Trùng.
  source: Nguồn
  as_of: '2020-01-01'
""")
    with pytest.raises(KnowledgeFileError, match="trùng mã 'mau-thoi-han'"):
        read_path(synthetic_kb)


def test_too_long_answer_is_refused(tmp_path):
    write(tmp_path / "kb" / "entries.yaml", f"""
- id: dai
  question: Dài?
  answer: {"chữ " * 300}
  source: Nguồn
  as_of: '2020-01-01'
""")
    with pytest.raises(KnowledgeFileError, match="trường 'answer': dài"):
        read_path(tmp_path / "kb")


def test_yaml_tags_are_not_executed(tmp_path):
    write(tmp_path / "kb" / "entries.yaml", "- !!python/object/apply:os.system ['echo hacked']\n")
    with pytest.raises(KnowledgeFileError, match="không chấp nhận thẻ YAML"):
        read_path(tmp_path / "kb")


def test_a_file_whose_name_and_content_say_nothing_is_refused(tmp_path):
    write(tmp_path / "kb" / "notes.yaml", "- a: 1\n")
    with pytest.raises(KnowledgeFileError, match="notes.yaml: không nhận ra loại dữ liệu"):
        read_path(tmp_path / "kb")


def test_one_pipeline_the_same_file_is_read_alike_by_the_command_line_and_chat(tmp_path, monkeypatch, capsys):
    """An entries table in CSV with a name that says nothing, and Windows-1258 text."""
    from bot.knowledge.formats import read_upload

    from .test_uploads import cp1258

    data = cp1258("id,question,answer,source,as_of\nmau-1,Câu hỏi mẫu về thủ tục?,Trả lời mẫu.,Nguồn mẫu,2020-01-01\n")
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "bang_moi.csv").write_bytes(data)
    from_chat = read_upload("bang_moi.csv", data)
    from_disk = read_path(tmp_path / "kb")
    strip = lambda batch: [{k: v for k, v in r.items() if not k.startswith("_")} for r in batch.entries]  # noqa: E731
    assert strip(from_chat) == strip(from_disk) and from_disk.entries[0]["question"] == "Câu hỏi mẫu về thủ tục?"
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "cli.db"))
    assert main(["kb", "validate", str(tmp_path / "kb" / "bang_moi.csv")]) == 0
    assert "Hợp lệ: 1 câu hỏi" in capsys.readouterr().out


def test_cli_import_reports_and_exits(tmp_path, synthetic_kb, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "cli.db"))
    assert main(["kb", "import", str(synthetic_kb)]) == 0
    assert "thêm mới 6" in capsys.readouterr().out
    assert main(["kb", "import", str(synthetic_kb)]) == 0
    assert "giữ nguyên 6" in capsys.readouterr().out
    write(synthetic_kb / "entries_bad.yaml", "- id: Sai Ma\n")
    assert main(["kb", "import", str(synthetic_kb)]) == 1
    err = capsys.readouterr().err
    assert "cơ sở dữ liệu giữ nguyên" in err and "entries_bad.yaml" in err
