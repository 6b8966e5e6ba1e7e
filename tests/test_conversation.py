"""The conversation layer every channel shares: user sends X, bot replies Y."""

from __future__ import annotations

import asyncio
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.chat.answers import STALE_OPTION, dated
from bot.chat.conversation import NOT_ADMIN
from bot.chat.router import FloodControl, Incoming
from bot.chat.subscribing import (
    ALREADY_SUBSCRIBED,
    NOT_SUBSCRIBED,
    SUBSCRIBED,
    UNSUBSCRIBED,
)
from bot.search.text import addressed
from bot.settings import parse_admins

from .conftest import Clock, write

# What users see: the bot's sentences with the form of address filled in.
STALE_OPTION = addressed(STALE_OPTION)
ALREADY_SUBSCRIBED = addressed(ALREADY_SUBSCRIBED)
NOT_SUBSCRIBED = addressed(NOT_SUBSCRIBED)
NOT_ADMIN = addressed(NOT_ADMIN)


def private(text=None, choice=None, user="1"):
    return Incoming("telegram", user, user, text=text, choice=choice, private=True)


def group(text, addressed=False, user="7"):
    return Incoming("telegram", "-100", user, text=text, private=False, addressed=addressed)


async def test_start_offers_three_example_questions_that_answer_when_tapped(make_conversation):
    conv = make_conversation()
    [reply] = await conv.handle(private("/start"))
    assert "Nghị quyết 02" in reply.text and "QĐ 65" in reply.text
    assert len(reply.options) == 3
    [answer] = await conv.handle(private(choice=reply.options[0].data))
    assert "136" in answer.text and "Nguồn:" in answer.text


async def test_question_in_private_chat_is_answered_with_source_and_date(make_conversation):
    [reply] = await make_conversation().handle(private("ai chu tri hoi nghi so ket nq 02"))
    assert "Nguyễn Văn Quý" in reply.text
    source = reply.text.splitlines()[-1]
    assert source.startswith("Nguồn: Báo Vĩnh Phúc, 30/05/2019") and source.count("30/05/2019") == 1  # dated once
    assert "cập nhật" not in reply.text
    assert [o.label for o in reply.options] == ["Xem thêm", "👍 Hữu ích", "👎 Chưa đúng"]


@pytest.mark.parametrize(
    "source, as_of, item, said",
    [
        ("Nghị định 138/2020/NĐ-CP, Điều 56 (lawnet.vn)", "2020-11-27", "entry:x", " (văn bản ngày 27/11/2020)"),
        ("LawNet (lawnet.vn), tóm tắt Điều 8 Quy định 65-QĐ/TW", "2022-04-28", "entry:x", " (văn bản ngày 28/04/2022)"),
        ("Báo Mẫu, bài “Tin mẫu”", "2019-05-30", "entry:x", " (bài đăng ngày 30/05/2019)"),
        ("Nghị quyết 11-NQ/TW ngày 25/01/2002 của Bộ Chính trị", "2002-01-25", "entry:x", ""),  # already dated
        ("Quy định 65-QĐ/TW ngày 28/4/2022", "2022-04-28", "entry:x", ""),
        ("Nhiều trang tin tức", "2025-07-01", "entry:x", " (thông tin tính đến ngày 01/07/2025)"),
        ("Báo Mẫu", "2019-05", "metric:x", ""),  # a figure's period is in its text
        ("Nghị định mẫu", None, "entry:x", ""),  # no date given, none made up
    ],
)
def test_an_answers_date_says_what_kind_of_date_it_is(source, as_of, item, said):
    assert dated(source, as_of, item) == said


async def test_unsure_answer_offers_suggestions_as_short_choices(make_conversation):
    conv = make_conversation()
    [reply] = await conv.handle(private("lương của cán bộ luân chuyển mỗi tháng"))
    assert "không có" in reply.text and "Nguồn:" not in reply.text
    assert 1 <= len(reply.options) <= 3
    assert all(len(o.data.encode()) <= 64 and len(o.label) <= 60 for o in reply.options)
    [tapped] = await conv.handle(private(choice=reply.options[0].data))
    assert "Nguồn:" in tapped.text


async def test_old_button_gets_a_polite_note(make_conversation):
    [reply] = await make_conversation().handle(private(choice="s:0000000000000000"))
    assert reply.text == STALE_OPTION
    [reply] = await make_conversation().handle(private(choice="garbage"))
    assert reply.text == STALE_OPTION


