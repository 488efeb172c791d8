"""The 督查通报 (monthly supervision bulletin) as a .docx in official-document style. Pure: no Django import.

After GB/T 9704-2012 (党政机关公文格式), as the order notice (`supervision.orderdoc`, whose python-docx
helpers this reuses): A4, type area 156 × 225 mm (margins 37 / 35 / 28 / 26 mm); the red 版头 "督查通报"
in 方正小标宋简体 with the issue number (第N期) under it, the issuer left and the date right above a red
rule; the title in 小标宋 二号; the body in 仿宋_GB2312 三号 (16 pt) at a fixed 28 pt line pitch, headings
一、 in 黑体 and （一） in 楷体_GB2312; real Word tables (league table, lagging tasks); the charts as
PNG images drawn with matplotlib; page numbers "— 1 —" in 宋体 四号, outside edge (odd right, even
left). The .docx names the real 公文 fonts; LibreOffice on the server substitutes Noto CJK when it
renders (docs/bulletin.md lists the fallbacks).
"""

from __future__ import annotations

import datetime as dt
import io
import os
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from supervision.orderdoc import (
    BODY_FONT,
    HEADING_FONT,
    RED,
    TITLE_FONT,
    _document_defaults,
    _paragraph,
    _red_rule,
    _run,
    cn_date,
)

if TYPE_CHECKING:
    from docx.document import Document

KAI_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
SIZE_3 = 16.0  # 三号
SIZE_4 = 14.0  # 四号
LINE = 28.0  # fixed line pitch (22 lines a page of 225 mm)
TYPE_WIDTH_MM = 156
# Debian's fonts-noto-cjk; the server draws the charts, no browser. matplotlib reads only the first face
# of a .ttc collection (named "Noto Sans CJK JP"; it has every Chinese glyph), so the file is added by path.
CHART_FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)


@dataclass
class UnitTasks:
    unit: str
    count: int
    tasks: list[str]


@dataclass
class LeagueLine:
    rank: int
    unit: str
    total: str
    change: int | None
    adjusted: bool


@dataclass
class LeagueGroup:
    name: str
    lines: list[LeagueLine]


@dataclass
class BulletinData:
    """Everything printed, as plain data (stored as JSON with the issued bulletin)."""

    issuer: str
    year: int
    seq: int
    month: dt.date
    issued_on: dt.date
    title: str
    opening: str
    remarks: str
    total_tasks: int
    by_light: dict[str, int]
    reports: dict[str, int]
    orders_issued: int
    orders_closed: int
    lagging: list[UnitTasks] = field(default_factory=list)
    league: list[LeagueGroup] = field(default_factory=list)
    period_label: str = ""
    red: list[tuple[str, str, str]] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    # The projects and enterprise-assistance figures of the month (bulletin_data.project_figures /
    # enterprise_figures), as printed strings; None when those records do not exist.
    projects: dict[str, str] | None = None
    enterprises: dict[str, str] | None = None
    named_unit_ids: list[int] = field(default_factory=list)
    plan_ids: list[int] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("month", "issued_on"):
            data[key] = data[key].isoformat()
        return data


# A city bulletin stays readable: the lagging units with most lagging tasks, and a long league table's
# top and bottom (the platform has the rest; the stored data keeps every line).
LAGGING_UNITS = 30
LEAGUE_FULL = 80
LEAGUE_TOP, LEAGUE_BOTTOM = 40, 20

