"""A pure .xlsx table builder (rows -> bytes): no Django import, tested without HTTP.

Ledgers share one look: a bold title row, a frozen header, set column widths,
Chinese dates, landscape printing fitted to the page width.
"""

import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
# Chinese date formats as Excel/WPS display them.
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
DATETIME_FORMAT = 'yyyy"年"m"月"d"日" hh:mm:ss'


def build_table_xlsx(
    *,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    widths: Sequence[int] | None = None,
    sheet_name: str = "Sheet1",
) -> bytes:
    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = sheet_name[:31]
    ncols = len(headers)
    ws.cell(row=1, column=1, value=title).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(ncols, 1))
    ws.cell(row=1, column=1).alignment = Alignment(horizontal="center")
    for col, header in enumerate(headers, start=1):
        cell = ws.cell(row=2, column=col, value=header)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    row_no = 2
    for row_no, row in enumerate(rows, start=3):
        for col, value in enumerate(row, start=1):
            if isinstance(value, datetime) and value.tzinfo is not None:
                value = value.replace(tzinfo=None)  # Excel has no time zones; callers pass local time
            cell = ws.cell(row=row_no, column=col, value=value)
            cell.border = _BORDER
            cell.alignment = Alignment(vertical="top", wrap_text=isinstance(value, str))
            if isinstance(value, datetime):
                cell.number_format = DATETIME_FORMAT
            elif isinstance(value, date):
                cell.number_format = DATE_FORMAT
    for col in range(1, ncols + 1):
        width = widths[col - 1] if widths and col - 1 < len(widths) else 14
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A3"
    ws.print_title_rows = "2:2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if row_no >= 3:
        ws.auto_filter.ref = f"A2:{get_column_letter(ncols)}{row_no}"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
