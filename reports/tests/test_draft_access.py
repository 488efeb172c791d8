"""A unit's draft report is its working copy: other units and the office cannot read it, nor its evidence,
by id (pages, API, evidence file URLs) until it is submitted (issue 12 §6)."""

import io

import pytest
from PIL import Image

from accounts.services import token_issue
from core.uploads import Upload
from org.models import Unit
from reports.models import ProgressReport
from reports.services import evidence_add

pytestmark = pytest.mark.django_db


@pytest.fixture
def zjj_draft(users, task_by_object):
    """A 区住建局 draft with a photo, on a task 区发改委 co-operates on (so fgw_reporter can read the task)."""
    task = task_by_object("老旧小区改造提升")
    task.co_units.add(Unit.objects.get(code="fgw"))
    report = ProgressReport.objects.create(
        task=task,
        unit=Unit.objects.get(code="zjj"),
        period_end="2021-12-26",
        due_date="2021-12-28",
        created_by=users["zjj_reporter"],
        narrative="草稿：尚未核实的数字",
    )
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(buffer, format="PNG")
    evidence = evidence_add(actor=users["zjj_reporter"], report=report, file=Upload(buffer.getvalue(), "现场.png"))
    return report, evidence


def _urls(report, evidence) -> list[str]:
    return [f"/reports/{report.pk}/", f"/evidence/{evidence.pk}/", f"/evidence/{evidence.pk}/thumb/"]


@pytest.mark.parametrize("reader", ["fgw_reporter", "office", "leader"])
def test_another_units_draft_and_its_evidence_are_not_readable_by_id(client_as, zjj_draft, reader):
    report, evidence = zjj_draft
    client = client_as(reader)
    for url in _urls(report, evidence):
        assert client.get(url).status_code == 404, url
    api = client.get(f"/api/v1/reports/{report.pk}")
    assert api.status_code == 404


def test_the_drafting_unit_reads_its_own_draft_and_evidence(client_as, zjj_draft):
    report, evidence = zjj_draft
    for reader in ("zjj_reporter", "zjj_head"):
        client = client_as(reader)
        for url in _urls(report, evidence):
            assert client.get(url).status_code == 200, (reader, url)


def test_a_submitted_report_is_readable_by_the_co_operating_unit_again(client_as, users, zjj_draft):
    report, evidence = zjj_draft
    ProgressReport.objects.filter(pk=report.pk).update(state="submitted", first_submitted_at="2021-12-27T02:00:00Z")
    client = client_as("fgw_reporter")
    for url in _urls(report, evidence):
        assert client.get(url).status_code == 200, url
    token = token_issue(user=users["fgw_reporter"])
    assert client.get(f"/api/v1/reports/{report.pk}", headers={"Authorization": f"Bearer {token}"}).status_code == 200