CN_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 → 一, 12 → 十二, 21 → 二十一 (heading numbers 一、二、)."""
    if n < 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")


def summary_sentence(d: BulletinData) -> str:
    g, y, r = (d.by_light.get(k, 0) for k in ("green", "yellow", "red"))
    rep = d.reports
    return (
        f"截至{cn_date(d.month.replace(day=_last_day(d.month)))}，纳入督查的重点任务共{d.total_tasks}项，"
        f"其中绿灯（正常推进）{g}项、黄灯（预警）{y}项、红灯（滞后或逾期）{r}项。"
        f"本月应报送进展{rep.get('due', 0)}期次，按时报送{rep.get('on_time', 0)}期次、"
        f"迟报{rep.get('late', 0)}期次、未报{rep.get('missing', 0)}期次。"
        f"本月印发督办单{d.orders_issued}份，办结{d.orders_closed}份。"
    )


def wan_amount(text: str) -> str:
    """An amount in 万元 as a bulletin prints it: 亿元 from 1亿 on (as the seed's "完成投资2300亿元"), else 万元."""
    value = float(text or 0)
    return f"{value / 10000:.2f}亿元" if abs(value) >= 10000 else f"{value:.2f}万元"


def projects_sentence(d: BulletinData) -> str:
    p = d.projects or {}
    text = (
        f"重大项目方面，纳入调度的重大项目{p.get('count', '0')}个，其中绿灯{p.get('green', '0')}个、"
        f"黄灯{p.get('yellow', '0')}个、红灯{p.get('red', '0')}个；"
        f"截至月底应开工{p.get('start_due', '0')}个，已开工{p.get('started', '0')}个"
    )
    text += f"，开工率{p['start_rate']}%" if p.get("start_rate") else ""
    text += f"；本年累计完成投资{wan_amount(p.get('completed', ''))}，同期计划{wan_amount(p.get('planned', ''))}"
    text += f"，完成计划的{p['completion_rate']}%。" if p.get("completion_rate") else "。"
    return text


def enterprises_sentence(d: BulletinData) -> str:
    e = d.enterprises or {}
    text = (
        f"助企服务方面，本月帮扶企业{e.get('helped', '0')}家，受理企业诉求{e.get('requests', '0')}件、"
        f"办结{e.get('closed', '0')}件"
    )
    if e.get("on_time_rate"):
        text += f"，首次答复{e.get('answered', '0')}件、按时答复率{e['on_time_rate']}%"
    if e.get("satisfaction_rate"):
        text += f"，办结满意率{e['satisfaction_rate']}%"
    text += (
        f"；帮助企业招用工{e.get('jobs', '0')}人，减免税费{e.get('tax_wan', '0')}万元，"
        f"协调资金{e.get('funds_wan', '0')}万元。"
    )
    return text


def _last_day(month: dt.date) -> int:
    nxt = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return (nxt - dt.timedelta(days=1)).day


# --- charts -------------------------------------------------------------------------------------------


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager, pyplot

    families = []
    for path in CHART_FONT_FILES:
        if os.path.exists(path):
            font_manager.fontManager.addfont(path)
            families.append(font_manager.FontProperties(fname=path).get_name())
    matplotlib.rcParams["font.family"] = [*families, "DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False
    return pyplot


def lights_chart(d: BulletinData) -> bytes:
    plt = _pyplot()
    labels = ["绿灯", "黄灯", "红灯"]
    values = [d.by_light.get(k, 0) for k in ("green", "yellow", "red")]
    fig, ax = plt.subplots(figsize=(6.0, 2.4), dpi=150)
    bars = ax.barh(labels[::-1], values[::-1], color=["#d93025", "#f2a600", "#1e8e3e"])
    ax.bar_label(bars, padding=3, fontsize=10)
    ax.set_title("重点任务红黄绿灯分布（项）", fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_xlim(0, max([*values, 1]) * 1.15)
    fig.tight_layout()
    return _png(fig, plt)


def league_chart(group: LeagueGroup, limit: int = 25) -> bytes:
    plt = _pyplot()
    lines = group.lines[:limit]
    names = [ln.unit for ln in lines][::-1]
    totals = [float(ln.total) for ln in lines][::-1]
    fig, ax = plt.subplots(figsize=(6.0, max(1.6, 0.26 * len(lines) + 0.8)), dpi=150)
    bars = ax.barh(names, totals, color="#3367d6")
    ax.bar_label(bars, fmt="%.2f", padding=3, fontsize=8)
    ax.set_title(f"{group.name}考核得分", fontsize=11)
    ax.tick_params(axis="y", labelsize=8)
    ax.set_xlim(min([*totals, 100]) * 0.9 if totals else 0, 105)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return _png(fig, plt)


def _png(fig: Any, plt: Any) -> bytes:
    out = io.BytesIO()
    fig.savefig(out, format="png")
    plt.close(fig)
    return out.getvalue()


# --- document -----------------------------------------------------------------------------------------


def _body(document: Document, text: str, *, indent: bool = True, font: str = BODY_FONT) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    p = _paragraph(document, align=WD_ALIGN_PARAGRAPH.JUSTIFY, line_pt=LINE)
    if indent:
        p.paragraph_format.first_line_indent = Pt(SIZE_3 * 2)
    _run(p, text, font=font, size=SIZE_3)
    p.style = document.styles["Body Text"]


def _heading(document: Document, text: str, level: int) -> None:
    from docx.shared import Pt

    p = _paragraph(document, line_pt=LINE)
    p.style = document.styles[f"Heading {level}"]
    p.paragraph_format.first_line_indent = Pt(SIZE_3 * 2)
    p.paragraph_format.space_before = p.paragraph_format.space_after = Pt(0)
    p.paragraph_format.keep_with_next = True
    _run(p, text, font=HEADING_FONT if level == 1 else KAI_FONT, size=SIZE_3)


def _styles(document: Document) -> None:
    """Real heading and body styles in 公文 fonts, black, so the navigation pane and WPS see the structure."""
    from docx.shared import Pt, RGBColor

    for name, font in (("Heading 1", HEADING_FONT), ("Heading 2", KAI_FONT), ("Body Text", BODY_FONT)):
        style = document.styles[name]
        style.font.size = Pt(SIZE_3)
        style.font.bold = False
        style.font.italic = False
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.font.name = font
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.get_or_add_rFonts()
        from docx.oxml.ns import qn

        for slot in ("w:eastAsia", "w:ascii", "w:hAnsi"):
            fonts.set(qn(slot), font)
        for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(theme), None)


TABLE_TEXT, TABLE_HEAD = "Table Text", "Table Heading"


def _table_styles(document: Document) -> None:
    """Paragraph styles of table cells (仿宋 / 黑体 小四, exact 20 pt): cells name a style instead of
    formatting each run, which makes a 1 000-unit league table a single XML insert."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_LINE_SPACING
    from docx.oxml.ns import qn
    from docx.shared import Pt

    for name, font in ((TABLE_TEXT, BODY_FONT), (TABLE_HEAD, HEADING_FONT)):
        style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.font.size = Pt(12)
        style.font.name = font
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        for slot in ("w:eastAsia", "w:ascii", "w:hAnsi"):
            fonts.set(qn(slot), font)
        fmt = style.paragraph_format
        fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(20)
        fmt.space_before = fmt.space_after = Pt(1)


def _table(document: Document, header: list[str], rows: list[list[str]], widths: list[float]) -> None:
    """A real Word table (Table Grid, fixed column widths, header row repeated on every page), built as
    one XML fragment: python-docx's cell-by-cell API took 6 s for a city's league table."""
    from xml.sax.saxutils import escape

    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    twips = [int(mm / 25.4 * 1440) for mm in widths]

    def row(values: list[str], style: str, head: bool) -> str:
        cells = []
        for text, width, mm in zip(values, twips, widths, strict=True):
            align = "left" if mm >= 40 and not head else "center"  # names and task lists read from the left
            cells.append(
                f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/><w:vAlign w:val="center"/></w:tcPr>'
                f'<w:p><w:pPr><w:pStyle w:val="{style}"/><w:jc w:val="{align}"/></w:pPr>'
                f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p></w:tc>'
            )
        props = "<w:trPr><w:tblHeader/></w:trPr>" if head else ""
        return f"<w:tr>{props}{''.join(cells)}</w:tr>"

    head_id = document.styles[TABLE_HEAD].style_id
    text_id = document.styles[TABLE_TEXT].style_id
    grid_id = document.styles["Table Grid"].style_id
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in twips)
    props = (
        f'<w:tblPr><w:tblStyle w:val="{grid_id}"/><w:tblW w:w="{sum(twips)}" w:type="dxa"/><w:jc w:val="center"/>'
        '<w:tblLayout w:type="fixed"/><w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" '
        'w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr>'
    )
    body_rows = "".join(row(values, text_id, False) for values in rows)
    xml = f"<w:tbl {nsdecls('w')}>{props}<w:tblGrid>{grid}</w:tblGrid>{row(header, head_id, True)}{body_rows}</w:tbl>"
    body = document.element.body
    table = parse_xml(xml)
    if body.sectPr is not None:
        body.sectPr.addprevious(table)
    else:
        body.append(table)
    _paragraph(document, line_pt=12)


def _page_number_footer(document: Document) -> None:
    """— 1 — in 宋体 四号 at the outside edge: odd pages right, even pages left (GB/T 9704 §7.5)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document.settings.odd_and_even_pages_header_footer = True
    section = document.sections[0]
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT), (section.even_page_footer,
                                                                       WD_ALIGN_PARAGRAPH.LEFT)):  # fmt: skip
        p = footer.paragraphs[0]
        p.alignment = align
        p.paragraph_format.left_indent = p.paragraph_format.right_indent = Pt(SIZE_4)  # one character in
        _run(p, "— ", font=PAGE_NUMBER_FONT, size=SIZE_4)
        run = _run(p, "", font=PAGE_NUMBER_FONT, size=SIZE_4)
        for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
            if kind:
                el = OxmlElement("w:fldChar")
                el.set(qn("w:fldCharType"), kind)
            elif text == " PAGE ":
                el = OxmlElement("w:instrText")
                el.set(qn("xml:space"), "preserve")
                el.text = text
            else:
                el = OxmlElement("w:t")
                el.text = text
            run._r.append(el)
        _run(p, " —", font=PAGE_NUMBER_FONT, size=SIZE_4)


