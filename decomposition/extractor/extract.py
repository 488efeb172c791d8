"""Walk a normalised plan text and turn each counted quantity into a commitment or an achievement.

For every quantity the extractor decides, from the words around it:

* past or future (`_frame`): a date word in its own clause group or in a lead-in clause of its
  sentence (「2020年,」) decides; otherwise the paragraph's earlier date words, then the section
  heading (「书写“十三五”答卷」), then weak cues (累计 / 力争), and finally "future", since the
  genre is a plan;
* the deadline (`_deadline`): a deadline phrase in its own clause, else a lead-in clause's, else the
  end of the plan year;
* modality and estimate (`_governed_by`): the nearest marker before it in its clause group, unless
  a clause in between starts a new task with its own time word;
* its quote (`_segments`): the clause, split between several quantities at the 、 before each later
  one, and widened to a lead-in time clause.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from .cues import (
    Deadline,
    Frame,
    Marker,
    MarkerKind,
    TimeCue,
    end_of_year,
    find_deadlines,
    find_markers,
    find_time_cues,
)
from .cues import heading_frame as frame_of_heading
from .layout import (
    Group,
    Sentence,
    Span,
    heading_text,
    is_byline,
    is_heading_line,
    is_top_level,
    paragraphs,
    run_in_heading,
    sentences,
)
from .milestones import is_milestone_clause, milestone_title, needs_context, short_enough
from .models import Achievement, Commitment, Milestone, Proposal
from .normalise import NormalisedText, normalise_document
from .quantities import Quantity, find_quantities, is_counted_item, label_spans
from .tense import heading_states_outcome, paragraph_evidence, sentence_evidence, zone_opened_by

_LEAD_IN_MAX_CHARS = 12
_ENUMERATOR = re.compile(r"(?:[一二三四五六七八九十]+是|\(?\d{1,2}\)|\d{1,2}[.、](?!\d)|[①-⑳]|其中|同时|此外)")
_SUBJECT_BEFORE_ESTIMATE = re.compile(r"^.{0,10}?(?:预计|累计)(?:实现|完成)?")
_LEADING_WORDS = re.compile(
    r"^(?:力争|争取|确保|坚决|务必|预计|累计|全年|年内|今年|去年|共|其中|(?:19|20)\d{2}年(?:以来)?|\d+年来"
    r"|“?十[一二三四五六七八九]五”?(?:期间|时期|以来|末)?)+"
)
_COMPARED_TO = re.compile(r"^是(.+)的$")
_TRAILING_WORDS = re.compile(
    r"(?:达到|达|为|约|接近|近|超过|超|突破|逾|不少于|不低于|不超过|控制在|提高到|提高至|增至|降至|到|至)$"
)
_WHITESPACE = re.compile(r"\s+")
_ANY_BREAK = re.compile(r"[,;:、]")
_FIGURE = re.compile(r"\d")
_TRAILING_VERBS = re.compile(
    r"(?:同比|分别|均|比上年|较上年)*(?:增长|提升|提高|下降|降低|减少|增加|达到|达|为|占|超过|突破|控制在|保持在|稳定在)*$"
)
_QUOTE_MARKS = str.maketrans("", "", "“”‘’")
_CLAUSE_BREAK = re.compile(r"[,:]")
_CLAUSE_ENUMERATOR = re.compile(r"(?:[一二三四五六七八九十]+是|\(?\d{1,2}\)|\d{1,2}[.、](?!\d)|[①-⑳]|其中|同时|此外)")
_HEADING_STYLES = (
    ("part", re.compile(r"第[一二三四五六七八九十]+(?:部分|章|篇)")),
    ("chinese", re.compile(r"[一二三四五六七八九十]+、")),
    ("chinese-bracket", re.compile(r"\([一二三四五六七八九十]+\)")),
    ("arabic", re.compile(r"\d{1,2}[.、](?!\d)")),
    ("arabic-bracket", re.compile(r"\(\d{1,2}\)")),
    ("circled", re.compile(r"[①-⑳]")),
    ("dash", re.compile(r"——")),
)
_PUNCTUATION = " ,;:。!?、“”‘’()《》"


@dataclass(frozen=True)
class _SentenceContext:
    """What an item needs to know about its sentence to resolve time, deadline and modality."""

    cues: list[TimeCue]
    deadlines: list[Deadline]
    markers: list[Marker]
    lead_ins: list[Span]
    carry: Frame | None  # the last date word of the paragraph's earlier sentences
    evidence: Frame | None = None  # the sentence's own tense (建成了, 获批 / 力争, 计划), see tense.py
    sentence_start: int = 0


@dataclass(frozen=True)
class _Located:
    """Where an item's quote is, in the normalised and in the original text."""

    quote: str
    segment: Span
    original_start: int
    original_end: int


