"""Guided admin changes in chat: step by step, cancel at every step, confirm before writing."""

from __future__ import annotations

from bot.core.conversation import NOT_ADMIN, Incoming
from bot.core.dialogs import CANCEL, SAVE, SKIP


def admin(text=None, choice=None, upload=None):
    return Incoming("telegram", "42", "42", text=text, choice=choice, upload=upload)


def tap(reply, label):
    return next(o.data for o in reply.options if o.label == label)


def test_full_add_dialogue_then_the_bot_answers_it(make_conversation):
    conv = make_conversation(admins="telegram:42")
    [step] = conv.handle(admin("/them"))
    assert "Câu hỏi chính" in step.text and tap(step, "Hủy") == CANCEL[1]
    [step] = conv.handle(admin("Cán bộ luân chuyển có được học thêm không?"))
    assert "cách hỏi khác" in step.text and tap(step, "Bỏ qua") == SKIP[1]
    [step] = conv.handle(admin("luân chuyển có được đi học không | cb lc học thêm"))
    assert "Câu trả lời" in step.text
    [error, step] = conv.handle(admin("Một. Hai. Ba. Bốn."))
    assert "tối đa 3 câu" in error.text and "Câu trả lời" in step.text
    [step] = conv.handle(admin("Câu trả lời thử nghiệm cho mục mới."))
    [step] = conv.handle(admin("Nguồn thử nghiệm"))
    [error, step] = conv.handle(admin("hôm kia"))
    assert "Ngày chưa đúng" in error.text
    [summary] = conv.handle(admin("01/11/2026"))
    assert "kiểm tra trước khi lưu" in summary.text and "2026-11-01" in summary.text
    before = conv.store.counts()["entries"]
    [done] = conv.handle(admin(choice=tap(summary, "Lưu")))
    assert "Đã thêm mục mới" in done.text and conv.store.counts()["entries"] == before + 1
    [answer] = conv.handle(Incoming("telegram", "5", "5", text="cb lc học thêm"))
    assert "Câu trả lời thử nghiệm cho mục mới." in answer.text


def test_cancelled_dialogue_changes_nothing(make_conversation):
    conv = make_conversation(admins="telegram:42")
    before = conv.store.counts()
    conv.handle(admin("/them"))
    conv.handle(admin("Một câu hỏi sẽ bị hủy?"))
    [step] = conv.handle(admin(choice=SKIP[1]))
    [cancelled] = conv.handle(admin(choice=tap(step, "Hủy")))
    assert "Đã hủy" in cancelled.text
    assert conv.store.counts() == before and conv.editor.history() == []
    assert conv.handle(admin(choice=SAVE[1]))[0].text.startswith("Gợi ý này đã cũ")


def test_edit_dialogue(make_conversation):
    conv = make_conversation(admins="telegram:42")
    [step] = conv.handle(admin("/sua hoi-nghi-chu-tri"))
    [step] = conv.handle(admin(choice=tap(step, "Nguồn")))
    [summary] = conv.handle(admin("Nguồn đã sửa"))
    [done] = conv.handle(admin(choice=tap(summary, "Lưu")))
    assert "Đã sửa mục hoi-nghi-chu-tri" in done.text
    assert conv.editor.entry("hoi-nghi-chu-tri")["source"] == "Nguồn đã sửa"


def test_statistic_dialogue_flows_into_answers(make_conversation):
    conv = make_conversation(admins="telegram:42")
    [step] = conv.handle(admin("/solieu"))
    [step] = conv.handle(admin(choice=tap(step, "lượt cán bộ được điều động, luân chuyển")))
    [step] = conv.handle(admin("10/2026"))
    [step] = conv.handle(admin("3"))
    [summary] = conv.handle(admin("Báo cáo tháng 10/2026 của Ban Tổ chức (thử nghiệm)"))
    conv.handle(admin(choice=tap(summary, "Lưu")))
    [answer] = conv.handle(Incoming("telegram", "5", "5", text="tháng 10/2026 có bao nhiêu lượt cán bộ được luân chuyển"))
    assert "3 lượt" in answer.text


def test_unanswered_question_becomes_an_entry_in_two_taps_and_the_answer(make_conversation):
    conv = make_conversation(admins="telegram:42")
    for _ in range(3):
        conv.handle(Incoming("telegram", "5", "5", text="Luân chuyển cán bộ có áp dụng cho công an xã không?"))
    conv.handle(Incoming("telegram", "6", "6", text="giá vàng hôm nay"))
    [listing] = conv.handle(admin("/chuatraloi"))
    assert "(3 lần)" in listing.text.splitlines()[1]
    [step] = conv.handle(admin(choice=listing.options[0].data))  # tap 1
    assert "Câu trả lời" in step.text
    [summary] = conv.handle(admin("Câu trả lời do quản trị viên bổ sung (thử nghiệm)."))
    [done] = conv.handle(admin(choice=tap(summary, "Lưu")))  # tap 2
    assert "Đã thêm mục mới" in done.text


def test_export_then_upload_is_a_round_trip(make_conversation):
    conv = make_conversation(admins="telegram:42")
    [export] = conv.handle(admin("/xuat"))
    names = [name for name, _ in export.files]
    assert names == ["entries.yaml", "passages.yaml", "metrics.yaml", "statistics.csv"]
    for name, data in export.files:
        [summary] = conv.handle(admin(upload=(name, data)))
        [done] = conv.handle(admin(choice=tap(summary, "Lưu")))
        assert "thêm mới 0, cập nhật 0" in done.text


def test_bad_upload_is_refused_with_nothing_changed(make_conversation):
    conv = make_conversation(admins="telegram:42")
    before = conv.store.counts()
    bad = "metric,value,value_max,unit,period_start,period_end,scope,source,note\nx,nhiều,,lượt,2026-10,2026-10,,Nguồn,\n"
    [reply] = conv.handle(admin(upload=("statistics.csv", bad.encode())))
    assert "Không nhập tệp" in reply.text and "trường 'value'" in reply.text
    assert conv.store.counts() == before and "42" not in conv.dialogs


def test_non_admins_cannot_change_anything(make_conversation):
    conv = make_conversation(admins="telegram:42")
    user = Incoming("telegram", "5", "5", text="/them")
    assert conv.handle(user)[0].text == NOT_ADMIN
    upload = Incoming("telegram", "5", "5", upload=("entries.yaml", b"- id: x\n"))
    assert "chỉ quản trị viên" in conv.handle(upload)[0].text
    conv.handle(admin("/them"))
    assert conv.handle(Incoming("telegram", "5", "5", choice=CANCEL[1]))[0].text == NOT_ADMIN