async def test_group_chatter_is_ignored_but_addressed_messages_are_answered(make_conversation):
    conv = make_conversation()
    assert await conv.handle(group("hôm nay họp mấy giờ nhỉ")) == []
    assert await conv.handle(group("/khonglenh")) == []
    [reply] = await conv.handle(group("luân chuyển tối thiểu mấy năm", addressed=True))
    assert "3 năm" in reply.text
    [reply] = await conv.handle(group("/hoi@luanchuyen_bot luân chuyển tối thiểu mấy năm"))
    assert "3 năm" in reply.text
    [reply] = await conv.handle(group("/hoi"))
    assert "/hoi" in reply.text


async def test_subscribe_and_unsubscribe(make_conversation):
    conv = make_conversation()
    assert (await conv.handle(private("/dangky")))[0].text == SUBSCRIBED
    assert (await conv.handle(private("/dangky thêm chữ thừa")))[0].text == ALREADY_SUBSCRIBED
    assert conv.subscriptions.is_active("telegram", "1")
    assert (await conv.handle(private("/huydangky")))[0].text == UNSUBSCRIBED
    assert (await conv.handle(private("/huydangky")))[0].text == NOT_SUBSCRIBED
    assert not conv.subscriptions.is_active("telegram", "1")


async def test_admin_command_is_refused_to_others_and_logged(make_conversation, caplog):
    conv = make_conversation(admins="telegram:42")
    assert (await conv.handle(private("/trangthai", user="1")))[0].text == NOT_ADMIN
    assert "refused admin command /trangthai from telegram:1" in caplog.text
    [status] = await conv.handle(private("/trangthai", user="42"))
    assert "câu hỏi – trả lời" in status.text


async def test_admins_see_the_longer_menu(make_conversation):
    conv = make_conversation(admins="telegram:42")
    assert "trangthai" not in {c.name for c in conv.commands()}
    assert "trangthai" in {c.name for c in conv.commands(admin=True)}
    assert "/trangthai" in (await conv.handle(private("/help", user="42")))[0].text
    assert "/trangthai" not in (await conv.handle(private("/help", user="1")))[0].text


async def test_a_burst_of_questions_is_answered_in_full_in_order_and_menu_commands_are_free(make_conversation):
    clock = Clock()
    conv = make_conversation(flood=FloodControl(limit=3, window=10, clock=clock, sleep=clock.sleep))
    for command in ("/start", "/help", "/thongke", "/nghiquyet", "/dangky", "/huydangky", "/help"):
        await conv.handle(private(command))  # a newcomer exploring the menu
    assert clock.sleeps == []
    questions = ["luân chuyển tối thiểu mấy năm", "ai chủ trì hội nghị sơ kết nq 02", "nq 11 ban hành năm nào",
                 "qđ 65 ban hành năm nào", "sau 2 năm có bao nhiêu lượt cán bộ được luân chuyển"]
    answers = [await conv.handle(private(q)) for q in questions]
    assert all(a and a[0].text for a in answers) and "136" in answers[4][0].text
    assert clock.sleeps == [10.0]  # the 4th waited for the window; the 5th's turn had come by then


async def test_only_a_flood_beyond_the_backlog_is_refused_and_then_with_a_notice(make_conversation):
    clock = Clock()
    conv = make_conversation(flood=FloodControl(limit=3, window=10, backlog=2, clock=clock, sleep=clock.sleep))
    replies = await asyncio.gather(*(conv.handle(private("luân chuyển tối thiểu mấy năm")) for _ in range(6)))
    notices = [r for r in replies if "gửi lại sau ít phút" in r[0].text]
    assert len(notices) == 1 and all("3 năm" in r[0].text for r in replies if r not in notices)


async def test_unanswered_questions_are_recorded_without_names(make_conversation):
    conv = make_conversation()
    await conv.handle(private("giá vàng hôm nay bao nhiêu"))
    await conv.handle(private("luân chuyển tối thiểu mấy năm"))
    await conv.handle(private("xin chào"))
    await conv.idle()  # recorded in the background: the reply does not wait for the database
    rows = list(conv.store.db["unanswered"].rows)
    assert [r["text"] for r in rows] == ["giá vàng hôm nay bao nhiêu"]
    assert set(rows[0]) == {"id", "asked_at", "platform", "text", "folded"}


