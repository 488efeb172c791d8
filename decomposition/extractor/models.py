"""The extractor's output: a proposal of commitments and achievements for the office to review."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .cues import Modality


@dataclass(frozen=True)
class Commitment:
    """A forward-looking target with a number (「年内新建口袋公园12个」).

    ``start``/``end`` index the normalised text (see `normalise`); ``original_start``/``original_end``
    index the text that was passed in, so a UI can highlight the quote in place.
    """

    quote: str
    target_value: int | float
    unit: str  # as written, 万/亿 kept: 亿元, 万人, 个, %
    object: str
    deadline: date
    modality: Modality
    area: str | None
    start: int
    end: int
    original_start: int
    original_end: int
    areas: tuple[str, ...] = ()  # the heading path, outermost first (一、… > (一)… > run-in heading)


@dataclass(frozen=True)
class Milestone:
    """A dated commitment without a number (「3月底前挂牌运营」): a task done or not done by its deadline."""

    quote: str
    title: str  # the quote without enumerators
    deadline: date
    modality: Modality
    area: str | None
    start: int
    end: int
    original_start: int
    original_end: int
    areas: tuple[str, ...] = ()


@dataclass(frozen=True)
class Achievement:
    """A figure the text reports about the past (「去年新增城镇就业2.3万人」), in base units."""

    quote: str
    indicator: str
    value: int | float  # 2.3万人 → 23000.0 人; counts written as integers stay int
    unit: str  # base unit: 元, 人, 平方米, 个, %, 倍
    period: str  # "2020" or "2016-2020"
    estimate: bool  # 预计/预期 governs the figure
    start: int
    end: int
    original_start: int
    original_end: int


@dataclass
class Proposal:
    plan_year: int
    commitments: list[Commitment] = field(default_factory=list)
    achievements: list[Achievement] = field(default_factory=list)
    milestones: list[Milestone] = field(default_factory=list)
    areas: list[tuple[str, ...]] = field(default_factory=list)  # every heading path, in document order
    normalised_text: str = ""  # the text ``start``/``end`` offsets refer to
