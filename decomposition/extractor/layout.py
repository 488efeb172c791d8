"""Paragraphs, sentences, clause groups and clauses of the normalised text, and the headings among them.

The annotation rules are phrased in these units: a deadline applies to its own *clause* (between
commas), 力争 and 预计 reach over the comma-joined clauses of their *group* (between semicolons), and
an item's area is the innermost *heading* above it: a heading line, or a run-in heading that opens a
paragraph and ends at its first 。.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .normalise import display_width

_SENTENCE_END = "。!?"
_GROUP_END = ";"
_CLAUSE_END = ",:"
_TRAILING_CLOSERS = "”’)》"
_TRIM = " 。,;:!?、…"

# 一、 (一) 1. (1) 第一部分: numbered headings; the first form opens a top-level section.
_NUMBERED = re.compile(
    r"^(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|\d{1,2}[.、](?!\d)|\(\d{1,2}\)"
    r"|第[一二三四五六七八九十]+(?:部分|章|节))"
)
_TOP_LEVEL = re.compile(r"^(?:[一二三四五六七八九十]+、|第[一二三四五六七八九十]+(?:部分|章))")
_BYLINE = re.compile(r"记者|通讯员|编辑|责编|校对|来源[:]|摄影|/文|/图|^本报讯")
_DATELINE = re.compile(r"^\d{4}[年./-]\d{1,2}[月./-]\d{1,2}日?(?:\d{1,2}:\d{2})?$|^——\d{4}年\d{1,2}月\d{1,2}日在")
_CJK = re.compile(r"[\u4e00-\u9fff]")

# A heading line is at most this wide (two units per CJK character).
_HEADING_MAX_WIDTH = 80
# A plain run-in heading (迅速掀起中原科技城建设热潮。) is a short first sentence.
_RUN_IN_MAX_CHARS = 25
_NUMBERED_RUN_IN_MAX_CHARS = 60


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True)
class Group:
    """Clauses joined by commas, up to a semicolon or the end of the sentence."""

    start: int
    end: int
    clauses: tuple[Span, ...]


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    groups: tuple[Group, ...]

    @property
    def clauses(self) -> tuple[Span, ...]:
        return tuple(clause for group in self.groups for clause in group.clauses)


@dataclass(frozen=True)
class RunInHeading:
    """A heading at the start of a paragraph; ``section`` when numbered, so it also heads later paragraphs."""

    start: int
    end: int  # just past the heading sentence, where the paragraph body starts
    section: bool


def paragraphs(text: str) -> list[Span]:
    """One span per line of the normalised text."""
    spans = []
    start = 0
    for line in text.split("\n"):
        if line:
            spans.append(Span(start, start + len(line)))
        start += len(line) + 1
    return spans


def sentences(text: str, paragraph: Span) -> list[Sentence]:
    """Split a paragraph into sentences, groups and clauses; closing quotes stay with their sentence."""
    result: list[Sentence] = []
    sentence_start = group_start = clause_start = paragraph.start
    groups: list[Group] = []
    clauses: list[Span] = []
    position = paragraph.start
    while position < paragraph.end:
        char = text[position]
        position += 1
        if char not in _SENTENCE_END + _GROUP_END + _CLAUSE_END and position < paragraph.end:
            continue
        if char in _SENTENCE_END:
            while position < paragraph.end and text[position] in _TRAILING_CLOSERS:
                position += 1
        clauses.append(Span(clause_start, position))
        clause_start = position
        if char in _SENTENCE_END + _GROUP_END or position >= paragraph.end:
            groups.append(Group(group_start, position, tuple(clauses)))
            clauses, group_start = [], position
        if char in _SENTENCE_END or position >= paragraph.end:
            result.append(Sentence(sentence_start, position, tuple(groups)))
            groups, sentence_start = [], position
    return result


def is_byline(line: str) -> bool:
    """Reporter and photo credits, datelines: neither headings nor content."""
    return display_width(line) <= _HEADING_MAX_WIDTH and bool(_BYLINE.search(line) or _DATELINE.match(line))


def is_heading_line(line: str) -> bool:
    """A short paragraph that is not a sentence: 在主导产业升级上争先出彩, 一、2020年工作回顾."""
    if display_width(line) > _HEADING_MAX_WIDTH or len(_CJK.findall(line)) < 2 or is_byline(line):
        return False
    body = line.rstrip(_TRAILING_CLOSERS)
    if body.endswith((":", ",", "、")):
        return False
    if any(char in line for char in ";!?") or "。" in body[:-1]:
        return False
    return not body.endswith("。") or bool(_NUMBERED.match(line))


def run_in_heading(text: str, paragraph: Span, first: Sentence) -> RunInHeading | None:
    """The heading that opens a paragraph up to its first 。 (numbered, or short and plain)."""
    if first.end >= paragraph.end or text[first.end - 1] != "。":
        return None
    sentence = text[first.start : first.end]
    numbered = bool(_NUMBERED.match(sentence))
    if numbered:
        if len(sentence) > _NUMBERED_RUN_IN_MAX_CHARS:
            return None
    elif len(sentence) > _RUN_IN_MAX_CHARS or sentence.count(",") > 1 or ":" in sentence:
        return None
    return RunInHeading(first.start, first.end, section=numbered)


def is_top_level(heading: str) -> bool:
    return bool(_TOP_LEVEL.match(heading))


def heading_text(text: str) -> str:
    """A heading without trailing punctuation, half- or full-width."""
    return text.strip().rstrip(_TRIM + "。，；：！？")
