"""Guided admin changes in chat: step by step, cancel at every step, confirm before writing."""

from __future__ import annotations

import io

import openpyxl

from bot.chat.conversation import NOT_ADMIN
from bot.chat.dialogs import CANCEL, SAVE, SKIP
from bot.chat.router import Incoming
from bot.search.text import addressed

# What users see: the bot's sentences with the form of address filled in.
NOT_ADMIN = addressed(NOT_ADMIN)


def admin(text=None, choice=None, upload=None):
    return Incoming("telegram", "42", "42", text=text, choice=choice, upload=upload)


def tap(reply, label):
    return next(o.data for o in reply.options if o.label == label)


async def test_full_add_dialogue_then_the_bot_answers_it(make_conversation):
    conv = make_conversation(admins="telegram:42")
    [step] = await conv.handle(admin("/them"))
    assert "Câu hỏi chính" in step.text and tap(step, "Hủy") == CANCEL[1]
    [step] = await conv.handle(admin("Cán bộ luân chuyển có được học thêm không?"))
    assert "cách hỏi khác" in step.text and tap(step, "Bỏ qua") == SKIP[1]
    [step] = await conv.handle(admin("luân chuyển có được đi học không | cb lc học thêm"))
    assert "Câu trả lời" in step.text
    [error, typed, step] = await conv.handle(admin("Một. Hai. Ba. Bốn."))
    assert "có 4 câu, tối đa 3" in error.text and typed.text == "Một. Hai. Ba. Bốn." and "Câu trả lời" in step.text
    [step] = await conv.handle(admin("Câu trả lời thử nghiệm cho mục mới."))
    [step] = await conv.handle(admin("Nguồn thử nghiệm"))
    [error, step] = await conv.handle(admin("hôm kia"))
    assert "Ngày chưa đúng" in error.text
    [summary] = await conv.handle(admin("01/11/2026"))
    assert "kiểm tra trước khi lưu" in summary.text and "• Ngày: 01/11/2026" in summary.text
    assert "• Cách hỏi khác: luân chuyển có được đi học không; cb lc học thêm" in summary.text
    before = conv.store.counts()["entries"]
    [done] = await conv.handle(admin(choice=tap(summary, "Lưu")))
    await conv.idle()  # the index is rebuilt in the background
    assert "Đã thêm mục mới" in done.text and conv.store.counts()["entries"] == before + 1
    [answer] = await conv.handle(Incoming("telegram", "5", "5", text="cb lc học thêm"))
    assert "Câu trả lời thử nghiệm cho mục mới." in answer.text


async def test_cancelled_dialogue_changes_nothing(make_conversation):
    conv = make_conversation(admins="telegram:42")
    before = conv.store.counts()
    await conv.handle(admin("/them"))
    await conv.handle(admin("Một câu hỏi sẽ bị hủy?"))
    [step] = await conv.handle(admin(choice=SKIP[1]))
    [cancelled] = await conv.handle(admin(choice=tap(step, "Hủy")))
    assert "Đã hủy" in cancelled.text
    assert conv.store.counts() == before and [c.who for c in conv.editor.history()] == ["seed"]
    assert (await conv.handle(admin(choice=SAVE[1])))[0].text.startswith("Gợi ý này đã cũ")


async def test_edit_dialogue(make_conversation):
    conv = make_conversation(admins="telegram:42")
    [step] = await conv.handle(admin("/sua hoi-nghi-chu-tri"))
    [step] = await conv.handle(admin(choice=tap(step, "Nguồn")))
    [summary] = await conv.handle(admin("Nguồn đã sửa"))
    [done] = await conv.handle(admin(choice=tap(summary, "Lưu")))
    await conv.idle()  # the index is rebuilt in the background
    code = conv.store.row("entries", "hoi-nghi-chu-tri")["code"]
    assert f"Đã sửa mục #{code} hoi-nghi-chu-tri: nguồn" in done.text
    assert conv.editor.entry("hoi-nghi-chu-tri")["source"] == "Nguồn đã sửa"


async def test_statistic_dialogue_flows_into_answers(make_conversation):
    conv = make_conversation(admins="telegram:42")
    [step] = await conv.handle(admin("/solieu"))
    [step] = await conv.handle(admin(choice=tap(step, "lượt cán bộ được điều động, luân chuyển")))
    [step] = await conv.handle(admin("10/2026"))
    [step] = await conv.handle(admin("3"))
    [step] = await conv.handle(admin("Báo cáo tháng 10/2026 của Ban Tổ chức (thử nghiệm)"))
    [summary] = await conv.handle(admin(choice=tap(step, "Bỏ qua")))  # no yearly target
    assert "Chỉ tiêu cả năm: (trống)" in summary.text
    await conv.handle(admin(choice=tap(summary, "Lưu")))
    await conv.idle()  # the index is rebuilt in the background
    assert conv.store.targets() == {}
    [answer] = await conv.handle(Incoming("telegram", "5", "5", text="tháng 10/2026 có bao nhiêu lượt cán bộ được luân chuyển"))
    assert "3 lượt" in answer.text


