"""Word lists for matching Vietnamese questions, in folded form (see text.fold) unless noted.

Rewrites apply to questions and to knowledge text alike, so both sides meet in one spelling.
Keep entries general Vietnamese or general Party/state vocabulary: never a rule that exists
only to make one known question pass.
"""

from __future__ import annotations

# Abbreviations and chat slang with a single sensible reading in this domain. Keys are folded;
# values are written with diacritics, so that they can also tell lương from lượng (see engine).
ABBREVIATIONS: dict[str, str] = {
    # Party and state bodies and documents
    "bch": "ban chấp hành",
    "btv": "ban thường vụ",
    "bct": "bộ chính trị",
    "bbt": "ban bí thư",
    "tw": "trung ương",
    "hu": "huyện ủy",
    "tuv": "tỉnh ủy viên",
    "huv": "huyện ủy viên",
    "btc": "ban tổ chức",
    "ubkt": "ủy ban kiểm tra",
    "hdnd": "hội đồng nhân dân",
    "ubnd": "ủy ban nhân dân",
    "mttq": "mặt trận tổ quốc",
    "nq": "nghị quyết",
    "nqtw": "nghị quyết trung ương",
    "kl": "kết luận",
    "kh": "kế hoạch",
    "nd": "nghị định",
    "ndcp": "nghị định chính phủ",
    "cp": "chính phủ",
    "tk": "tổng kết",
    # people, posts and pay
    "cb": "cán bộ",
    "cbcc": "cán bộ công chức",
    "cbccvc": "cán bộ công chức viên chức",
    "cc": "công chức",
    "vc": "viên chức",
    "ldql": "lãnh đạo quản lý",
    "ld": "lãnh đạo",
    "ql": "quản lý",
    "lccb": "luân chuyển cán bộ",
    "lc": "luân chuyển",
    "qhcb": "quy hoạch cán bộ",
    "bt": "bí thư",
    "pbt": "phó bí thư",
    "pct": "phó chủ tịch",
    "nk": "nhiệm kỳ",
    "cq": "cơ quan",
    "dp": "địa phương",
    "cqdp": "chính quyền địa phương",
    "dvhc": "đơn vị hành chính",
    "tp": "thành phố",
    "pc": "phụ cấp",
    "pccv": "phụ cấp chức vụ",
    # chat slang
    "ko": "không",
    "k": "không",
    "kg": "không",
    "kh0": "không",
    "khg": "không",
    "hok": "không",
    "hem": "không",
    "khum": "không",
    "dc": "được",
    "bn": "bao nhiêu",
    "bnh": "bao nhiêu",
    "bnhieu": "bao nhiêu",
    "nhiu": "nhiêu",
    "ntn": "như thế nào",
    "j": "gì",
    "ji": "gì",
    "sl": "số lượng",
    "ds": "danh sách",
    "kq": "kết quả",
    "tg": "thời gian",
    "trc": "trước",
    "vs": "với",
    "ng": "người",
    "r": "rồi",
    "dk": "điều kiện",
    "mn": "mọi người",
    "z": "vậy",
    "v": "vậy",
}

# Upper-case abbreviations that are ambiguous in lower case ("tu" is also từ, "ct" also chỉ thị).
# Written in capitals they are the Party's usage, so they are expanded before folding.
UPPERCASE_ABBREVIATIONS: dict[str, str] = {
    "TU": "Tỉnh ủy",
    "ĐU": "Đảng ủy",
    "DU": "Đảng ủy",
    "QH": "Quốc hội",
    "CT": "Chủ tịch",
    "PCT": "Phó Chủ tịch",
    "BT": "Bí thư",
}

# Ambiguous abbreviations stay as typed; knowledge text gets them as extra index terms for
# each phrase they can stand for, so "qd 98" finds "Quy định 98" and "quyết định" alike.
ALIASES: dict[tuple[str, ...], str] = {
    ("quy", "dinh"): "qd",
    ("quyet", "dinh"): "qd",
    ("chu", "tich"): "ct",
    ("chi", "thi"): "ct",
    ("giai", "doan"): "gd",
    ("quy", "hoach"): "qh",
    ("huong", "dan"): "hd",
    ("hoi", "nghi"): "hn",
    ("chuc", "vu"): "cv",
    ("cong", "van"): "cv",
    ("co", "so"): "cs",
    ("chinh", "sach"): "cs",
    ("hieu", "luc"): "hl",
    ("ban", "hanh"): "bh",
    ("bao", "hiem"): "bh",
    ("tham", "quyen"): "tq",
    ("trung", "quoc"): "tq",
    ("so", "ket"): "sk",
    ("suc", "khoe"): "sk",
    ("dang", "vien"): "dv",
    ("don", "vi"): "dv",
    ("dang", "bo"): "db",
    ("dac", "biet"): "db",
}

