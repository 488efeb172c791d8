"""Projects pages, API and the ledger round trip (real .xlsx through openpyxl, real uploads)."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from PIL import Image

from projects import ledger
from projects.demo import load_demo_projects
from projects.ledger_io import ledger_import, ledger_xlsx, monthly_import
from projects.models import Project, ProjectReport
from projects.tests.factories import make_project

pytestmark = pytest.mark.django_db


def _jpeg() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), "blue").save(buffer, "JPEG")
    buffer.seek(0)
    buffer.name = "site.jpg"
    return buffer


def test_list_query_count_does_not_grow_with_rows(client_as):
    load_demo_projects(timezone.localdate())
    client = client_as("office")
    client.get(reverse("projects:list"))  # fills today's stored statuses
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("projects:list") + "?light=red")
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("projects:list"))
    assert response.status_code == 200 and response.content.decode().count('data-testid="project-XM') == 50
    assert len(many) <= len(few) + 2


def test_report_form_with_photo_then_head_approves(client_as):
    year = timezone.localdate().year
    project = make_project(year=year)
    url = reverse("projects:report_form", args=[project.pk])
    response = client_as("zjj_reporter").post(
        url,
        {
            "month": f"{year}-01-15",
            "amount_month": "88.5",
            "progress_text": "基础施工",
            "submit": "1",
            "photos": _jpeg(),
        },
    )
    assert response.status_code == 302
    report = ProjectReport.objects.get(project=project)
    assert report.state == "submitted" and report.photos.count() == 1 and report.month == dt.date(year, 1, 31)
    head = client_as("zjj_head")
    assert head.post(reverse("projects:report_approve", args=[report.pk])).status_code == 302
    report.refresh_from_db()
    assert report.state == "approved"
    page = head.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "88.5" in page
    photo = report.photos.get()
    assert client_as("fgw_reporter").get(reverse("projects:photo", args=[photo.pk])).status_code == 404
    assert head.get(reverse("projects:photo", args=[photo.pk]) + "?thumb=1").status_code == 200


def test_report_form_refuses_bad_input_and_writes_nothing(client_as):
    project = make_project()
    response = client_as("zjj_reporter").post(
        reverse("projects:report_form", args=[project.pk]),
        {"month": "2021-03-01", "amount_month": "-3", "progress_text": "x", "submit": "1"},
    )
    assert response.status_code == 400
    assert not ProjectReport.objects.filter(project=project).exists()
    not_photo = io.BytesIO(b"%PDF-1.4 not a photo")
    not_photo.name = "a.pdf"
    response = client_as("zjj_reporter").post(
        reverse("projects:report_form", args=[project.pk]),
        {"month": "2021-03-01", "amount_month": "3", "progress_text": "x", "submit": "1", "photos": not_photo},
    )
    assert response.status_code == 400
    assert not ProjectReport.objects.filter(project=project).exists()


def test_api_list_detail_and_filing(client_as, users):
    from accounts.services import token_issue

    year = timezone.localdate().year
    project = make_project(year=year, name="测试产业园")
    headers = {"Authorization": f"Bearer {token_issue(user=users['zjj_reporter'])}"}
    response = client_as("zjj_reporter").post(
        f"/api/v1/projects/{project.pk}/reports",
        data={
            "month": f"{year}-02-28",
            "amount_month": "40",
            "progress_text": "主体施工",
            "submit": "true",
            "photos": _jpeg(),
        },
        headers=headers,
    )
    assert response.status_code == 201, response.content
    assert response.json()["photos"] == 1
    bad = client_as("zjj_reporter").post(
        f"/api/v1/projects/{project.pk}/reports",
        data={"month": f"{year}-03-31", "amount_month": "abc"},
        headers=headers,
    )
    assert bad.status_code in (400, 422)
    listing = client_as("office").get("/api/v1/projects?light=&q=园")
    assert listing.status_code == 200 and listing.json()["count"] >= 1
    detail = client_as("office").get(f"/api/v1/projects/{project.pk}").json()
    assert len(detail["investment_by_month"]) == 12 and detail["reports"][0]["state"] == "submitted"


def test_ledger_round_trip_and_all_or_nothing(tmp_path, users):
    project = make_project(co_unit_codes=["fgw"])
    data = ledger_xlsx(Project.objects.filter(pk=project.pk), dt.date(2021, 6, 30))
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    header = [c.value for c in ws[2]]
    assert header[: len(ledger.LEDGER_COLUMNS)] == list(ledger.LEDGER_COLUMNS.values())
    # Edit the name and add a new row; re-import: one update, one create.
    wb = load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    ws.cell(row=3, column=2, value="改名后的项目")
    row = [c.value for c in ws[3]]
    row[0], row[1] = "XM-T-NEW", "新项目"
    ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    outcome = ledger_import(actor=users["office"], data=out.getvalue())
    assert outcome.ok, outcome.errors
    assert Project.objects.get(pk=project.pk).name == "改名后的项目"
    assert Project.objects.get(code="XM-T-NEW").co_units.filter(code="fgw").exists()
    # A bad unit in one row and a bad number in another: both named, nothing written.
    ws.cell(row=3, column=2, value="不应写入")
    ws.cell(row=4, column=15, value="不存在的单位")
    ws.cell(row=3, column=11, value="很多")
    bad = io.BytesIO()
    wb.save(bad)
    outcome = ledger_import(actor=users["office"], data=bad.getvalue())
    assert not outcome.ok
    assert any("4" in e and "责任单位" in e for e in outcome.errors)
    assert any("3" in e and "总投资" in e for e in outcome.errors)
    assert Project.objects.get(pk=project.pk).name == "改名后的项目"
    # Not a workbook at all.
    assert not ledger_import(actor=users["office"], data=b"hello").ok
    # CLI round trip.
    path = tmp_path / "ledger.xlsx"
    call_command("export_projects", "-o", str(path))
    call_command("import_projects", str(path))


def test_monthly_sheet_import(users):
    project = make_project()
    sheet = ledger.build_monthly_xlsx(
        [[project.code, dt.date(2021, 3, 31), 120, "三月进度"], [project.code, dt.date(2021, 4, 30), 80, ""]]
    )
    outcome = monthly_import(actor=users["office"], data=sheet)
    assert outcome.ok, outcome.errors
    april = ProjectReport.objects.get(project=project, month=dt.date(2021, 4, 30))
    assert april.amount_year == Decimal(200) and april.state == "approved"
    again = monthly_import(actor=users["office"], data=sheet)
    assert not again.ok and all("月份" in e for e in again.errors)
    unknown = ledger.build_monthly_xlsx([["NOPE", dt.date(2021, 5, 31), 1, ""]])
    result = monthly_import(actor=users["office"], data=unknown)
    assert not result.ok and "项目编号" in result.errors[0]
    assert ProjectReport.objects.filter(project=project).count() == 2


def test_meeting_records_decisions_and_refuses_bad_lines(client_as):
    from projects.models import CoordinationMeeting, MeetingDecision

    project = make_project()
    url = reverse("projects:meeting_create")
    bad = client_as("leader").post(
        url, {"held_on": "2021-06-01", "title": "6月调度会", "decisions": f"{project.code} | 协调用地 | 不存在的局"}
    )
    assert (
        bad.status_code == 400
        and "第1行" in bad.content.decode().replace(" ", "")
        or "不存在的局" in bad.content.decode()
    )
    assert not CoordinationMeeting.objects.exists()
    ok = client_as("leader").post(
        url,
        {
            "held_on": "2021-06-01",
            "title": "6月调度会",
            "decisions": f"{project.code} | 协调用地 | 区发改委 | 2021-06-30",
        },
    )
    assert ok.status_code == 302
    decision = MeetingDecision.objects.get()
    assert decision.unit.code == "fgw" and decision.due_on == dt.date(2021, 6, 30)
    assert "协调用地" in client_as("zjj_head").get(reverse("projects:detail", args=[project.pk])).content.decode()


def test_schedule_proposes_a_site_observation_of_its_projects(client_as):
    load_demo_projects(timezone.localdate())
    page = client_as("office").get(reverse("projects:schedule"))
    url = page.context["observe_url"]
    assert url.count("target=project:") == min(30, len(page.context["rows"])) > 1
    form = client_as("office").get(url)
    first = page.context["rows"][0]
    assert form.status_code == 200 and first.code in form.content.decode()
    assert client_as("zjj_head").get(reverse("projects:schedule")).context["observe_url"] == ""


def test_office_edits_a_type_thresholds_and_lights_follow(client_as):
    from projects import status as project_status
    from projects.models import ProjectType

    year = timezone.localdate().year
    project = make_project(year=year, annual=Decimal("1200"), stage_dates=[None] * 5)
    for month in (1, 2):
        report = ProjectReport.objects.create(
            project=project, unit=project.lead_unit, month=dt.date(year, month, 28 if month == 2 else 31),
            due_date=dt.date(year, month + 1, 10), amount_month=Decimal(60), amount_year=Decimal(60 * month),
            state="approved", created_by_id=1, first_submitted_at=timezone.now() - dt.timedelta(days=300),
            approved_at=timezone.now() - dt.timedelta(days=300),
        )  # fmt: skip
    day = dt.date(year, 3, 5)
    assert report and project_status.statuses_on(day, [project])[project.pk].light == "red"  # pace: 720 of 1200
    kind = project.type
    url = reverse("projects:type_edit", args=[kind.pk])
    bad = client_as("office").post(url, {"name": kind.name, "stages": "签约、开工", "start_stage": 2, "finish_stage": 1,
                                         "lag_yellow_percent": 10, "lag_red_percent": 5})  # fmt: skip
    assert bad.status_code == 400
    ok = client_as("office").post(url, {"name": kind.name, "stages": "签约、拿地、开工、主体完工、竣工/投产",
                                        "start_stage": 3, "finish_stage": 5, "lag_yellow_percent": 80,
                                        "lag_red_percent": 90})  # fmt: skip
    assert ok.status_code == 302
    assert ProjectType.objects.get(pk=kind.pk).lag_red_percent == 90
    # Its projects' stored lights were dropped (recomputed on the next read with the new thresholds).
    from projects.models import ProjectStatus

    assert not ProjectStatus.objects.filter(project=project).exists()
    assert client_as("zjj_head").get(url).status_code == 403


def test_task_page_lists_the_projects_serving_it(client_as, task_by_object):
    task = task_by_object("打通断头路")
    project = make_project(code="XM-ROAD", name="测试断头路")
    project.tasks.add(task)
    other = make_project(code="XM-ROAD2", unit_code="jyj", name="教育局断头路")
    other.tasks.add(task)
    page = client_as("office").get(reverse("plans:task_detail", args=[task.pk])).content.decode()
    assert "测试断头路" in page and "教育局断头路" in page
    # 区住建局 co-operates on the task: it sees the task, but only the projects in its own scope.
    scoped = client_as("zjj_head").get(reverse("plans:task_detail", args=[task.pk]))
    assert scoped.status_code == 200
    assert "测试断头路" in scoped.content.decode() and "教育局断头路" not in scoped.content.decode()
