"""Word (.docx) and PDF documents: the text of a regulation or resolution, split into passages
that keep their place ("Điều 8, khoản 2, Quy định 65-QĐ/TW ngày 28/4/2022").

Structure is read with a few regexes on whole lines (never character by character), so a
hundred pages take well under a second after the file is opened: the heading gives the
document's kind, number, date and title; "Điều" and numbered clauses ("1.", "2.") give the
places ("Phần", "Chương", "Mục" are headings around them); points ("a)", "b)") stay inside
their clause. Passage ids come from the document's number and the place, so a newer version
of the same document updates the same ids, and the passages it no longer has can be found by
the id prefix and removed.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from ...search.text import clean, fold
from .records import MAX_ANSWER_CHARS, KnowledgeFileError, Part, Row

DOCUMENT_SUFFIXES = (".docx", ".pdf")
SCANNED = "Tệp PDF này là ảnh quét, không có chữ để đọc; xin gửi bản Word hoặc PDF có chữ."
MAX_PASSAGE = MAX_ANSWER_CHARS
"""Characters of one passage: what a passage may hold (an answer read on a phone)."""
SHORT_ARTICLE = 500
"""An article this short is one passage; a longer one is split by its clauses."""
GROUP = 600
"""Characters of one passage of a document without articles (paragraphs packed together)."""
MIN_PAGE_TEXT = 20
"""Letters a PDF page must give on average: fewer means a scan (page numbers alone are not text)."""

_KINDS = (
    "NGHỊ QUYẾT", "QUY ĐỊNH", "KẾT LUẬN", "QUYẾT ĐỊNH", "CHỈ THỊ", "HƯỚNG DẪN", "THÔNG TƯ", "NGHỊ ĐỊNH",
    "LUẬT", "KẾ HOẠCH", "THÔNG BÁO", "ĐỀ ÁN", "QUY CHẾ",
)
_KIND_RE = re.compile(rf"^({'|'.join(_KINDS)})$")
_NUMBER_RE = re.compile(r"^Số\s*:?\s*(\d+[\w/.-]*\w)", re.IGNORECASE)
_DATE_RE = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.IGNORECASE)
_CHAPTER_RE = re.compile(r"^Chương\s+([IVXLC]+|\d+)\b", re.IGNORECASE)
_DIVISION_RE = re.compile(r"^(?:Phần|Mục)\s+(?:[IVXLC]+|\d+)\b")
"""Parts above chapters and sections within them: headings like chapters, never article text."""
_ARTICLE_RE = re.compile(r"^Điều\s+(\d+)([a-z]?)\s*[.:]\s*(.*)$")
_CLAUSE_RE = re.compile(r"^(\d{1,2})\.\s")
_TITLE_END_RE = re.compile(r"^(?:Căn cứ|Số\b|[-–*_=]|Chương|Điều|Phần\b|Mục\b)", re.IGNORECASE)
_CLOSING_RE = re.compile(r"^(?:Nơi nhận|T/M\b|TM\.|K/T\b|KT\.)", re.IGNORECASE)
_POINT_RE = re.compile(r"^[a-zđ]\)\s")
_SENTENCE_RE = re.compile(r"(?<=[.;:!?])\s+")
_LINE_END_RE = re.compile(r"[.:;!?]$")
_ARTICLE_KEY_RE = re.compile(r"^(.+\.d\d{3}[a-z]?)(?:\.|$)")


@dataclass
class Document:
    """What a document file holds: its identity, its counts and its passages."""

    file: str
    kind: str
    number: str
    date: dt.date | None
    title: str
    chapters: int = 0
    articles: int = 0
    passages: list[dict] = field(default_factory=list)

    @property
    def name(self) -> str:
        """How answers name it: "Quy định 65-QĐ/TW ngày 28/4/2022" (or its title)."""
        if not self.number:
            return self.title
        dated = f" ngày {self.date.day}/{self.date.month}/{self.date.year}" if self.date else ""
        return f"{self.kind or 'Văn bản'} {self.number}{dated}"

    @property
    def key(self) -> str:
        """The prefix of its passage ids: from its number, else its file name; the same for
        every version of the document."""
        base = self.number or PurePosixPath(self.file).stem
        return ("vb-" if self.number else "tl-") + (_slug(base)[:40] or "van-ban")

    def summary(self) -> str:
        """What an admin checks before importing it (chat preview and ``kb import``)."""
        day = f"{self.date.day}/{self.date.month}/{self.date.year}" if self.date else "không thấy"
        found = (
            f"{self.chapters} chương, {self.articles} điều, {len(self.passages)} đoạn"
            if self.articles else f"không thấy điều, khoản nào; nhập thành {len(self.passages)} đoạn văn"
        )
        return "\n".join([
            f"• Tên: {self.title}", f"• Số: {self.number or 'không thấy'}", f"• Ngày: {day}", f"• Tìm thấy: {found}",
        ])


def article_key(passage_id: str) -> str | None:
    """The id prefix shared by every passage of one article ("vb-65-qd-tw.d008"); None for a
    passage not read from a document's article."""
    match = _ARTICLE_KEY_RE.match(passage_id)
    return match.group(1) if match else None


