"""The task ledger (任务分解表): build it as .xlsx and read it back. Pure: no Django import.

Layout (row 1 title, row 2 header, data from row 3), the familiar columns of a
分解表 plus what a round trip needs: the task code, modality, the original
commitment after rebaselining.
"""

import io
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from core.validation import number_problem, text_problem
from core.xlsx import build_table_xlsx
from core.xlsx_safety import xlsx_problem
from plans.milestones import MilestoneLine, format_milestones, parse_milestones
from plans.textdates import BadDate, BadNumber, format_number, normalise, parse_date, parse_number

# (key, header, width). The first header of each alias list is what export writes.
COLUMNS: list[tuple[str, str, int]] = [
    ("seq", "序号", 6),
    ("code", "任务编号", 10),
    ("title", "任务名称/工作任务", 40),
    ("target_value", "目标值", 10),
    ("target_unit", "单位", 8),
    ("responsible_post", "责任领导", 16),
    ("lead_unit", "牵头单位", 14),
    ("co_units", "配合单位", 22),
    ("deadline", "完成时限", 14),
    ("milestones", "推进措施/节点", 34),
    ("area", "所属领域", 22),
    ("modality", "确保/力争", 9),
    ("baseline_target_value", "原目标值", 10),
    ("baseline_deadline", "原完成时限", 14),
]
HEADER_ALIASES: dict[str, set[str]] = {
    "seq": {"序号"},
    "code": {"任务编号", "编号"},
    "title": {"任务名称/工作任务", "任务名称", "工作任务", "任务"},
    "target_value": {"目标值", "目标"},
    "target_unit": {"单位", "计量单位"},
    "responsible_post": {"责任领导"},
    "lead_unit": {"牵头单位", "责任单位"},
    "co_units": {"配合单位"},
    "deadline": {"完成时限", "时限"},
    "milestones": {"推进措施/节点", "推进措施", "节点", "时间节点"},
    "area": {"所属领域", "领域"},
    "modality": {"确保/力争"},
    "baseline_target_value": {"原目标值", "原目标"},
    "baseline_deadline": {"原完成时限"},
}
# The columns the cells land in (PlanNode.title, Task.code, Task.target_unit; plans/tests checks they agree).
MAX_LENGTHS = {"code": 30, "title": 300, "target_unit": 20}
TARGET_DIGITS, TARGET_PLACES = 20, 4
REQUIRED = ["title", "target_value", "target_unit", "responsible_post", "lead_unit", "co_units", "deadline", "area"]
HEADER_ROW = 2
FIRST_DATA_ROW = 3
MODALITY_WORDS = {"确保": "must", "": "must", "力争": "strive", "争取": "strive"}
MODALITY_LABELS = {"must": "确保", "strive": "力争"}
_SEPARATORS = str.maketrans({c: "、" for c in ",，;；/ \n"})


@dataclass(frozen=True)
class LedgerRow:
    """The cells of one task row, as written and as read back."""

    code: str
    title: str
    target_value: Decimal | None
    target_unit: str
    responsible_post: str
    lead_unit: str
    co_units: list[str]
    deadline: date
    milestones: list[MilestoneLine]
    area: str
    modality: str


@dataclass(frozen=True)
class LedgerRowOut(LedgerRow):
    """One task as the ledger shows it: the row plus the original commitment after rebaselining."""

    baseline_target_value: Decimal | None = None
    baseline_deadline: date | None = None


