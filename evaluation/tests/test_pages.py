"""The evaluation pages: preview and publish, the table and sheet, an appeal and its decision, bulletins."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluation.demo import load_demo_scheme
from evaluation.models import Appeal, Period, ScoreRow
from org.models import Unit
from supervision.tests.access_rows import png

pytestmark = pytest.mark.django_db


@pytest.fixture
def june(users):
    scheme = load_demo_scheme(users["office"])
    return Period.objects.get(scheme=scheme, start=dt.date(2021, 6, 1))


def test_office_previews_publishes_head_appeals_office_upholds(client_as, june):
    office, head = client_as("office"), client_as("zjj_head")
    page = office.get(f"/evaluation/periods/{june.pk}/").content.decode()
    assert 'data-testid="preview-note"' in page and "区住建局" in page and 'data-testid="publish"' in page
    # A head does not see an unpublished period.
    assert head.get(f"/evaluation/periods/{june.pk}/").status_code == 404
    response = office.post(f"/evaluation/periods/{june.pk}/publish/", follow=True)
    assert "已发布" in response.content.decode() or "Published" in response.content.decode()
    zjj = Unit.objects.get(code="zjj")
    assert ScoreRow.objects.filter(period=june, unit=zjj).exists()
    table = head.get(f"/evaluation/periods/{june.pk}/").content.decode()
    assert 'data-testid="appeal"' in table
    sheet = head.get(f"/evaluation/periods/{june.pk}/units/{zjj.pk}/").content.decode()
    assert 'href="/tasks/' in sheet  # the red lead tasks behind the delivery points
    assert head.get(f"/evaluation/periods/{june.pk}/units/{Unit.objects.get(code='fgw').pk}/").status_code == 404
    response = head.post(
        f"/evaluation/periods/{june.pk}/appeal/",
        {
            "component_key": "delivery",
            "reason": "T005 已完成，见附件",
            "evidence": SimpleUploadedFile("佐证.png", png()),
        },
    )
    assert response.status_code == 302
    appeal = Appeal.objects.get(period=june)
    assert appeal.files.count() == 1
    response = office.post(f"/evaluation/appeals/{appeal.pk}/decide/",
                           {"decision": "uphold", "corrected_points": "50", "note": "核实属实"})  # fmt: skip
    assert response.status_code == 302
    table = head.get(f"/evaluation/periods/{june.pk}/").content.decode()
    assert 'data-testid="adjusted"' in table and "经申诉调整" in table
    # The first version stays visible.
    assert 'data-testid="adjusted"' not in head.get(f"/evaluation/periods/{june.pk}/?version=1").content.decode()


def test_appeal_with_no_reason_is_refused_on_the_form(client_as, users, june):
    client_as("office").post(f"/evaluation/periods/{june.pk}/publish/")
    response = client_as("zjj_head").post(f"/evaluation/periods/{june.pk}/appeal/", {"component_key": "delivery"})
    assert response.status_code == 400 and not Appeal.objects.exists()


SETTINGS = {"total": "100", "bonus_cap": "5", "yellow_credit": "0.6", "late_credit": "0.5", "appeal_workdays": "5"}


def test_scheme_edit_refuses_bad_weights(client_as, june):
    import json

    from evaluation.demo import default_components

    comps = default_components()
    comps[0]["weight"] = "45"
    response = client_as("office").post(f"/evaluation/schemes/{june.scheme_id}/",
                                        {**SETTINGS, "components": json.dumps(comps)})  # fmt: skip
    assert response.status_code == 400
    assert "95" in response.content.decode()
    assert str(june.scheme.components.get(key="delivery").weight) == "50.00"


def test_scheme_edit_saves_settings_weights_and_groups(client_as, june):
    import json

    from evaluation.demo import default_components

    comps = default_components()
    comps[0]["weight"], comps[1]["weight"] = "40", "30"
    groups = list(june.scheme.groups.all())
    zjj = Unit.objects.get(code="zjj")
    data = {**SETTINGS, "appeal_workdays": "7", "components": json.dumps(comps),
            f"group_{groups[0].pk}": [zjj.pk], f"group_{groups[1].pk}": []}  # fmt: skip
    response = client_as("office").post(f"/evaluation/schemes/{june.scheme_id}/", data)
    assert response.status_code == 302
    june.scheme.refresh_from_db()
    assert june.scheme.appeal_workdays == 7
    assert str(june.scheme.components.get(key="delivery").weight) == "40.00"
    assert list(groups[0].units.all()) == [zjj] and not groups[1].units.exists()


def test_league_table_query_count_does_not_grow_with_units(client_as, june):
    client_as("office").post(f"/evaluation/periods/{june.pk}/publish/")
    office = client_as("office")
    with CaptureQueriesContext(connection) as ctx:
        office.get(f"/evaluation/periods/{june.pk}/")
    assert len(ctx.captured_queries) < 20


def test_office_opens_a_quarter(client_as, june):
    data = {
        "scheme": june.scheme_id,
        "kind": "quarter",
        "start": "2021-04-01",
        "end": "2021-06-30",
        "label": "2021年二季度",
    }
    response = client_as("office").post("/evaluation/", data)
    assert response.status_code == 302
    assert Period.objects.filter(kind="quarter", label="2021年二季度").exists()
    bad = client_as("office").post("/evaluation/", {"scheme": june.scheme_id, "kind": "quarter",
                                   "start": "2021-07-01", "end": "2021-06-30", "label": "x"})  # fmt: skip
    assert bad.status_code == 400 and not Period.objects.filter(label="x").exists()


def test_office_downloads_a_draft_bulletin_built_by_the_queue_nothing_stored(client_as, june):
    import io

    from docx import Document

    from core import jobs
    from core.models import BackgroundJob
    from evaluation.models import Bulletin, BulletinSequence

    office = client_as("office")
    response = office.post("/bulletins/draft/", {"month": "2021-06", "opening": "草稿开头"})
    job = BackgroundJob.objects.get(kind="bulletin_draft")
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert jobs.job_run(job.pk) == "done"
    file = office.get(f"/jobs/{job.pk}/file/")
    assert file.status_code == 200 and "attachment" in file["Content-Disposition"]
    texts = [p.text for p in Document(io.BytesIO(b"".join(file.streaming_content))).paragraphs]
    assert "第0期" in texts and "草稿开头" in texts
    assert not Bulletin.objects.exists() and not BulletinSequence.objects.exists()
    bad = office.post("/bulletins/draft/", {"month": "June"})
    assert bad.status_code == 302 and BackgroundJob.objects.count() == 1  # refused before queueing


def test_issuing_a_bulletin_runs_in_the_queue_with_progress_and_stores_it_as_before(client_as, users, june):
    from core import jobs
    from core.models import BackgroundJob
    from evaluation.models import Bulletin

    office = client_as("office")
    response = office.post("/bulletins/", {"month": "2021-06", "opening": "开头"})
    job = BackgroundJob.objects.get(kind="bulletin_issue")
    assert response["Location"] == f"/jobs/{job.pk}/" and not Bulletin.objects.exists()
    BackgroundJob.objects.filter(pk=job.pk).update(state="running", done=1, total=2, message="生成文档")
    running = office.get(f"/jobs/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "生成文档 · 第 2 步，共 2 步 · 50%" in " ".join(running.split())  # stages, not rows
    assert "返回督查通报" in office.get(f"/jobs/{job.pk}/").content.decode()
    BackgroundJob.objects.filter(pk=job.pk).update(state="queued", done=0, total=None, message="")
    assert jobs.job_run(job.pk) == "done"
    bulletin = Bulletin.objects.get()
    job.refresh_from_db()
    assert (job.done, job.total, job.result.name) == (2, 2, "")  # two stages; the file is the bulletin's own
    assert job.message == f"通报 {bulletin} 已印发。" and bulletin.file and bulletin.issued_by == users["office"]
    page = office.get(f"/jobs/{job.pk}/").content.decode()
    assert job.message in page and 'href="/bulletins/"' in page
    # A month not begun is refused on the form, before any job; a reporter cannot start either job.
    assert office.post("/bulletins/", {"month": "2999-01"}).status_code == 400
    assert client_as("zjj_reporter").post("/bulletins/", {"month": "2021-06"}).status_code == 403
    assert client_as("zjj_reporter").post("/bulletins/draft/", {"month": "2021-06"}).status_code == 403
    assert BackgroundJob.objects.count() == 1


def test_a_bulletin_job_of_someone_who_lost_the_office_role_makes_nothing(users, june):
    from accounts.models import RoleGrant
    from core import jobs
    from evaluation.models import Bulletin

    job = jobs.job_start(actor=users["office"], kind="bulletin_issue",
                         params={"month": "2021-06", "title": "", "opening": "", "remarks": ""})  # fmt: skip
    RoleGrant.objects.filter(user=users["office"]).delete()  # the role removed while the job waited
    assert jobs.job_run(job.pk) == "failed"
    assert not Bulletin.objects.exists()