def article_label(passage_id: str) -> str | None:
    """"Điều 8" for a passage of a document's article 8 (from its id); None for others."""
    key = article_key(passage_id)
    if key is None:
        return None
    digits, letter = re.match(r".*\.d(\d{3})([a-z]?)$", key).groups()  # type: ignore[union-attr]
    return f"Điều {int(digits)}{letter}"


def place(passage_id: str, section: str) -> str:
    """Where a document's passage stands, as an answer quotes it ("Điều 8, khoản 2": its
    section without the article's title); "" for a passage not read from an article."""
    return re.sub(r" \([^)]*\)", "", section) if article_key(passage_id) else ""


def article_heading(section: str) -> str:
    """The article a passage's section names, with its title: "Điều 8 (Thời hạn luân chuyển)"."""
    return re.split(r", (?:khoản|phần) ", section)[0]


def document_part(name: str, data: bytes) -> tuple[Part, Document]:
    """The passages of a .docx or .pdf file, as rows to validate, and what the file is."""
    lines = pdf_lines(name, data) if name.lower().endswith(".pdf") else docx_lines(name, data)
    document = parse_document(PurePosixPath(name).name, lines)
    rows: list[Row] = [(i, {}, passage) for i, passage in enumerate(document.passages, 1)]
    return (name, "passages", rows), document


# --- reading the text ---------------------------------------------------------------------------

def docx_lines(name: str, data: bytes) -> list[str]:
    """Paragraphs in reading order, the cells of tables included (the heading of a Party
    document, number and date, is usually laid out in a table)."""
    import docx  # loaded on first use: the bot starts without it
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds for a file that is not a document
        raise KnowledgeFileError([f"{name}: không đọc được tệp Word ({type(exc).__name__})"]) from None
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            cells = dict.fromkeys(cell._tc for row in block.rows for cell in row.cells)  # merged cells repeat
            lines += [p.text for tc in cells for p in docx.table._Cell(tc, block).paragraphs]
        else:
            lines.append(block.text)
    return [text for line in lines if (text := clean(line))]


