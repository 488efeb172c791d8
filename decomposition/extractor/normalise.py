"""Turn pasted newspaper or PDF text into one clean paragraph per line, keeping a map back to the original.

Plan texts arrive with lines broken mid-sentence, page numbers and running headers between pages,
full-width digits and punctuation (２４８, ，), spaces inside numbers and 「」 quotes.  Every later stage
works on the normalised text, where

* a paragraph is one line (paragraphs are separated by a single ``\\n``),
* there is no whitespace except a single space between two Latin words,
* full-width ASCII is half-width (``２４８％`` → ``248%``, ``，`` → ``,``), 「」『』 become “”‘’,
  straight double quotes are paired into “”, thousands separators and Markdown ``**`` are gone,
* page furniture (lone page numbers, ``— 3 —``, ``第3页``, running headers) is dropped.

``offsets[i]`` is the index in the original text of normalised character ``i``, so a span found in the
normalised text can be highlighted in place in the original.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

# Full-width ASCII (！ to ～) maps to ASCII by a fixed offset; a few CJK quote and tilde forms are unified.
_TRANSLATION: dict[int, int | str] = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_TRANSLATION.update({ord("「"): "“", ord("」"): "”", ord("『"): "‘", ord("』"): "’", ord("﹪"): "%", ord("〜"): "~"})

_LINE_BREAK = re.compile(r"\r\n|[\r\n\f\v\u2028\u2029\x85]")
_PAGE_FURNITURE = re.compile(
    r"^[\s\-—–－·•_]*(?:第\s*)?[\d０-９]{1,4}(?:\s*页)?(?:\s*[/／]\s*共?\s*[\d０-９]+\s*页?)?[\s\-—–－·•_]*$"
    r"|^(?:page|p\.)\s*\d+(?:\s*(?:of|/)\s*\d+)?$",
    re.IGNORECASE,
)
# A semicolon never ends a paragraph in this genre, so a line ending in one goes on (not in this set).
_SENTENCE_END = set("。！？!?：:…")
_CLOSERS = set("”’」』)）》")
_CONTINUATION_END = set("，,、（(“‘「『《—的和与及或并")
_CONTINUATION_START = set("，,、。；;：:！!？?）)”’」』》%％")
_BRACKET_PAIRS = (("“", "”"), ("「", "」"), ("（", "）"), ("(", ")"), ("《", "》"))

# A line at least this wide (two units per CJK character) is body text, never a heading.
_LONG_LINE_WIDTH = 80
# Repeated short lines this often are running headers or footers.
_RUNNING_HEADER_REPEATS = 3
_RUNNING_HEADER_MAX_CHARS = 30


@dataclass(frozen=True)
class NormalisedText:
    """The normalised text with, for every character, its index in the original text."""

    text: str
    original: str
    offsets: tuple[int, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open span of the normalised text to the half-open span it came from."""
        if start >= end:
            position = self.offsets[start] if start < len(self.offsets) else len(self.original)
            return position, position
        return self.offsets[start], self.offsets[end - 1] + 1


@dataclass(frozen=True)
class _Line:
    start: int  # index in the original of the first non-blank character
    text: str  # the line without surrounding whitespace
    indented: bool
    blank_before: bool  # a blank line, not just a page break, separates it from the previous line

    @property
    def end(self) -> int:
        return self.start + len(self.text)


def normalise(text: str) -> str:
    """Return the normalised text (see the module docstring); offsets come with `normalise_document`."""
    return normalise_document(text).text


def normalise_document(text: str) -> NormalisedText:
    """Normalise ``text`` and keep the offset map back to it."""
    lines = _content_lines(text)
    paragraphs = _join_broken_lines(lines)
    chars: list[str] = []
    offsets: list[int] = []
    for index, paragraph in enumerate(paragraphs):
        if index:
            chars.append("\n")
            offsets.append(paragraphs[index - 1][-1].end)
        _emit_paragraph(paragraph, chars, offsets)
    _drop_thousands_separators(text, chars, offsets)
    return NormalisedText("".join(chars), text, tuple(offsets))


def display_width(text: str) -> int:
    """Width in half-width cells: CJK and full-width characters count two, ASCII one."""
    return sum(1 if ord(char) < 0x1100 else 2 for char in text)


def _content_lines(text: str) -> list[_Line]:
    """Split into non-blank lines, dropping page numbers and running headers."""
    raw: list[tuple[int, str]] = []
    position = 0
    for match in _LINE_BREAK.finditer(text):
        raw.append((position, text[position : match.start()]))
        position = match.end()
    raw.append((position, text[position:]))

    stripped = [line.strip() for _, line in raw]
    repeated = _running_headers(stripped)
    lines: list[_Line] = []
    blank_before = page_break = False
    for (start, line), content in zip(raw, stripped, strict=True):
        if not content:
            blank_before = True
            continue
        if _PAGE_FURNITURE.match(content) or content in repeated:
            page_break = True  # the blank lines around a page footer do not end a paragraph
            continue
        lead = len(line) - len(line.lstrip())
        lines.append(_Line(start + lead, content, indented=lead > 0, blank_before=blank_before and not page_break))
        blank_before = page_break = False
    return lines


