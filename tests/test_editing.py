"""Admins keep the knowledge current: validated, audited, reversible changes, visible to the
next question without a restart."""

from __future__ import annotations

import pytest

from bot.chat.conversation import NOT_ADMIN
from bot.chat.router import Incoming
from bot.knowledge.editing import EditError, Editor
from bot.knowledge.live import LiveEngine
from bot.knowledge.store import KnowledgeStore
from bot.search.text import addressed

from .conftest import KNOWLEDGE, TODAY

# What users see: the bot's sentences with the form of address filled in.
NOT_ADMIN = addressed(NOT_ADMIN)

NEW = {
    "question": "Cán bộ luân chuyển có được học bồi dưỡng thêm không?",
    "phrasings": ["cán bộ luân chuyển có được đi học thêm không"],
    "answer": "Đây là câu trả lời mẫu của một mục thử nghiệm.",
    "source": "Nguồn thử nghiệm",
    "as_of": "2026-11-01",
}


def private(text=None, choice=None, user="42"):
    return Incoming("telegram", user, user, text=text, choice=choice)


@pytest.fixture
def editor(tmp_path) -> Editor:
    return Editor(KnowledgeStore(tmp_path / "bot.db", seed_dir=KNOWLEDGE))


def test_added_entry_is_answered_at_once_even_when_added_by_another_process(tmp_path):
    path = tmp_path / "bot.db"
    live = LiveEngine(KnowledgeStore(path, seed_dir=KNOWLEDGE), today=TODAY)
    assert not live.current().answer(NEW["question"]).found
    Editor(KnowledgeStore(path)).add_entry(NEW, who="cli")  # another connection, as another process
    answer = live.current().answer("cán bộ luân chuyển có được đi học thêm không")
    assert answer.found and answer.answer == NEW["answer"]


async def test_index_rebuilds_in_the_background_while_answers_continue(tmp_path):
    path = tmp_path / "bot.db"
    live = LiveEngine(KnowledgeStore(path, seed_dir=KNOWLEDGE), today=TODAY)
    old = live.current()
    Editor(KnowledgeStore(path)).add_entry(NEW, who="telegram:42")
    assert live.current() is old  # still answering from the old index while the new one builds
    await live.building
    assert live.current() is not old and live.current().answer(NEW["question"]).found


def test_every_change_is_validated(editor):
    with pytest.raises(EditError, match="trường 'answer'"):
        editor.add_entry(NEW | {"answer": "x" * 900}, who="t")
    with pytest.raises(EditError, match="trường 'as_of'"):
        editor.add_entry(NEW | {"as_of": "hôm qua"}, who="t")
    with pytest.raises(EditError, match="đã có ở mục 'hoi-nghi-chu-tri'"):
        editor.add_entry(NEW | {"question": editor.entry("hoi-nghi-chu-tri")["question"]}, who="t")
    with pytest.raises(EditError, match="Không có chỉ số"):
        editor.add_statistic({"metric": "khong_co", "value": 1, "unit": "lượt", "period_start": "2026-10",
                              "period_end": "2026-10", "source": "x"}, who="t")
    assert [c.who for c in editor.history()] == ["seed"]


def test_audit_log_keeps_who_what_before_and_after_and_undo_restores(editor):
    before = editor.entry("hoi-nghi-chu-tri")
    change = editor.update_entry("hoi-nghi-chu-tri", {"answer": "Câu trả lời đã sửa."}, who="telegram:42")
    assert editor.entry("hoi-nghi-chu-tri")["answer"] == "Câu trả lời đã sửa."
    [record] = editor.history(1)
    assert (record.id, record.who, record.action) == (change, "telegram:42", "update")
    rows = list(editor.db["change_rows"].rows_where("change_id = ?", [change]))
    assert "Câu trả lời đã sửa." in rows[0]["after"] and before["answer"] in rows[0]["before"]
    undo = editor.undo(change, who="telegram:42")
    assert editor.entry("hoi-nghi-chu-tri")["answer"] == before["answer"]
    assert editor.history(2)[1].undone_by == undo
    with pytest.raises(EditError, match="đã được hoàn tác"):
        editor.undo(change, who="telegram:42")