def pdf_lines(name: str, data: bytes) -> list[str]:
    """Lines of a PDF's text, the lines a paragraph wraps into joined again; a PDF of images
    (a scan) is refused, since nothing could be answered from it."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        pages = [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise KnowledgeFileError([f"{name}: không đọc được tệp PDF ({type(exc).__name__})"]) from None
    letters = sum(len(re.findall(r"\w", text)) for text in pages)
    if not pages or letters < MIN_PAGE_TEXT * len(pages):
        raise KnowledgeFileError([f"{name}: {SCANNED}"])
    return unwrap([text for page in pages for line in page.splitlines() if (text := clean(line))])


def unwrap(lines: list[str]) -> list[str]:
    """Join the lines a PDF wrapped a paragraph into: a line continues the previous one unless
    the previous ended a sentence or was a heading, or the line starts a unit of its own."""
    joined: list[str] = []
    for line in lines:
        previous = joined[-1] if joined else ""
        if previous and not _LINE_END_RE.search(previous) and not _heading(previous) and not _starts_unit(line):
            joined[-1] += " " + line
        else:
            joined.append(line)
    return joined


def _heading(line: str) -> bool:
    """A line that stands alone: a chapter or article heading, the kind, number or date of
    the document, or any line in capitals."""
    return bool(
        _CHAPTER_RE.match(line) or _DIVISION_RE.match(line) or _ARTICLE_RE.match(line) or _NUMBER_RE.match(line)
        or _DATE_RE.search(line) or line.isupper()
    )


def _starts_unit(line: str) -> bool:
    return _heading(line) or bool(_CLAUSE_RE.match(line) or _POINT_RE.match(line))


# --- structure ----------------------------------------------------------------------------------

def parse_document(file: str, lines: list[str]) -> Document:
    """The document's heading and its passages: by article and clause when it has articles,
    else by groups of paragraphs."""
    if not lines:
        raise KnowledgeFileError([f"{file}: tệp không có chữ nào"])
    body_start = next(
        (i for i, line in enumerate(lines) if _ARTICLE_RE.match(line) or _CHAPTER_RE.match(line)
         or _DIVISION_RE.match(line)), len(lines))
    document = _identity(file, lines[:body_start])
    articles = _articles(lines[body_start:], document) if body_start < len(lines) else []
    if articles:
        document.articles = len(articles)
        document.passages = [p for number, title, text in articles for p in _article_passages(document, number, title, text)]
    else:
        document.passages = _plain_passages(document, lines)
    return document


def _identity(file: str, heading: list[str]) -> Document:
    """Kind, number, date and title from the lines before the first chapter or article."""
    kind_at = next((i for i, line in enumerate(heading) if _KIND_RE.match(line)), None)
    number = next((m.group(1) for line in heading if (m := _NUMBER_RE.match(line))), "")
    dates = [m for line in heading if (m := _DATE_RE.search(line))]
    date = None
    if dates:
        day, month, year = (int(g) for g in dates[0].groups())
        try:
            date = dt.date(year, month, day)
        except ValueError:
            date = None
    kind = heading[kind_at].capitalize() if kind_at is not None else ""
    title_lines: list[str] = []
    for line in heading[kind_at + 1:] if kind_at is not None else []:
        if _TITLE_END_RE.match(line) or _DATE_RE.search(line) or len(title_lines) == 3:
            break
        title_lines.append(line)
    title = " ".join([kind, *title_lines]).strip() or PurePosixPath(file).stem
    return Document(file, kind, number, date, title[:250])


def _articles(lines: list[str], document: Document) -> list[tuple[str, str, list[str]]]:
    """(number, title, lines) of each article, in order; counts the chapters on the way.
    A chapter's, part's or section's own title (the upper-case line after "Chương II", "Mục 1")
    belongs to no article."""
    articles: list[tuple[str, str, list[str]]] = []
    after_chapter = False
    for line in lines:
        if _CLOSING_RE.match(line):
            break
        if _CHAPTER_RE.match(line) or _DIVISION_RE.match(line):
            document.chapters += bool(_CHAPTER_RE.match(line))
            after_chapter = True
            continue
        if after_chapter and line.isupper():
            continue
        after_chapter = False
        if match := _ARTICLE_RE.match(line):
            articles.append((match.group(1) + match.group(2), match.group(3).rstrip("."), []))
        elif articles:
            articles[-1][2].append(line)
    return articles


def _article_passages(document: Document, number: str, title: str, lines: list[str]) -> list[dict]:
    """One passage for a short article (or one without clauses), else one per clause (text
    before the first clause is a passage of its own); long ones are split at sentences."""
    digits, letter = re.match(r"(\d+)([a-z]?)", number).groups()  # type: ignore[union-attr]
    base = f"{document.key}.d{int(digits):03d}{letter}"
    article = f"Điều {number}" + (f" ({title[:120]})" if title else "")
    text = " ".join(lines) or title
    if len(text) <= SHORT_ARTICLE or not any(_CLAUSE_RE.match(line) for line in lines):
        return _pieces(document, base, article, text)
    clauses: list[tuple[int, list[str]]] = [(0, [])]
    for line in lines:
        if match := _CLAUSE_RE.match(line):
            clauses.append((int(match.group(1)), []))
        clauses[-1][1].append(line)
    return [
        passage
        for clause, clause_lines in clauses if clause_lines
        for passage in _pieces(document, f"{base}.k{clause:02d}",
                               f"{article}, khoản {clause}" if clause else article, " ".join(clause_lines))
    ]


def _pieces(document: Document, id_: str, section: str, text: str) -> list[dict]:
    """A place's text as passages: one, or several ("phần 2") when it is too long to read as
    one answer."""
    parts = split_text(text, MAX_PASSAGE)
    if len(parts) == 1:
        return [_passage(document, id_, section, text)]
    return [
        _passage(document, f"{id_}.p{i:02d}", f"{section}, phần {i}", part) for i, part in enumerate(parts, 1)
    ]


def _plain_passages(document: Document, lines: list[str]) -> list[dict]:
    """A document without articles: its paragraphs packed into passages of a readable size."""
    groups = split_text(" ".join(lines), GROUP)
    return [_passage(document, f"{document.key}.g{i:03d}", f"Đoạn {i}", text) for i, text in enumerate(groups, 1)]


def _passage(document: Document, id_: str, section: str, text: str) -> dict:
    return {"id": id_, "document": document.name, "section": section, "text": text,
            "source": f"{document.name} (tệp {document.file})"}


def split_text(text: str, limit: int) -> list[str]:
    """Text cut into pieces of at most ``limit`` characters, at sentence ends (or ';' and ':'
    before points) where possible, else at a space."""
    pieces: list[str] = []
    current = ""
    for sentence in _SENTENCE_RE.split(text):
        while len(sentence) > limit:  # a sentence longer than a passage: cut at a word
            cut = sentence.rfind(" ", 0, limit) if " " in sentence[:limit] else limit
            head, sentence = sentence[:cut], sentence[cut:].lstrip()
            if current:
                pieces.append(current)
                current = ""
            pieces.append(head)
        if current and len(current) + 1 + len(sentence) > limit:
            pieces.append(current)
            current = ""
        current = f"{current} {sentence}" if current else sentence
    if current:
        pieces.append(current)
    return pieces


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
