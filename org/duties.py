"""Reading the unit-responsibilities workbook (单位职责表): one row per unit, its keywords in one cell.

    单位        | 职责关键词
    区住建局    | 老旧小区、棚户区、保障房、市政道路

Every cell is checked before anything is written; a problem names its row and column (the header
as written). Returns codes; the page words them (plans.messages wording for the shared codes).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from core.xlsx_safety import xlsx_problem

UNIT_HEADERS = ("单位", "牵头单位", "责任单位", "unit")
KEYWORD_HEADERS = ("职责关键词", "职责", "关键词", "keywords")
KEYWORD_MAX = 40
_SEPARATORS = re.compile(r"[、,，;；/\s]+")


@dataclass(frozen=True)
class DutyError:
    row: int  # 1-based sheet row; 0 for the file
    column: str
    code: str
    value: str = ""


@dataclass
class DutyParse:
    rows: list[tuple[str, list[str]]] = field(default_factory=list)  # (unit name, keywords)
    errors: list[DutyError] = field(default_factory=list)


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def parse_duties(data: bytes, unit_names: frozenset[str]) -> DutyParse:
    """The rows of the first sheet, or the errors that stop the whole import."""
    result = DutyParse()
    if not data:
        result.errors.append(DutyError(0, "", "empty_file"))
        return result
    if not zipfile.is_zipfile(io.BytesIO(data)):
        result.errors.append(DutyError(0, "", "not_xlsx"))
        return result
    unsafe = xlsx_problem(data)
    if unsafe is not None:
        code, limit = unsafe
        value = str(limit // (1024 * 1024) if code == "too_large" else limit)
        result.errors.append(DutyError(0, "", f"xlsx_{code}", value))
        return result
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        result.errors.append(DutyError(0, "", "not_xlsx"))
        return result
    rows = workbook.worksheets[0].iter_rows(values_only=True)
    header = [_text(cell) for cell in next(rows, ())]
    unit_col = next((i for i, h in enumerate(header) if h in UNIT_HEADERS), None)
    keyword_col = next((i for i, h in enumerate(header) if h in KEYWORD_HEADERS), None)
    for index, name in ((unit_col, UNIT_HEADERS[0]), (keyword_col, KEYWORD_HEADERS[0])):
        if index is None:
            result.errors.append(DutyError(1, name, "missing_column"))
    if result.errors:
        return result
    assert unit_col is not None and keyword_col is not None
    unit_header, keyword_header = header[unit_col], header[keyword_col]
    seen: dict[str, int] = {}
    for number, values in enumerate(rows, start=2):
        unit = _text(values[unit_col]) if unit_col < len(values) else ""
        words = _text(values[keyword_col]) if keyword_col < len(values) else ""
        if not unit and not words:
            continue
        if not unit:
            result.errors.append(DutyError(number, unit_header, "required"))
            continue
        if unit not in unit_names:
            result.errors.append(DutyError(number, unit_header, "unknown_unit", unit))
            continue
        keywords = [w for w in _SEPARATORS.split(words) if w]
        if not keywords:
            result.errors.append(DutyError(number, keyword_header, "required"))
            continue
        too_long = [w for w in keywords if len(w) > KEYWORD_MAX]
        if too_long:
            result.errors.append(DutyError(number, keyword_header, "keyword_too_long", too_long[0][:60]))
            continue
        if unit in seen:
            result.errors.append(DutyError(number, unit_header, "duplicate_unit", unit))
            continue
        seen[unit] = number
        result.rows.append((unit, list(dict.fromkeys(keywords))))
    if not result.rows and not result.errors:
        result.errors.append(DutyError(0, "", "no_rows"))
    return result
