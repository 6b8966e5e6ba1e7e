"""argparse in Vietnamese, so the command line speaks one language: its usage line, headings,
``--help`` and error messages.

argparse looks every one of its words up through its module-level ``_`` and ``ngettext``
(gettext's default domain, which belongs to the whole process): some when a parser is built,
others when it parses or prints. A compiled catalog would have to be installed for that shared
domain; instead :class:`Parser` swaps the small catalog below in only while one of its own
methods runs, so other argparse users in the process (pytest, for one) keep their language.
The command line runs in one thread, so the swap is safe.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")

WORDS = {
    "usage: ": "cách dùng: ",
    "positional arguments": "đối số",
    "options": "tùy chọn",
    "show this help message and exit": "xem hướng dẫn này",
    "%(prog)s: error: %(message)s\n": "%(prog)s: lỗi: %(message)s\n",
    "argument %(argument_name)s: %(message)s": "%(argument_name)s: %(message)s",
    "the following arguments are required: %s": "còn thiếu: %s",
    "one of the arguments %s is required": "cần một trong: %s",
    "not allowed with argument %s": "không dùng được cùng %s",
    "unrecognized arguments: %s": "không nhận ra: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "không có %(value)r; chọn một trong: %(choices)s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "không có lệnh %(parser_name)r; các lệnh: %(choices)s",
    "invalid %(type)s value: %(value)r": "%(value)r không phải giá trị %(type)s hợp lệ",
    "expected one argument": "cần một giá trị",
    "expected at most one argument": "nhận nhiều nhất một giá trị",
    "expected at least one argument": "cần ít nhất một giá trị",
    "ambiguous option: %(option)s could match %(matches)s": "tùy chọn %(option)s chưa rõ, có thể là: %(matches)s",
    "ignored explicit argument %r": "tùy chọn này không nhận giá trị (%r)",
    "unexpected option string: %s": "tùy chọn không đúng chỗ: %s",
    "can't open '%(filename)s': %(error)s": "không mở được '%(filename)s': %(error)s",
}
"""argparse's words a person can meet, in Vietnamese; the rest (mistakes in building a parser)
are for programmers and stay in English."""
PLURALS = {"expected %s argument": "cần %s giá trị"}


def _word(message: str) -> str:
    return WORDS.get(message, message)


def _plural(singular: str, plural: str, n: int) -> str:
    return PLURALS.get(singular, singular if n == 1 else plural)


@contextlib.contextmanager
def vietnamese() -> Iterator[None]:
    """argparse's words in Vietnamese for the duration; nests."""
    module = vars(argparse)
    saved = module["_"], module["ngettext"]
    module.update(_=_word, ngettext=_plural)
    try:
        yield
    finally:
        module["_"], module["ngettext"] = saved


def _in_vietnamese(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with vietnamese():
            return method(*args, **kwargs)

    return wrapper


class Parser(argparse.ArgumentParser):
    """An ArgumentParser that builds, parses, prints help and reports errors in Vietnamese;
    its sub-command parsers are of the same class."""

    __init__ = _in_vietnamese(argparse.ArgumentParser.__init__)
    parse_args = _in_vietnamese(argparse.ArgumentParser.parse_args)
    parse_known_args = _in_vietnamese(argparse.ArgumentParser.parse_known_args)
    format_usage = _in_vietnamese(argparse.ArgumentParser.format_usage)
    format_help = _in_vietnamese(argparse.ArgumentParser.format_help)
    error = _in_vietnamese(argparse.ArgumentParser.error)


Commands = argparse._SubParsersAction
"""Where the sub-commands of a command are added."""


def commands(parser: argparse.ArgumentParser, dest: str) -> Commands:
    """Required sub-commands of ``parser``, named ``dest`` in the parsed arguments."""
    return parser.add_subparsers(dest=dest, required=True, metavar="lệnh")


def command(
    sub: Commands, name: str, summary: str, func: Callable[..., int] | None = None, details: str = ""
) -> argparse.ArgumentParser:
    """A sub-command: ``summary`` is its line in the parent's help and, with ``details``, the
    description its own ``--help`` starts with; ``func`` runs it."""
    parser = sub.add_parser(name, help=summary, description=" ".join(filter(None, [_sentence(summary), details])))
    if func is not None:
        parser.set_defaults(func=func)
    return parser


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def typed(convert: Callable[[str], T], expected: str = "") -> Callable[[str], T]:
    """An argument type from a converter that raises ValueError: its error says what was
    expected ("'x' không phải số nguyên"), or else is the converter's own Vietnamese message."""

    def parse(text: str) -> T:
        try:
            return convert(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(f"'{text}' không phải {expected}" if expected else str(exc)) from None

    return parse


WHOLE = typed(int, "số nguyên")
NUMBER = typed(float, "con số")
