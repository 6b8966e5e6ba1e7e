"""YAML knowledge files, read safely: one pass over the parser's events that refuses what a
knowledge file never needs (anchors and aliases, tags, directives, deep nesting) before any
value is built, and keeps the line of every item and field for the messages."""

from __future__ import annotations

from pathlib import Path

import yaml

from .encoding import decode
from .records import KnowledgeFileError, Part, Row, name_kind

# libyaml's parser when built in: same results, several times faster on a large file.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def yaml_rows(file: Path | str, text: str) -> list[Row]:
    """Parse a YAML list into rows that keep the line of every item and field, in one pass
    over the parser's events. Refused before anything is built: anchors and aliases (a few
    lines of aliases expand to gigabytes even under a safe loader), tags other than plain
    values, directives, more than one document, and nesting deeper than MAX_YAML_DEPTH.
    Every reader of knowledge files (the seed, `kb import`/`validate`, chat uploads) uses it."""
    builder = _YamlBuilder(str(file))
    try:
        for event in yaml.parse(text, Loader=_SAFE_LOADER):
            if not builder.feed(event):
                break
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"dòng {mark.line + 1}" if mark else "?"
        builder.problems.append(f"{file}, {where}: YAML không hợp lệ ({getattr(exc, 'problem', None) or exc})")
    except ValueError as exc:  # e.g. an impossible date such as 2019-02-30, which PyYAML raises raw
        builder.problems.append(f"{file}: YAML có giá trị không hợp lệ ({exc})")
    if builder.problems:
        raise KnowledgeFileError(builder.problems)
    return builder.rows()


MAX_YAML_DEPTH = 20


_PLAIN_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")}


_RESOLVER = yaml.resolver.Resolver()


_CONSTRUCTOR = yaml.constructor.SafeConstructor()


class _YamlBuilder:
    """Builds Python values from YAML events, refusing what a knowledge file never needs."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[str] = []
        self.stack: list[tuple[list | dict, list]] = []
        """Open collections, each with [pending key] for mappings."""
        self.root: object = None
        self.documents = 0
        self.items: list[tuple[int, dict[str, int]]] = []
        """Line of each top-level item and of each of its fields."""

    def _refuse(self, event: yaml.Event, message: str) -> bool:
        """Note a problem; reading stops at the first (what follows may not make sense)."""
        self.problems.append(f"{self.file}, dòng {_line(event)}: {message}")
        return False

    def feed(self, event: yaml.Event) -> bool:
        """Take one event; False once reading should stop."""
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            return self._refuse(event, "không dùng neo hoặc tham chiếu YAML ('&', '*'); hãy viết đầy đủ từng mục")
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if event.version or event.tags:
                return self._refuse(event, "không chấp nhận chỉ thị YAML ('%')")
            if self.documents > 1:
                return self._refuse(event, "tệp chỉ được có một tài liệu YAML (bỏ dòng '---' thứ hai)")
            return True
        tag = getattr(event, "tag", None)
        if tag and tag not in _PLAIN_TAGS and tag != "!":
            shown = "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,2002:") else tag
            return self._refuse(event, f"không chấp nhận thẻ YAML '{shown}'; chỉ dùng chữ, số, ngày và danh sách")
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            if len(self.stack) >= MAX_YAML_DEPTH:
                return self._refuse(event, f"dữ liệu lồng nhau quá sâu (tối đa {MAX_YAML_DEPTH} mức)")
            if len(self.stack) == 1 and isinstance(self.stack[0][0], list):
                self.items.append((_line(event), {}))
            self.stack.append(([] if isinstance(event, yaml.SequenceStartEvent) else {}, [None]))
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            value, _ = self.stack.pop()
            return self._add(event, value)
        elif isinstance(event, yaml.ScalarEvent):
            if len(self.stack) == 1 and isinstance(self.stack[0][0], list):
                self.items.append((_line(event), {}))
            return self._add(event, _scalar(event, tag))
        return True

    def _add(self, event: yaml.Event, value: object) -> bool:
        if not self.stack:
            self.root = value
            return True
        container, pending = self.stack[-1]
        if isinstance(container, list):
            container.append(value)
        elif pending[0] is None:
            if isinstance(value, (list, dict)) or value is None:
                return self._refuse(event, "khóa của một trường phải là chữ")
            pending[0] = (value,)
            if len(self.stack) == 2 and isinstance(self.stack[0][0], list) and self.items:
                self.items[-1][1].setdefault(str(value), _line(event))
        else:
            container[pending[0][0]] = value
            pending[0] = None
        return True

    def rows(self) -> list[Row]:
        if self.root is None:
            return []
        if not isinstance(self.root, list):
            raise KnowledgeFileError([f"{self.file}, dòng 1: tệp phải là một danh sách (mỗi mục bắt đầu bằng '- ')"])
        return [(line, lines, item) for (line, lines), item in zip(self.items, self.root)]


def _line(event: yaml.Event) -> int:
    """The line an event starts on, counted from 1."""
    return event.start_mark.line + 1 if event.start_mark is not None else 1


def _scalar(event: yaml.ScalarEvent, tag: str | None) -> object:
    """A scalar as the safe loader would build it: quoted text stays text; plain text may be
    a number, a boolean, a date or null."""
    if not tag or tag == "!":
        if not event.implicit[0]:
            return event.value
        tag = _RESOLVER.resolve(yaml.ScalarNode, event.value, (True, False))
    node = yaml.ScalarNode(tag, event.value, style=event.style)
    return _CONSTRUCTOR.yaml_constructors[tag](_CONSTRUCTOR, node)


def yaml_part(name: str, data: bytes) -> Part:
    """The records of a YAML file, of the kind its name announces or its items show."""
    rows = yaml_rows(name, decode(name, data, hint="UTF-8"))
    return name, name_kind(name) or _yaml_kind(name, rows), rows


def _yaml_kind(name: str, rows: list[Row]) -> str:
    item = next((item for _, _, item in rows if isinstance(item, dict)), None)
    if item is None:
        raise KnowledgeFileError([f"{name}: không có mục nào"])
    keys = {str(k) for k in item}
    if "question" in keys:
        return "entries"
    if "document" in keys:
        return "passages"
    if {"key", "label"} <= keys:
        return "metrics"
    if {"metric", "value"} <= keys:
        return "statistics"
    raise KnowledgeFileError([(
        f"{name}: không nhận ra loại dữ liệu; mỗi mục cần có 'question' (hỏi đáp), 'document' (đoạn trích), "
        "'key' và 'label' (chỉ số), hoặc đặt tên tệp bắt đầu bằng entries, passages, metrics hay statistics"
    )])


# --- tables: CSV and Excel sheets -------------------------------------------------------------
