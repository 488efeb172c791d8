"""The pure .xlsx table builder, without HTTP."""

import datetime as dt
import io
import shutil
import subprocess

import pytest
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


@pytest.mark.office_render
def test_a_ledger_opens_in_libreoffice_calc(tmp_path):
    """The written workbook opens in LibreOffice Calc and prints its title, header and rows
    (`.ci/run` installs libreoffice-calc-nogui and poppler-utils)."""
    path = tmp_path / "ledger.xlsx"
    rows = [
        [i, f"T{i:04d}", "老旧小区改造提升", 248, "个", dt.date(2021, 12, 31), None, "=不是公式"] for i in range(1, 61)
    ]
    path.write_bytes(
        build_table_xlsx(
            title="任务分解表", headers=["序号", "编号", "任务", "目标", "单位", "时限", "空", "文本"], rows=rows
        )
    )
    soffice = [shutil.which("soffice"), f"-env:UserInstallation=file://{tmp_path}/lo", "--headless"]
    subprocess.run(  # noqa: S603  (fixed arguments, a path from tmp_path)
        [*soffice, "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    pdf = tmp_path / "ledger.pdf"
    assert pdf.exists()  # soffice exits 0 even when it could not load the file
    run = {"check": True, "capture_output": True, "text": True}
    text = subprocess.run([shutil.which("pdftotext"), "-layout", str(pdf), "-"], **run).stdout  # noqa: S603
    assert "任务分解表" in text and "T0001" in text and "T0060" in text
    assert "2021年12月31日" in text and "=不是公式" in text
    info = subprocess.run([shutil.which("pdfinfo"), str(pdf)], **run).stdout  # noqa: S603
    pages = int(next(line.split()[1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages >= 2 and text.count("编号") == pages  # the header row repeats on every printed page
