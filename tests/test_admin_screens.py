"""What admins read while keeping the knowledge current: labels and values (never a Python
repr), entries by short number, each entry shown before it is changed, times in Vietnam,
people and fields in Vietnamese, texts too long given back, and unanswered questions by page."""

from __future__ import annotations

import re
import sqlite3

import pytest

from bot.channels.zalo import render
from bot.chat.router import Incoming, Reply
from bot.cli import main
from bot.knowledge.editing import Editor
from bot.knowledge.readable import local_today
from bot.knowledge.store import KnowledgeStore

from .conftest import KNOWLEDGE, unanswered_questions

ENTRY = "hoi-nghi-chu-tri"
RAW = [
    re.compile(r"\{'|\('|\[\'|', '"),  # a dict, tuple or list repr
    re.compile(r"(?<![\d.])\d+\.\d+(?![\d.])"),  # a float repr: 5.0, 2.5 (not 1.234.567)
    re.compile(r"\b\d{4}-\d{2}(-\d{2})?\b"),  # a stored month or day: 2026-11, 2026-11-01
    re.compile(r"\d{2}:\d{2}:\d{2}|\+00:00"),  # a stored time stamp
]


def admin(text=None, choice=None, user="42", upload=None):
    return Incoming("telegram", user, user, text=text, choice=choice, upload=upload)


def tap(reply: Reply, label: str) -> str:
    return next(o.data for o in reply.options if o.label == label)


class Screens:
    """A conversation that keeps every reply an admin got, to check them all at the end."""

    def __init__(self, conv) -> None:
        self.conv = conv
        self.seen: list[Reply] = []

    async def __call__(self, msg: Incoming) -> list[Reply]:
        replies = await self.conv.handle(msg)
        self.seen += replies
        return replies


async def test_no_admin_screen_shows_raw_data(make_conversation):
    conv = make_conversation(admins="telegram:42")
    say = Screens(conv)
    [step] = await say(admin("/them"))
    for text in ("Cán bộ luân chuyển có được học thêm không?", "đi học thêm | học thêm; bồi dưỡng",
                 "Có, theo quy định mẫu (thử nghiệm).", "Nguồn thử nghiệm"):
        [step] = await say(admin(text))
    [summary] = await say(admin(choice=tap(step, "Hôm nay")))
    assert "• Cách hỏi khác: đi học thêm; học thêm; bồi dưỡng" in summary.text
    assert f"• Ngày: {local_today():%d/%m/%Y}" in summary.text
    await say(admin(choice=tap(summary, "Lưu")))

    [step] = await say(admin("/solieu"))
    [step] = await say(admin(choice=tap(step, "lượt cán bộ được điều động, luân chuyển")))
    for text in ("1/2026 - 3/2026", "2,5", "Báo cáo quý I (thử nghiệm)"):
        [step] = await say(admin(text))
    [summary] = await say(admin("40"))
    assert "• Chỉ số: lượt cán bộ được điều động, luân chuyển" in summary.text
    assert "• Kỳ: 3 tháng đầu năm 2026" in summary.text
    assert "• Giá trị: 2,5" in summary.text and "• Chỉ tiêu cả năm: 40" in summary.text
    await say(admin(choice=tap(summary, "Lưu")))

    [step] = await say(admin(f"/sua {ENTRY}"))
    [step] = await say(admin(choice=tap(step, "Cách hỏi khác")))
    [summary] = await say(admin("ai chủ trì; người chủ trì"))
    await say(admin(choice=tap(summary, "Lưu")))
    first = conv.editor.update_entry(ENTRY, {"source": "Nguồn sửa lần một"}, who="telegram:42")
    conv.editor.update_entry(ENTRY, {"source": "Nguồn sửa lần hai"}, who="telegram:42")
    await say(admin(f"/hoantac {first}"))  # offers to undo the later change too
    await say(admin("/hoantac 1"))  # the seed
    await say(admin("/lichsu"))
    await say(admin("/tim chủ trì"))
    await say(admin(f"/xoa {ENTRY}"))
    await say(admin(choice="dlg:cancel"))
    conv.remember_unanswered("telegram", "giá vàng hôm nay")
    await say(admin("/chuatraloi"))
    [export] = await say(admin("/xuat yaml"))
    await say(admin(upload=export.files[-1]))  # statistics.csv: its summary

    assert len(say.seen) > 25
    for reply in say.seen:
        for shown in [reply.text, *(o.label for o in reply.options)]:
            assert not [p.pattern for p in RAW if p.search(shown)], shown