def extract(text: str, plan_year: int) -> Proposal:
    """Propose the commitments and achievements quantified in a plan or work report."""
    return _Extractor(normalise_document(text), plan_year).run()


class _Extractor:
    """One pass over the paragraphs, keeping the current heading (area) and section time frame."""

    def __init__(self, document: NormalisedText, plan_year: int) -> None:
        self.document = document
        self.text = document.text
        self.plan_year = plan_year
        self.area: str | None = None
        self.section_frame: Frame | None = None
        self.paragraph_frame: Frame | None = None  # an outcome run-in heading (「——经济发展迈上新台阶。」)
        self.paragraph_evidence: Frame | None = None  # what the paragraph's sentences say, see tense.py
        self.zone: Frame | None = None  # review or plan part of the document (tense.zone_opened_by)
        self.headings: list[tuple[str, str]] = []  # (numbering style, title), outermost first
        self.run_in: str | None = None  # a plain run-in heading: the lowest level, for its paragraph only
        self.in_heading = False
        self.proposal = Proposal(plan_year=plan_year, normalised_text=document.text)

    def run(self) -> Proposal:
        for paragraph in paragraphs(self.text):
            self._paragraph(paragraph)
        return self.proposal

    def _paragraph(self, paragraph: Span) -> None:
        line = self.text[paragraph.start : paragraph.end]
        if is_byline(line):
            return
        parts = sentences(self.text, paragraph)
        if is_heading_line(line) and not self._is_numbered_task(paragraph, line):
            self.paragraph_frame = self.paragraph_evidence = None
            self.run_in = None
            self.in_heading = True  # a heading's words are not a milestone
            self._items(paragraph, parts, self.area)
            self.in_heading = False
            self._enter_section(paragraph)
            return
        opened = zone_opened_by(line, self.plan_year)
        if opened is not None:
            # a paragraph that opens the review or the plan outranks what an earlier heading said
            self.zone, self.section_frame = opened, None
        area = self.area
        body = parts
        self.paragraph_frame = None
        self.run_in = None
        run_in = run_in_heading(self.text, paragraph, parts[0]) if len(parts) > 1 else None
        if run_in and not self._has_items(Span(run_in.start, run_in.end)):
            heading = Span(run_in.start, run_in.end)
            if run_in.section:
                self._enter_section(heading)
            elif heading_states_outcome(self.text[heading.start : heading.end]):
                self.paragraph_frame = Frame("past")
            area = self._area_text(heading)
            if not run_in.section:
                self.run_in = area
                self.proposal.areas.append(self._path())
            body = parts[1:]
        self.paragraph_evidence = paragraph_evidence([self.text[part.start : part.end] for part in body])
        self._items(paragraph, parts, area)

    def _enter_section(self, heading: Span) -> None:
        """A heading replaces the area, and sets the time frame when it names one (回顾, 2021年重点工作)."""
        self.area = self._area_text(heading)
        self._push_heading(heading_style(self.text[heading.start : heading.end]), self.area)
        normalised = heading_text(self.text[heading.start : heading.end])
        frame = frame_of_heading(normalised, self.plan_year)
        if frame is not None:
            self.section_frame = self.zone = frame
        elif heading_states_outcome(normalised):
            self.section_frame = Frame("past")
        elif is_top_level(normalised) or self.section_frame == Frame("past"):
            # an action heading (一、…, 加快…) ends an outcome-headed part; a dated part goes on in self.zone
            self.section_frame = None

    def _is_numbered_task(self, paragraph: Span, line: str) -> bool:
        """「（5）确保6月底前出台实施方案。」: a numbered sentence with a figure or a deadline is a task."""
        if not line.rstrip(_CLOSERS).endswith("。"):
            return False
        deadlines = find_deadlines(self.text, paragraph.start, paragraph.end, self.plan_year)
        return bool(deadlines) or self._has_items(paragraph)

    def _push_heading(self, style: str, title: str) -> None:
        """Keep the heading path: a numbering style seen above closes back to it, a new style nests below."""
        styles = [known for known, _ in self.headings]
        if style in styles:
            del self.headings[styles.index(style) :]
        self.headings.append((style, title))
        self.proposal.areas.append(tuple(t for _, t in self.headings))

    def _path(self) -> tuple[str, ...]:
        path = tuple(title for _, title in self.headings)
        return (*path, self.run_in) if self.run_in else path

    def _has_items(self, span: Span) -> bool:
        labels = label_spans(self.text, span.start, span.end)
        return any(
            is_counted_item(self.text, quantity, span.start, span.end, labels)
            for quantity in find_quantities(self.text, span.start, span.end)
        )

    def _area_text(self, span: Span) -> str:
        """The heading as written in the original text, without markup or trailing punctuation."""
        start, end = self.document.original_span(span.start, span.end)
        return heading_text(self._verbatim(start, end).replace("**", ""))

    def _verbatim(self, start: int, end: int) -> str:
        """Original text with line breaks and layout spaces removed (a space stays between Latin words)."""
        return _WHITESPACE.sub(_space_between_words, self.document.original[start:end].strip())

    # --- items ------------------------------------------------------------------------------------

    def _items(self, paragraph: Span, parts: list[Sentence], area: str | None) -> None:
        labels = label_spans(self.text, paragraph.start, paragraph.end)
        carry: Frame | None = None
        for sentence in parts:
            context = self._context(sentence, carry)
            for group in sentence.groups:
                for clause in group.clauses:
                    quantities = [
                        quantity
                        for quantity in find_quantities(self.text, clause.start, clause.end)
                        if is_counted_item(self.text, quantity, clause.start, clause.end, labels)
                    ]
                    for quantity, segment in zip(quantities, self._segments(clause, quantities, context), strict=True):
                        self._add_item(quantity, segment, group, clause, context, area)
                    if not quantities and not find_quantities(self.text, clause.start, clause.end):
                        self._milestone(clause, group, context, area)
                group_cues = [cue for cue in context.cues if cue.explicit and group.start <= cue.start < group.end]
                if group_cues:
                    carry = group_cues[-1].frame
                    context = replace(context, carry=carry)

    def _milestone(self, clause: Span, group: Group, context: _SentenceContext, area: str | None) -> None:
        """A dated clause without a number in the plan part: 「3月底前挂牌运营」 (see milestones.py)."""
        dated = [
            d
            for d in context.deadlines
            if clause.start <= d.start < clause.end and not _TOO_VAGUE.fullmatch(self.text[d.start : d.end])
        ]
        if self.in_heading:
            return
        listed = not dated and self._in_practical_matters(clause, group)
        if listed:
            # an item of a 民生实事 list is a task of the plan year even without a date or a delivery verb
            dated = [Deadline(clause.start, clause.start, end_of_year(self.plan_year))]
        if not dated or self._frame(dated[0].start, group, context).tense != "future":
            return
        start = _clause_start(self.text, clause, group)
        end = clause.end
        while end > start and self.text[end - 1] in ",:;。!?":
            end -= 1
        if not listed and not is_milestone_clause(self.text[start:end], alone=False):
            return  # 「力争到2025年」 only dates the figures that follow
        if needs_context(self.text[start:end]):
            earlier = [c for c in group.clauses if c.end <= clause.start]
            if not earlier:
                return
            start = earlier[-1].start
        quote_text = self.text[start:end]
        if not short_enough(quote_text) or not (is_milestone_clause(quote_text) or listed and len(quote_text) >= 4):
            return
        if any(m.start < end and start < m.end for m in self.proposal.milestones):
            return
        original_start, original_end = self.document.original_span(start, end)
        quote = self._verbatim(original_start, original_end)
        strive = self._governed_by_at(dated[0].start, group, context) == "strive"
        self.proposal.milestones.append(
            Milestone(
                quote=quote,
                title=milestone_title(quote),
                deadline=dated[0].due,
                modality="strive" if strive else "must",
                area=area,
                start=start,
                end=end,
                original_start=original_start,
                original_end=original_end,
                areas=self._path(),
            )
        )

    def _in_practical_matters(self, clause: Span, group: Group) -> bool:
        """The first clause of a group under a 民生实事 / 十件实事 heading (each group there is one item)."""
        return clause.start == group.start and any(_PRACTICAL_MATTERS.search(title) for title in self._path())

    def _context(self, sentence: Sentence, carry: Frame | None) -> _SentenceContext:
        cues = find_time_cues(self.text, sentence.start, sentence.end, self.plan_year)
        deadlines = find_deadlines(self.text, sentence.start, sentence.end, self.plan_year)
        lead_ins = [clause for clause in sentence.clauses if self._is_lead_in(clause, cues, deadlines)]
        markers = find_markers(self.text, sentence.start, sentence.end)
        evidence = sentence_evidence(self.text[sentence.start : sentence.end])
        return _SentenceContext(cues, deadlines, markers, lead_ins, carry, evidence, sentence.start)

    def _is_lead_in(self, clause: Span, cues: list[TimeCue], deadlines: list[Deadline]) -> bool:
        """A short clause that only dates what follows: 「2020年,」 「今年,」 「“十三五”期间,」."""
        if clause.end - clause.start > _LEAD_IN_MAX_CHARS or find_quantities(self.text, clause.start, clause.end):
            return False
        return any(clause.start <= cue.start < clause.end for cue in cues if cue.explicit) or any(
            clause.start <= deadline.start < clause.end for deadline in deadlines
        )

    def _add_item(
        self,
        quantity: Quantity,
        segment: Span,
        group: Group,
        clause: Span,
        context: _SentenceContext,
        area: str | None,
    ) -> None:
        frame = self._frame(quantity.start, group, context)
        original_start, original_end = self.document.original_span(segment.start, segment.end)
        located = _Located(self._verbatim(original_start, original_end), segment, original_start, original_end)
        if frame.tense == "past":
            self.proposal.achievements.append(self._achievement(quantity, located, frame, group, context))
        else:
            self.proposal.commitments.append(self._commitment(quantity, located, group, clause, context, area))

    def _achievement(
        self, quantity: Quantity, located: _Located, frame: Frame, group: Group, context: _SentenceContext
    ) -> Achievement:
        """A reported figure, converted to base units (773亿元 → 77300000000.0 元)."""
        before, after = self._around(quantity, located.segment)
        scaled = quantity.scale > 1
        return Achievement(
            quote=located.quote,
            indicator=_indicator(before, after, quantity.unit),
            value=float(quantity.value * quantity.scale) if scaled else _as_written(quantity),
            unit=quantity.base_unit if scaled else quantity.unit,
            period=frame.period or str(self.plan_year - 1),
            estimate=self._governed_by(quantity, group, context, ("estimate",)) == "estimate",
            start=located.segment.start,
            end=located.segment.end,
            original_start=located.original_start,
            original_end=located.original_end,
        )

    def _commitment(
        self,
        quantity: Quantity,
        located: _Located,
        group: Group,
        clause: Span,
        context: _SentenceContext,
        area: str | None,
    ) -> Commitment:
        """A target as written (60亿元 stays 60, "亿元"), with its deadline, modality and area."""
        before, after = self._around(quantity, located.segment)
        strive = self._governed_by(quantity, group, context, ("strive", "must")) == "strive"
        return Commitment(
            quote=located.quote,
            target_value=_as_written(quantity),
            unit=quantity.unit,
            object=_object(before, after) or self._shared_object(quantity, context),
            deadline=self._deadline(quantity, clause, context),
            modality="strive" if strive else "must",
            area=area,
            areas=self._path(),
            start=located.segment.start,
            end=located.segment.end,
            original_start=located.original_start,
            original_end=located.original_end,
        )

    def _shared_object(self, quantity: Quantity, context: _SentenceContext) -> str:
        """The object a bare figure shares with the words before it in its sentence.

        「比重同比提升0.8个百分点,达到81.1%」 and 「占比分别达60%、58%以上」: the later figure measures the
        same thing as the earlier one, so it takes the earlier clause's subject.
        """
        before = self.text[context.sentence_start : quantity.start]
        for clause in reversed(_ANY_BREAK.split(before)):
            subject = _clean(_TRAILING_VERBS.sub("", _clean(_FIGURE.split(clause)[0])))
            subject = _LEADING_WORDS.sub("", subject)
            if len(subject) >= 2:
                return subject
        return _clean(self.text[quantity.start : quantity.end])

    def _around(self, quantity: Quantity, segment: Span) -> tuple[str, str]:
        """The quote's words before the number and after the unit."""
        return self.text[segment.start : quantity.start], self.text[quantity.end : segment.end]

    # --- time, deadline, modality -----------------------------------------------------------------

    def _frame(self, position: int, group: Group, context: _SentenceContext) -> Frame:
        """Past or future at ``position``, and the period reported on (see the module docstring for the order)."""
        in_scope = [
            cue
            for cue in context.cues
            if cue.end <= position
            and (cue.start >= group.start or any(lead.start <= cue.start < lead.end for lead in context.lead_ins))
        ]
        explicit = [cue for cue in in_scope if cue.explicit]
        if explicit:
            return explicit[-1].frame
        if context.carry is not None:
            return context.carry
        # the paragraph's sentences only speak where the document part is not known (an excerpt)
        for frame in (context.evidence, self.section_frame, self.paragraph_frame, self.zone, self.paragraph_evidence):
            if frame is not None:
                return frame if frame.period or frame.tense == "future" else self._with_period(frame)
        weak = [cue for cue in in_scope if cue.start >= group.start]
        return weak[-1].frame if weak else Frame("future")

    def _with_period(self, frame: Frame) -> Frame:
        """A past frame without its own period reports on the zone's period, else the year before the plan."""
        if self.zone is not None and self.zone.tense == "past" and self.zone.period:
            return self.zone
        return Frame("past", str(self.plan_year - 1))

    def _deadline(self, quantity: Quantity, clause: Span, context: _SentenceContext) -> date:
        """A deadline phrase of the item's own clause, else of a lead-in clause, else the plan year's end."""
        own = [d for d in context.deadlines if clause.start <= d.start < clause.end]
        before = [d for d in own if d.end <= quantity.start]
        if before:
            return before[-1].due
        after = [d for d in own if d.start >= quantity.end]
        if after:
            return after[0].due
        lead = [
            d
            for d in context.deadlines
            if d.end <= quantity.start and any(span.start <= d.start < span.end for span in context.lead_ins)
        ]
        return lead[-1].due if lead else end_of_year(self.plan_year)

    def _governed_by(
        self, quantity: Quantity, group: Group, context: _SentenceContext, kinds: tuple[MarkerKind, ...]
    ) -> MarkerKind | None:
        """The kind of the nearest marker before the item in its group, or None when none reaches it.

        A marker stops at a clause that opens with its own time word or a must-marker: that clause
        starts a different task (ANNOTATION.md, modality).
        """
        return self._governed_by_at(quantity.start, group, context, kinds)

    def _governed_by_at(
        self,
        position: int,
        group: Group,
        context: _SentenceContext,
        kinds: tuple[MarkerKind, ...] = ("strive", "must"),
    ) -> MarkerKind | None:
        markers = [m for m in context.markers if m.kind in kinds and group.start <= m.start and m.end <= position]
        if not markers:
            return None
        marker = markers[-1]
        openers = [cue.start for cue in context.cues if cue.explicit]
        openers += [d.start for d in context.deadlines]
        openers += [m.start for m in context.markers if m.kind == "must"]
        for clause in group.clauses:
            if marker.end <= clause.start <= position and any(0 <= o - clause.start <= 1 for o in openers):
                return None
        return marker.kind

    # --- quotes -----------------------------------------------------------------------------------

    def _segments(self, clause: Span, quantities: list[Quantity], context: _SentenceContext) -> list[Span]:
        """One quote span per quantity: the clause, split before each later quantity."""
        if not quantities:
            return []
        end = clause.end
        while end > clause.start and self.text[end - 1] in ",:;。!?":
            end -= 1
        splits = [self._split(left, right, context) for left, right in zip(quantities, quantities[1:], strict=False)]
        starts = [self._clause_opening(clause, context)] + [right_start for _, right_start in splits]
        ends = [left_end for left_end, _ in splits] + [end]
        return [Span(start, stop) for start, stop in zip(starts, ends, strict=True)]

    def _clause_opening(self, clause: Span, context: _SentenceContext) -> int:
        """Where the first item's quote starts: the clause without an enumerator, or its lead-in time clause."""
        previous = [lead for lead in context.lead_ins if lead.end == clause.start]
        if previous:
            return previous[0].start
        enumerator = _ENUMERATOR.match(self.text, clause.start, clause.end)
        return enumerator.end() if enumerator else clause.start

    def _split(self, left: Quantity, right: Quantity, context: _SentenceContext) -> tuple[int, int]:
        """Where the left quote ends and the right one starts: around the last 、 between them, else where a
        time word opens the second task (确保50个重点项目 | 全年完成投资300亿元), else right after the left one."""
        position = self.text.rfind("、", left.end, right.start)
        if position >= 0:
            return position, position + 1
        openers = [d.start for d in context.deadlines if left.end <= d.start < right.start]
        split = openers[0] if openers else left.end
        return split, split


