"""Reporting through the pages and services: draft → submit → return → resubmit → approve, evidence, scope."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from audit.models import AuditEvent
from core.errors import ServiceError
from core.uploads import Upload
from plans.models import Task
from reports import services
from reports.models import EvidenceFile, ProgressReport
from reports.status import task_statuses

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def png(color=(200, 80, 40), size=(800, 600)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def old_compounds(task_by_object) -> Task:
    return task_by_object("老旧小区改造提升")


def open_report(client, task: Task) -> ProgressReport:
    """Start my unit's report on the task's last period through the inbox button."""
    inbox = client.get("/reports/")
    row = next(r for r in inbox.context["rows"] if r.task.pk == task.pk)
    response = client.post(f"/reports/start/{task.pk}/", {"period_end": row.period.end.isoformat()})
    assert response.status_code == 302
    return ProgressReport.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-2]))


def test_inbox_lists_overdue_periods_of_my_unit_only(client_as, old_compounds, task_by_object):
    rows = client_as("zjj_reporter").get("/reports/").context["rows"]
    codes = {r.task.code for r in rows}
    assert old_compounds.code in codes
    assert task_by_object("核心板块打造").code not in codes  # led by 区发改委, no 区住建局 part
    assert all(r.overdue for r in rows if r.task.pk == old_compounds.pk)  # the 2021 plan is long past


def test_full_cycle_draft_submit_return_resubmit_approve(client_as, users, old_compounds):
    reporter = client_as("zjj_reporter")
    report = open_report(reporter, old_compounds)
    assert report.state == "draft" and report.is_lead
    page = reporter.get(f"/reports/{report.pk}/edit/").content.decode()
    assert 'name="target_value"' not in page and 'name="deadline"' not in page  # fixed for the year
    response = reporter.post(
        f"/reports/{report.pk}/edit/",
        {
            "version": report.version,
            "value": "248",
            "narrative": "248个小区全部完工",
            "submit": "1",
            "target_value": "999",
        },
    )
    assert response.status_code == 302
    old_compounds.refresh_from_db()
    assert old_compounds.target_value == 248  # a reporter never changes the target
    head = client_as("zjj_head")
    queue = head.get("/reports/approvals/").context["page"].object_list
    assert [r.pk for r in queue] == [report.pk]
    assert head.post(f"/reports/{report.pk}/return/", {"reason": ""}).status_code == 302
    report.refresh_from_db()
    assert report.state == "submitted"  # a return needs a reason
    head.post(f"/reports/{report.pk}/return/", {"reason": "请补充竣工验收照片"})
    report.refresh_from_db()
    assert report.state == "returned" and report.returned_reason == "请补充竣工验收照片"
    assert "请补充竣工验收照片" in reporter.get(f"/reports/{report.pk}/edit/").content.decode()
    upload = reporter.post(
        f"/reports/{report.pk}/evidence/",
        {"file": SimpleUploadedFile("验收.png", png())},
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )
    assert upload.status_code == 200 and "验收.png" in upload.content.decode()
    reporter.post(
        f"/reports/{report.pk}/edit/",
        {"version": report.version, "value": "248", "narrative": "248个小区全部完工，已补充照片", "submit": "1"},
    )
    before = task_statuses([old_compounds], TODAY)[old_compounds.pk]
    assert before.light.value == "red"
    assert head.post("/reports/approve/", {"report": [report.pk]}).status_code == 302
    report.refresh_from_db()
    assert report.state == "approved" and report.approved_by == users["zjj_head"]
    after = task_statuses([Task.objects.get(pk=old_compounds.pk)], TODAY)[old_compounds.pk]
    assert after.actual == 248 and after.light.value == "green"
    verbs = set(
        AuditEvent.objects.filter(object_type="reports.progressreport", object_id=str(report.pk)).values_list(
            "verb", flat=True
        )
    )
    assert {"report.create", "report.submit", "report.return", "report.approve"} <= verbs


def test_submit_needs_value_and_narrative_and_changes_nothing(client_as, old_compounds):
    reporter = client_as("zjj_reporter")
    report = open_report(reporter, old_compounds)
    response = reporter.post(
        f"/reports/{report.pk}/edit/", {"version": report.version, "value": "", "narrative": "", "submit": "1"}
    )
    assert response.status_code == 400 and "请填写截至目前的累计完成值" in response.content.decode()
    response = reporter.post(
        f"/reports/{report.pk}/edit/", {"version": report.version, "value": "-5", "narrative": "x"}
    )
    assert response.status_code == 400
    report.refresh_from_db()
    assert report.state == "draft" and report.value is None


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"MZ\x90\x00 this is a windows program", "photo.jpg", "只能上传照片"),
        ("只是文字".encode(), "note.png", "只能上传照片"),
        (b"", "empty.jpg", "文件是空的"),
    ],
)
def test_evidence_is_checked_by_content(client_as, old_compounds, data, name, message):
    reporter = client_as("zjj_reporter")
    report = open_report(reporter, old_compounds)
    response = reporter.post(
        f"/reports/{report.pk}/evidence/",
        {"file": SimpleUploadedFile(name, data)},
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )
    assert response.status_code == 400 and message in response.content.decode()
    assert not EvidenceFile.objects.filter(report=report).exists()


def test_evidence_size_limit(client_as, old_compounds, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    reporter = client_as("zjj_reporter")
    report = open_report(reporter, old_compounds)
    response = reporter.post(
        f"/reports/{report.pk}/evidence/",
        {"file": SimpleUploadedFile("big.png", png())},
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )
    assert response.status_code == 400 and "1000 bytes" in response.content.decode()
    assert not EvidenceFile.objects.filter(report=report).exists()


def test_evidence_is_served_only_within_scope_and_has_a_thumbnail(client_as, users, old_compounds):
    reporter = client_as("zjj_reporter")
    report = open_report(reporter, old_compounds)
    evidence = services.evidence_add(actor=users["zjj_reporter"], report=report, file=Upload(png(), "现场.png"))
    assert evidence.thumbnail and evidence.kind == "image"
    thumb = reporter.get(f"/evidence/{evidence.pk}/thumb/")
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(b"".join(thumb.streaming_content))).size[0] <= 320
    # A draft's evidence is the unit's until submitted (reports/tests/test_draft_access.py).
    assert client_as("leader").get(f"/evidence/{evidence.pk}/").status_code == 404
    ProgressReport.objects.filter(pk=report.pk).update(state="submitted")
    assert client_as("leader").get(f"/evidence/{evidence.pk}/").status_code == 200
    assert client_as("fgw_reporter").get(f"/evidence/{evidence.pk}/").status_code == 404
    assert client_as("fgw_reporter").get(f"/reports/{report.pk}/").status_code == 404
    assert client_as("fgw_reporter").get(f"/api/v1/tasks/{old_compounds.pk}/status").status_code == 404


def test_a_head_approving_twice_or_a_reporter_editing_an_approved_report_never_both_succeed(users, old_compounds):
    report = services.report_start(
        actor=users["zjj_reporter"],
        task=old_compounds,
        period_end=dt.date(2021, 12, 26),
        due_date=dt.date(2021, 12, 28),
    )
    report = services.report_save(
        actor=users["zjj_reporter"], report=report, value=Decimal(240), narrative="进展", submit=True
    )
    stale_copy = ProgressReport.objects.get(pk=report.pk)  # what a second head's page or the reporter's form holds
    services.report_approve(actor=users["zjj_head"], report=report)
    with pytest.raises(ServiceError) as second:
        services.report_approve(actor=users["zjj_head"], report=stale_copy)
    assert second.value.code == "not_submitted"
    with pytest.raises(ServiceError) as edit:
        services.report_save(actor=users["zjj_reporter"], report=stale_copy, value=Decimal(1), narrative="改")
    assert edit.value.code == "not_editable"
    report.refresh_from_db()
    assert (
        report.value == 240 and AuditEvent.objects.filter(verb="report.approve", object_id=str(report.pk)).count() == 1
    )


def test_other_units_head_cannot_approve(users, old_compounds):
    report = services.report_start(
        actor=users["zjj_reporter"],
        task=old_compounds,
        period_end=dt.date(2021, 12, 26),
        due_date=dt.date(2021, 12, 28),
    )
    services.report_save(actor=users["zjj_reporter"], report=report, value=Decimal(240), narrative="进展", submit=True)
    with pytest.raises(ServiceError):
        services.report_approve(actor=users["fgw_head"] if "fgw_head" in users else _fgw_head(), report=report)


def _fgw_head():
    from accounts.models import User

    return User.objects.get(username="fgw_head")


def test_co_operating_unit_reports_its_own_contribution(users, task_by_object):
    roads = task_by_object("打通断头路")  # 区住建局 co-operates
    report = services.report_start(
        actor=users["zjj_reporter"], task=roads, period_end=dt.date(2021, 6, 27), due_date=dt.date(2021, 6, 29)
    )
    assert not report.is_lead
    services.report_save(
        actor=users["zjj_reporter"], report=report, value=None, narrative="完成管线迁改2处", submit=True
    )
    services.report_approve(actor=users["zjj_head"], report=report)
    status = task_statuses([roads], dt.date(2021, 6, 30))[roads.pk]
    lead_value = (
        ProgressReport.objects.filter(task=roads, is_lead=True, period_end__lte=dt.date(2021, 6, 27))
        .latest("period_end")
        .value
    )
    assert status.actual == float(lead_value)  # the co-unit's report is not summed into the task


def test_a_unit_with_no_part_cannot_report(users, task_by_object):
    with pytest.raises(ServiceError):
        services.report_start(
            actor=users["fgw_reporter"],
            task=task_by_object("老旧小区改造提升"),
            period_end=dt.date(2021, 12, 26),
            due_date=dt.date(2021, 12, 28),
        )


def test_judgement_overrides_the_shown_light_and_keeps_history(client_as, task_by_object):
    task = task_by_object("规范村建设")
    office = client_as("office")
    response = office.post(
        f"/tasks/{task.pk}/judgement/",
        {"likelihood": "likely", "reason": "土地流转全部落实", "recorded_on": "2021-10-08"},
    )
    assert response.status_code == 302
    status = task_statuses([task], dt.date(2021, 10, 15))[task.pk]
    assert status.light.value == "green" and status.computed_light.value == "red"
    assert status.judgement.reason == "土地流转全部落实"
    page = office.get(f"/tasks/{task.pk}/?as_of=2021-10-15").content.decode()
    assert "尖岗社区等村土地流转未落实" in page and "土地流转全部落实" in page  # the earlier judgements stay listed
    assert client_as("leader").post(f"/tasks/{task.pk}/judgement/", {"likelihood": "likely"}).status_code == 403


def test_as_of_counts_only_reports_approved_by_then(users, old_compounds):
    report = ProgressReport.objects.filter(task=old_compounds, is_lead=True).order_by("period_end").last()
    mid_year = task_statuses([old_compounds], dt.date(2021, 6, 30))[old_compounds.pk]
    end_of_year = task_statuses([old_compounds], dt.date(2021, 12, 31))[old_compounds.pk]
    assert mid_year.actual < end_of_year.actual == float(report.value)


def test_the_copied_narrative_is_flagged(client_as):
    copied = ProgressReport.objects.filter(task__lead_unit__name="淮河路街道").order_by("period_end")[1]
    assert any(f["kind"] == "narrative_repeated" for f in copied.stale_flags)
    page = client_as("office").get(f"/reports/{copied.pk}/").content.decode()
    assert "与上期进展情况雷同" in page


def test_reused_evidence_across_tasks_is_flagged(users, old_compounds, task_by_object):
    roads = task_by_object("打通断头路")
    photo = png((1, 2, 3))
    first = services.report_start(
        actor=users["zjj_reporter"], task=roads, period_end=dt.date(2021, 6, 27), due_date=dt.date(2021, 6, 29)
    )
    services.evidence_add(actor=users["zjj_reporter"], report=first, file=Upload(photo, "a.png"))
    services.report_save(actor=users["zjj_reporter"], report=first, value=None, narrative="管线迁改", submit=True)
    services.report_approve(actor=users["zjj_head"], report=first)
    second = services.report_start(
        actor=users["zjj_reporter"],
        task=old_compounds,
        period_end=dt.date(2021, 12, 26),
        due_date=dt.date(2021, 12, 28),
    )
    services.evidence_add(actor=users["zjj_reporter"], report=second, file=Upload(photo, "b.png"))
    services.report_save(
        actor=users["zjj_reporter"], report=second, value=Decimal(240), narrative="小区改造收尾", submit=True
    )
    services.report_approve(actor=users["zjj_head"], report=second)
    second.refresh_from_db()
    assert [f["kind"] for f in second.stale_flags] == ["evidence_reused"]


def test_sub_tasks_are_due_before_their_parent(client_as, task_by_object):
    from core.workcalendar import work_calendar
    from reports.status import DueDates, task_levels

    parent = task_by_object("老旧小区改造提升")
    child = Task.objects.get(node__title="铭功路街道老旧小区改造提升")
    dues = DueDates(work_calendar())
    levels = task_levels([parent, child])
    assert levels == {parent.pk: 0, child.pk: 1}
    week = dt.date(2021, 3, 14)  # a Sunday
    assert dues.due(parent.plan, 0, week) == dt.date(2021, 3, 16)  # Tuesday
    assert dues.due(parent.plan, 1, week) == dt.date(2021, 3, 15)  # Monday: lower levels report first
    # Spring Festival 2021: the week ending Sunday 02-07 (itself a make-up working day).
    assert dues.due(parent.plan, 0, dt.date(2021, 2, 14)) == dt.date(2021, 2, 19)


def test_calendar_override_moves_due_dates_and_unknown_years_warn(client_as):
    office = client_as("office")
    page = office.get("/calendar/?year=2027").content.decode()
    assert "该年度法定节假日未配置" in page
    response = office.post(
        "/calendar/", {"date": "2027-01-01", "is_workday": "", "name": "元旦", "source": "国办发明电"}
    )
    assert response.status_code == 302
    from core.workcalendar import work_calendar

    calendar = work_calendar()
    assert not calendar.is_workday(dt.date(2027, 1, 1)) and calendar.is_configured(2027)
    assert calendar.add_workdays(dt.date(2026, 12, 31), 1) == dt.date(2027, 1, 4)
    bad = office.post("/calendar/", {"date": "2027-02-30", "name": "x"})
    assert bad.status_code == 400


def test_cockpit_shows_all_three_colours_on_any_2021_date(client_as):
    office = client_as("office")
    for day in ["2021-01-05", "2021-03-31", "2021-06-30", "2021-09-30", "2021-12-20"]:
        cockpit = office.get(f"/cockpit/?as_of={day}").context["c"]
        assert all(cockpit.by_light[c] > 0 for c in ("green", "yellow", "red")), (day, cockpit.by_light)
        assert cockpit.total == 13
    office.get("/cockpit/?as_of=")  # back to today


def test_as_of_date_is_kept_in_the_session_and_shown(client_as):
    office = client_as("office")
    office.get("/tasks/?as_of=2021-06-30")
    page = office.get("/plans/").content.decode()
    assert "2021年6月30日" in page and 'data-testid="asof-bar"' in page
    office.get("/plans/?as_of=")
    assert 'data-testid="asof-bar"' not in office.get("/plans/").content.decode()
    office.get("/plans/?as_of=2099-01-01")  # a future date is ignored
    assert 'data-testid="asof-bar"' not in office.get("/plans/").content.decode()


def test_task_list_filters_by_light_as_of_a_date(client_as):
    office = client_as("office")
    red = office.get("/tasks/", {"light": "red", "as_of": "2021-06-30"}).context["page"].object_list
    statuses = task_statuses(list(red), dt.date(2021, 6, 30))
    assert red and all(s.light.value == "red" for s in statuses.values())


def test_a_leader_can_write_an_instruction_from_a_report(client_as, old_compounds):
    report = ProgressReport.objects.filter(task=old_compounds, is_lead=True).first()
    assert 'data-testid="write-instruction"' in client_as("leader").get(f"/reports/{report.pk}/").content.decode()
    assert 'data-testid="write-instruction"' not in client_as("office").get(f"/reports/{report.pk}/").content.decode()