def test_delete_is_soft_and_undoable(editor):
    change = editor.delete_entry("hoi-nghi-chu-tri", who="t")
    assert editor.entry("hoi-nghi-chu-tri") is None
    assert editor.db["entries"].get("hoi-nghi-chu-tri")["deleted"] == 1
    editor.undo(change, who="t")
    assert editor.entry("hoi-nghi-chu-tri") is not None


def test_monthly_figure_flows_into_answers(tmp_path):
    path = tmp_path / "bot.db"
    live = LiveEngine(KnowledgeStore(path, seed_dir=KNOWLEDGE), today=TODAY)
    Editor(KnowledgeStore(path)).add_statistic(
        {"metric": "luot_can_bo_dieu_dong_luan_chuyen", "value": 3, "unit": "lượt", "period_start": "2026-10",
         "period_end": "2026-10", "scope": "huyện Tam Dương, tỉnh Vĩnh Phúc", "source": "Báo cáo thử nghiệm"},
        who="telegram:42",
    )
    answer = live.current().answer("tháng 10/2026 có bao nhiêu lượt cán bộ được điều động, luân chuyển")
    assert answer.found and "3 lượt" in answer.answer


async def test_chat_find_delete_with_confirmation_history_and_undo(make_conversation):
    conv = make_conversation(admins="telegram:42")
    [found] = await conv.handle(private("/tim chủ trì"))
    assert "hoi-nghi-chu-tri" in found.text
    [confirm] = await conv.handle(private("/xoa hoi-nghi-chu-tri"))
    assert [o.label for o in confirm.options] == ["Xóa", "Hủy"]
    save = confirm.options[0].data
    assert (await conv.handle(private(choice=save, user="7")))[0].text == NOT_ADMIN
    [done] = await conv.handle(private(choice=save))
    await conv.idle()  # the index is rebuilt in the background
    code = conv.store.row("entries", "hoi-nghi-chu-tri")["code"]
    assert f"Đã xóa mục #{code} hoi-nghi-chu-tri" in done.text
    assert not (await conv.handle(private("Ai chủ trì hội nghị sơ kết Nghị quyết 02?")))[0].text.startswith("Đồng chí Nguyễn")
    [history] = await conv.handle(private("/lichsu"))
    assert f"quản trị viên telegram:42: Xóa mục #{code} hoi-nghi-chu-tri" in history.text
    change = conv.editor.history(1)[0].id
    [ask] = await conv.handle(private(f"/hoantac {change}"))
    assert f"Hoàn tác thay đổi #{change}" in ask.text and [o.label for o in ask.options] == ["Hoàn tác", "Hủy"]
    assert "Nguyễn Văn Quý" not in (await conv.handle(private("Ai chủ trì hội nghị sơ kết Nghị quyết 02?")))[0].text
    assert "Đã hoàn tác" in (await conv.handle(private(choice=ask.options[0].data)))[0].text
    await conv.idle()  # the index is rebuilt in the background
    assert "Nguyễn Văn Quý" in (await conv.handle(private("Ai chủ trì hội nghị sơ kết Nghị quyết 02?")))[0].text


async def test_owners_add_and_remove_admins_from_chat(make_conversation, caplog):
    conv = make_conversation(admins="telegram:42")
    assert (await conv.handle(private("/trangthai", user="7")))[0].text == NOT_ADMIN
    assert "Đã thêm quản trị viên telegram:7" in (await conv.handle(private("/quantri_them telegram:7")))[0].text
    assert "Cơ sở dữ liệu" in (await conv.handle(private("/trangthai", user="7")))[0].text
    assert "chỉ chủ bot" in (await conv.handle(private("/quantri_them telegram:8", user="7")))[0].text
    assert "refused owner command /quantri_them from telegram:7" in caplog.text
    assert "Đã bỏ quản trị viên telegram:7" in (await conv.handle(private("/quantri_xoa telegram:7")))[0].text
    assert (await conv.handle(private("/trangthai", user="7")))[0].text == NOT_ADMIN
    [history] = await conv.handle(private("/lichsu"))
    assert "Bỏ quản trị viên telegram:7" in history.text and "Thêm quản trị viên telegram:7" in history.text