# 全年/今年 date every task of the year, and a bare 2020年 is a date, not a deadline
_CLOSERS = "”’)》"
_PRACTICAL_MATTERS = re.compile(r"民生实事|实事项目|[件项]实事|办实事")
_TOO_VAGUE = re.compile(r"全年|当年|今年|本年|本年度|(?:到|至|在)?(?:19|20)\d{2}年")


def _clause_start(text: str, clause: Span, group: Group) -> int:
    """The clause without a leading enumerator (一是, (3), 5))."""
    match = _CLAUSE_ENUMERATOR.match(text, clause.start, clause.end)
    return match.end() if match else clause.start


def heading_style(heading: str) -> str:
    """The numbering style of a heading (一、 / (一) / 1. / (1) / 第一部分 / —— / none): its level's name."""
    for style, pattern in _HEADING_STYLES:
        if pattern.match(heading.strip().lstrip("*")):
            return style
    return "plain"


def _space_between_words(match: re.Match[str]) -> str:
    text = match.string
    before = text[match.start() - 1] if match.start() else ""
    after = text[match.end()] if match.end() < len(text) else ""
    return " " if before.isascii() and before.isalpha() and after.isascii() and after.isalpha() else ""


def _as_written(quantity: Quantity) -> int | float:
    """The unscaled number; integers as written stay int (gold files write 96, not 96.0)."""
    value = quantity.value
    if quantity.written_as_integer and value == value.to_integral_value():
        return int(value)
    return float(value)