def _change(value: int | None) -> str:
    if value is None:
        return "—"
    return f"↑{value}" if value > 0 else (f"↓{-value}" if value < 0 else "持平")


def build_bulletin_docx(d: BulletinData) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
    from docx.shared import Mm, Pt

    document = Document()
    _document_defaults(document)
    _styles(document)
    _table_styles(document)
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(20)
    props = document.core_properties
    props.title, props.author, props.language = f"督查通报 {d.year}年第{d.seq}期 {d.title}", d.issuer, "zh-CN"

    # 版头: 督查通报 in red, 第N期, then the issuer (left) and the date (right) over the red rule.
    head = _paragraph(document, align=WD_ALIGN_PARAGRAPH.CENTER, before=12, line_pt=60)
    _run(head, "督查通报", font=TITLE_FONT, size=42, color=RED)
    issue = _paragraph(document, align=WD_ALIGN_PARAGRAPH.CENTER, before=6, line_pt=LINE)
    _run(issue, f"第{d.seq}期", font=BODY_FONT, size=SIZE_3)
    line = _paragraph(document, before=6, after=2, line_pt=LINE)
    line.paragraph_format.tab_stops.add_tab_stop(Mm(TYPE_WIDTH_MM), WD_TAB_ALIGNMENT.RIGHT)
    _run(line, f"{d.issuer}\t{cn_date(d.issued_on)}", font=BODY_FONT, size=SIZE_3)
    _red_rule(line, eighths_of_a_point=24)
    _paragraph(document, line_pt=LINE)

    title = _paragraph(document, align=WD_ALIGN_PARAGRAPH.CENTER, line_pt=36, after=12)
    title.style = document.styles["Title"]
    _run(title, d.title, font=TITLE_FONT, size=22)
    title.paragraph_format.keep_with_next = True
    _title_style(document)

    if d.opening.strip():
        for para in d.opening.strip().splitlines():
            if para.strip():
                _body(document, para.strip())
    n = 0

    def heading(text: str) -> None:
        nonlocal n
        n += 1
        _heading(document, f"{cn_number(n)}、{text}", 1)

    heading("本月总体情况")
    _body(document, summary_sentence(d))
    if d.projects:
        _body(document, projects_sentence(d))
    if d.enterprises:
        _body(document, enterprises_sentence(d))
    document.add_picture(io.BytesIO(lights_chart(d)), width=Mm(150))
    document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER

    heading("滞后任务情况")
    if d.lagging:
        total = sum(u.count for u in d.lagging)
        _body(document, f"截至月底，共有{total}项任务进度滞后或逾期，涉及{len(d.lagging)}个牵头单位，按单位通报如下：")
        shown = d.lagging[:LAGGING_UNITS]
        named = 3 if len(d.lagging) > 10 else 8  # a city's units lag on dozens of tasks: name a few
        rows = [[str(i), u.unit, str(u.count), "；".join(u.tasks[:named]) + ("等" if u.count > named else "")]
                for i, u in enumerate(shown, 1)]  # fmt: skip
        _table(document, ["序号", "牵头单位", "项数", "滞后、逾期任务"], rows, [14, 40, 14, 88])
        if len(d.lagging) > len(shown):
            rest = d.lagging[len(shown) :]
            _body(
                document, f"另有{len(rest)}个单位共{sum(u.count for u in rest)}项任务滞后或逾期，详见落实平台任务清单。"
            )
    else:
        _body(document, "本月无进度滞后或逾期任务。")

    heading("考核排名情况")
    if d.league:
        _body(document, f"根据{d.period_label}考核结果（分类考核），各单位得分及排名如下：")
        for i, group in enumerate(d.league, 1):
            _heading(document, f"（{cn_number(i)}）{group.name}", 2)
            lines = group.lines
            if len(lines) > LEAGUE_FULL:
                _body(
                    document,
                    f"本类别共{len(lines)}个单位，列出前{LEAGUE_TOP}名和后{LEAGUE_BOTTOM}名，完整排名见落实平台。",
                )
                lines = lines[:LEAGUE_TOP] + lines[-LEAGUE_BOTTOM:]
            rows = [[str(ln.rank), ln.unit, ln.total, _change(ln.change), "经申诉调整" if ln.adjusted else ""]
                    for ln in lines]  # fmt: skip
            _table(document, ["名次", "单位", "得分", "名次变化", "备注"], rows, [16, 56, 24, 26, 34])
            document.add_picture(io.BytesIO(league_chart(group)), width=Mm(150))
            document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    else:
        _body(document, "本月考核结果尚未发布。")

    heading("红灯任务清单")
    if d.red:
        rows = [[str(i), f"{c} {o}", u] for i, (c, o, u) in enumerate(d.red, 1)]
        _table(document, ["序号", "任务", "牵头单位"], rows, [14, 106, 36])
    else:
        _body(document, "本月无红灯任务。")

    heading("升级通报的督办事项")
    if d.notices:
        for i, text in enumerate(d.notices, 1):
            _body(document, f"{i}. {text}")
    else:
        _body(document, "本月无升级为通报的督办事项。")

    if d.remarks.strip():
        heading("下步工作要求")
        for para in d.remarks.strip().splitlines():
            if para.strip():
                _body(document, para.strip())

    _paragraph(document, line_pt=LINE)
    sign = _paragraph(document, align=WD_ALIGN_PARAGRAPH.RIGHT, line_pt=LINE)
    sign.paragraph_format.right_indent = Pt(SIZE_3 * 4)
    _run(sign, d.issuer, font=BODY_FONT, size=SIZE_3)
    day = _paragraph(document, align=WD_ALIGN_PARAGRAPH.RIGHT, line_pt=LINE)
    day.paragraph_format.right_indent = Pt(SIZE_3 * 4)
    _run(day, cn_date(d.issued_on), font=BODY_FONT, size=SIZE_3)
    _page_number_footer(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _title_style(document: Document) -> None:
    from docx.shared import RGBColor

    style = document.styles["Title"]
    style.font.color.rgb = RGBColor(0, 0, 0)
    # python-docx's Title style has a blue bottom border; the 公文 title has none.
    ppr = style.element.pPr
    if ppr is not None:
        from docx.oxml.ns import qn

        border = ppr.find(qn("w:pBdr"))
        if border is not None:
            ppr.remove(border)
