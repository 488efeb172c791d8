"""The printable 督办通知单 (supervision order notice) as a one-page .docx. Pure: no Django import.

Official-document style after GB/T 9704-2012 (党政机关公文格式), as district
offices print it: A4, type area 156 × 225 mm (margins 37 / 35 / 28 / 26 mm);
the issuing office's name in red 方正小标宋简体 as the header (版头), the order
number (文号) centred under it, a red rule across the type area; then the form
itself, labels in 黑体 and text in 仿宋_GB2312, and the issuer and date at the
foot. The .docx names the real 公文 fonts (East Asian slots set, as Word and WPS
need), so it prints as expected on users' machines; the server only substitutes
fonts when rendering a preview (docs/supervision.md).

The page must stay one page: `fit_layout` picks the largest body size from
16 pt (三号) down to 10.5 pt (五号) at which the text is estimated to fit, and the
forms cap the lengths of content and requirements (`MAX_CONTENT`, …) so that
10.5 pt always fits. `docs/images/order-docx.png` is a rendered page.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # python-docx is imported lazily: only building a notice needs it
    from docx.document import Document
    from docx.enum.text import WD_PARAGRAPH_ALIGNMENT
    from docx.table import Table, _Cell
    from docx.text.paragraph import Paragraph
    from docx.text.run import Run

MAX_CONTENT = 300  # characters of 督办内容 (forms refuse more)
MAX_REQUIREMENTS = 150  # characters of 办理要求
MAX_TASK_LINES = 3  # task titles listed; more are summarised as 等N项任务
MAX_TASK_TITLE = 40  # characters of each listed title

RED = "FF0000"
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"

# Type area (版心) in millimetres, and the table's label and text columns.
TYPE_WIDTH_MM = 156
TYPE_HEIGHT_MM = 225
LABEL_WIDTH_MM = 30
TEXT_WIDTH_MM = TYPE_WIDTH_MM - LABEL_WIDTH_MM
# What the header (office name, title, number, rule: 47 mm) and the foot (issuer, date, note: 29 mm) take,
# measured on a render, plus a margin for the estimate's error.
FIXED_HEIGHT_MM = 84
BODY_SIZES = (16, 15, 14, 12, 10.5)  # 三号 … 五号
PT_MM = 25.4 / 72
CELL_PADDING_MM = 2.5
# Rows a pen may still write in, as on the printed forms: at least this tall (mm).
MIN_ROW_MM = {"督办内容": 45, "办理要求": 20, "签收情况": 16}


@dataclass(frozen=True)
class OrderDocument:
    """Everything printed on the notice, as text (the caller formats names; dates are formatted here)."""

    issuer: str  # 二七区委区政府督查室
    number: str  # 二七督〔2021〕12号
    kind_label: str  # 催办 / 督办 / 通报
    unit: str  # 主送单位
    tasks: list[str]
    content: str
    requirements: str
    issued_on: dt.date
    due_date: dt.date
    response_workdays: int
    acknowledged: str = ""  # 签收: "区住建局填报员 2021年10月8日", blank for a pen
    contact: str = ""
    extra_rows: list[tuple[str, str]] = field(default_factory=list)


def cn_date(day: dt.date) -> str:
    """2021年9月30日 (公文 dates: Arabic numerals, no leading zeros)."""
    return f"{day.year}年{day.month}月{day.day}日"


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def task_lines(tasks: list[str]) -> list[str]:
    titles = [_shorten(t, MAX_TASK_TITLE) for t in tasks]
    if len(titles) <= MAX_TASK_LINES:
        return titles
    return [*titles[: MAX_TASK_LINES - 1], f"等{len(titles)}项任务"]


def rows_for(data: OrderDocument) -> list[tuple[str, str]]:
    """The form's rows (label, text), in print order."""
    due = f"{cn_date(data.due_date)}前（{data.response_workdays}个工作日内）书面反馈"
    return [
        ("督办类别", data.kind_label),
        ("主送单位", data.unit),
        ("督办事项", "\n".join(f"{i}. {t}" for i, t in enumerate(task_lines(data.tasks), 1))),
        ("督办内容", data.content.strip()),
        ("办理要求", data.requirements.strip() or "—"),
        ("反馈时限", due),
        *data.extra_rows,
        ("签收情况", data.acknowledged or "签收人：\n签收时间：　　　　年　　月　　日"),
    ]


def line_pitch(size_pt: float) -> float:
    """Exact line spacing (pt): 1.5 lines at 三号/四号 as 公文 print, tighter at the small sizes."""
    return size_pt * (1.5 if size_pt >= 14 else 1.3)


def _text_lines(text: str, chars_per_line: int) -> int:
    return sum(max(1, math.ceil(len(line) / chars_per_line)) for line in text.split("\n"))


def estimated_height_mm(rows: list[tuple[str, str]], size_pt: float) -> float:
    """Height of the form at a body size: wrapped lines × exact line pitch, plus cell padding."""
    per_line = max(1, int((TEXT_WIDTH_MM - 4) / (size_pt * PT_MM)))
    pitch_mm = line_pitch(size_pt) * PT_MM
    return sum(
        max(_text_lines(text, per_line) * pitch_mm + CELL_PADDING_MM, MIN_ROW_MM.get(label, 0)) for label, text in rows
    )


def fit_layout(rows: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], float]:
    """The rows and the largest body size (pt) at which they are estimated to fit on the page.

    When nothing fits even at 五号, line breaks inside the texts are run together
    (a page of one-word lines is the only way to overflow within the length caps).
    """
    room = TYPE_HEIGHT_MM - FIXED_HEIGHT_MM
    for candidate in (rows, [(label, " ".join(text.split("\n"))) for label, text in rows]):
        for size in BODY_SIZES:
            if estimated_height_mm(candidate, size) <= room:
                return candidate, size
    return candidate, BODY_SIZES[-1]