async def test_entries_have_short_numbers_accepted_wherever_an_id_is(make_conversation):
    conv = make_conversation(admins="telegram:42")
    code = conv.store.row("entries", ENTRY)["code"]
    [found] = await conv.handle(admin("/tim chủ trì hội nghị"))
    assert f"#{code} {ENTRY} – Ai chủ trì" in found.text
    [step] = await conv.handle(admin(f"/sua {code}"))
    assert step.text.startswith(f"#{code} {ENTRY}\n")
    await conv.handle(admin(choice="dlg:cancel"))
    [confirm] = await conv.handle(admin(f"/xoa #{code}"))
    assert f"#{code} {ENTRY}" in confirm.text
    [done] = await conv.handle(admin(choice=tap(confirm, "Xóa")))
    assert f"Đã xóa mục #{code} {ENTRY}" in done.text
    [usage] = await conv.handle(admin(f"/sua {code}"))  # a deleted entry is not found by its number
    assert "ví dụ: /sua 12 hoặc /sua nq02-la-gi" in usage.text


def test_numbers_never_change_and_are_never_given_twice(tmp_path):
    editor = Editor(KnowledgeStore(tmp_path / "bot.db", seed_dir=KNOWLEDGE))
    codes = [e["code"] for e in editor.store.entries()]
    assert sorted(codes) == list(range(1, len(codes) + 1))
    code = editor.entry(ENTRY)["code"]
    editor.update_entry(str(code), {"answer": "Câu trả lời đã sửa."}, who="cli")
    deleted = editor.delete_entry(ENTRY, who="cli")
    editor.undo(deleted, who="cli")
    assert editor.entry(str(code))["id"] == ENTRY  # edited, deleted, restored: the same number
    added, ref = editor.add_entry({"question": "Câu hỏi thử nghiệm số một?", "answer": "Trả lời.",
                                   "source": "Nguồn", "as_of": "2026-11-01"}, who="cli")
    assert ref == f"#{len(codes) + 1} cau-hoi-thu-nghiem-so-mot"
    removed = editor.undo(added, who="cli")  # the row is gone, its number is not given again
    _, ref = editor.add_entry({"question": "Câu hỏi thử nghiệm số hai?", "answer": "Trả lời.", "source": "Nguồn",
                               "as_of": "2026-11-01"}, who="cli")
    assert ref.startswith(f"#{len(codes) + 2} ")
    editor.undo(removed, who="cli")  # undoing the undo brings the first back with its own number
    assert editor.entry("cau-hoi-thu-nghiem-so-mot")["code"] == len(codes) + 1
    assert editor.entry(f"#{len(codes) + 1}")["id"] == "cau-hoi-thu-nghiem-so-mot"


async def test_an_older_database_gets_numbers_once_and_its_changes_still_undo(tmp_path, make_conversation):
    conv = make_conversation(admins="telegram:42")
    path = conv.store.path
    change = conv.editor.update_entry(ENTRY, {"source": "Nguồn sửa trước khi nâng cấp"}, who="telegram:42")
    conv.close()
    with sqlite3.connect(path) as db:  # as an older version left it: no numbers
        order = [row[0] for row in db.execute("select id from entries order by rowid")]
        db.execute("drop index idx_entries_code")
        db.execute("alter table entries drop column code")
        db.execute("delete from meta where key = 'last_code'")
        db.execute("update change_rows set before = json_remove(before, '$.code'), after = json_remove(after, '$.code')")
    conv = make_conversation(admins="telegram:42")
    numbered = dict(sqlite3.connect(path).execute("select id, code from entries").fetchall())
    assert [numbered[i] for i in order] == list(range(1, len(order) + 1))
    [ask] = await conv.handle(admin(f"/hoantac {change}"))
    assert [o.label for o in ask.options] == ["Hoàn tác", "Hủy"]  # nothing counts as changed since
    await conv.handle(admin(choice=tap(ask, "Hoàn tác")))
    assert conv.editor.entry(ENTRY)["code"] == numbered[ENTRY]
    _, ref = conv.editor.add_entry({"question": "Câu hỏi sau khi nâng cấp?", "answer": "Trả lời.", "source": "Nguồn",
                                    "as_of": "2026-11-01"}, who="cli")
    assert ref.startswith(f"#{len(order) + 1} ")