def _running_headers(stripped: list[str]) -> set[str]:
    """Short lines without sentence punctuation that recur on many pages (newspaper name, date, title)."""
    counts = Counter(
        line
        for line in stripped
        if line and len(line) <= _RUNNING_HEADER_MAX_CHARS and not _SENTENCE_END.intersection(line)
    )
    return {line for line, count in counts.items() if count >= _RUNNING_HEADER_REPEATS}


def _join_broken_lines(lines: list[_Line]) -> list[list[_Line]]:
    """Group lines into paragraphs, re-joining lines that a PDF or newspaper layout broke mid-sentence."""
    wrap_width = _wrap_width(lines)
    indented_layout = _uses_indentation(lines)
    paragraphs: list[list[_Line]] = []
    for line in lines:
        if paragraphs and _continues(paragraphs[-1], line, wrap_width, indented_layout):
            paragraphs[-1].append(line)
        else:
            paragraphs.append([line])
    return paragraphs


def _wrap_width(lines: list[_Line]) -> int | None:
    """The column width of hard-wrapped text, or None when lines are whole paragraphs."""
    widths = [display_width(line.text) for line in lines]
    candidates = [width for width in widths if width >= 16]
    if len(candidates) < 5:
        return None
    common = Counter(candidates).most_common(1)[0][0]
    full = [width for width in candidates if common - 4 <= width <= common + 1]
    if common > 2 * _LONG_LINE_WIDTH or len(full) < 0.4 * len(candidates):
        return None
    return max(full)


def _uses_indentation(lines: list[_Line]) -> bool:
    """True when paragraphs are marked by indenting their first line (common in PDF text layers)."""
    if not lines:
        return False
    share = sum(line.indented for line in lines) / len(lines)
    return 0.1 <= share <= 0.9


def _continues(paragraph: list[_Line], line: _Line, wrap_width: int | None, indented_layout: bool) -> bool:
    """Decide whether ``line`` continues the paragraph built so far."""
    previous = paragraph[-1]
    fills_line = wrap_width is not None and not line.blank_before and display_width(previous.text) >= wrap_width - 4
    if _ends_sentence(previous.text):
        # A paragraph may end a sentence exactly at the right margin; only indentation tells it goes on.
        return fills_line and indented_layout and not line.indented
    return (
        _has_open_bracket("".join(part.text for part in paragraph))
        or previous.text[-1] in _CONTINUATION_END
        or line.text[0] in _CONTINUATION_START
        or display_width(previous.text) >= _LONG_LINE_WIDTH
        or fills_line
        or (indented_layout and not line.indented and not line.blank_before)
    )


def _ends_sentence(line: str) -> bool:
    """A line ending in sentence punctuation, or a Markdown bold block, closes its paragraph."""
    if line.endswith("**"):
        return True
    last = line[-1]
    if last in _CLOSERS and len(line) > 1:
        return line[-2] in _SENTENCE_END
    return last in _SENTENCE_END or _translate(last) in _SENTENCE_END


def _has_open_bracket(text: str) -> bool:
    if text.count("**") % 2 or text.count('"') % 2:
        return True
    return any(text.count(opening) > text.count(closing) for opening, closing in _BRACKET_PAIRS)


def _translate(char: str) -> str:
    mapped = _TRANSLATION.get(ord(char))
    if mapped is None:
        return char
    return chr(mapped) if isinstance(mapped, int) else mapped


def _is_latin_letter(char: str) -> bool:
    return char.isascii() and char.isalpha()


def _emit_paragraph(paragraph: list[_Line], chars: list[str], offsets: list[int]) -> None:
    """Append one paragraph's normalised characters; whitespace survives only between Latin words."""
    quote_open = False
    pending_space: int | None = None
    for line_index, line in enumerate(paragraph):
        if line_index:
            pending_space = line.start - 1
        index = 0
        while index < len(line.text):
            raw = line.text[index]
            if line.text.startswith("**", index):
                index += 2
                continue
            char = _translate(raw)
            if char.isspace():
                pending_space = line.start + index
                index += 1
                continue
            if char == '"':
                char = "”" if quote_open else "“"
                quote_open = not quote_open
            if pending_space is not None and chars and _is_latin_letter(chars[-1]) and _is_latin_letter(char):
                chars.append(" ")
                offsets.append(pending_space)
            pending_space = None
            chars.append(char)
            offsets.append(line.start + index)
            index += 1


def _drop_thousands_separators(original: str, chars: list[str], offsets: list[int]) -> None:
    """Remove ASCII commas grouping digits in threes (1,992 → 1992); a full-width ， is always a clause comma."""
    index = 1
    while index <= len(chars) - 4:
        if (
            chars[index] == ","
            and original[offsets[index]] == ","
            and chars[index - 1].isdigit()
            and all(char.isdigit() for char in chars[index + 1 : index + 4])
            and (index + 4 == len(chars) or not chars[index + 4].isdigit())
        ):
            del chars[index]
            del offsets[index]
        index += 1