# Phrases with the same meaning, rewritten to one canonical phrase on both sides.
SYNONYMS: dict[str, str] = {
    "ra doi": "ban hanh",
    "duoc ky": "ban hanh",
    "ky ban hanh": "ban hanh",
    "toi thieu": "it nhat",
    "bao lau": "thoi han",
    "trong bao lau": "thoi han",
    "keo dai": "thoi han",
    "bao gio": "khi nao",
    "luc nao": "khi nao",
    "thoi diem nao": "khi nao",
    "dieu hanh": "chu tri",
    "dieu khien": "chu tri",
    "che do": "ho tro",
    "dai ngo": "ho tro",
    "quyen loi": "ho tro",
    "sat nhap": "sap nhap",
    "hop nhat": "sap nhap",
    "truoc kia": "truoc day",
    "ngay truoc": "truoc day",
    "hoi truoc": "truoc day",
    "bay gio": "hien nay",
    "hien tai": "hien nay",
    "sap toi": "thoi gian toi",
    "toi day": "thoi gian toi",
    "tiep theo": "thoi gian toi",
    "phuong huong": "nhiem vu",
    "giai phap": "nhiem vu",
    "y nghia": "muc dich",
    "tac dung": "muc dich",
    "loi ich": "muc dich",
    "muc tieu": "muc dich",
    "lan": "luot",
    "thay cho": "thay the",
    # idioms
    "ngoi ghe": "giu chuc vu",
    "dam nhiem": "giu",
    "dam nhan": "giu",
    "cuong vi": "chuc vu",
    "cho an o": "nha o",
    "cho o": "nha o",
    "tinh uy vien": "uy vien tinh uy",
    "chuc danh": "chuc vu",
    # everyday words for the same things
    "cuoc hop": "hoi nghi",
    "buoi hop": "hoi nghi",
    "van kien": "van ban",
    "lang xa": "xa",
    "thu thach": "ren luyen",
    # everyday words for rotating a cadre: working elsewhere for a while
    "di lam viec o noi khac": "luan chuyen",
    "di lam viec noi khac": "luan chuyen",
    "di lam o noi khac": "luan chuyen",
    "di lam noi khac": "luan chuyen",
    "di lam cho khac": "luan chuyen",
    "di lam o cho khac": "luan chuyen",
    "sang lam o noi khac": "luan chuyen",
    "sang lam noi khac": "luan chuyen",
    "sang lam o cho khac": "luan chuyen",
    "sang lam cho khac": "luan chuyen",
    "sang vi tri khac": "luan chuyen",
    "lam viec o noi khac": "luan chuyen",
    "doi cho lam": "luan chuyen",
    # a review midway
    "nhin lai giua chung": "so ket",
    "nhin lai giua ky": "so ket",
    "tong ket giua ky": "so ket",
    "danh gia giua ky": "so ket",
}

# Words that say nothing about the topic: left out when measuring how much of a question a
# knowledge item covers. Question words that carry intent (ai, khi nao) stay in.
STOPWORDS: frozenset[str] = frozenset(
    """
    la gi nao co khong duoc cua va ve cho voi trong thi ma nhung cac mot nay do nhu the
    viec hoi toi biet xin a oi vay nhe minh em anh o tai den tu da se bi boi hay hoac
    nhat lam gium giup cai con nhieu may roi chua phai can muon xem
    vao ra len sau truoc khi neu vi nen thuoc theo ban ah ak uh
    ha nhi ay kia day sao ro chao bot hello hi alo cam on thanks ad admin vay nha e
    """.split()
)
"""Folded forms of function words. Left out on purpose, though they fold like content words:
dang (đảng/đăng), bao (báo), dau (đầu), hien (thực hiện), so (số), nguoi, tren/duoi, cu (cũ)."""