async def test_edit_shows_the_entry_and_the_part_as_they_are_before_asking(make_conversation):
    conv = make_conversation(admins="telegram:42")
    entry = conv.editor.entry(ENTRY)
    [step] = await conv.handle(admin(f"/sua {entry['code']}"))
    for shown in (f"Câu hỏi: {entry['question']}", f"Câu trả lời: {entry['answer']}", f"Nguồn: {entry['source']}",
                  "Ngày: 30/05/2019", "Đồng chí muốn sửa phần nào?"):
        assert shown in step.text
    assert [o.label for o in step.options] == ["Câu hỏi", "Cách hỏi khác", "Câu trả lời", "Nguồn", "Ngày", "Hủy"]
    [step] = await conv.handle(admin(choice=tap(step, "Câu trả lời")))
    assert step.text.startswith(f"Câu trả lời hiện tại: {entry['answer']}\n\nXin đồng chí gõ câu trả lời mới")
    [summary] = await conv.handle(admin("Câu trả lời đã sửa (thử nghiệm)."))
    assert "• Phần sửa: Câu trả lời\n• Câu trả lời mới: Câu trả lời đã sửa (thử nghiệm)." in summary.text
    await conv.handle(admin(choice=tap(summary, "Lưu")))
    assert conv.editor.entry(ENTRY)["answer"] == "Câu trả lời đã sửa (thử nghiệm)."
    [step] = await conv.handle(admin("/sua hoi-nghi-chu-tri"))
    assert "Câu trả lời: Câu trả lời đã sửa (thử nghiệm)." in step.text and "quản trị viên telegram:42" in step.text


async def test_history_in_vietnam_time_naming_people_and_fields(make_conversation, monkeypatch, capsys):
    conv = make_conversation(admins="telegram:42")
    await conv.handle(admin("/quantri_them telegram:7 Nguyễn Văn An"))
    [step] = await conv.handle(admin(f"/sua {ENTRY}", user="7"))
    [step] = await conv.handle(admin(choice=tap(step, "Nguồn"), user="7"))
    [summary] = await conv.handle(admin("Nguồn đã sửa", user="7"))
    await conv.handle(admin(choice=tap(summary, "Lưu"), user="7"))
    conv.editor.update_entry(ENTRY, {"as_of": "2019-06-01"}, who="cli")
    conv.store.db.execute("update changes set at = '2026-12-01T10:05:00+00:00'")
    code = conv.store.row("entries", ENTRY)["code"]
    [history] = await conv.handle(admin("/lichsu"))
    lines = history.text.splitlines()
    assert lines[1].endswith(f"01/12/2026 17:05 – dòng lệnh: Sửa mục #{code} {ENTRY}: ngày")
    assert lines[2].endswith(f"01/12/2026 17:05 – Nguyễn Văn An: Sửa mục #{code} {ENTRY}: nguồn")
    assert lines[3].endswith("01/12/2026 17:05 – quản trị viên telegram:42: Thêm quản trị viên Nguyễn Văn An (telegram:7)")
    assert lines[4].endswith("01/12/2026 17:05 – dữ liệu gốc: Nạp dữ liệu gốc: thêm mới 96, cập nhật 0, giữ nguyên 0")
    monkeypatch.setenv("DATABASE_PATH", str(conv.store.path))
    capsys.readouterr()
    assert main(["kb", "history", "--limit", "4"]) == 0
    assert capsys.readouterr().out.splitlines() == lines[1:5]  # the command line reads the same


