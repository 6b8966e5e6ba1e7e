"""Stored values as admins read them, in chat and on the command line alike: times in Vietnam's
time zone, people by name, fields in Vietnamese, days as 30/05/2019, lists as "a; b", an entry
by its short number and id. The database keeps UTC times, account ids and English field names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from zoneinfo import ZoneInfo

TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")
"""Where the admins are: every time they see is in it."""

AUTHORS = {"seed": "dữ liệu gốc", "cli": "dòng lệnh", "import": "nhập tệp"}
"""Who made a change when it was not a person in a chat."""

FIELDS = {"question": "câu hỏi", "phrasings": "cách hỏi khác", "answer": "câu trả lời", "source": "nguồn",
          "as_of": "ngày"}
"""The fields of an entry admins change, by the names they know them by."""


def local_time(stamp: str) -> str:
    """"01/12/2026 17:05" for a UTC time stamp of the store."""
    return dt.datetime.fromisoformat(stamp).astimezone(TIMEZONE).strftime("%d/%m/%Y %H:%M")


def local_day(stamp: str) -> str:
    """"01/12/2026" for a UTC time stamp of the store."""
    return dt.datetime.fromisoformat(stamp).astimezone(TIMEZONE).strftime("%d/%m/%Y")


def local_today() -> dt.date:
    """Today in Vietnam (the server may run on UTC: at 01:00 in Hanoi it is still yesterday there)."""
    return dt.datetime.now(TIMEZONE).date()


def day(value: str | None) -> str:
    """A stored day as written in Vietnam: "2019-05-30" as 30/05/2019, "2019-05" as 05/2019."""
    return "/".join(reversed(value.split("-"))) if value else ""


def items(values: list[str]) -> str:
    """A list as one line: "a; b" (and typed back the same way)."""
    return "; ".join(values)


def person(who: str, names: Mapping[str, str]) -> str:
    """Who made a change: an admin by the name the owners gave, else as "quản trị viên
    telegram:42"; the seed and the command line in words."""
    if who in names:
        return names[who]
    if who in AUTHORS:
        return AUTHORS[who]
    return f"quản trị viên {who}" if ":" in who else who


def entry_ref(entry: Mapping) -> str:
    """An entry as admins name it: "#12 luan-chuyen-toi-thieu" (either part finds it)."""
    return f"#{entry['code']} {entry['id']}"


def entry_card(entry: Mapping, names: Mapping[str, str], phrasings: int | None = 3) -> str:
    """An entry's current text, field by field, with when and by whom it was last changed; at most
    ``phrasings`` of its other phrasings (a phone screen), all of them with None."""
    shown = entry["phrasings"][:phrasings]
    more = len(entry["phrasings"]) - len(shown)
    lines = [
        entry_ref(entry),
        f"Câu hỏi: {entry['question']}",
        f"Cách hỏi khác: {items(shown) or '(không có)'}" + (f" (và {more} cách khác)" if more else ""),
        f"Câu trả lời: {entry['answer']}",
        f"Nguồn: {entry['source']}",
        f"Ngày: {day(entry['as_of']) or '(không nêu)'}",
    ]
    if entry["tags"]:
        lines.append(f"Thẻ: {items(entry['tags'])}")
    if entry.get("updated_at"):
        by = f", {person(entry['changed_by'], names)}" if entry.get("changed_by") else ""
        lines.append(f"Cập nhật: {local_time(entry['updated_at'])}{by}")
    return "\n".join(lines)