# Function words that fold like content words (đang/đảng, đâu/đầu): dropped only when the
# user typed them with these exact diacritics.
ACCENTED_FUNCTION_WORDS: frozenset[str] = frozenset("đang đâu trên dưới".split())

# Word pairs that ask opposite things (after synonyms: "tối thiểu" is read "ít nhất"), each
# with its opposites: an item that says one and never the other does not answer a question
# asking the other.
OPPOSITES: dict[str, str] = {
    "toi_da": "it_nhat tro_len", "it_nhat": "toi_da",  # "từ 8 năm trở lên" is a minimum too
    "cao_hon": "thap_hon", "thap_hon": "cao_hon",
    "truoc_khi": "sau_khi", "sau_khi": "truoc_khi", "tang_len": "giam_xuong", "giam_xuong": "tang_len",
    "pho_bi": "bi_thu", "pho_chu": "chu_tich",  # a deputy asked, only the head named
    "thu_tinh": "thu_huyen", "thu_huyen": "thu_tinh",  # the secretary of another level's committee
    "cap_xa": "cap_huyen", "cap_tinh": "cap_huyen", "cap_huyen": "cap_xa",  # another level of government
    "tong_ket": "so_ket", "so_ket": "tong_ket",  # the final review, the midterm one
}

# Content words that fold like function words (tối/tôi, đa/đã, Nhật/nhất, mã/mà, Hà/hả):
# kept as content when the user typed them with these diacritics ("thời gian tối đa").
ACCENTED_CONTENT_WORDS: frozenset[str] = frozenset("tối đa nhật mã hà".split())

# Words that ask about the present: an old fact cannot answer them.
NOW_WORDS: tuple[str, ...] = ("hien nay", "hien gio", "duong nhiem", "hom nay", "luc nay", "dang giu")

# Words that say what is asked about a topic but name no topic ("ban hành năm nào?", "điều
# mấy?", "hiệu lực từ khi nào?", "khóa mấy?"): a question made only of these needs the
# previous question.
GENERIC_WORDS: frozenset[str] = frozenset(
    """
    ban hanh hieu luc van ban dieu khoan thay the nam ngay thang ky so hieu noi dung cu the chi tiet
    truong hop dac biet the nao ra sao sao dau gi nao khi bao nhieu may luot nguoi con thi quy dinh
    ap dung qua tiep tuc sau do truoc thoi gian no ay nay kia the vay nguon ngoai le khoa gio hom
    """.split()
)

# Question words: a message made only of these and function words asks nothing answerable.
# Phrases that ask which body or unit, how long or up to when, or what came of it, about any
# topic ("cơ quan nào ban hành?", "trong bao lâu?" read "thời hạn", "tính đến khi nào?", "kết
# quả ra sao?", "bắt đầu từ năm nào?"); phrases, because their syllables alone may name a topic
# ("sơ kết").
GENERIC_ASKS: tuple[str, ...] = (
    "ket qua", "co quan nao", "don vi nao", "to chuc nao", "cap nao", "thoi han", "tinh den", "tinh toi",
    "tinh ra", "quy ra", "doi ra", "bat dau",
)

QUESTION_WORDS: frozenset[str] = frozenset("ai gi nao dau sao bao nhieu may".split())

# Words that ask for the whole of a figure ("tổng cộng", "đến nay"): the widest figure known.
CUMULATIVE_WORDS: tuple[str, ...] = (
    "tong cong", "tat ca", "tong so", "den nay", "tinh den", "toi nay", "luy ke", "tu truoc den nay", "ca giai doan", "toan bo",
    "ca nam", "tron nam",
)

# Words that ask for one period as a whole ("cả năm 2019"): a figure counted from years before
# does not answer them, though it answers "tính đến năm 2019".
WHOLE_PERIOD_WORDS: tuple[str, ...] = ("ca nam", "tron nam", "rieng nam")

# Words that ask for a number.
FIGURE_WORDS: tuple[str, ...] = ("bao nhieu", "may", "so luong", "tong so", "tong cong", "tong", "ty le", "so luot")

# Ways of counting people: "bao nhiêu người" is answered by "7 đồng chí" or "136 lượt cán bộ".
PEOPLE_NOUNS: frozenset[str] = frozenset("nguoi can bo dong luot".split())

