"""The 督查通报: its figures are the cockpit's and the league table's, numbering, storage, the .docx, the CLI."""

import datetime as dt
import io
import shutil
import subprocess

import pytest
from django.core.management import CommandError, call_command
from docx import Document

from audit.models import AuditEvent
from core.errors import ServiceError
from evaluation import selectors
from evaluation.bulletin_data import bulletin_data
from evaluation.bulletin_service import bulletin_build, bulletin_issue
from evaluation.demo import load_demo_scheme
from evaluation.models import Bulletin, BulletinSequence, Period
from evaluation.services import period_publish
from org.models import Unit
from reports.selectors import cockpit

pytestmark = pytest.mark.django_db
JUNE = dt.date(2021, 6, 1)


@pytest.fixture
def published(users):
    scheme = load_demo_scheme(users["office"])
    period = Period.objects.get(scheme=scheme, start=JUNE)
    return period_publish(actor=users["office"], period=period)


def test_figures_come_from_the_cockpit_and_the_league_table(users, published):
    data = bulletin_data(user=users["office"], month=JUNE, plan_ids=None, issuer="督查室")
    cp = cockpit(users["office"], dt.date(2021, 6, 30))
    assert data.total_tasks == cp.total and data.total_tasks > 0
    assert data.by_light == cp.by_light
    assert [code for code, _o, _u in data.red] == [t.code for t, _r in cp.red]
    table = selectors.league_table(published)
    assert [(g.name, [(ln.rank, ln.unit, ln.total) for ln in g.lines]) for g in data.league] == [
        (g.name, [(r.rank, r.unit.name, str(r.total)) for r in g.rows]) for g in table
    ]
    # Lagging tasks by unit: the cockpit's lagging + overdue counts per unit.
    lagging = {r.key: r.lagging for r in cp.units if r.lagging}
    assert {u.unit: u.count for u in data.lagging} == lagging


def test_issue_numbers_gap_free_stores_file_and_data(users, published):
    first = bulletin_issue(actor=users["office"], month="2021-06", opening="开头段落", remarks="工作要求",
                           issued_on=dt.date(2021, 7, 5))  # fmt: skip
    with pytest.raises(ServiceError):
        bulletin_issue(actor=users["office"], month="2021-13", issued_on=dt.date(2021, 7, 6))
    with pytest.raises(ServiceError):
        bulletin_issue(actor=users["office"], month="2021-08", issued_on=dt.date(2021, 7, 6))
    second = bulletin_issue(actor=users["office"], month="2021-06", issued_on=dt.date(2021, 7, 6))
    assert (first.seq, second.seq) == (1, 2) and str(first) == "2021年第1期"
    assert BulletinSequence.objects.get(year=2021).last == 2
    assert Bulletin.objects.count() == 2
    assert first.data["by_light"] and first.data["seq"] == 1
    assert Unit.objects.get(code="zjj") in first.units.all()
    assert AuditEvent.objects.filter(verb="bulletin.issue", object_id=str(first.pk)).exists()
    doc = Document(first.file.open("rb"))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert (
        "督查通报" in text and "第1期" in text and "2021年7月5日" in text and "开头段落" in text and "工作要求" in text
    )
    # Heads of named units and leaders download it; a unit it does not name does not see it.
    assert first in selectors.bulletins_for_user(users["zjj_head"])
    assert first in selectors.bulletins_for_user(users["leader"])


def test_docx_is_an_official_document_with_real_styles_and_tables(users, published):
    content, _data = bulletin_build(actor=users["office"], month=JUNE, seq=6, issued_on=dt.date(2021, 7, 5))
    doc = Document(io.BytesIO(content))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert [round(m.mm) for m in (section.top_margin, section.bottom_margin, section.left_margin,
                                  section.right_margin)] == [37, 35, 28, 26]  # fmt: skip
    head = next(p for p in doc.paragraphs if p.text == "督查通报")
    assert str(head.runs[0].font.color.rgb) == "FF0000"
    assert any(p.text == "第6期" for p in doc.paragraphs)
    body = [p for p in doc.paragraphs if p.style.name == "Body Text"]
    assert body and all(r.font.name == "仿宋_GB2312" and r.font.size.pt == 16 for p in body for r in p.runs)
    assert {p.style.name for p in doc.paragraphs} >= {"Heading 1", "Heading 2", "Body Text", "Title"}
    assert len(doc.tables) >= 3  # lagging tasks, the two groups' league tables, the red list
    assert len(doc.inline_shapes) >= 2  # charts
    footer_xml = section.footer._element.xml
    assert "PAGE" in footer_xml and "—" in section.footer.paragraphs[0].text


