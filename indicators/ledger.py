"""The indicator ledger (指标台账): indicators × periods, as a statistics office lays it out. Pure: no Django.

Row 1 title, row 2 header, data from row 3. The first columns name the row (指标名称, 计量单位, 类型:
预计/快报/年报, 责任单位); every further header is a period (2021-01, 2021Q1, 2021, 2016-2020). One row per
indicator and kind, so a value keeps its estimate/final flag through export and import. Values are
numbers in the row's unit (亿元 as shown, converted to the base unit by the importer).
"""

import io
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from core.validation import text_problem
from core.xlsx import build_table_xlsx
from core.xlsx_safety import xlsx_problem
from indicators import derive
from plans.ledger import LedgerError

HEADER_ROW, FIRST_DATA_ROW = 2, 3
FIXED = [("name", "指标名称", 28), ("unit", "计量单位", 10), ("kind", "类型", 8), ("source", "责任单位", 14)]
ALIASES = {
    "name": {"指标名称", "指标", "名称"},
    "unit": {"计量单位", "单位"},
    "kind": {"类型", "数据类型", "口径"},
    "source": {"责任单位", "数据来源", "来源"},
}
REQUIRED = ("name", "unit", "kind")
KIND_LABELS = {"estimate": "预计", "preliminary": "快报", "final": "年报"}
KIND_WORDS = {"预计": "estimate", "预计数": "estimate", "快报": "preliminary", "快报数": "preliminary",
              "年报": "final", "年报数": "final", "最终": "final", "estimate": "estimate",
              "preliminary": "preliminary", "final": "final"}  # fmt: skip


@dataclass(frozen=True)
class LedgerRowOut:
    name: str
    unit: str
    kind: str
    source: str
    values: dict[str, Decimal]  # period → value in `unit`


def build_indicator_ledger_xlsx(periods: Sequence[str], rows: Iterable[LedgerRowOut], *, title: str) -> bytes:
    headers = [h for _, h, _ in FIXED] + list(periods)
    widths = [w for _, _, w in FIXED] + [11] * len(periods)

    def cells(row: LedgerRowOut) -> list[object]:
        fixed: list[object] = [row.name, row.unit, KIND_LABELS[row.kind], row.source]
        return fixed + [_number(row.values.get(p)) for p in periods]

    return build_table_xlsx(title=title, headers=headers, rows=(cells(r) for r in rows), widths=widths,
                            sheet_name="指标台账")  # fmt: skip


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    normal = value.normalize()
    return int(normal) if normal == normal.to_integral_value() else float(normal)


@dataclass(frozen=True)
class CellIn:
    row: int
    column: str  # the period header as written
    name: str
    unit: str
    kind: str
    period: str  # canonical (2021-03)
    value: Decimal


@dataclass
class LedgerParse:
    cells: list[CellIn] = field(default_factory=list)
    errors: list[LedgerError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _open(data: bytes, result: LedgerParse) -> Workbook | None:
    if not data:
        result.errors.append(LedgerError(0, "", "empty_file"))
        return None
    unsafe = xlsx_problem(data) if zipfile.is_zipfile(io.BytesIO(data)) else ("not_xlsx", 0)
    if unsafe is not None:
        code, limit = unsafe
        result.errors.append(
            LedgerError(0, "", f"xlsx_{code}", str(limit // (1024 * 1024) if code == "too_large" else limit))
        )
        return None
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        result.errors.append(LedgerError(0, "", "not_xlsx"))
        return None


def _header(header: tuple[object, ...], result: LedgerParse) -> tuple[dict[str, int], dict[int, str], dict[int, str]]:
    """Fixed columns by name, period columns (index → canonical period, index → as written)."""
    fixed: dict[str, int] = {}
    periods: dict[int, str] = {}
    written: dict[int, str] = {}
    for index, cell in enumerate(header):
        text = _text(cell).replace(" ", "")
        if not text:
            continue
        key = next((k for k, names in ALIASES.items() if text in names), None)
        if key is not None:
            fixed.setdefault(key, index)
            continue
        try:
            period = derive.parse_period(text)
        except derive.PeriodError:
            result.errors.append(LedgerError(HEADER_ROW, text, "unknown_period", text))
            continue
        if str(period) in periods.values():
            result.errors.append(LedgerError(HEADER_ROW, text, "duplicate_period", text))
        periods[index], written[index] = str(period), text
    labels = {k: h for k, h, _ in FIXED}
    for key in REQUIRED:
        if key not in fixed:
            result.errors.append(LedgerError(HEADER_ROW, labels[key], "missing_column"))
    if not periods:
        result.errors.append(LedgerError(HEADER_ROW, "", "no_periods"))
    return fixed, periods, written


def parse_indicator_ledger(data: bytes, *, on_row: Callable[[int, int | None], None] | None = None) -> LedgerParse:
    """Read and check every cell; any error anywhere means nothing may be imported.

    Checked here: the file, the header (fixed columns, periods), each row's name/unit/kind, each value
    cell (a number), duplicate rows. Checked by the importer (it needs the database): the indicator
    exists, the unit converts, the period fits its frequency, a final is not entered twice, access.
    `on_row(rows read, data rows the sheet declares)` is called as the rows go (a job's progress).
    """
    result = LedgerParse()
    wb = _open(data, result)
    if wb is None:
        return result
    sheet = wb.worksheets[0]
    declared = max(0, sheet.max_row - HEADER_ROW) if sheet.max_row else None
    rows = sheet.iter_rows(values_only=True)
    header: tuple[object, ...] = ()
    for _ in range(HEADER_ROW):
        header = next(rows, ())
    fixed, periods, written = _header(header, result)
    if result.errors:
        wb.close()
        return result
    labels = {k: h for k, h, _ in FIXED}
    seen: dict[tuple[str, str, str], int] = {}
    for number, values in enumerate(rows, start=FIRST_DATA_ROW):
        if on_row is not None:
            on_row(number - HEADER_ROW, declared)

        def cell(key: str, values: tuple[object, ...] = values) -> object:
            index = fixed.get(key)
            return values[index] if index is not None and index < len(values) else None

        period_cells = {i: values[i] if i < len(values) else None for i in periods}
        if all(_blank(cell(k)) for k in fixed) and all(_blank(v) for v in period_cells.values()):
            continue
        start = len(result.errors)
        for column in ("name", "unit", "kind", "source"):
            raw = cell(column)
            if isinstance(raw, str) and (problem := text_problem(raw, max_length=200)):
                result.errors.append(LedgerError(number, labels[column], problem.code, str(problem.limit or "")))
        name, unit, kind_word = _text(cell("name")), _text(cell("unit")), _text(cell("kind"))
        if not name:
            result.errors.append(LedgerError(number, labels["name"], "required"))
        kind = KIND_WORDS.get(kind_word)
        if kind is None:
            result.errors.append(LedgerError(number, labels["kind"], "bad_kind", kind_word))
        row_key = (name, unit, kind or kind_word)
        if row_key in seen:
            result.errors.append(LedgerError(number, labels["name"], "duplicate_row", str(seen[row_key])))
        seen.setdefault(row_key, number)
        for index, raw in period_cells.items():
            if _blank(raw):
                continue
            try:
                value = derive.parse_number(raw)
            except ValueError:
                result.errors.append(LedgerError(number, written[index], "not_a_number", _text(raw)))
                continue
            if len(result.errors) == start:
                result.cells.append(CellIn(number, written[index], name, unit, kind or "", periods[index], value))
    wb.close()
    if not result.cells and not result.errors:
        result.errors.append(LedgerError(0, "", "no_rows"))
    return result