# Number words, rewritten to digits only right before a counted noun ("hai năm" → "2 năm"),
# because alone they are ordinary words ("năm" year, "sau" after, "Tam Dương").
NUMBER_WORDS: dict[str, str] = {
    "hai": "2",
    "ba": "3",
    "bon": "4",
    "nam": "5",
    "sau": "6",
    "bay": "7",
    "tam": "8",
    "chin": "9",
    "muoi": "10",
    "muoi hai": "12",
    "ba muoi sau": "36",
}
KIND_NOUNS: frozenset[str] = frozenset("huong hinh buoc nhom nguyen".split())
"""Nouns of kinds ("mấy hướng", "mấy hình thức", "mấy nguyên tắc"): asked how many of them, a text
that names the kinds answers as well as a count. Not "loại": items speak of "loại văn bản"."""
NUMBER_COUNTERS: frozenset[str] = frozenset(
    "luot nam thang nhiem ky dong chi can bo nguoi quy tuan ngay cap tinh huyen xa".split()
)

# English words officials mix in ("minimum bao nhiêu years", "who chaired"), as the Vietnamese
# words the knowledge uses. Keys are English (lower case, phrases allowed); only words that are
# no Vietnamese syllable, or phrases, so that no Vietnamese word is ever rewritten.
ENGLISH: dict[str, str] = {
    "rotation": "luan chuyen", "rotations": "luan chuyen", "rotate": "luan chuyen", "rotated": "luan chuyen",
    "rotating": "luan chuyen", "transfer": "dieu dong", "transferred": "dieu dong", "transfers": "dieu dong",
    "cadre": "can bo", "cadres": "can bo", "official": "can bo", "officials": "can bo", "officer": "can bo",
    "leader": "lanh dao", "leaders": "lanh dao", "leadership": "lanh dao", "manager": "quan ly", "managers": "quan ly",
    "minimum": "toi thieu", "at least": "it nhat", "maximum": "toi da",
    "years": "nam", "year": "nam", "months": "thang", "month": "thang", "term": "nhiem ky", "terms": "nhiem ky",
    "two consecutive terms": "hai nhiem ky lien tiep", "consecutive": "lien tiep",
    "resolution": "nghi quyet", "regulation": "quy dinh", "regulations": "quy dinh", "decree": "nghi dinh",
    "conclusion": "ket luan", "decision": "quyet dinh", "document": "van ban", "documents": "van ban",
    "politburo": "bo chinh tri", "secretariat": "ban bi thu", "standing committee": "ban thuong vu",
    "party committee": "cap uy", "district": "huyen", "province": "tinh", "provinces": "tinh", "commune": "xa",
    "communes": "xa", "grassroots": "co so", "local": "dia phuong", "central": "trung uong",
    "published": "ban hanh", "issued": "ban hanh", "issue": "ban hanh", "effective": "hieu luc",
    "effective date": "ngay hieu luc", "date": "ngay", "replaced": "thay the", "replace": "thay the",
    "replaces": "thay the", "merged": "sap nhap", "merge": "sap nhap", "merger": "sap nhap",
    "who": "ai", "when": "khi nao", "which": "nao", "what": "gi", "where": "o dau", "how many": "bao nhieu",
    "how much": "bao nhieu", "how long": "bao lau", "why": "tai sao",
    "chaired": "chu tri", "chair": "chu tri", "chairs": "chu tri", "conference": "hoi nghi", "meeting": "hoi nghi",
    "review": "so ket", "reviewing": "so ket", "preliminary review": "so ket", "summary": "tong ket",
    "total": "tong", "number": "so luong", "result": "ket qua", "results": "ket qua",
    "newspaper": "bao", "article": "bai bao", "author": "tac gia", "journalist": "phong vien",
    "allowance": "phu cap", "position allowance": "phu cap chuc vu", "kept": "bao luu", "keep": "bao luu",
    "position": "chuc vu", "positions": "chuc vu", "post": "chuc vu", "posts": "chuc vu", "key posts": "chu chot",
    "key": "chu chot", "first time": "lan dau", "first-time": "lan dau", "horizontal": "ngang",
    "direction": "huong", "directions": "huong", "service": "cong tac", "remain": "con", "remaining": "con",
    "support": "ho tro", "housing": "nha o", "condition": "dieu kien", "conditions": "dieu kien",
    "criteria": "tieu chuan", "principle": "nguyen tac", "principles": "nguyen tac", "purpose": "muc dich",
    "goal": "muc dich", "target": "chi tieu", "exceeded": "vuot", "lower": "thap hon", "higher": "cao hon",
    "special case": "truong hop dac biet", "special cases": "truong hop dac biet", "exception": "truong hop dac biet",
    "definition": "khai niem", "define": "khai niem", "meaning": "khai niem", "evaluate": "danh gia",
    "evaluation": "danh gia", "young": "tre", "training": "dao tao", "period": "thoi gian", "duration": "thoi gian",
    "time": "thoi gian",
    "times": "luot", "one": "mot", "two": "hai", "three": "ba", "four": "bon", "five": "nam", "six": "sau",
    "seven": "bay", "eight": "tam", "nine": "chin", "body": "co quan", "agency": "co quan", "level": "cap",
    "commune level": "cap xa", "commune-level": "cap xa", "district level": "cap huyen", "provincial": "tinh",
    "grassroots level": "cap co so", "leading": "lanh dao", "new": "moi", "centre": "trung tam",
    "center": "trung tam", "administrative": "hanh chinh", "mean": "nghia la", "means": "nghia la",
    "part of": "thuoc", "belong": "thuoc", "belongs": "thuoc", "used to be": "truoc day", "formerly": "truoc day",
    "working time": "thoi gian cong tac", "took": "giu", "hold": "giu", "held": "giu", "signed": "ky",
    "first": "dau", "reported": "dua tin", "report": "bao cao",
    "publish": "ban hanh", "objective": "muc tieu", "objectives": "muc tieu", "requirement": "yeu cau",
    "requirements": "yeu cau", "subject": "doi tuong", "subjects": "doi tuong", "eligible": "doi tuong",
    "responsibility": "trach nhiem", "responsible": "trach nhiem", "authority": "tham quyen",
    "decides": "quyet dinh", "decide": "quyet dinh", "plan": "ke hoach", "plans": "ke hoach",
    "make": "thuc hien", "made": "thuc hien", "carried out": "thuc hien", "implement": "thuc hien",
    "implementation": "thuc hien", "what year": "nam nao", "which year": "nam nao", "what date": "ngay nao", "which date": "ngay nao",
    "reviewed": "danh gia", "assessed": "danh gia", "assessment": "danh gia", "appraisal": "danh gia",
    "benefit": "tac dung", "benefits": "tac dung", "solution": "giai phap", "solutions": "giai phap",
    "source": "nguon", "sources": "nguon", "levels": "cap", "achieved": "dat", "exceed": "vuot",
    "how often": "bao lau mot lan", "annually": "hang nam", "yearly": "hang nam", "every year": "hang nam",
    "dedicated": "danh rieng", "still": "con", "exist": "ton tai", "exists": "ton tai", "unit": "don vi",
    "units": "don vi", "district-level": "cap huyen", "after": "sau", "before": "truoc",
    "january": "thang 1", "february": "thang 2", "march": "thang 3", "april": "thang 4", "june": "thang 6",
    "july": "thang 7", "august": "thang 8", "september": "thang 9", "october": "thang 10",
    "november": "thang 11", "december": "thang 12",
}