def _clean(text: str) -> str:
    """Without surrounding punctuation or any quotation marks (「打通14条“断头路”」 → 断头路)."""
    return text.strip(_PUNCTUATION).translate(_QUOTE_MARKS)


def _noun_after(after: str) -> str:
    """The head noun after the unit: 「布局合理、充满活力的小微企业园」 → 小微企业园."""
    after = _clean(after)
    return _clean(after.rsplit("的", 1)[-1]) if "的" in after else after


def _phrase_before(before: str) -> str:
    """The verb and object before the number, without modal, time or approximation words."""
    phrase = _clean(before)
    phrase = _LEADING_WORDS.sub("", phrase)
    return _clean(_TRAILING_WORDS.sub("", phrase))


def _own_clause(before: str) -> str:
    """The text before the number within its own clause (a quote may start at a lead-in clause)."""
    return _CLAUSE_BREAK.split(_clean(before))[-1]


def _object(before: str, after: str) -> str:
    """What the commitment delivers: the noun after the unit, else the words before the number."""
    return _noun_after(after) or _phrase_before(_own_clause(before))


def _indicator(before: str, after: str, unit: str) -> str:
    """The measured thing: 「二七区预计实现地区生产总值」 → 地区生产总值; 「是2015年的1.67倍」 → 相对2015年倍数."""
    phrase = _SUBJECT_BEFORE_ESTIMATE.sub("", _own_clause(before))
    compared = _COMPARED_TO.match(phrase)
    if compared and unit == "倍":
        return f"相对{compared.group(1)}倍数"
    return _phrase_before(phrase) + _noun_after(after)