# --- python-docx helpers -------------------------------------------------------------------------------


def _set_fonts(run: Run, font: str) -> None:
    from docx.oxml.ns import qn

    run.font.name = font
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    # Word picks the East Asian slot for Chinese characters: without it 仿宋 silently becomes 宋体.
    for slot in ("w:eastAsia", "w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(slot), font)


def _run(
    paragraph: Paragraph, text: str, *, font: str, size: float, bold: bool = False, color: str | None = None
) -> Run:
    from docx.shared import Pt, RGBColor

    run = paragraph.add_run(text)
    _set_fonts(run, font)
    run.font.size = Pt(size)
    run.font.bold = bold
    if color:
        run.font.color.rgb = RGBColor.from_string(color)
    return run


def _paragraph(
    container: Document | _Cell,
    *,
    align: WD_PARAGRAPH_ALIGNMENT | None = None,
    before: float = 0,
    after: float = 0,
    line_pt: float | None = None,
) -> Paragraph:
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt

    paragraph = container.add_paragraph()
    fmt = paragraph.paragraph_format
    if align is not None:
        paragraph.alignment = align
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    if line_pt:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(line_pt)
    return paragraph


def _red_rule(paragraph: Paragraph, *, eighths_of_a_point: int = 18) -> None:
    """A red line under the paragraph across the type area (版头分隔线)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "single")
    bottom.set(qn("w:sz"), str(eighths_of_a_point))
    bottom.set(qn("w:space"), "1")
    bottom.set(qn("w:color"), RED)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _document_defaults(document: Document) -> None:
    """Chinese as the East Asian language and 仿宋_GB2312 as the default font of the whole document."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for slot in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        fonts.set(qn(slot), BODY_FONT)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)


def _cell_text(
    cell: _Cell, text: str, *, font: str, size: float, align: WD_PARAGRAPH_ALIGNMENT | None = None, bold: bool = False
) -> None:
    cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)
    lines = text.split("\n")
    for i, line in enumerate(lines):
        pad = CELL_PADDING_MM / 2 / PT_MM
        paragraph = _paragraph(
            cell,
            align=align,
            before=pad if i == 0 else 0,
            after=pad if i == len(lines) - 1 else 0,
            line_pt=line_pitch(size),
        )
        _run(paragraph, line, font=font, size=size, bold=bold)


def _fix_table_width(table: Table, widths_mm: list[float]) -> None:
    """Fixed layout with explicit grid columns: LibreOffice ignores cell widths without them."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm

    tbl_pr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    width = tbl_pr.find(qn("w:tblW"))
    if width is None:
        width = OxmlElement("w:tblW")
        tbl_pr.append(width)
    width.set(qn("w:type"), "dxa")
    width.set(qn("w:w"), str(int(sum(widths_mm) / 25.4 * 1440)))
    for column, mm in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(mm)
        for cell in column.cells:
            cell.width = Mm(mm)


def build_order_docx(data: OrderDocument) -> bytes:
    """The notice as .docx bytes (one A4 page)."""
    from docx import Document
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    document = Document()
    _document_defaults(document)
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    core = document.core_properties
    core.title, core.subject, core.author = f"督办通知单 {data.number}", data.unit, data.issuer
    core.language = "zh-CN"

    # 版头: the issuing office in red, the title, the number, the red rule.
    header = _paragraph(document, align=WD_ALIGN_PARAGRAPH.CENTER, line_pt=40)
    _run(header, data.issuer, font=TITLE_FONT, size=26, color=RED)
    title = _paragraph(document, align=WD_ALIGN_PARAGRAPH.CENTER, before=4, line_pt=36)
    _run(title, "督 办 通 知 单", font=TITLE_FONT, size=22, color=RED)
    number = _paragraph(document, align=WD_ALIGN_PARAGRAPH.CENTER, before=8, after=2, line_pt=28)
    _run(number, data.number, font=BODY_FONT, size=16)
    _red_rule(number)
    _paragraph(document, line_pt=12)

    rows, size = fit_layout(rows_for(data))
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for label, text in rows:
        row = table.add_row()
        if label in MIN_ROW_MM:
            row.height_rule, row.height = WD_ROW_HEIGHT_RULE.AT_LEAST, Mm(MIN_ROW_MM[label])
        cells = row.cells
        _cell_text(cells[0], label, font=HEADING_FONT, size=size, align=WD_ALIGN_PARAGRAPH.CENTER)
        _cell_text(cells[1], text, font=BODY_FONT, size=size, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
        cells[0].vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        cells[1].vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    _fix_table_width(table, [LABEL_WIDTH_MM, TEXT_WIDTH_MM])

    # Foot: the issuer and date right-aligned (where the seal goes), then the note on how to answer.
    _paragraph(document, line_pt=14)
    issuer = _paragraph(document, align=WD_ALIGN_PARAGRAPH.RIGHT, line_pt=28)
    _run(issuer, data.issuer, font=BODY_FONT, size=16)
    issued = _paragraph(document, align=WD_ALIGN_PARAGRAPH.RIGHT, line_pt=28)
    _run(issued, cn_date(data.issued_on), font=BODY_FONT, size=16)
    note = _paragraph(document, before=6, line_pt=20)
    _run(note, "注：", font=HEADING_FONT, size=12)
    text = "请承办单位签收后在反馈时限内通过落实平台反馈办理情况并上传佐证材料。"
    if data.contact:
        text += f"联系人：{data.contact}。"
    _run(note, text, font=BODY_FONT, size=12)

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
