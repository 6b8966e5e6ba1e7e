"""The text of a file from a phone or an office computer: UTF-8 with or without BOM, UTF-16
(Excel's "Unicode text"), or Windows-1258 when the result reads as Vietnamese."""

from __future__ import annotations

import codecs
import unicodedata

from .records import KnowledgeFileError

# Tone marks and the marks of ă â ê ô ơ ư, as NFD spells Vietnamese vowels.
_VIETNAMESE_MARKS = set("\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b")


def decode(name: str, data: bytes, hint: str = "CSV UTF-8") -> str:
    """Text of an upload in NFC: UTF-8 (BOM or not), UTF-16 with BOM (Excel's "Unicode text"),
    or Windows-1258 when the result reads as Vietnamese; anything else is refused."""
    for bom, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                       (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            try:
                return unicodedata.normalize("NFC", data[len(bom):].decode(codec))
            except UnicodeDecodeError as exc:
                raise KnowledgeFileError(
                    [f"{name}: lỗi bảng mã {codec.upper()} ở byte {exc.start + len(bom)}; hãy lưu lại dạng \"{hint}\""]
                ) from exc
    try:
        return unicodedata.normalize("NFC", data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    try:
        # Windows-1258 writes most tones as combining marks after the vowel: NFC joins them.
        text = unicodedata.normalize("NFC", data.decode("cp1258"))
    except UnicodeDecodeError:
        text = None
    if text is not None and looks_vietnamese(text):
        return text
    raise KnowledgeFileError(
        [f"{name}: không đọc được bảng mã của tệp; hãy lưu lại dạng \"{hint}\" rồi gửi lại"]
    )


def looks_vietnamese(text: str) -> bool:
    """Whether cp1258-decoded text is plausible: no control characters, some Vietnamese
    letters, and no other non-ASCII letters or stray marks (which betray a wrong guess)."""
    has_vietnamese = False
    for ch in set(text):
        if ord(ch) < 128:
            if unicodedata.category(ch) == "Cc" and ch not in "\t\r\n":
                return False
            continue
        category = unicodedata.category(ch)
        if category in ("Cc", "Mn"):
            return False
        if ch.isalpha():
            if not _vietnamese_letter(ch):
                return False
            has_vietnamese = True
    return has_vietnamese


def _vietnamese_letter(ch: str) -> bool:
    if ch in "đĐ":
        return True
    parts = unicodedata.normalize("NFD", ch)
    return len(parts) > 1 and parts[0] in "aeiouyAEIOUY" and all(m in _VIETNAMESE_MARKS for m in parts[1:])


# --- YAML -------------------------------------------------------------------------------------