def build_task_ledger_xlsx(rows: Iterable[LedgerRowOut], *, title: str = "任务分解表") -> bytes:
    def cells(seq: int, r: LedgerRowOut) -> list[object]:
        rebased_target = r.baseline_target_value is not None and r.baseline_target_value != r.target_value
        rebased_deadline = r.baseline_deadline is not None and r.baseline_deadline != r.deadline
        return [
            seq,
            r.code,
            r.title,
            _number_cell(r.target_value),
            r.target_unit,
            r.responsible_post,
            r.lead_unit,
            "、".join(r.co_units),
            r.deadline,
            format_milestones(r.milestones),
            r.area,
            MODALITY_LABELS.get(r.modality, ""),
            _number_cell(r.baseline_target_value) if rebased_target else None,
            r.baseline_deadline if rebased_deadline else None,
        ]

    return build_table_xlsx(
        title=title,
        headers=[c[1] for c in COLUMNS],
        rows=(cells(i, r) for i, r in enumerate(rows, start=1)),
        widths=[c[2] for c in COLUMNS],
        sheet_name=title,
    )


def _number_cell(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


# --- reading ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerError:
    row: int  # spreadsheet row number (1-based); 0 for the file as a whole
    column: str  # the header as the user wrote it, "" for the file or the row
    code: str
    value: str = ""


@dataclass(frozen=True)
class LedgerRowIn(LedgerRow):
    """A row read from a spreadsheet, with its row number for error messages."""

    row: int = 0


@dataclass
class LedgerParse:
    rows: list[LedgerRowIn] = field(default_factory=list)
    errors: list[LedgerError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class Vocabulary:
    """What cells may name: passed in by the caller so this module needs no database."""

    units: frozenset[str]
    posts: frozenset[str]
    areas: frozenset[str]


def parse_task_ledger(
    data: bytes, vocabulary: Vocabulary, *, on_row: Callable[[int, int | None], None] | None = None
) -> LedgerParse:
    """Read and check every cell; a single error anywhere means nothing may be imported.
    `on_row(rows read, data rows the sheet declares)` is called as the rows go (a job's progress)."""
    result = LedgerParse()
    if not data:
        result.errors.append(LedgerError(0, "", "empty_file"))
        return result
    if not zipfile.is_zipfile(io.BytesIO(data)):
        result.errors.append(LedgerError(0, "", "not_xlsx"))
        return result
    unsafe = xlsx_problem(data)
    if unsafe is not None:
        code, limit = unsafe
        result.errors.append(
            LedgerError(0, "", f"xlsx_{code}", str(limit // (1024 * 1024) if code == "too_large" else limit))
        )
        return result
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        result.errors.append(LedgerError(0, "", "not_xlsx"))
        return result
    ws = wb.worksheets[0]
    declared = max(0, ws.max_row - HEADER_ROW) if ws.max_row else None
    rows = ws.iter_rows(values_only=True)
    header: tuple[object, ...] | None = None
    for _ in range(HEADER_ROW):
        header = next(rows, None)
    columns, header_errors = _map_header(header or ())
    if header_errors:
        result.errors.extend(header_errors)
        return result
    seen_codes: dict[str, int] = {}
    for row_number, values in enumerate(rows, start=FIRST_DATA_ROW):
        if on_row is not None:
            on_row(row_number - HEADER_ROW, declared)
        cells = {key: values[index] if index < len(values) else None for key, index in columns.items()}
        if all(_blank(v) for v in cells.values()):
            continue
        parsed = _parse_row(row_number, cells, vocabulary, result.errors, header or ())
        if parsed is None:
            continue
        if parsed.code:
            if parsed.code in seen_codes:
                result.errors.append(
                    LedgerError(row_number, _header_of("code", columns, header), "duplicate_code", parsed.code)
                )
            seen_codes.setdefault(parsed.code, row_number)
        result.rows.append(parsed)
    wb.close()
    if not result.rows and not result.errors:
        result.errors.append(LedgerError(0, "", "no_rows"))
    return result


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return normalise(str(value))


def _header_of(key: str, columns: dict[str, int], header: tuple[object, ...] | None) -> str:
    index = columns.get(key)
    if header is None or index is None:
        return dict((k, h) for k, h, _ in COLUMNS)[key]
    return _text(header[index])


def _map_header(header: tuple[object, ...]) -> tuple[dict[str, int], list[LedgerError]]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = _text(cell).replace(" ", "")
        for key, aliases in HEADER_ALIASES.items():
            if name in aliases and key not in columns:
                columns[key] = index
    missing = [key for key in REQUIRED if key not in columns]
    labels = {k: h for k, h, _ in COLUMNS}
    return columns, [LedgerError(HEADER_ROW, labels[key], "missing_column") for key in missing]


def _parse_row(
    row: int, cells: dict[str, object], vocab: Vocabulary, errors: list[LedgerError], header: tuple[object, ...]
) -> LedgerRowIn | None:
    start = len(errors)
    labels = {k: h for k, h, _ in COLUMNS}

    def error(key: str, code: str, value: object = "") -> None:
        errors.append(LedgerError(row, labels[key], code, _text(value)))

    for key, value in cells.items():
        if isinstance(value, str) and (problem := text_problem(value, max_length=MAX_LENGTHS.get(key))):
            error(key, problem.code, problem.limit or "")
    if len(errors) > start:
        return None  # the other checks would only repeat the same cells
    title = _text(cells.get("title"))
    if not title:
        error("title", "required")
    target_value = None
    if not _blank(cells.get("target_value")):
        try:
            target_value = parse_number(cells["target_value"])
        except BadNumber:
            error("target_value", "not_a_number", cells["target_value"])
        else:
            if target_value < 0:
                error("target_value", "negative", cells["target_value"])
            elif problem := number_problem(target_value, max_digits=TARGET_DIGITS, decimal_places=TARGET_PLACES):
                error("target_value", problem.code, problem.limit or "")
    unit = _text(cells.get("target_unit"))
    if target_value is not None and not unit:
        error("target_unit", "required")
    post = _text(cells.get("responsible_post"))
    if not post:
        error("responsible_post", "required")
    elif post not in vocab.posts:
        error("responsible_post", "unknown_post", post)
    lead = _text(cells.get("lead_unit"))
    if not lead:
        error("lead_unit", "required")
    elif lead not in vocab.units:
        error("lead_unit", "unknown_unit", lead)
    co_units = [u for u in _text(cells.get("co_units")).translate(_SEPARATORS).split("、") if u]
    for name in co_units:
        if name not in vocab.units:
            error("co_units", "unknown_unit", name)
    if lead and lead in co_units:
        error("co_units", "lead_in_co_units", lead)
    deadline = None
    if _blank(cells.get("deadline")):
        error("deadline", "required")
    else:
        try:
            deadline = parse_date(cells["deadline"])
        except BadDate:
            error("deadline", "bad_date", cells["deadline"])
    milestones, milestone_errors = parse_milestones(_text(cells.get("milestones")), deadline=deadline)
    for m_error in milestone_errors:
        error("milestones", f"milestone_{m_error.code}", m_error.text)
    if target_value is None and not milestones:
        error("target_value", "target_or_milestones")
    area = _text(cells.get("area"))
    if not area:
        error("area", "required")
    elif area not in vocab.areas:
        error("area", "unknown_area", area)
    modality_word = _text(cells.get("modality"))
    modality = MODALITY_WORDS.get(modality_word)
    if modality is None:
        error("modality", "bad_modality", modality_word)
    if len(errors) > start:
        return None
    return LedgerRowIn(
        row=row,
        code=_text(cells.get("code")),
        title=title,
        target_value=target_value,
        target_unit=unit,
        responsible_post=post,
        lead_unit=lead,
        co_units=co_units,
        deadline=deadline,  # type: ignore[arg-type]
        milestones=milestones,
        area=area,
        modality=modality or "must",
    )


__all__ = [
    "COLUMNS",
    "LedgerError",
    "LedgerParse",
    "LedgerRowIn",
    "LedgerRowOut",
    "Vocabulary",
    "build_task_ledger_xlsx",
    "format_number",
    "parse_task_ledger",
]