async def test_figures_table_and_documents(make_conversation):
    conv = make_conversation()
    [table] = await conv.handle(private("/thongke"))
    assert table.monospace and "136" in table.text and "82" in table.text
    [docs] = await conv.handle(private("/nghiquyet"))
    assert "Quy định 65-QĐ/TW" in docs.text and "Nghị quyết 11-NQ/TW" in docs.text


async def test_unknown_command_in_private_chat_is_explained(make_conversation):
    [reply] = await make_conversation().handle(private("/xyz"))
    assert "/help" in reply.text


async def test_inline_mode_titles_results_with_their_entries_and_offers_popular_ones_for_nothing(make_conversation):
    conv = make_conversation()
    results = conv.inline("luan chuyen toi thieu may nam")
    assert 1 <= len(results) <= 3 and "3 năm" in results[0].text
    assert all(r.title != "luan chuyen toi thieu may nam" and len(r.title) <= 60 for r in results)
    assert len({r.id for r in results}) == len(results)
    examples = conv.inline("   ")
    assert len(examples) == 3 and all("Nguồn:" in r.text for r in examples)
    [answer] = await conv.handle(private("ai chủ trì hội nghị sơ kết nq 02"))
    await conv.handle(private(choice=answer.options[1].data))  # 👍: the most helpful come first
    assert "Nguyễn Văn Quý" in conv.inline("")[0].text


def test_admin_ids_parsing():
    assert parse_admins("telegram:1, zalo:abc ;bad, :x, telegram:") == {"telegram:1", "zalo:abc"}


async def test_monthly_update_commands_are_for_admins_only(make_conversation, caplog):
    conv = make_conversation(admins="telegram:42")
    for command in ("/bantin_xem", "/bantin_gui", "/bantin_trangthai", "/thongbao họp"):
        assert (await conv.handle(private(command, user="1")))[0].text == NOT_ADMIN
    assert (await conv.handle(private(choice="bt:send", user="1")))[0].text == NOT_ADMIN
    assert "refused admin button bt from telegram:1" in caplog.text


async def test_announcement_is_validated_and_shows_in_the_preview(make_conversation):
    conv = make_conversation(admins="telegram:42")
    assert "/thongbao" in (await conv.handle(private("/thongbao", user="42")))[0].text
    assert "tối đa 1000" in (await conv.handle(private("/thongbao " + "x" * 1001, user="42")))[0].text
    assert "Đã thêm" in (await conv.handle(private("/thongbao Giao ban quý IV ngày 15/12.", user="42")))[0].text
    head, preview = await conv.handle(private("/bantin_xem", user="42"))
    assert "đúng như sẽ gửi" in head.text and "Giao ban quý IV ngày 15/12." in preview.text


async def test_admin_sends_the_update_after_confirming(make_conversation):
    received = []

    async def send(chat_id, text):
        received.append(chat_id)

    conv = make_conversation(admins="telegram:42", senders={"telegram": send})
    await conv.handle(private("/dangky", user="5"))
    await conv.handle(private("/dangky", user="6"))
    assert (await conv.handle(private("/bantin_trangthai", user="42")))[0].text == "Chưa gửi bản tin nào."
    [confirm] = await conv.handle(private("/bantin_gui", user="42"))
    month = confirm.options[0].data.removeprefix("bt:send:")
    assert "2 người nhận" in confirm.text and [o.data for o in confirm.options] == [f"bt:send:{month}", "bt:cancel"]
    assert "Đã hủy" in (await conv.handle(private(choice="bt:cancel", user="42")))[0].text
    assert "Đang gửi" in (await conv.handle(private(choice=f"bt:send:{month}", user="42")))[0].text
    await conv.sending
    assert sorted(received) == ["5", "6"]
    assert "đã gửi 2/2" in (await conv.handle(private("/bantin_trangthai", user="42")))[0].text


async def test_sending_from_the_console_points_to_the_command_line(make_conversation):
    [reply] = await make_conversation(admins="telegram:42").handle(private(choice="bt:send:2026-11", user="42"))
    assert "python -m bot broadcast send" in reply.text


