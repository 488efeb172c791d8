"""新建/编辑项目: the office's register form (projects:create / projects:update) and its services."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from org.models import LeaderPost, Unit
from plans.models import DimensionTag
from projects.models import Project, ProjectType
from projects.tests.factories import make_project

pytestmark = pytest.mark.django_db


def _post_data(**over) -> dict:
    kind, _ = ProjectType.objects.get_or_create(name="测试类型")
    data = {
        "code": "XM-NEW-1",
        "name": "示例产业园一期",
        "type": kind.pk,
        "level": "district",
        "owner": "示例建设公司",
        "address": "示例路1号",
        "longitude": "113.6",
        "latitude": "34.7",
        "total_investment": "5000",
        "plan_year": "2021",
        "annual_plan": "1200",
        "profile_kind": "percent",
        "profile": "",
        "stage_0": "2021-02-01",
        "stage_2": "2021-05-01",
        "leader_post": LeaderPost.objects.order_by("rank").first().pk,
        "lead_unit": Unit.objects.get(code="zjj").pk,
        "co_units": [Unit.objects.get(code="fgw").pk],
        "completion_due": "2022-12-31",
        "tags": [DimensionTag.objects.first().pk] if DimensionTag.objects.exists() else [],
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def test_office_creates_a_project_with_a_monthly_profile(client_as, task_by_object):
    profile = "5 5 5 10 10 10 10 10 10 10 10 5"
    response = client_as("office").post(reverse("projects:create"), _post_data(profile=profile))
    assert response.status_code == 302, response.content.decode()[:3000]
    project = Project.objects.get(code="XM-NEW-1")
    assert response["Location"] == reverse("projects:detail", args=[project.pk])
    assert project.monthly_profile[0] == pytest.approx(0.05) and project.monthly_profile[-1] == 1.0
    assert project.monthly_profile[3] == pytest.approx(0.25)
    planned = [s.planned_on for s in project.stages.order_by("index")]
    assert planned[:3] == [dt.date(2021, 2, 1), None, dt.date(2021, 5, 1)]
    assert list(project.co_units.values_list("code", flat=True)) == ["fgw"]
    assert project.longitude == Decimal("113.6")
    assert AuditEvent.objects.filter(verb="project.create", object_id=str(project.pk)).exists()


def test_profile_in_amounts_must_sum_to_the_annual_plan(client_as):
    before = Project.objects.count()
    bad = "100 100 100 100 100 100 100 100 100 100 100 99"  # 1199, not 1200
    response = client_as("office").post(reverse("projects:create"), _post_data(profile_kind="amount", profile=bad))
    assert response.status_code == 400
    assert "1199" in response.content.decode() and "1200" in response.content.decode()
    assert Project.objects.count() == before
    good = "100 " * 12
    response = client_as("office").post(reverse("projects:create"), _post_data(profile_kind="amount", profile=good))
    assert response.status_code == 302
    assert Project.objects.get(code="XM-NEW-1").monthly_profile[5] == pytest.approx(0.5)


@pytest.mark.parametrize(
    "over",
    [
        {"profile": "10 10 10"},  # 3 figures, not 12
        {"profile": "10 10 10 10 10 10 10 10 10 10 10 x"},
        {"profile": "9 9 9 9 9 9 9 9 9 9 9 9"},  # 108 %
        {"annual_plan": "9000"},  # above the total investment (the service's rule)
        {"stage_0": "2021-06-01", "stage_2": "2021-05-01"},  # out of order
        {"longitude": "113.6", "latitude": ""},
        {"code": ""},
    ],
)
def test_bad_input_writes_nothing(client_as, over):
    response = client_as("office").post(reverse("projects:create"), _post_data(**over))
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert not Project.objects.filter(code="XM-NEW-1").exists()
    assert not AuditEvent.objects.filter(verb="project.create").exists()


def test_office_edits_a_project_and_a_stale_version_is_refused(client_as):
    project = make_project(code="XM-EDIT-1", monthly_profile=[(i + 1) / 12 for i in range(12)])
    client = client_as("office")
    page = client.get(reverse("projects:update", args=[project.pk]))
    assert page.status_code == 200 and "XM-EDIT-1" in page.content.decode()
    assert "8.33" in page.content.decode()  # the stored cumulative shares shown as monthly percentages
    # Sent back as shown (12 × 8.33 = 99.96), the profile is accepted: the rounding of the display is not an error.
    shown = " ".join(["8.33"] * 12)
    resent = client.post(
        reverse("projects:update", args=[project.pk]),
        _post_data(code="XM-EDIT-1", profile=shown, version=project.version),
    )
    assert resent.status_code == 302
    project.refresh_from_db()
    assert project.monthly_profile[5] == pytest.approx(0.5)
    # The planned stage date and the completion time are shown in the date inputs (ISO, whatever the locale).
    assert 'name="stage_2" value="2021-04-30"' in page.content.decode()
    assert 'name="completion_due" value="2022-12-31"' in page.content.decode()
    url = reverse("projects:update", args=[project.pk])
    data = _post_data(code="XM-EDIT-1", name="改名后的项目", annual_plan="1500", version=project.version)
    response = client.post(url, data)
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.name == "改名后的项目" and project.annual_plan == Decimal("1500") and project.version == 3
    assert project.monthly_profile == []  # the profile was cleared in the form: linear again
    event = AuditEvent.objects.filter(verb="project.update", object_id=str(project.pk)).latest("pk")
    assert event.before["code"] == "XM-EDIT-1" and str(event.before["annual_plan"]) in ("1200.00", "1200")
    # The form opened on version 1 is now stale.
    response = client.post(url, {**data, "name": "又一次改名"})
    assert response.status_code == 400
    assert 'class="form-errors"' in response.content.decode()  # the conflict, at the top of the form
    project.refresh_from_db()
    assert project.name == "改名后的项目"


def test_code_clash_is_refused_on_the_code_field(client_as):
    make_project(code="XM-TAKEN")
    response = client_as("office").post(reverse("projects:create"), _post_data(code="XM-TAKEN"))
    assert response.status_code == 400
    assert Project.objects.filter(code="XM-TAKEN").count() == 1


@pytest.mark.parametrize("who", ["zjj_head", "zjj_reporter", "leader", "fgw_reporter"])
def test_non_office_cannot_create_or_edit(client_as, who):
    project = make_project(code="XM-GUARD")
    client = client_as(who)
    assert client.post(reverse("projects:create"), _post_data(code="XM-X")).status_code == 403
    edit = client.post(reverse("projects:update", args=[project.pk]), _post_data(code="XM-GUARD", name="x"))
    assert edit.status_code == 403
    assert not Project.objects.filter(code="XM-X").exists()
    assert Project.objects.get(pk=project.pk).name == "测试项目"


def test_buttons_show_for_the_office_only(client_as):
    project = make_project(code="XM-BTN")
    office_list = client_as("office").get(reverse("projects:list")).content.decode()
    head_detail = client_as("zjj_head").get(reverse("projects:detail", args=[project.pk])).content.decode()
    office_detail = client_as("office").get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert 'data-testid="project-create"' in office_list
    assert 'data-testid="project-edit"' in office_detail
    assert 'data-testid="project-edit"' not in head_detail
    assert 'data-testid="project-create"' not in client_as("zjj_head").get(reverse("projects:list")).content.decode()


def test_ledger_carries_the_monthly_profile(users):
    import io

    from openpyxl import load_workbook

    from projects import ledger
    from projects.ledger_io import ledger_import, ledger_xlsx

    shares = [round((i + 1) / 12, 6) for i in range(11)] + [1.0]
    project = make_project(code="XM-PROF", monthly_profile=shares)
    data = ledger_xlsx(Project.objects.filter(pk=project.pk), dt.date(2021, 6, 30))
    wb = load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    column = list(ledger.LEDGER_COLUMNS).index("monthly_profile") + 1
    assert ws.cell(row=3, column=column).value == "、".join(["8.33"] * 12)
    # Re-imported as exported (12 × 8.33 = 99.96 is 100 within the rounding shown): accepted.
    assert ledger_import(actor=users["office"], data=data).ok
    assert Project.objects.get(pk=project.pk).monthly_profile[5] == pytest.approx(0.5)
    ws.cell(row=3, column=column, value="、".join(["5"] * 4 + ["10"] * 8))
    out = io.BytesIO()
    wb.save(out)
    assert ledger_import(actor=users["office"], data=out.getvalue()).ok
    project.refresh_from_db()
    assert project.monthly_profile[3] == pytest.approx(0.2) and project.monthly_profile[-1] == 1.0
    # 12 figures summing to 90: named with its row and column, nothing written.
    ws.cell(row=3, column=column, value="、".join(["5"] * 6 + ["10"] * 6))
    ws.cell(row=3, column=2, value="不应写入")
    bad = io.BytesIO()
    wb.save(bad)
    outcome = ledger_import(actor=users["office"], data=bad.getvalue())
    assert not outcome.ok and any("3" in e and "月度计划" in e for e in outcome.errors)
    project.refresh_from_db()
    assert project.name == "测试项目" and project.monthly_profile[3] == pytest.approx(0.2)
    # A blank cell keeps the stored profile.
    ws.cell(row=3, column=column).value = None  # ws.cell(..., value=None) would leave the old value
    ws.cell(row=3, column=2, value="保留计划")
    keep = io.BytesIO()
    wb.save(keep)
    assert ledger_import(actor=users["office"], data=keep.getvalue()).ok
    project.refresh_from_db()
    assert project.name == "保留计划" and project.monthly_profile[3] == pytest.approx(0.2)
