"""The pure .xlsx table builder, without HTTP."""

import datetime as dt
import io

from openpyxl import load_workbook

from core.xlsx import DATE_FORMAT, build_table_xlsx


def test_builder_writes_title_frozen_header_widths_and_print_setup():
    content = build_table_xlsx(
        title="任务分解表",
        headers=["序号", "任务名称", "完成时限"],
        rows=[[1, "老旧小区改造提升", dt.date(2021, 12, 31)], [2, "道路综合改造", dt.date(2021, 6, 30)]],
        widths=[6, 40, 14],
    )
    ws = load_workbook(io.BytesIO(content)).active
    assert ws["A1"].value == "任务分解表"
    assert [c.value for c in ws[2]] == ["序号", "任务名称", "完成时限"]
    assert ws["C3"].value == dt.datetime(2021, 12, 31) and ws["C3"].number_format == DATE_FORMAT
    assert ws.freeze_panes == "A3"
    assert ws.column_dimensions["B"].width == 40
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1


def test_builder_handles_no_rows():
    ws = load_workbook(io.BytesIO(build_table_xlsx(title="空", headers=["a"], rows=[]))).active
    assert ws.max_row == 2