def test_any_message_or_tap_gets_well_formed_replies(make_conversation):
    conv = make_conversation(flood=FloodControl(limit=10**9))
    loop = asyncio.new_event_loop()

    @settings(max_examples=100, deadline=None)
    @given(text=st.text(max_size=300), choice=st.one_of(st.none(), st.text(max_size=80)), is_private=st.booleans())
    def check(text, choice, is_private):
        message = Incoming("telegram", "9", "9", text=text, choice=choice, private=is_private, addressed=True)
        for reply in loop.run_until_complete(conv.handle(message)):
            assert reply.text.strip()
            assert all(len(o.data.encode()) <= 64 for o in reply.options)

    try:
        check()
    finally:
        loop.close()


async def test_a_follow_up_is_read_against_the_last_topic_for_a_while(make_conversation):
    from bot.chat.topics import TOPIC_SECONDS, Topics

    now = [0.0]
    conv = make_conversation()
    conv.topics = Topics(clock=lambda: now[0])
    [first] = await conv.handle(private("Quy định 65-QĐ/TW về luân chuyển cán bộ là gì?"))
    assert "65" in first.text
    [follow] = await conv.handle(private("ban hành năm nào?"))
    assert "2022" in follow.text and "Nguồn:" in follow.text
    [other_user] = await conv.handle(private("ban hành năm nào?", user="2"))
    assert "Nguồn:" not in other_user.text  # another chat has no such topic
    now[0] += TOPIC_SECONDS + 1
    [late] = await conv.handle(private("ban hành năm nào?"))
    assert "Nguồn:" not in late.text  # the topic has expired: not guessed from an old question


async def test_a_chain_of_short_follow_ups_keeps_its_subject(make_conversation):
    """Two short questions in a row after a topic: both stay on NQ 02."""
    conv = make_conversation()
    await conv.handle(private("Nghị quyết 02 của huyện Tam Dương là gì?"))
    [period] = await conv.handle(private("áp dụng giai đoạn nào?"))
    assert "2017-2021" in period.text
    [issuer] = await conv.handle(private("cơ quan nào ban hành?"))
    assert "Ban Chấp hành Đảng bộ huyện Tam Dương" in issuer.text and "98" not in issuer.text


async def test_a_question_that_stands_on_its_own_is_not_bent_by_the_topic(make_conversation):
    conv = make_conversation()
    await conv.handle(private("Quy định 65-QĐ/TW ban hành năm nào?"))
    [own] = await conv.handle(private("Ai chủ trì hội nghị sơ kết Nghị quyết 02 của huyện Tam Dương?"))
    assert "Nguyễn Văn Quý" in own.text


async def test_a_follow_up_the_sources_do_not_answer_is_refused(make_conversation):
    conv = make_conversation()
    await conv.handle(private("Ai chủ trì hội nghị sơ kết Nghị quyết 02?"))
    [refused] = await conv.handle(private("đồng chí ấy sinh năm bao nhiêu?"))
    assert "Nguồn:" not in refused.text


async def test_users_are_addressed_as_comrades_never_as_ban(make_conversation):
    clock = Clock()
    conv = make_conversation(flood=FloodControl(limit=3, window=60, backlog=1, clock=clock, sleep=clock.sleep))
    said = [r[0].text for r in await asyncio.gather(*(conv.handle(private("xin chào")) for _ in range(6)))]
    for text in ("/start", "/help", "xin chào", "cảm ơn", "/hoi", "/lenhla", "giá vàng hôm nay", "/dangky", "/dangky",
                 "/huydangky", "/huydangky", "một", "hai"):
        said += [r.text for r in await conv.handle(private(text))]
    said += [r.text for r in await conv.handle(private(choice="s:cu"))]
    words = " ".join(said).lower()
    assert "đồng chí" in words and "{you}" not in words
    assert not re.search(r"\bbạn\b|\bnhé\b", words)


async def test_the_form_of_address_is_a_setting_and_never_touches_knowledge(tmp_path):
    from bot.app import build_conversation
    from bot.settings import Settings

    from .conftest import KNOWLEDGE

    settings = Settings(database_path=tmp_path / "c.db", knowledge_dir=KNOWLEDGE, address_term="anh/chị")
    conv = build_conversation(settings)
    [greeting] = await conv.handle(private("xin chào"))
    assert greeting.text.startswith("Kính chào anh/chị!") and "đồng chí" not in greeting.text.lower()
    [answer] = await conv.handle(private("có bao nhiêu đồng chí luân chuyển giữ chức vụ chủ chốt cấp cơ sở"))
    assert "7 đồng chí" in answer.text


