"""Find quantities (a number with its measure word) and tell counted items from labels.

A quantity is ``[number][range][余/多][万/亿][unit][以上/左右…]`` in the normalised text.  Only numbers
followed by a known measure word are quantities, which already rules out years (2035年), durations
(两年), dates (1月15日), set labels (四大主导产业), phases (三期), grades (五星级) and names (5G, 6号线).
`is_counted_item` then drops the remaining label-like uses listed in ANNOTATION.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from .numerals import CHINESE_DIGITS, parse_number

NUMBER_PATTERN = r"\d+(?:\.\d+)?|[一二两三四五六七八九十][零〇一二两三四五六七八九十百千]*"
_NUMBER = re.compile(rf"百分之(?P<percent>\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百]+)|{NUMBER_PATTERN}")
_RANGE_TAIL = re.compile(rf"%?(?:~|-|—|–|至|到)({NUMBER_PATTERN})")
_APPROXIMATE = re.compile(r"[余多]")
_SCALES = {"万亿": 10**12, "千万": 10**7, "百万": 10**6, "万": 10**4, "亿": 10**8}
_BOUND_SUFFIX = re.compile(r"及以上|以上|以内|以下|左右|余|多")

# Measure words for counts of things (a count sets the scope of a task or reports an activity).
COUNT_UNITS = (
    "个 家 条 所 座 项 件 套 户 人次 人 名 次 场 处 栋 幢 间 张 台 部 辆次 辆 架次 架 班 列 艘 棵 株 头 只 篇 本 册 宗 "
    "笔 份 例 盏 根 支 起 床 期次 批次"
).split()
# Measure words for amounts (money, area, length, weight, energy, volume); a value class before a noun.
MEASURE_UNITS = (
    "元 美元 欧元 港元 平方米 平方公里 平方千米 公顷 亩 公里 千米 延米 米 蒸吨 吨 千克 公斤 立方米 "
    "千瓦时 千瓦 兆瓦时 兆瓦 "
    "标准箱 标箱 微克/立方米 天 km kWh kW MWh MW GW TEU"
).split()
PERCENT_UNITS = ["%", "‰", "个百分点", "百分点"]
MULTIPLE_UNITS = ["倍"]
_ALL_UNITS = sorted(COUNT_UNITS + MEASURE_UNITS + PERCENT_UNITS + MULTIPLE_UNITS, key=len, reverse=True)
_SCALE_PATTERN = "|".join(sorted(_SCALES, key=len, reverse=True))
# 人民, 条件, 项目 start with a measure word but are nouns; 10天时间 and 7天内 are durations;
# a rate (立方米/日) keeps its denominator.
_UNIT = re.compile(
    rf"({_SCALE_PATTERN})?([余多])?((?:{'|'.join(re.escape(unit) for unit in _ALL_UNITS)})(?:/[日天年月时人])?)"
    r"(?![A-Za-z]|(?<=人)民|(?<=条)[件例]|(?<=项)目|(?<=部)[署门]|(?<=天)(?:时间|内|之内))",
)

# Nouns after a count that make the whole phrase a slogan or a structure label (五个方面, 十项任务).
_LABEL_NOUNS = (
    "方面",
    "层面",
    "关系",
    "任务",
    "原则",
    "目标",
    "理念",
    "意识",
    "自信",
    "维护",
    "确保",
    "全面",
    "战略",
    "坚持",
    "必须",
    "务必",
    "规定",
)
_CJK = re.compile(r"[\u4e00-\u9fff]")
_NOUN_JOINERS = set("的、和与及等")
_POLICY_VERB = re.compile(r"[,、]?.{0,2}(?:出台|制定|印发|发布|推出|实施|落实)")  # 大力实施, 研究出台
_LINEAR_THING = re.compile(r"[路道线街巷河渠廊轨管]")


@dataclass(frozen=True)
class Quantity:
    """A number with its unit; offsets are into the normalised text."""

    start: int  # first character of the number (or of 百分之)
    end: int  # just past the unit and any 以上/左右 suffix
    number_text: str  # the (first) number as written
    value: Decimal  # the lower bound, before 万/亿 scaling
    unit: str  # as written, scale included: 亿元, 万人, %, 个
    base_unit: str  # without the scale: 元, 人
    scale: int  # 1, 10**4, 10**8, …
    suffix: str  # 以上, 左右, … or ""

    @property
    def written_as_integer(self) -> bool:
        return "." not in self.number_text

    @property
    def is_measure(self) -> bool:
        return self.base_unit in MEASURE_UNITS


def find_quantities(text: str, start: int, end: int) -> list[Quantity]:
    """Every number in ``text[start:end]`` that carries a known unit, in order."""
    found: list[Quantity] = []
    position = start
    while (match := _NUMBER.search(text, position, end)) is not None:
        quantity = _read_quantity(text, match, end)
        if quantity is not None:
            found.append(quantity)
            position = quantity.end
        else:
            position = match.end()
    return found


def _read_quantity(text: str, match: re.Match[str], end: int) -> Quantity | None:
    """Parse the range, unit and bound that follow a number; None when no unit follows."""
    if match.group("percent"):
        return _percent_words(text, match, end)
    number_text = match.group(0)
    value = parse_number(number_text)
    if value is None:
        return None
    position = match.end()
    range_tail = _RANGE_TAIL.match(text, position, end)
    if range_tail and parse_number(range_tail.group(1)) is not None:
        position = range_tail.end()  # 3~5个: the lower bound counts
    approximate = _APPROXIMATE.match(text, position, end)
    if approximate:
        position = approximate.end()
    reading = _Reading(text, end, match.start(), number_text)
    if text.startswith("成", position) and not number_text[0].isdigit() and _is_tenths(text, position + 1):
        return reading.quantity(position + 1, value * 10, "%", "%", 1)
    unit = _UNIT.match(text, position, end)
    if unit is None:
        return None
    scale_text, unit_text = unit.group(1) or "", unit.group(3)
    return reading.quantity(unit.end(), value, scale_text + unit_text, unit_text, _SCALES.get(scale_text, 1))


@dataclass(frozen=True)
class _Reading:
    """A number being read; `quantity` completes it with its unit and any trailing bound word."""

    text: str
    limit: int
    start: int
    number_text: str

    def quantity(self, unit_end: int, value: Decimal, unit: str, base_unit: str, scale: int) -> Quantity:
        bound = _BOUND_SUFFIX.match(self.text, unit_end, self.limit)
        suffix = bound.group(0) if bound else ""
        end = unit_end + len(suffix)
        return Quantity(self.start, end, self.number_text, value, unit, base_unit, scale, suffix)


def _percent_words(text: str, match: re.Match[str], end: int) -> Quantity | None:
    """百分之三十 is 30 %."""
    value = parse_number(match.group("percent"))
    if value is None:
        return None
    return _Reading(text, end, match.start(), match.group("percent")).quantity(match.end(), value, "%", "%", 1)


def _is_tenths(text: str, after: int) -> bool:
    """成 after a Chinese numeral means tenths (三成) unless it starts a word (建成, 成为)."""
    return after >= len(text) or not _CJK.match(text[after]) or text.startswith(("以上", "左右", "多"), after)


def is_counted_item(
    text: str, quantity: Quantity, clause_start: int, clause_end: int, label_spans: list[tuple[int, int]]
) -> bool:
    """True unless the quantity is an ordinal, name, label, qualifier or design capacity (ANNOTATION.md)."""
    before = text[quantity.start - 1] if quantity.start else ""
    after = text[quantity.end : clause_end]
    checks = (
        _is_ordinal_or_name(before, text, quantity),
        text[max(0, quantity.start - 2) : quantity.start] == "连续",  # 连续3天: a duration
        quantity.number_text == "一" and quantity.scale == 1,  # 一批, 一件事: an article, not a count
        before in "前后" and quantity.base_unit in ("名", "强"),  # 前10名 is a ranking
        after.startswith("级"),  # 500亿级, 千亿级: a scale class
        # 三个一批, 五个一: slogans (but 2家三甲医院 counts hospitals of a grade)
        quantity.base_unit in COUNT_UNITS and after[:1] in CHINESE_DIGITS and after[1:2] not in _GRADE_MARKS,
        quantity.base_unit == "次" and after.startswith("产业"),  # 三次产业: the three sectors
        after.startswith("见"),  # 三百米见绿、五百米见园: a slogan of distances
        quantity.base_unit in ("件", "项") and bool(_PRACTICAL_MATTERS.match(after)),  # 十件民生实事: a list's name
        _is_size_class(quantity, after),
        after.startswith(_LABEL_NOUNS),
        _is_qualifier(text, quantity, clause_end),
        _is_policy_package(text, quantity, clause_start),
        any(start <= quantity.start < end for start, end in label_spans),
    )
    return not any(checks)


_GRADE_MARKS = "甲乙丙级星"
_PRACTICAL_MATTERS = re.compile(r"(?:重点)?(?:民生|惠民|为民)?实事")
_HEADCOUNT_UNITS = ("户", "人", "名")
_HEADCOUNT_NOUNS = re.compile(r"^(?:以上|及以上)(?:的)?(?:家庭|农户|居民|人口|群众|职工|人员|户)")


def _is_size_class(quantity: Quantity, after: str) -> bool:
    """20户以上自然村, 100人以上企业: a head count that classifies another noun is not counted."""
    if quantity.base_unit not in _HEADCOUNT_UNITS or quantity.suffix not in ("以上", "及以上"):
        return False
    rest = after[len(quantity.suffix) :] if after.startswith(quantity.suffix) else after
    return bool(rest[:1]) and bool(_CJK.match(rest[0])) and not _HEADCOUNT_NOUNS.match(quantity.suffix + rest)


def _is_ordinal_or_name(before: str, text: str, quantity: Quantity) -> bool:
    """第3, 十一届十一次, 每万人, G20, 1+N, 2.3.1 are not counts."""
    if before and (before in "第届每+.·" or (before.isascii() and before.isalnum())):
        return True
    return text.startswith("+", quantity.start + len(quantity.number_text))


def _is_qualifier(text: str, quantity: Quantity, clause_end: int) -> bool:
    """An amount that classifies a noun rather than measuring a task.

    5000平方米以上综合公园, 超10亿元企业达到12家 (the companies are counted, not the revenue),
    引进30亿元以上、10亿元以上项目均不少于2个 (one qualifier shared over a 、),
    某某10万吨新材料项目 (a design capacity in a project's name).
    """
    after = text[quantity.end : clause_end]
    if not quantity.is_measure or not after:
        return False
    bounded = quantity.suffix in ("以上", "及以上", "以下")
    if bounded and _CJK.match(after[0]):
        return True
    counted_later = any(later.base_unit in COUNT_UNITS for later in find_quantities(text, quantity.end, clause_end))
    if bounded:
        return counted_later
    if quantity.suffix or not _CJK.match(after[0]) or after[0] in _NOUN_JOINERS:
        return False
    return counted_later or "项目" in after


def _is_policy_package(text: str, quantity: Quantity, clause_start: int) -> bool:
    """出台促进经济平稳发展30条, 稳就业28条: a policy issued as “N条” is named by its count.

    Roads, lines and rivers are counted in 条 too, so a clause that mentions one keeps its number.
    """
    if quantity.base_unit != "条":
        return False
    clause = text[clause_start : quantity.start]
    return bool(_POLICY_VERB.match(clause)) and not _LINEAR_THING.search(clause)


def label_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of short quoted phrases and book titles: “三个二七”, ‘六个争先出彩’, 《…30条》 are names."""
    spans: list[tuple[int, int]] = []
    for opening, closing, always in (("“", "”", False), ("‘", "’", False), ("《", "》", True)):
        position = text.find(opening, start, end)
        while position >= 0:
            close = text.find(closing, position + 1, end)
            if close < 0:
                break
            inner = text[position + 1 : close]
            if always or (len(inner) <= 16 and not any(char in inner for char in "。,;!?:")):
                spans.append((position, close + 1))
            position = text.find(opening, close + 1, end)
    return spans
