"""Pure modules with plain data: order numbers, EXIF GPS, the .docx builder (checked with python-docx)."""

import datetime as dt
import io
import shutil
import subprocess

import pytest
from docx import Document
from docx.oxml.ns import qn
from PIL import Image

from supervision.exif import Coordinates, gps_coordinates
from supervision.numbering import format_number, parse_number
from supervision.orderdoc import (
    BODY_FONT,
    FIXED_HEIGHT_MM,
    HEADING_FONT,
    MAX_CONTENT,
    MAX_REQUIREMENTS,
    RED,
    TITLE_FONT,
    TYPE_HEIGHT_MM,
    OrderDocument,
    build_order_docx,
    cn_date,
    estimated_height_mm,
    fit_layout,
    rows_for,
    task_lines,
)


def test_order_numbers_use_hexagonal_brackets_and_no_leading_zeros():
    assert format_number("二七督", 2021, 12) == "二七督〔2021〕12号"
    assert parse_number("二七督〔2021〕12号") == ("二七督", 2021, 12)
    assert parse_number("二七督[2021]12号") is None
    assert parse_number("二七督〔2021〕012号") is None
    with pytest.raises(ValueError):
        format_number("二七督", 2021, 0)


def jpeg(gps: dict | None = None) -> bytes:
    image = Image.new("RGB", (60, 40), (90, 140, 60))
    exif = Image.Exif()
    if gps is not None:
        exif[0x8825] = gps
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_gps_is_read_from_exif_degrees_minutes_seconds():
    # 二七纪念塔, Zhengzhou: 34°45′27″N 113°40′12″E
    data = jpeg({1: "N", 2: (34.0, 45.0, 27.0), 3: "E", 4: (113.0, 40.0, 12.0)})
    assert gps_coordinates(data) == Coordinates(34.7575, 113.67)


def test_southern_and_western_references_are_negative():
    data = jpeg({1: "S", 2: (33.0, 52.0, 0.0), 3: "W", 4: (151.0, 12.0, 36.0)})
    assert gps_coordinates(data) == Coordinates(-33.866667, -151.21)


@pytest.mark.parametrize(
    "data",
    [
        jpeg(),  # no GPS block
        jpeg({1: "N", 2: (0.0, 0.0, 0.0), 3: "E", 4: (0.0, 0.0, 0.0)}),  # a phone without a fix writes zeros
        jpeg({1: "N", 2: (34.0, 45.0, 27.0)}),  # latitude only
        b"not an image at all",
        b"",
    ],
)
def test_no_usable_gps_gives_none(data):
    assert gps_coordinates(data) is None


def document(**overrides) -> OrderDocument:
    values = {
        "issuer": "二七区委区政府督查室",
        "number": "二七督〔2021〕12号",
        "kind_label": "督办",
        "unit": "郑州市二七区住房和城乡建设局",
        "tasks": ["T005 2021年底前高质量完成248个老旧小区改造提升任务"],
        "content": "截至2021年9月30日，进度滞后。",
        "requirements": "请书面反馈整改措施。",
        "issued_on": dt.date(2021, 9, 30),
        "due_date": dt.date(2021, 10, 13),
        "response_workdays": 5,
    }
    return OrderDocument(**{**values, **overrides})


def test_dates_are_written_the_official_way():
    assert cn_date(dt.date(2021, 9, 3)) == "2021年9月3日"


def test_the_docx_has_the_official_header_number_rule_and_fields():
    doc = Document(io.BytesIO(build_order_docx(document())))
    paragraphs = doc.paragraphs
    header, title, number = paragraphs[0], paragraphs[1], paragraphs[2]
    assert header.text == "二七区委区政府督查室"
    assert title.text == "督 办 通 知 单"
    assert number.text == "二七督〔2021〕12号"
    for paragraph in (header, title):
        run = paragraph.runs[0]
        assert str(run.font.color.rgb) == RED
        assert run._element.rPr.rFonts.get(qn("w:eastAsia")) == TITLE_FONT
    # The red rule under the number (版头分隔线).
    bottom = number._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert bottom.get(qn("w:color")) == RED and bottom.get(qn("w:val")) == "single"
    rows = {row.cells[0].text: row.cells[1].text for row in doc.tables[0].rows}
    assert rows["主送单位"] == "郑州市二七区住房和城乡建设局"
    assert rows["督办类别"] == "督办"
    assert rows["反馈时限"] == "2021年10月13日前（5个工作日内）书面反馈"
    assert "248个老旧小区" in rows["督办事项"]
    label_run = doc.tables[0].rows[0].cells[0].paragraphs[0].runs[0]
    text_run = doc.tables[0].rows[0].cells[1].paragraphs[0].runs[0]
    assert label_run._element.rPr.rFonts.get(qn("w:eastAsia")) == HEADING_FONT
    assert text_run._element.rPr.rFonts.get(qn("w:eastAsia")) == BODY_FONT
    assert paragraphs[-2].text == "2021年9月30日"  # the date at the foot, above the note


def test_the_docx_is_a4_with_official_margins_and_chinese_defaults():
    doc = Document(io.BytesIO(build_order_docx(document())))
    section = doc.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert [round(m.mm) for m in (section.top_margin, section.bottom_margin)] == [37, 35]
    assert [round(m.mm) for m in (section.left_margin, section.right_margin)] == [28, 26]
    defaults = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert defaults.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"
    assert defaults.find(qn("w:rFonts")).get(qn("w:eastAsia")) == BODY_FONT


def test_many_tasks_are_summarised():
    lines = task_lines([f"任务{i}" for i in range(7)])
    assert lines == ["任务0", "任务1", "等7项任务"]
    assert task_lines(["长" * 60])[0] == "长" * 39 + "…"


def test_the_body_shrinks_to_fit_one_page_and_the_caps_always_fit():
    _rows, short_size = fit_layout(rows_for(document()))
    assert short_size >= 14  # a usual order prints at 三号 or 四号
    room = TYPE_HEIGHT_MM - FIXED_HEIGHT_MM
    worst = [
        document(content="测" * MAX_CONTENT, requirements="要" * MAX_REQUIREMENTS, tasks=["长" * 80] * 9),
        # line breaks everywhere: the only way to overflow within the caps
        document(content="测\n" * (MAX_CONTENT // 2), requirements="要\n" * (MAX_REQUIREMENTS // 2)),
    ]
    for data in worst:
        rows, size = fit_layout(rows_for(data))
        assert size < short_size
        assert estimated_height_mm(rows, size) <= room


@pytest.mark.office_render
def test_the_longest_order_renders_on_one_page(tmp_path):
    """The worst case of the length caps stays one A4 page in LibreOffice (`.ci/run` installs it)."""
    path = tmp_path / "order.docx"
    data = document(content="测" * MAX_CONTENT, requirements="要" * MAX_REQUIREMENTS, tasks=["长" * 80] * 9)
    path.write_bytes(build_order_docx(data))
    subprocess.run(  # noqa: S603  (fixed arguments, a path from tmp_path)
        [
            shutil.which("soffice"),
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    pdf = tmp_path / "order.pdf"
    assert pdf.exists()  # soffice exits 0 even when it fails
    pdfinfo = [shutil.which("pdfinfo"), str(pdf)]
    info = subprocess.run(pdfinfo, check=True, capture_output=True, text=True).stdout  # noqa: S603
    assert "Pages:           1" in info