async def test_read_more_offers_related_entries_and_a_tap_shows_the_question_first(make_conversation):
    conv = make_conversation()
    [answer] = await conv.handle(private("luân chuyển cán bộ tối thiểu mấy năm"))
    [related] = await conv.handle(private(choice=answer.options[0].data))
    assert related.text == "Nội dung liên quan:" and 1 <= len(related.options) <= 3
    assert all(len(o.label) <= 60 and not o.label.endswith(" ") for o in related.options)
    [chosen] = await conv.handle(private(choice=related.options[0].data))
    assert chosen.text.startswith("Câu hỏi: ") and "Nguồn:" in chosen.text
    assert chosen.text.splitlines()[0] != "Câu hỏi: luân chuyển cán bộ tối thiểu mấy năm"


async def test_a_thumbs_down_with_a_comment_reaches_the_admins(make_conversation):
    conv = make_conversation(admins="telegram:42")
    [answer] = await conv.handle(private("ai chủ trì hội nghị sơ kết nq 02"))
    [thanks] = await conv.handle(private(choice=answer.options[2].data))
    assert "quản trị viên sẽ xem lại" in thanks.text and [o.label for o in thanks.options] == ["Gửi góp ý"]
    [prompt] = await conv.handle(private(choice=thanks.options[0].data))
    assert prompt.typed and "gõ góp ý" in prompt.text
    [kept] = await conv.handle(private("Nên ghi rõ chức vụ của đồng chí chủ trì (góp ý mẫu)"))
    assert kept.text == "Đã ghi góp ý. Cảm ơn đồng chí!"
    [up] = await conv.handle(private(choice=answer.options[1].data))
    assert up.text == "Cảm ơn đồng chí!"
    [review] = await conv.handle(private("/phanhoi", user="42"))
    assert "1 hữu ích, 1 chưa đúng" in review.text
    assert "Hỏi: “ai chủ trì hội nghị sơ kết nq 02”" in review.text and "Nguyễn Văn Quý" in review.text
    assert "Góp ý: “Nên ghi rõ chức vụ của đồng chí chủ trì (góp ý mẫu)”" in review.text
    [status] = await conv.handle(private("/trangthai", user="42"))
    assert "Phản hồi của người dùng: 1 hữu ích, 1 chưa đúng" in status.text
    assert (await conv.handle(private("/phanhoi", user="5")))[0].text == NOT_ADMIN


@pytest.mark.parametrize("complaint", ["sai rồi", "Sai rồi!", "bot trả lời sai", "không đúng", "chua dung a"])
async def test_saying_the_answer_is_wrong_counts_as_a_thumbs_down(make_conversation, complaint):
    conv = make_conversation(admins="telegram:42")
    [nothing] = await conv.handle(private(complaint))
    assert "chưa trả lời câu hỏi nào" in nothing.text
    await conv.handle(private("luân chuyển cán bộ tối thiểu mấy năm"))
    [thanks] = await conv.handle(private(complaint))
    assert "quản trị viên sẽ xem lại" in thanks.text
    [review] = await conv.handle(private("/phanhoi", user="42"))
    assert "0 hữu ích, 1 chưa đúng" in review.text and "tối thiểu mấy năm" in review.text


async def test_choices_show_short_titles_cut_at_a_word_or_as_written(tmp_path, synthetic_kb):
    from bot.app import build_conversation
    from bot.settings import Settings

    write(synthetic_kb / "entries_more.yaml", """
- id: mau-ho-so
  question: Hồ sơ đề nghị điều chuyển mẫu gồm những giấy tờ gì theo quy định mẫu hiện hành?
  title: Hồ sơ điều chuyển mẫu
  answer: Gồm ba loại giấy tờ mẫu.
  source: Nguồn mẫu D
- id: mau-thu-tuc
  question: Thủ tục điều chuyển mẫu giữa hai đơn vị mẫu được thực hiện qua những bước nào?
  answer: Qua hai bước mẫu.
  source: Nguồn mẫu D
""")
    conv = build_conversation(Settings(database_path=tmp_path / "t.db", knowledge_dir=synthetic_kb))
    [reply] = await conv.handle(private("điều chuyển mẫu"))
    labels = [o.label for o in reply.options]
    assert "Hồ sơ điều chuyển mẫu" in labels
    made = next(label for label in labels if label.startswith("Thủ tục"))
    assert len(made) <= 40 and made.endswith("…")
    assert "Thủ tục điều chuyển mẫu giữa hai đơn vị mẫu được thực hiện".startswith(made[:-1])
