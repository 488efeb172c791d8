"""Words that place a figure in time, set its deadline, or mark how firmly it is promised.

* Time cues decide whether a figure is a past **achievement** (去年, 2020年, “十三五”期间, 5年来, 累计)
  or a **commitment** (今年, 力争, 2022年底前, “十四五”末), and give an achievement its period.
* Deadline phrases (1月底前, 上半年, 三季度末, 3年内, 到2025年) resolve against the plan year.
* Modality markers (力争/争取 vs 确保/坚决) and estimate markers (预计/预期) are found here; their
  scope is applied by the extractor, which knows the clauses.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from .numerals import parse_number

Tense = Literal["past", "future"]
Modality = Literal["must", "strive"]
MarkerKind = Literal["strive", "must", "estimate"]

_COUNT = r"(?<![\d.])\d{1,2}|[一二两三四五六七八九十]{1,3}"
_YEAR = r"((?:19|20)\d{2})年"
_YEAR_WORD = re.compile(_YEAR)
# A year used as a comparison base or as a qualifier (比2020年, 2015年的, 2000年前的) is not a time frame.
_COMPARISON_BEFORE = ("比", "较", "与", "同")
_COMPARISON_AFTER = ("的", "相比", "水平", "基础上", "同期", "前的", "以前的")
_FIVE_YEAR_PLAN = re.compile(r"“?十([一二三四五六七八九])五”?")
_FIVE_YEAR_PLAN_PERIOD = re.compile(_FIVE_YEAR_PLAN.pattern + r"(?:期间|时期|以来|末|期末|规划期|内|(?=[,:]))")

_PAST_PHRASES = re.compile(r"去年|上一年|上年(?!同期)|过去一年|过去的一年|一年来")
_SPAN_SINCE = re.compile(rf"(?:(?:这|过去|近)({_COUNT})年(?:来|以来|间)?|({_COUNT})年(?:来|以来))")
_FUTURE_PHRASES = re.compile(rf"今年|本年度|本年|明年|年内|年底前|下一步|(?:今后|未来)(?:{_COUNT})年")
_WEAK_PAST = re.compile(r"累计|预计(?!到|今年|明年)|同比|已经|截至")
_WEAK_FUTURE = re.compile(r"力争|争取|确保|预期目标|目标|计划")

_STRIVE = re.compile(r"力争|争取")
_MUST = re.compile(r"确保|坚决|务必")
_ESTIMATE = re.compile(r"预计|预期(?!目标)")


@dataclass(frozen=True)
class Frame:
    """When a figure is: in the past (with the period it reports on) or still to come."""

    tense: Tense
    period: str | None = None


@dataclass(frozen=True)
class TimeCue:
    start: int
    end: int
    frame: Frame
    explicit: bool  # a date word; weak cues (累计, 力争) only decide when nothing else does


@dataclass(frozen=True)
class Deadline:
    start: int
    end: int
    due: date


@dataclass(frozen=True)
class Marker:
    start: int
    end: int
    kind: MarkerKind


def five_year_plan_years(ordinal: int) -> tuple[int, int]:
    """Years of the N-th five-year plan; from the third (1966-1970) they follow on without gaps."""
    first = 1966 + 5 * (ordinal - 3)
    return first, first + 4


def _five_year_plan_ordinal(match: re.Match[str]) -> int:
    return 10 + int(parse_number(match.group(1)) or 0)


def end_of_year(year: int) -> date:
    return date(year, 12, 31)


def end_of_month(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


# A year inside a name dates nothing: 2035年远景目标, 2030年前碳达峰行动方案, 2022年世界技能大赛.
_NAMED_AFTER_YEAR = re.compile(
    r"(?:前)?(?:(?!实现|完成|建成|达到|基本|全面|前)[\u4e00-\u9fff“”]){0,8}?"
    r"(?:远景目标|规划|纲要|方案|愿景|议程|行动计划|大会|大赛|博览会|运动会|论坛|峰会|年会)"
)


def is_named_year(text: str, end: int) -> bool:
    """True when the year ending at ``end`` belongs to the name of a plan, programme or event."""
    return bool(_NAMED_AFTER_YEAR.match(text, end))


def _is_comparison(text: str, start: int, end: int) -> bool:
    return text[max(0, start - 2) : start].endswith(_COMPARISON_BEFORE) or text.startswith(_COMPARISON_AFTER, end)


def _count(text: str) -> int | None:
    value = parse_number(text)
    return int(value) if value is not None and value >= 1 else None


def find_time_cues(text: str, start: int, end: int, plan_year: int) -> list[TimeCue]:
    """All time cues in ``text[start:end]``, sorted by position."""
    cues: list[TimeCue] = []
    for match in _YEAR_WORD.finditer(text, start, end):
        if _is_comparison(text, match.start(), match.end()) or is_named_year(text, match.end()):
            continue
        year = int(match.group(1))
        if year >= plan_year:
            cues.append(TimeCue(match.start(), match.end(), Frame("future"), explicit=True))
        elif not text.startswith(("前", "以前"), match.end()):
            since = text.startswith(("以来", "来"), match.end())
            period = f"{year}-{plan_year - 1}" if since and year < plan_year - 1 else str(year)
            cues.append(TimeCue(match.start(), match.end(), Frame("past", period), explicit=True))
    cues += _phrase_cues(_PAST_PHRASES, text, start, end, Frame("past", str(plan_year - 1)), explicit=True)
    cues += _span_cues(text, start, end, plan_year)
    cues += _five_year_plan_cues(text, start, end, plan_year)
    cues += _phrase_cues(_FUTURE_PHRASES, text, start, end, Frame("future"), explicit=True)
    cues += [
        TimeCue(d.start, d.end, Frame("future"), explicit=True) for d in _month_deadlines(text, start, end, plan_year)
    ]
    cues += _phrase_cues(_WEAK_PAST, text, start, end, Frame("past", str(plan_year - 1)), explicit=False)
    cues += _phrase_cues(_WEAK_FUTURE, text, start, end, Frame("future"), explicit=False)
    return sorted(cues, key=lambda cue: cue.start)


def _phrase_cues(
    pattern: re.Pattern[str], text: str, start: int, end: int, frame: Frame, explicit: bool
) -> list[TimeCue]:
    return [
        TimeCue(match.start(), match.end(), frame, explicit)
        for match in pattern.finditer(text, start, end)
        if not _is_comparison(text, match.start(), match.end())
    ]


def _span_cues(text: str, start: int, end: int, plan_year: int) -> list[TimeCue]:
    """5年来, 这5年, 过去五年: the years up to the one before the plan year."""
    cues = []
    for match in _SPAN_SINCE.finditer(text, start, end):
        years = _count(match.group(1) or match.group(2))
        if years is None or text[max(0, match.start() - 2) : match.start()].endswith("连续"):
            continue
        period = f"{plan_year - years}-{plan_year - 1}" if years > 1 else str(plan_year - 1)
        cues.append(TimeCue(match.start(), match.end(), Frame("past", period), explicit=True))
    return cues


def _five_year_plan_cues(text: str, start: int, end: int, plan_year: int) -> list[TimeCue]:
    """“十三五”期间 is past in a 2021 plan, “十四五”时期 is future; a bare “十四五” adjective is neither."""
    cues = []
    for match in _FIVE_YEAR_PLAN_PERIOD.finditer(text, start, end):
        first, last = five_year_plan_years(_five_year_plan_ordinal(match))
        frame = Frame("past", f"{first}-{last}") if last < plan_year else Frame("future")
        cues.append(TimeCue(match.start(), match.end(), frame, explicit=True))
    return cues


_HEADING_REVIEW = re.compile(r"回顾|答卷|成就|成绩|总结|执行情况|完成情况|过去|以来|去年")
_HEADING_FUTURE = re.compile(r"蓝图|目标|任务|重点工作|工作安排|部署|展望|思路|今年|打算")


def heading_frame(heading: str, plan_year: int) -> Frame | None:
    """The frame a section heading sets for its section, or None when it names no time.

    Review words win (「2021年计划执行情况」 reviews the past although it names a plan); otherwise
    years, five-year plans and words like 蓝图/任务 decide, and a mix of past and future decides nothing.
    """
    past: list[str] = []
    future = bool(_HEADING_FUTURE.search(heading))
    review = bool(_HEADING_REVIEW.search(heading))
    for match in _YEAR_WORD.finditer(heading):
        year = int(match.group(1))
        if year < plan_year:
            past.append(str(year))
        else:
            future = True
    for match in _FIVE_YEAR_PLAN.finditer(heading):
        first, last = five_year_plan_years(_five_year_plan_ordinal(match))
        if last < plan_year:
            past.append(f"{first}-{last}")
        elif first <= plan_year + 5:
            future = True
    if review or (past and not future):
        return Frame("past", past[0] if past else str(plan_year - 1))
    if future and not past:
        return Frame("future")
    return None


_QUARTER = re.compile(r"(?:第)?([一二三四1-4])季度(?:末|底)?(?:前)?")
_MONTH = re.compile(rf"(?:{_YEAR})?({_COUNT})月(?:份)?(底前|底|末|前|以前|(\d{{1,2}})日前)")
_HALF_YEAR = re.compile(r"上半年|年中|下半年")
_YEAR_END = re.compile(r"年底前|年底|年末|年内|全年|当年|今年|本年度|本年")
_NEXT_YEAR = re.compile(r"明年")
_WITHIN_YEARS = re.compile(
    rf"(?:用|未来|今后)({_COUNT})年(?:时间)?|({_COUNT})年(?:内|时间|之内)"
    rf"|({_COUNT})年(?=新建|建成|完成|打造|实现|新增|培育|引进|累计)"
)
_DATED_YEAR = re.compile(rf"(?:到|至|在)?{_YEAR}(?:底前|底|末|前|以前)?")


def find_deadlines(text: str, start: int, end: int, plan_year: int) -> list[Deadline]:
    """All deadline phrases in ``text[start:end]`` resolved to dates, sorted by position."""
    found = _month_deadlines(text, start, end, plan_year)
    for match in _QUARTER.finditer(text, start, end):
        quarter = int(parse_number(match.group(1)) or 4)
        found.append(Deadline(match.start(), match.end(), end_of_month(plan_year, 3 * quarter)))
    for match in _HALF_YEAR.finditer(text, start, end):
        month = 12 if match.group(0) == "下半年" else 6
        found.append(Deadline(match.start(), match.end(), end_of_month(plan_year, month)))
    for match in _NEXT_YEAR.finditer(text, start, end):
        found.append(Deadline(match.start(), match.end(), end_of_year(plan_year + 1)))
    for match in _WITHIN_YEARS.finditer(text, start, end):
        years = _count(match.group(1) or match.group(2) or match.group(3))
        if years is not None and not text[max(0, match.start() - 2) : match.start()].endswith("连续"):
            found.append(Deadline(match.start(), match.end(), end_of_year(plan_year + years - 1)))
    found += _year_deadlines(text, start, end, plan_year)
    found += _five_year_plan_deadlines(text, start, end, plan_year)
    return _without_overlaps(found)


def _month_deadlines(text: str, start: int, end: int, plan_year: int) -> list[Deadline]:
    """1月底前, 6月底, 2021年6月底前, 3月15日前: the end of that month (or that day), from the plan year on."""
    found = []
    for match in _MONTH.finditer(text, start, end):
        month = _count(match.group(2))
        if month is None or month > 12:
            continue
        year = int(match.group(1)) if match.group(1) else plan_year
        if year < plan_year:
            continue  # 2020年6月底前 in a 2021 plan dates a past event
        if match.group(4):
            day = min(int(match.group(4)), calendar.monthrange(year, month)[1])
            due = date(year, month, max(day, 1))
        else:
            due = end_of_month(year, month)
        found.append(Deadline(match.start(), match.end(), due))
    return found


def _year_deadlines(text: str, start: int, end: int, plan_year: int) -> list[Deadline]:
    """年内/全年/今年/年底前 and 2022年底前, 到2025年: the end of the year named."""
    found = [Deadline(m.start(), m.end(), end_of_year(plan_year)) for m in _YEAR_END.finditer(text, start, end)]
    for match in _DATED_YEAR.finditer(text, start, end):
        year = int(match.group(1))
        if (
            year >= plan_year
            and not _is_comparison(text, match.start(), match.end())
            and not is_named_year(text, match.start() + len(match.group(0).split("年")[0]) + 1)
        ):
            found.append(Deadline(match.start(), match.end(), end_of_year(year)))
    return found


def _five_year_plan_deadlines(text: str, start: int, end: int, plan_year: int) -> list[Deadline]:
    """“十四五”期间 / “十四五”末 / 十四五时期: the last year of that plan."""
    found = []
    for match in _FIVE_YEAR_PLAN_PERIOD.finditer(text, start, end):
        last = five_year_plan_years(_five_year_plan_ordinal(match))[1]
        if last >= plan_year:
            found.append(Deadline(match.start(), match.end(), end_of_year(last)))
    return found


def _without_overlaps(deadlines: list[Deadline]) -> list[Deadline]:
    """Keep the longest phrase where two overlap (2021年6月底前 over 2021年 and 年底前 inside it)."""
    kept: list[Deadline] = []
    for deadline in sorted(deadlines, key=lambda d: (d.start, -(d.end - d.start))):
        if kept and deadline.start < kept[-1].end:
            continue
        kept.append(deadline)
    return kept


def find_markers(text: str, start: int, end: int) -> list[Marker]:
    """Modality (力争/争取 → strive; 确保/坚决/务必 → must) and estimate (预计/预期) markers."""
    markers = [Marker(m.start(), m.end(), "strive") for m in _STRIVE.finditer(text, start, end)]
    markers += [Marker(m.start(), m.end(), "must") for m in _MUST.finditer(text, start, end)]
    markers += [Marker(m.start(), m.end(), "estimate") for m in _ESTIMATE.finditer(text, start, end)]
    return sorted(markers, key=lambda marker: marker.start)