# English function words, dropped from a question where they stand among English words ("How
# many years of service must remain for a cadre to be rotated?"): unknown to the knowledge, they
# would weigh as rare words and lower every item's coverage. Those that are also a Vietnamese
# syllable ("to" tổ, "an", "in") are dropped only next to an English word and when typed
# without diacritics (see analysis.drop_english_function_words).
ENGLISH_FUNCTION_WORDS: frozenset[str] = frozenset(
    """
    a an the of or and for from with to in on at by be is are was were been being am do does did has have had
    this that these those there it its into about under over after before during than then as if not such
    any some each every both more most very just also please me my we our us you your he his she her they
    their them i must should would could will shall might per s
    """.split()
)

# Forms of address and polite particles (folded, as single tokens after normalizing): a
# message made only of them ("đồng chí ơi", "dạ vâng ạ") is courtesy, and they never count as
# what a question is about ("đồng chí ơi cho hỏi..." is not about the "7 đồng chí" figure).
ADDRESS_WORDS: frozenset[str] = frozenset(
    "dong chi a da vang oi kinh thua gui quy anh em ban bac co chu ong ba thay minh toi chung xin phep nhe nha "
    "ha ak u um ok oke okay duoc rat nhieu lam".split()
)
# Polite openings that ask leave to ask ("cho em hỏi", folded): how a message opens, not what it asks.
ASKING_PHRASES: tuple[str, ...] = (
    "cho hoi", "xin hoi", "cho em hoi", "cho toi hoi", "cho minh hoi", "xin em hoi", "xin toi hoi", "xin minh hoi", "muon hoi",
)

