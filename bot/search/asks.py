"""What a question asks for, and whether an answer gives it.

A question about the right topic can still ask for something the knowledge does not hold:
"Quy định 65 do đồng chí nào ký?" (the answer names the Politburo, no person), "Hội nghị tổ
chức tại hội trường nào?" (no place), "Trước ông Nguyễn Văn Quý, ai là Bí thư?" (the only
person the answer names is the one the question already names). Such an answer is the topic,
not the answer: the engine lowers its confidence instead of answering confidently and wrongly.

The checks read the answer as written (capitals mark names) and the question folded.
"""

from __future__ import annotations

import itertools
import re

from .text import fold

SURNAMES = frozenset(
    "nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly dinh truong luong mai dao cao lam "
    "ha ta chu doan vuong trinh kieu quach thai khuc lai phung tang lu ton mac giang to thach".split()
)
"""Common Vietnamese family names (folded): a capitalised sequence starting with one is a name."""
PERSON_CUES = ("đồng chí", "ông", "bà", "tác giả", "phóng viên", "nhà báo", "bí thư", "chủ tịch")
"""Words before a name that is not introduced by a family name (a pen name such as "Diệu Linh")."""
BODIES = re.compile(
    r"\b(?:Bộ Chính trị|Ban Bí thư|Ban Chấp hành|Ban Thường vụ|Thường trực|Ban Tổ chức|Huyện ủy|Tỉnh ủy|Thành ủy|"
    r"Đảng ủy|Chính phủ|Quốc hội|Trung ương|cấp ủy|[Hh]ội đồng nhân dân|[Uu]ỷ? ?ban nhân dân|Ủy ban nhân dân)"
)
_ARTICLE = re.compile(r"\b(?:điều|khoản|chương) \d+", re.IGNORECASE)
_TERM = re.compile(r"\b(?:khóa|Khóa|khoá|Khoá) (?:[IVXLC]+|\d+)\b")
_WORD = re.compile(r"[^\W\d_]+")
_REPLACED = re.compile(r"\bthay (?:thế|cho)\b", re.IGNORECASE)
_DAY = re.compile(r"\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b|\bngày \d{1,2}\b", re.IGNORECASE)
_DATE = re.compile(r"\b(?:19|20)\d{2}\b|\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b|\btháng \d{1,2}\b", re.IGNORECASE)

# What a question asks for, on folded text. Only unambiguous wordings: "luân chuyển những ai"
# asks for kinds of people, "ai chủ trì" may be answered by a body; neither is checked.
ASKS: dict[str, re.Pattern] = {
    "names": re.compile(
        r"\b(?:danh sach|ho ten|ten (?:cua )?(?:cac|nhung|tung|\d+))\b"
        r"|\b(?:\d+|cac|nhung) (?:dong chi|can bo|nguoi)\b.{0,80}"
        r"\b(?:ten (?:la )?gi|ten nhung ai|gom nhung ai|la nhung ai)\b"
    ),
    "name": re.compile(r"\b(?:ten (?:la )?gi|ten gi)\b"),
    "person": re.compile(
        r"\b(?:dong chi nao|ong nao|ba nao|nguoi nao da|ai (?:ky|thay|la bi thu|la chu tich|giu chuc)|(?:do|boi) ai ky"
        r"|(?:bi thu|chu tich|truong ban)\b.{0,60}\b(?:truoc|sau|tiep theo|ke nhiem|tien nhiem)\b.{0,40}\bla ai)\b"
    ),
    "signer": re.compile(r"\b(?:ai ky|(?:do|boi) ai ky|nguoi ky|ky boi ai|dong chi nao ky|ai la nguoi ky)\b"),
    "venue": re.compile(r"\b(?:tai dau|dia diem|hoi truong nao|phong hop nao|to chuc o dau)\b"),
    "place": re.compile(r"\b(?:o dau|noi nao|xa nao|phuong nao|thon nao|nhung xa|cac xa nao|dia ban nao)\b"),
    "date": re.compile(r"\b(?:khi nao|bao gio|nam nao|ngay nao|thang nao|thoi diem nao|luc nao|ngay bao nhieu)\b"),
    "day": re.compile(r"\bngay,? (?:nao|may|bao nhieu|thang nao|thang may)\b"),
    "commune": re.compile(r"\b(?:xa nao|(?<!dia )phuong nao|nhung xa|cac xa nao|nhung phuong)\b"),
    "article": re.compile(r"\b(?:dieu|khoan|chuong) (?:may|nao|bao nhieu|so may)\b"),
    "term": re.compile(r"\bkhoa (?:may|nao|bao nhieu|thu may)\b"),
    "replacement": re.compile(
        r"\b(?:nao|gi) (?:da |duoc |se )?thay the\b|\bbi thay the\b"
        r"|\bduoc thay the (?:boi|bang)\b|\bthay the (?:chua|khong)\b"
    ),
}