async def test_unanswered_question_becomes_an_entry_in_two_taps_and_the_answer(make_conversation):
    conv = make_conversation(admins="telegram:42")
    for _ in range(3):
        await conv.handle(Incoming("telegram", "5", "5", text="Luân chuyển cán bộ có áp dụng cho công an xã không?"))
    await conv.handle(Incoming("telegram", "6", "6", text="giá vàng hôm nay"))
    [listing] = await conv.handle(admin("/chuatraloi"))
    assert "(3 lần)" in listing.text.splitlines()[1]
    [step] = await conv.handle(admin(choice=listing.options[0].data))  # tap 1
    assert "Câu trả lời" in step.text
    [summary] = await conv.handle(admin("Câu trả lời do quản trị viên bổ sung (thử nghiệm)."))
    [done] = await conv.handle(admin(choice=tap(summary, "Lưu")))  # tap 2
    await conv.idle()  # the index is rebuilt in the background
    assert "Đã thêm mục mới" in done.text


async def test_excel_export_then_upload_is_a_round_trip(make_conversation):
    conv = make_conversation(admins="telegram:42")
    before = conv.store.counts()
    [export] = await conv.handle(admin("/xuat"))
    [(name, data)] = export.files
    assert name.endswith(".xlsx") and "/xuat yaml" in export.text
    sheets = openpyxl.load_workbook(io.BytesIO(data), read_only=True).sheetnames
    assert sheets == ["Hỏi đáp", "Đoạn trích", "Chỉ số", "Số liệu"]
    [summary] = await conv.handle(admin(upload=(name, data)))
    assert f"{before['entries']} câu hỏi" in summary.text and f"{before['statistics']} số liệu" in summary.text
    [done] = await conv.handle(admin(choice=tap(summary, "Nhập")))
    await conv.idle()
    assert "thêm mới 0, cập nhật 0" in done.text and conv.store.counts() == before


async def test_export_then_upload_is_a_round_trip(make_conversation):
    conv = make_conversation(admins="telegram:42")
    [export] = await conv.handle(admin("/xuat yaml"))
    names = [name for name, _ in export.files]
    assert names == ["entries.yaml", "passages.yaml", "metrics.yaml", "statistics.csv"]
    for name, data in export.files:
        [summary] = await conv.handle(admin(upload=(name, data)))
        [done] = await conv.handle(admin(choice=tap(summary, "Nhập")))
        await conv.idle()  # the index is rebuilt in the background
        assert "thêm mới 0, cập nhật 0" in done.text


async def test_an_unknown_export_format_is_explained(make_conversation):
    conv = make_conversation(admins="telegram:42")
    [reply] = await conv.handle(admin("/xuat pdf"))
    assert not reply.files and "/xuat yaml" in reply.text


async def test_template_is_sent_and_a_filled_copy_imports(make_conversation):
    conv = make_conversation(admins="telegram:42")
    [reply] = await conv.handle(admin("/mau"))
    [(name, data)] = reply.files
    assert name.endswith(".xlsx") and "Hướng dẫn" in reply.text
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Hướng dẫn", "Hỏi đáp", "Đoạn trích", "Chỉ số", "Số liệu"]
    assert [c.value for c in book["Hỏi đáp"][1]][:4] == ["Mã", "Câu hỏi", "Cách hỏi khác", "Trả lời"]
    book["Hỏi đáp"].append(["mau-tu-mau", "Câu hỏi điền từ tệp mẫu?", None, "Câu trả lời thử nghiệm.", None,
                            "Nguồn thử nghiệm", "01/11/2026"])
    filled = io.BytesIO()
    book.save(filled)
    [summary] = await conv.handle(admin(upload=("mau-da-dien.xlsx", filled.getvalue())))
    assert "1 câu hỏi, 0 đoạn, 0 chỉ số, 0 số liệu" in summary.text
    [done] = await conv.handle(admin(choice=tap(summary, "Nhập")))
    await conv.idle()  # the index is rebuilt in the background
    assert "thêm mới 1" in done.text and conv.editor.entry("mau-tu-mau")["as_of"] == "2026-11-01"


async def test_bad_upload_is_refused_with_nothing_changed(make_conversation):
    conv = make_conversation(admins="telegram:42")
    before = conv.store.counts()
    bad = "metric,value,value_max,unit,period_start,period_end,scope,source,note\nx,nhiều,,lượt,2026-10,2026-10,,Nguồn,\n"
    [reply] = await conv.handle(admin(upload=("statistics.csv", bad.encode())))
    assert "Không nhập tệp" in reply.text and "trường 'value'" in reply.text
    assert conv.store.counts() == before and "42" not in conv.dialogs


async def test_non_admins_cannot_change_anything(make_conversation):
    conv = make_conversation(admins="telegram:42")
    user = Incoming("telegram", "5", "5", text="/them")
    assert (await conv.handle(user))[0].text == NOT_ADMIN
    assert (await conv.handle(Incoming("telegram", "5", "5", text="/mau")))[0].text == NOT_ADMIN
    upload = Incoming("telegram", "5", "5", upload=("entries.yaml", b"- id: x\n"))
    assert "chỉ quản trị viên" in (await conv.handle(upload))[0].text
    await conv.handle(admin("/them"))
    assert (await conv.handle(Incoming("telegram", "5", "5", choice=CANCEL[1])))[0].text == NOT_ADMIN
