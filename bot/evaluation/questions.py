"""Labelled question sets: `kind<TAB>question<TAB>expected`, the format of shared/eval.

``expected`` holds regexes matched against the folded answer (';' = all must match), or OOD
when the bot must say it has no answer. Rows of kind ``nfd`` are turned into NFD on loading,
as the shared scorer does.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..knowledge.formats.records import MAX_ANSWER_CHARS
from ..search.text import fold


@dataclass(frozen=True)
class LabelledQuestion:
    kind: str
    question: str
    expected: str

    @property
    def out_of_domain(self) -> bool:
        return self.expected == "OOD"

    def is_correct(self, found: bool, answer: str) -> bool:
        """The shared scorer's rule: refused when OOD, else found, short, all regexes match."""
        if self.out_of_domain:
            return not found
        folded = re.sub(r"\s+", " ", fold(answer))
        return (
            found
            and len(answer) <= MAX_ANSWER_CHARS
            and all(re.search(rx, folded) for rx in self.expected.split(";"))
        )


def load_questions(path: Path) -> list[LabelledQuestion]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, question, expected = line.split("\t")
        if kind == "nfd":
            question = unicodedata.normalize("NFD", question)
        rows.append(LabelledQuestion(kind, question, expected))
    return rows


@dataclass(frozen=True)
class ConversationTurn(LabelledQuestion):
    """One message of a scripted conversation: `scenario<TAB>kind<TAB>message<TAB>expected`.
    Turns of a scenario are read in order, each against the ones before it. ``expected`` is as
    for single questions, or COURTESY: a greeting or thanks answered as such (not a refusal)."""

    scenario: str = ""

    def is_correct(self, found: bool, answer: str, courtesy: bool = False) -> bool:
        if self.expected == "COURTESY":
            return courtesy
        return super().is_correct(found, answer)


def is_conversation_file(path: Path) -> bool:
    """Whether a labelled file holds conversations (four columns) rather than questions."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            return line.count("\t") == 3
    return False


def load_conversations(path: Path) -> list[list[ConversationTurn]]:
    """Scenarios in file order, each a list of turns in order."""
    scenarios: dict[str, list[ConversationTurn]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        scenario, kind, message, expected = line.split("\t")
        scenarios.setdefault(scenario, []).append(ConversationTurn(kind, message, expected, scenario))
    return list(scenarios.values())