async def test_an_entry_made_from_an_unanswered_question_has_a_neutral_source(make_conversation):
    conv = make_conversation(admins="telegram:42")
    question = "Luân chuyển cán bộ có áp dụng cho công an xã không?"
    await conv.handle(Incoming("telegram", "5", "5", text=question))
    [listing] = await conv.handle(admin("/chuatraloi"))
    [step] = await conv.handle(admin(choice=tap(listing, f"Tạo mục: {question}")))
    [summary] = await conv.handle(admin("Câu trả lời thử nghiệm về công an xã."))
    source = f"Quản trị viên bổ sung, ngày {local_today():%d/%m/%Y}"
    assert f"• Nguồn: {source}" in summary.text and "telegram" not in summary.text
    await conv.handle(admin(choice=tap(summary, "Lưu")))
    await conv.idle()  # the index is rebuilt in the background
    [answer] = await conv.handle(Incoming("telegram", "5", "5", text=question))
    assert "Câu trả lời thử nghiệm về công an xã." in answer.text
    assert f"Nguồn: {source}" in answer.text and "42" not in answer.text


@pytest.mark.parametrize("command", ["/them", f"/sua {ENTRY}"])
async def test_an_over_long_answer_is_refused_with_its_length_and_given_back(make_conversation, command):
    conv = make_conversation(admins="telegram:42")
    [step] = await conv.handle(admin(command))
    if command == "/them":
        [step] = await conv.handle(admin("Câu hỏi thử nghiệm về độ dài câu trả lời?"))
        [step] = await conv.handle(admin(choice=tap(step, "Bỏ qua")))
    else:
        [step] = await conv.handle(admin(choice=tap(step, "Câu trả lời")))
    long_answer = ("Câu trả lời rất dài của mục thử nghiệm, " * 30)[:949] + "."
    assert len(long_answer) == 950
    [refused, given_back, again] = await conv.handle(admin(long_answer))
    assert refused.text.startswith("Câu trả lời dài 950 ký tự; tối đa 800.")
    assert given_back.text == long_answer and given_back.options == []
    assert again.text == step.text and [o.label for o in again.options] == [o.label for o in step.options]
    shortened = long_answer[:700].rstrip(", ") + "."
    [following] = await conv.handle(admin(shortened))
    assert following.text != step.text and conv.dialogs["telegram:42"].values["answer"] == shortened


async def test_unanswered_questions_are_shown_by_page(make_conversation):
    conv = make_conversation(admins="telegram:42")
    topics = unanswered_questions(conv.store.path)
    [page] = await conv.handle(admin("/chuatraloi"))
    assert page.text.splitlines()[0] == "Câu hỏi chưa trả lời được, hỏi nhiều nhất trước (12 nhóm; trang 1/3):"
    assert page.text.splitlines()[1:] == [f"• {t} ({13 - i} lần)" for i, t in enumerate(topics[:5])]
    assert [o.label for o in page.options] == [f"Tạo mục: {t}" for t in topics[:5]] + ["Trang sau »"]
    [page] = await conv.handle(admin(choice=tap(page, "Trang sau »")))
    assert "trang 2/3" in page.text and f"• {topics[5]} (8 lần)" in page.text
    assert [o.label for o in page.options][-2:] == ["« Trang trước", "Trang sau »"]
    [page] = await conv.handle(admin(choice=tap(page, "Trang sau »")))
    assert [o.label for o in page.options] == [f"Tạo mục: {t}" for t in topics[10:]] + ["« Trang trước"]
    [step] = await conv.handle(admin(choice=tap(page, f"Tạo mục: {topics[11]}")))
    assert conv.dialogs["telegram:42"].values["question"] == topics[11] and "Câu trả lời" in step.text
    shown = render(page)  # on Zalo the same choices are numbered lines
    assert "\n1. Tạo mục: đường đi Sa Pa\n2. Tạo mục: kết quả xổ số miền Bắc\n3. « Trang trước" in shown
    [stale] = await conv.handle(admin(choice="uap:9"))
    assert "đã cũ" in stale.text