def test_cli_writes_a_draft(tmp_path, users, published):
    out = tmp_path / "b.docx"
    call_command("bulletin", "--month", "2021-06", "-o", str(out), stdout=io.StringIO())
    assert "督查通报" in [p.text for p in Document(str(out)).paragraphs]
    with pytest.raises(CommandError):
        call_command("bulletin", "--month", "June", "-o", str(out), stdout=io.StringIO())


# Fonts a rendered bulletin may use: the 公文 fonts when installed, else the documented fallbacks
# (docs/bulletin.md): Noto CJK from fonts-noto-cjk and DejaVu for Latin digits.
ALLOWED_FONTS = ("FangSong", "SimHei", "KaiTi", "SimSun", "Noto", "DejaVu", "FZXiaoBiaoSong")


@pytest.mark.office_render
def test_renders_as_a4_with_a_red_header(tmp_path, users, published):
    from PIL import Image

    content, _data = bulletin_build(actor=users["office"], month=JUNE, seq=6, issued_on=dt.date(2021, 7, 5))
    path = tmp_path / "bulletin.docx"
    path.write_bytes(content)
    subprocess.run(  # noqa: S603  (fixed arguments, a path from tmp_path)
        [shutil.which("soffice"), f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(path)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    pdf = tmp_path / "bulletin.pdf"
    assert pdf.exists()
    info = subprocess.run([shutil.which("pdfinfo"), str(pdf)], check=True, capture_output=True, text=True).stdout  # noqa: S603
    assert "(A4)" in info
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert 2 <= pages <= 8
    fonts = subprocess.run([shutil.which("pdffonts"), str(pdf)], check=True, capture_output=True, text=True).stdout  # noqa: S603
    names = [line.split()[0].split("+")[-1] for line in fonts.splitlines()[2:]]
    assert names and all(any(a in n for a in ALLOWED_FONTS) for n in names), names
    subprocess.run([shutil.which("pdftoppm"), "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")],  # noqa: S603
                   check=True)  # fmt: skip
    image = Image.open(next(tmp_path.glob("p*.png"))).convert("RGB")
    top = image.crop((0, 0, image.width, image.height // 4))
    red = sum(1 for r, g, b in top.getdata() if r > 200 and g < 60 and b < 60)
    assert red > 200  # the red 督查通报 and the red rule


def test_projects_and_enterprise_figures_come_from_the_cockpit_card_and_the_summary(users):
    """The month summary's projects and enterprise-assistance sentences: the rollup and the cockpit card's
    investment chart (projects), the enterprises summary (made of the registered measures)."""
    from decimal import Decimal

    from django.utils import timezone

    from core.measures import MeasureScope, get_measure
    from enterprises import services as firms
    from enterprises.figures import assistance_summary
    from enterprises.tests.factories import firm, request
    from projects import selectors as projects
    from projects import services as project_services
    from projects.tests.factories import make_project

    today = timezone.localdate()
    month = today.replace(day=1)
    june = bulletin_data(user=users["office"], month=JUNE, plan_ids=None, issuer="督查室")
    assert june.projects is None and june.enterprises is None  # no records: no paragraph

    project = make_project(year=today.year, stage_dates=[None, None, dt.date(today.year, 1, 20), None, None])
    make_project(code="XM-T-002", year=today.year, stage_dates=[None, None, None, None, None])
    if today.month > 1:  # a month is reported once it is over
        report = project_services.report_file(
            actor=users["zjj_reporter"], project=project, month=dt.date(today.year, 1, 31),
            amount_month=Decimal("150"), progress_text="1月施工推进", submit=True, stage_index=2,
            stage_reached_on=dt.date(today.year, 1, 15), stage_evidence="开工令",
        )  # fmt: skip
        project_services.report_approve(actor=users["zjj_head"], report=report)
    req = request(firm(), received_on=today)
    firms.request_accept(actor=users["zjj_reporter"], request=req)
    firms.request_answer(actor=users["zjj_reporter"], request=req, answer="已组织专场招聘",
                         outcome=firms.OutcomeData(jobs=30, tax_relieved=Decimal("25000")))  # fmt: skip
    firms.outcome_approve(actor=users["zjj_head"], request=req)
    firms.request_feedback(actor=users["office"], request=req, satisfied=True)

    data = bulletin_data(user=users["office"], month=month, plan_ids=None, issuer="督查室")
    end = data.month.replace(day=28) + dt.timedelta(days=4)
    end -= dt.timedelta(days=end.day)
    groups = projects.project_rollup(users["office"], end, by="type")
    point = projects.investment_by_month(projects.projects_for_user(users["office"]), today.year, end)[today.month - 1]
    p = data.projects
    assert p is not None and p["count"] == "2" == str(sum(g.count for g in groups))
    assert [p[k] for k in ("green", "yellow", "red", "started", "start_due")] == [
        str(sum(getattr(g, k) for g in groups)) for k in ("green", "yellow", "red", "started", "start_due")
    ]
    assert p["planned"] == f"{point['planned']:.2f}"
    # The card's cumulative line at the month end and the registered measure agree with the bulletin.
    assert p["completed"] == f"{point['actual']:.2f}"
    measure = get_measure("projects.investment_completed").value(MeasureScope(start=month.replace(month=1), end=end))
    assert p["completed"] == f"{measure:.2f}" == ("150.00" if today.month > 1 else "0.00")
    if today.month > 1:
        assert (p["started"], p["start_due"], p["start_rate"]) == ("1", "1", "100.0")

    s = assistance_summary(MeasureScope(start=month, end=end))
    e = data.enterprises
    assert e is not None
    assert (
        (e["helped"], e["requests"], e["closed"], e["jobs"])
        == tuple(str(x) for x in (s.enterprises_helped, s.requests, s.closed, s.jobs_filled))
        == ("1", "1", "1", "30")
    )
    assert e["tax_wan"] == "2.50" and e["on_time_rate"] == "100.0" and e["satisfaction_rate"] == "100.0"
    assert get_measure("enterprises.helped").value(MeasureScope(start=month, end=end)) == 1

    text = Document(io.BytesIO(bulletin_build(actor=users["office"], month=month, seq=0)[0]))
    body = "\n".join(par.text for par in text.paragraphs)
    assert "重大项目方面，纳入调度的重大项目2个" in body and "本年累计完成投资" + p["completed"] + "万元" in body
    assert "本月帮扶企业1家，受理企业诉求1件、办结1件" in body and "减免税费2.50万元" in body


def test_projects_and_enterprise_sentences_print_amounts_as_a_bulletin_does():
    from evaluation.bulletindoc import BulletinData, enterprises_sentence, projects_sentence, wan_amount

    assert (wan_amount("150"), wan_amount("3227770.66"), wan_amount("")) == ("150.00万元", "322.78亿元", "0.00万元")
    d = BulletinData(issuer="督查室", year=2026, seq=1, month=dt.date(2026, 11, 1), issued_on=dt.date(2026, 12, 5),
                     title="t", opening="", remarks="", total_tasks=0, by_light={}, reports={}, orders_issued=0,
                     orders_closed=0)  # fmt: skip
    d.projects = {"count": "60", "green": "41", "yellow": "0", "red": "19", "started": "58", "start_due": "60",
                  "start_rate": "96.7", "planned": "4090959.89", "completed": "3227770.66",
                  "completion_rate": "78.9"}  # fmt: skip
    assert projects_sentence(d) == (
        "重大项目方面，纳入调度的重大项目60个，其中绿灯41个、黄灯0个、红灯19个；截至月底应开工60个，已开工58个，"
        "开工率96.7%；本年累计完成投资322.78亿元，同期计划409.10亿元，完成计划的78.9%。"
    )
    d.enterprises = {"helped": "3", "requests": "4", "closed": "2", "answered": "2", "on_time_rate": "",
                     "satisfaction_rate": "", "jobs": "0", "tax_wan": "0.00", "funds_wan": "1.50"}  # fmt: skip
    # Rates without a denominator are left out, not printed as 0%.
    assert enterprises_sentence(d) == (
        "助企服务方面，本月帮扶企业3家，受理企业诉求4件、办结2件；帮助企业招用工0人，减免税费0.00万元，协调资金1.50万元。"
    )
