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
    assert abs(ws.column_dimensions["B"].width - 40) < 1  # stored with Excel's padding (40.71)
    assert ws.page_setup.orientation == "landscape"
    # Fitted to one page wide (1 is the attribute's default, so it may be omitted), any number high.
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (None, 1)
    assert int(ws.page_setup.fitToHeight) == 0
    assert ws.print_title_rows == "$2:$2"
    assert ws.auto_filter.ref == "A2:C4"
    assert ws["B3"].alignment.wrap_text and ws["B3"].border.left.style == "thin"
    assert ws["B2"].font.b and ws["A1"].font.sz == 14


def test_text_stays_text():
    """A title typed as a formula is exported as the text it is (no formula injection into Excel)."""
    content = build_table_xlsx(title="t", headers=["a", "b"], rows=[['=HYPERLINK("http://x")', "+1"]])
    ws = load_workbook(io.BytesIO(content)).active
    assert ws["A3"].data_type == "s" and ws["A3"].value == '=HYPERLINK("http://x")'
    assert ws["B3"].value == "+1"


def test_builder_handles_no_rows():
    ws = load_workbook(io.BytesIO(build_table_xlsx(title="空", headers=["a"], rows=[]))).active
    assert ws.max_row == 2