# Ways of asking to be told (folded; "cho biết", "muốn biết" are function words already): how a
# message asks, no part of what it is about. Not "cung cấp": it folds like "cùng cấp".
REQUEST_PHRASES: tuple[tuple[str, ...], ...] = tuple(
    tuple(p.split()) for p in (
        "nhac lai", "noi ro", "tom tat", "lam ro", "tim hieu", "tra loi", "liet ke", "giai thich", *ASKING_PHRASES,
    )
)
ADDRESS_PHRASES: tuple[tuple[str, ...], ...] = (("dong", "chi"), ("anh", "chi"), ("cac", "dong", "chi"))

# Greetings, thanks and requests for help: answered kindly, never counted as found answers.
GREETINGS: tuple[str, ...] = (
    "xin chao", "chao", "hello", "hi", "hey", "alo", "a lo", "chao bot", "chao ban", "co ai khong", "co ai do khong",
    "good morning", "chao buoi sang", "chao anh", "chao chi", "chao em", "kinh chao", "chao dong chi",
    "good afternoon", "good evening", "hello there", "hi there",
)
THANKS: tuple[str, ...] = (
    "cam on", "cam on ban", "cam on bot", "thank", "thanks", "thank you", "tks", "thanks bot",
    "camon", "ok cam on", "ok", "oke", "okay", "tot", "hay qua", "tuyet voi", "tran trong cam on", "xin cam on",
    "cam on nhieu", "da ro", "ro roi", "hieu roi", "ro", "tuyet", "noted", "duoc roi",
    "thanks a lot", "thanks so much", "thanks very much", "thank you very much", "thank you so much", "many thanks",
    "thx", "much appreciated", "appreciate it", "got it", "great", "perfect", "nice", "cool", "awesome", "excellent",
    "bye", "bye bye", "goodbye", "tam biet", "hen gap lai", "see you",  # a farewell is answered like thanks
)
THANKED_FOR: tuple[str, ...] = (
    "da giai dap", "da tra loi", "da ho tro", "da giup", "da giup do", "da cung cap thong tin", "da thong tin",
    "vi da", "giai dap", "tra loi", "ho tro", "giup do", "nhieu", "rat nhieu", "nhe", "nha", "nhiet tinh", "rat nhiet tinh",
    "tan tinh", "chu dao", "quy co quan", "ban",
)
"""What thanks are for, after "cảm ơn" ("cảm ơn đ/c đã giải đáp"): still only thanks."""
WISHES: tuple[str, ...] = (
    "tot lanh", "vui ve", "suc khoe", "thanh cong", "hieu qua", "binh an", "an lanh", "may man", "thuan loi",
    "nice day", "good day", "great day",
)
"""What a wish wishes, after "chúc" ("chúc bot một ngày tốt lành"): courtesy, no question."""
HELP_WORDS: tuple[str, ...] = (
    "help", "tro giup", "huong dan", "huong dan su dung", "giup toi", "ban lam duoc gi",
    "bot lam duoc gi", "ban biet gi", "bot biet gi", "menu", "start", "su dung the nao",
    "hoi gi duoc", "toi co the hoi gi",
)

# What a question asks for, told by its question words (on normalized text). An item asked
# the same way ("... là gì", "ai ...") is a better match than one that only shares the topic.
QUESTION_TYPES: dict[str, str] = {
    "definition": r"\b(?:la gi|nghia la gi|the nao la|khai niem|dinh nghia|duoc hieu|hieu the nao|la sao|goi la)\b",
    "who": r"\b(?:ai|nguoi nao|ten la gi|ten gi|la ai|co quan nao|don vi nao)\b",
    "when": r"\b(?:khi nao|nam nao|ngay nao|thang nao|tu khi nao|thoi gian nao)\b",
    "where": r"\b(?:o dau|tai dau|noi nao|tinh nao|huyen nao|xa nao|cap nao)\b",
    "how": r"\b(?:nhu the nao|ra sao|bang cach nao|the nao)\b",
    "figure": r"\b(?:bao nhieu|may|so luong|tong so|con so)\b",
}
