"""Folding and normalizing: every spelling of the same Vietnamese words meets in one form."""

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from bot.search.analysis import name_pairs, normalize
from bot.search.text import clean, fold, fold_for_matching, tokenize, without_preamble


def test_fold_removes_diacritics_and_d_stroke():
    assert fold("Đồng chí Nguyễn Văn Quý") == "dong chi nguyen van quy"


def test_old_and_new_tone_placement_fold_the_same():
    assert fold("Huyện uỷ Hoà Bình") == fold("Huyện ủy Hòa Bình") == "huyen uy hoa binh"


def test_nfd_input_folds_like_nfc():
    text = "Luân chuyển cán bộ"
    assert fold(unicodedata.normalize("NFD", text)) == fold(text)


def test_eth_typed_for_d_stroke_is_folded():
    assert fold("Ðảng ủy") == "dang uy"


def test_clean_drops_control_and_zero_width_characters():
    assert clean("cán\x00 bộ\u200b\tluân\nchuyển") == "cán bộ luân chuyển"


def test_numbers_and_periods_survive_folding():
    assert tokenize(fold_for_matching("Quy định 65-QĐ/TW, giai đoạn 2017-2021?")) == [
        "quy", "dinh", "65", "qd", "tw", "giai", "doan", "2017", "2021",
    ]


def test_a_date_is_the_same_with_or_without_leading_zeros():
    assert tokenize(fold_for_matching("ngày 30/05/2019, tháng 05/2019")) == tokenize(fold_for_matching("ngày 30/5/2019, tháng 5/2019"))
    assert tokenize(fold_for_matching("Nghị quyết 02/2017")) == ["nghi", "quyet", "02", "2017"]  # a number keeps its zero


def test_abbreviations_and_slang_expand():
    assert normalize("sl cb dc lc la bnh") == "so luong can bo duoc luan chuyen la bao nhieu".split()
    assert normalize("NQ của BTV HU") == "nghi quyet cua ban thuong vu huyen uy".split()
    assert normalize("CQĐP mấy cấp, bn ĐVHC") == "chinh quyen dia phuong may cap bao nhieu don vi hanh chinh".split()
    assert normalize("QĐ65 thay NQ02, NĐ138") == normalize("QĐ 65 thay NQ 02, NĐ 138")  # typed together
    assert normalize("Đc nào chủ trì, dc ấy")[:3] == ["dong", "chi", "nao"]  # "đc nào" can only be đồng chí
    assert normalize("Đc nào chủ trì, dc ấy")[-3:] == ["dong", "chi", "ay"]


def test_uppercase_only_abbreviations_expand_only_in_capitals():
    assert normalize("TU Vĩnh Phúc") == ["tinh", "uy", "vinh", "phuc"]
    assert normalize("từ năm 2017")[0] == "tu"


def test_number_words_become_digits_only_before_a_counted_noun():
    assert normalize("sau hai năm có bốn lượt") == ["sau", "2", "nam", "co", "4", "luot"]
    assert normalize("huyện Tam Dương") == ["huyen", "tam", "duong"]


@given(st.text())
def test_fold_is_idempotent_and_ascii_for_vietnamese(text):
    once = fold(text)
    assert fold(once) == once


@given(st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ ", max_size=60))
def test_folded_vietnamese_is_plain_ascii(text):
    assert fold(text).isascii()
    assert fold(text.upper()) == fold(text)


@given(st.text(max_size=300))
def test_normalize_never_fails_and_gives_ascii_tokens(text):
    tokens = normalize(text)
    assert all(t.isascii() and t == t.lower() for t in tokens)


def test_number_word_before_a_year_is_left_alone():
    assert normalize("sau năm 2017")[:2] == ["sau", "nam"]


def test_a_polite_opening_is_not_part_of_the_question():
    assert without_preamble("Đồng chí ơi, cho em hỏi: ai chủ trì?") == "ai chủ trì?"
    assert without_preamble("xin hoi QĐ 65 ban hành năm nào") == "QĐ 65 ban hành năm nào"
    assert without_preamble("Cho biết QĐ 65") == "Cho biết QĐ 65"
    assert without_preamble("cho hỏi") == "cho hỏi"  # nothing else: kept as it is


def test_names_are_found_where_a_sentence_opens_but_not_in_numbers_or_nouns_before_them():
    assert name_pairs("Hà Nội có quy định riêng không?") == ["ha_noi"]  # "Hà" is no "hả"
    assert name_pairs("Tỉnh Hòa Bình hợp nhất với tỉnh nào?") == ["hoa_binh"]
    assert name_pairs("Năm 2012 Bộ Chính trị ra văn bản nào?") == ["bo_chinh"]  # not "năm_bộ"
    assert name_pairs("Ở Trung ương thì sao?") == []


def test_everyday_words_for_the_same_things_meet_in_one_form():
    assert normalize("cuộc họp sơ kết") == normalize("hội nghị sơ kết")
    assert normalize("văn kiện số 02") == normalize("văn bản số 02")
    assert normalize("xuống làng xã") == normalize("xuống xã")