def asks(folded_question: str) -> frozenset[str]:
    """The kinds of thing a folded question asks for: names, name, person, signer, venue, place,
    date, day (a date to the day: a year is no answer to "ngày nào"), article (of a document),
    term (the Party congress that issued it), replacement (what replaced a document, or what
    it replaced)."""
    return frozenset(kind for kind, pattern in ASKS.items() if pattern.search(folded_question))


def capitalised(text: str) -> list[tuple[int, str]]:
    """(start, words) of each run of two to four capitalised words ("Nguyễn Văn Quý")."""
    runs: list[tuple[int, str]] = []
    current: list[re.Match] = []
    for match in [*_WORD.finditer(text), None]:
        adjacent = match is not None and current and text[current[-1].end() : match.start()].strip() == ""
        if match is not None and match.group(0)[0].isupper() and (adjacent or not current):
            current.append(match)
            continue
        if 2 <= len(current) <= 4:
            runs.append((current[0].start(), " ".join(m.group(0) for m in current)))
        current = [match] if match is not None and match.group(0)[0].isupper() else []
    return runs


def people(text: str) -> set[str]:
    """Folded names of people a text names: a family name and given names, or a name after
    a word such as "đồng chí" or "tác giả"."""
    found: set[str] = set()
    for start, name in capitalised(text):
        words = name.split()
        if fold(words[0]) in SURNAMES:
            found.add(fold(name))
            continue
        before = text[max(0, start - 14) : start].lower()
        if any(before.rstrip().endswith(cue) for cue in PERSON_CUES) and not BODIES.match(name):
            found.add(fold(" ".join(words[:3])))
    return found


_SIGNED = re.compile(r"\b(?:ký|kí)\b", re.IGNORECASE)
"""An answer that says who signed says "ký"; one that names who issued or chaired does not."""
_VENUE = re.compile(r"\b(?:hội trường|trụ sở|nhà văn hóa|phòng họp|tại)\s+(?=(\w))")
"""A venue is a capitalised name or a number after a word for a place; capitals are told by
str.isupper, since a range such as À-Ỹ holds lower-case letters too."""


def _after(words: str) -> re.Pattern:
    """Where a name may follow one of ``words``: the up to four words after it (looked ahead, so
    that a name does not swallow the next place word)."""
    return re.compile(rf"\b(?:{words})\s+(?=((?:[^\W\d_]+\s*){{1,4}}))")


_PLACE = _after("xã|phường|thị trấn|huyện|tỉnh|thành phố|thôn|hội trường|trụ sở|nhà văn hóa|tại|ở")
_COMMUNE = _after("xã|phường|thị trấn")


def places(text: str, kinds: re.Pattern = _PLACE) -> set[str]:
    """Folded names of places a text names after a word for a place ("xã Hợp Thịnh", "tại Việt
    Trì"): the capitalised words that follow it (a range such as À-Ỹ holds lower-case letters too,
    so capitals are told by str.isupper)."""
    found = set()
    for match in kinds.finditer(text):
        words = list(itertools.takewhile(lambda w: w[0].isupper(), match.group(1).split()))
        if words:
            found.add(fold(" ".join(words)))
    return found


def gives(ask: str, answer: str, question: str) -> bool:
    """Whether an answer holds what the question asks for, beyond what the question says."""
    if ask == "date":
        return bool(_DATE.search(answer))
    if ask == "day":
        return bool(_DAY.search(answer))
    if ask in ("person", "names"):
        new = {p for p in people(answer) if p not in fold(question)}
        return len(new) >= (2 if ask == "names" else 1)
    if ask == "place":
        return any(p not in fold(question) for p in places(answer))
    if ask == "commune":
        return any(p not in fold(question) for p in places(answer, _COMMUNE))
    if ask == "article":
        return bool(_ARTICLE.search(answer))
    if ask == "term":
        return bool(_TERM.search(answer))
    if ask == "replacement":
        return bool(_REPLACED.search(answer))
    if ask == "signer":
        return bool(_SIGNED.search(answer))
    if ask == "venue":
        return any(m.group(1).isupper() or m.group(1).isdigit() for m in _VENUE.finditer(answer))
    if ask == "name":
        names = people(answer) | places(answer) | {fold(name) for _, name in capitalised(answer)}
        return any(n not in fold(question) for n in names)
    return True
