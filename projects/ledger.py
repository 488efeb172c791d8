"""The 重点项目台账 (.xlsx, one row per project) and the monthly 月报 sheet: build and parse. Pure: no Django.

Layout (both sheets): row 1 a title, row 2 the header, data from row 3; columns are found by their
header text, so a unit may reorder them. Parsing checks every cell and returns every error with its row
and column header; the importer writes nothing unless there are none (all or nothing).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from core.validation import number_problem, text_problem
from core.xlsx import build_table_xlsx
from core.xlsx_safety import xlsx_problem
from plans.textdates import BadDate, BadNumber, normalise, parse_date, parse_number
from projects import profile

STAGE_COUNT = 5
# key → header. Keys of the import; the export adds read-only columns (progress, problems) after them.
LEDGER_COLUMNS: dict[str, str] = {
    "code": "项目编号",
    "name": "项目名称",
    "type": "项目类型",
    "level": "项目级别",
    "owner": "建设单位",
    "address": "建设地点",
    "longitude": "经度",
    "latitude": "纬度",
    "block": "核心板块",
    "industry": "主导产业",
    "total_investment": "总投资（万元）",
    "plan_year": "计划年度",
    "annual_plan": "年度计划投资（万元）",
    "leader_post": "责任领导",
    "lead_unit": "责任单位",
    "co_units": "配合单位",
    "completion_due": "完成时限",
    **{f"stage_{i}": f"阶段{i + 1}计划时间" for i in range(STAGE_COUNT)},
    # Optional (older ledgers lack it): 12 monthly percentages of the annual plan, 、-separated; blank keeps
    # an existing project's profile (or none: linear).
    "monthly_profile": "月度计划（%）",
}
REQUIRED = ["code", "name", "type", "level", "total_investment", "plan_year", "annual_plan", "leader_post",
            "lead_unit", "completion_due"]  # fmt: skip
EXPORT_EXTRA = ["本月完成投资（万元）", "本年累计完成（万元）", "年度投资完成率", "当前阶段", "预警", "未解决问题"]
MONTHLY_COLUMNS: dict[str, str] = {
    "code": "项目编号",
    "month": "月份",
    "amount_month": "本月完成投资（万元）",
    "progress_text": "形象进度",
}
LEVEL_WORDS = {"省重点": "province", "市重点": "city", "区重点": "district"}
LEVEL_LABELS = {v: k for k, v in LEVEL_WORDS.items()}
HEADER_ROW, FIRST_DATA_ROW = 2, 3
MAX_LENGTHS = {"code": 40, "name": 200, "owner": 200, "address": 200, "progress_text": 4000}


@dataclass(frozen=True)
class LedgerError:
    row: int
    column: str
    code: str
    value: str = ""


@dataclass
class Parsed:
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[LedgerError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class Vocabulary:
    types: frozenset[str]
    units: frozenset[str]
    posts: frozenset[str]
    blocks: frozenset[str]
    industries: frozenset[str]
    projects: frozenset[str] = frozenset()  # existing codes (the monthly sheet refers to them)


def build_ledger_xlsx(rows: Iterable[list[object]], *, title: str = "重点项目台账") -> bytes:
    headers = [*LEDGER_COLUMNS.values(), *EXPORT_EXTRA]
    widths = [14, 30, 10, 8, 18, 18, 10, 10, 12, 12, 12, 8, 12, 14, 14, 20, 12, *[12] * STAGE_COUNT, 30]
    widths += [12, 12, 10, 10, 6, 30]
    return build_table_xlsx(title=title, headers=headers, rows=rows, widths=widths, sheet_name="重点项目台账")


def build_monthly_xlsx(rows: Iterable[list[object]], *, title: str = "重点项目月报") -> bytes:
    return build_table_xlsx(
        title=title, headers=list(MONTHLY_COLUMNS.values()), rows=rows, widths=[14, 10, 14, 40], sheet_name="月报"
    )


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return normalise(str(value))


def _open(
    data: bytes, columns: dict[str, str], required: list[str]
) -> tuple[Parsed, list[tuple[int, dict[str, object]]]]:
    """The sheet's data rows as {key: cell} with their row numbers, or the errors that stop reading it."""
    result = Parsed()
    if not data:
        result.errors.append(LedgerError(0, "", "empty_file"))
        return result, []
    if not zipfile.is_zipfile(io.BytesIO(data)):
        result.errors.append(LedgerError(0, "", "not_xlsx"))
        return result, []
    unsafe = xlsx_problem(data)
    if unsafe is not None:
        code, limit = unsafe
        value = str(limit // (1024 * 1024) if code == "too_large" else limit)
        result.errors.append(LedgerError(0, "", f"xlsx_{code}", value))
        return result, []
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        result.errors.append(LedgerError(0, "", "not_xlsx"))
        return result, []
    rows = wb.worksheets[0].iter_rows(values_only=True)
    header: tuple[object, ...] = ()
    for _ in range(HEADER_ROW):
        header = next(rows, ())
    texts = [_text(h) for h in header]
    # Headers are compared normalised (full-width brackets and spaces as Excel users type them).
    index = {key: texts.index(_text(title)) for key, title in columns.items() if _text(title) in texts}
    for key in required:
        if key not in index:
            result.errors.append(LedgerError(HEADER_ROW, columns[key], "missing_column"))
    if result.errors:
        wb.close()
        return result, []
    out = []
    for number, values in enumerate(rows, start=FIRST_DATA_ROW):
        cells = {key: values[i] if i < len(values) else None for key, i in index.items()}
        if not all(_blank(v) for v in cells.values()):
            out.append((number, cells))
    wb.close()
    if not out:
        result.errors.append(LedgerError(0, "", "no_rows"))
    return result, out


class _Row:
    """Reads one row's cells, collecting errors with the row and the column's header."""

    def __init__(
        self, number: int, cells: dict[str, object], columns: dict[str, str], errors: list[LedgerError]
    ) -> None:
        self.row_no, self.cells, self.columns, self.errors = number, cells, columns, errors

    def error(self, key: str, code: str, value: object = "") -> None:
        self.errors.append(LedgerError(self.row_no, self.columns[key], code, _text(value)[:60]))

    def text(self, key: str, *, required: bool = False) -> str:
        value = _text(self.cells.get(key))
        if required and not value:
            self.error(key, "required")
        problem = text_problem(value, max_length=MAX_LENGTHS.get(key, 200))
        if problem is not None:
            self.error(key, "control_chars" if problem.code == "control_chars" else "too_long", problem.limit or "")
            return ""
        return value

    def number(self, key: str, *, required: bool = False, places: int = 2) -> Decimal | None:
        raw = self.cells.get(key)
        if _blank(raw):
            if required:
                self.error(key, "required")
            return None
        try:
            value = parse_number(raw)
        except BadNumber:
            self.error(key, "not_a_number", raw)
            return None
        if value < 0:
            self.error(key, "negative", raw)
            return None
        if number_problem(value, max_digits=16, decimal_places=places) is not None:
            self.error(key, "out_of_range", "10^14")
            return None
        return value

    def day(self, key: str, *, required: bool = False) -> date | None:
        raw = self.cells.get(key)
        if _blank(raw):
            if required:
                self.error(key, "required")
            return None
        try:
            return parse_date(raw)
        except BadDate:
            self.error(key, "bad_date", raw)
            return None

    def word(self, key: str, known: frozenset[str], code: str, *, required: bool = False) -> str:
        value = self.text(key, required=required)
        if value and value not in known:
            self.error(key, code, value)
            return ""
        return value

    def words(self, key: str, known: frozenset[str], code: str) -> list[str]:
        value = self.text(key)
        names = [n for n in value.replace("，", "、").replace(",", "、").split("、") if n.strip()]
        for name in names:
            if name.strip() not in known:
                self.error(key, code, name)
        return [n.strip() for n in names if n.strip() in known]


def _profile(r: _Row) -> list[float] | None:
    """The row's monthly profile as cumulative shares; None when the cell is blank (keep what is stored)."""
    text = r.text("monthly_profile")
    if not text:
        return None
    figures = profile.parse_figures(text)
    if (
        figures is None
        or len(figures) != profile.MONTHS
        or any(f < 0 for f in figures)
        or not profile.percents_sum_to_100(figures)
    ):
        r.error("monthly_profile", "bad_profile", text)
        return None
    return profile.cumulative_shares(figures)


# on_row(rows checked, data rows): called as the rows go (a background job's progress).
OnRow = Callable[[int, int], None]


def parse_ledger(data: bytes, vocabulary: Vocabulary, *, on_row: OnRow | None = None) -> Parsed:
    """Read and check every cell of a 重点项目台账; any error means nothing may be imported."""
    result, rows = _open(data, LEDGER_COLUMNS, REQUIRED)
    seen: dict[str, int] = {}
    for done, (number, cells) in enumerate(rows, start=1):
        if on_row is not None:
            on_row(done, len(rows))
        r = _Row(number, cells, LEDGER_COLUMNS, result.errors)
        before = len(result.errors)
        level_word = r.text("level", required=True)
        level = LEVEL_WORDS.get(level_word, level_word if level_word in LEVEL_LABELS else "")
        if level_word and not level:
            r.error("level", "bad_level", level_word)
        year = r.number("plan_year", required=True, places=0)
        if year is not None and not 2000 <= year <= 2100:
            r.error("plan_year", "bad_year", year)
        row = {
            "row": number,
            "code": r.text("code", required=True),
            "name": r.text("name", required=True),
            "type": r.word("type", vocabulary.types, "unknown_type", required=True),
            "level": level,
            "owner": r.text("owner"),
            "address": r.text("address"),
            "longitude": r.number("longitude", places=6),
            "latitude": r.number("latitude", places=6),
            "block": r.words("block", vocabulary.blocks, "unknown_tag"),
            "industry": r.words("industry", vocabulary.industries, "unknown_tag"),
            "total_investment": r.number("total_investment", required=True),
            "plan_year": int(year) if year is not None else None,
            "annual_plan": r.number("annual_plan", required=True),
            "leader_post": r.word("leader_post", vocabulary.posts, "unknown_post", required=True),
            "lead_unit": r.word("lead_unit", vocabulary.units, "unknown_unit", required=True),
            "co_units": r.words("co_units", vocabulary.units, "unknown_unit"),
            "completion_due": r.day("completion_due", required=True),
            "stage_dates": [r.day(f"stage_{i}") for i in range(STAGE_COUNT)],
            "monthly_profile": _profile(r),
        }
        code = str(row["code"])
        if code and code in seen:
            r.error("code", "duplicate_code", code)
        seen.setdefault(code, number)
        if len(result.errors) == before:
            result.rows.append(row)
    return result


def parse_monthly(data: bytes, vocabulary: Vocabulary, *, on_row: OnRow | None = None) -> Parsed:
    """Read and check a 月报 sheet: one month's completed investment per project."""
    result, rows = _open(data, MONTHLY_COLUMNS, ["code", "month", "amount_month"])
    seen: set[tuple[str, date]] = set()
    for done, (number, cells) in enumerate(rows, start=1):
        if on_row is not None:
            on_row(done, len(rows))
        r = _Row(number, cells, MONTHLY_COLUMNS, result.errors)
        before = len(result.errors)
        code = r.word("code", vocabulary.projects, "unknown_project", required=True)
        month = r.day("month", required=True)
        row = {
            "row": number,
            "code": code,
            "month": month,
            "amount_month": r.number("amount_month", required=True),
            "progress_text": r.text("progress_text"),
        }
        if code and month is not None:
            key = (code, date(month.year, month.month, 1))
            if key in seen:
                r.error("code", "duplicate_month", code)
            seen.add(key)
        if len(result.errors) == before:
            result.rows.append(row)
    return result
