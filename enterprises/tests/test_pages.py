"""Pages: the request page's steps, the overview and its rows, the queue in bounded queries, ledgers."""

import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from core.xlsx import build_table_xlsx
from enterprises import ledger
from enterprises.creditcode import make_credit_code
from enterprises.models import AssistanceRequest, Enterprise
from enterprises.tests.factories import firm, request, unit, user

pytestmark = pytest.mark.django_db


def _step(client, req, action, **data):
    fields = {f"{action}-{name}": value for name, value in data.items()}
    return client.post(reverse("enterprises:request_detail", kwargs={"pk": req.pk}), {"action": action, **fields})


def test_request_page_steps_through_to_closed(client_as):
    req = request(firm(), handler=None, received_on=timezone.localdate())
    office, unit_client, head = client_as("office"), client_as("zjj_reporter"), client_as("zjj_head")
    assert _step(office, req, "assign", unit=unit("zjj").pk).status_code == 302
    assert _step(unit_client, req, "accept").status_code == 302
    bad = _step(unit_client, req, "answer", answer="已招聘", jobs="-5")
    assert bad.status_code == 400
    assert _step(unit_client, req, "answer", answer="已招聘", jobs="30").status_code == 302
    assert _step(head, req, "approve").status_code == 302
    assert _step(office, req, "feedback", satisfied="1").status_code == 302
    req.refresh_from_db()
    assert req.state == AssistanceRequest.State.CLOSED and req.outcome.jobs == 30
    today = timezone.localdate().isoformat()
    page = office.get(reverse("enterprises:overview") + f"?from={today}&to={today}")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="jobs_filled">30人' in html
    rows = office.get(
        reverse("enterprises:figure_rows", kwargs={"key": "enterprises.helped"}) + f"?from={today}&to={today}"
    )
    assert req.enterprise.name in rows.content.decode()


def test_a_step_the_user_may_not_take_is_refused(client_as):
    req = request(firm())
    response = _step(client_as("leader"), req, "accept")
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.state == AssistanceRequest.State.ASSIGNED


def test_queue_takes_the_same_queries_for_3_and_30_requests(client_as):
    e = firm()
    for _i in range(3):
        request(e)
    client = client_as("zjj_reporter")
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("enterprises:queue"))
    for _i in range(27):
        request(e)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("enterprises:queue"))
    assert response.content.decode().count('data-testid="req-') == 30
    assert len(many) == len(few)


def _firm_workbook(rows):
    headers = [h for _k, h, _w in ledger.FIRM_COLUMNS]
    return build_table_xlsx(title="企业名录", headers=headers, rows=rows)


def test_enterprise_import_merges_by_code_and_refuses_a_duplicate_in_the_file():
    office = user("office")
    existing = firm(1)
    code_new = make_credit_code(777)
    good = _firm_workbook([
        ["改名企业", existing.credit_code, "制造业", "中", "", "", "", "", "区住建局"],
        ["新企业甲", code_new, "批发零售", "小", "", "航海路1号", "王五", "13700000000", ""],
    ])  # fmt: skip
    result = ledger.enterprise_import(actor=office, data=good)
    assert result.ok and (result.created, result.updated) == (1, 1)
    existing.refresh_from_db()
    assert existing.name == "改名企业" and existing.contact_phone == "13812345678"  # kept: the row had none
    again = ledger.enterprise_import(actor=office, data=good)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    count = Enterprise.objects.count()
    dup = _firm_workbook([["甲", make_credit_code(778), "", "小", "", "", "", "", ""],
                          ["乙", make_credit_code(778), "", "小", "", "", "", "", ""],
                          ["丙", "91350100M000100Y44", "", "小", "", "", "", "", ""]])  # fmt: skip
    refused = ledger.enterprise_import(actor=office, data=dup)
    assert not refused.ok and Enterprise.objects.count() == count
    assert any("4" in e and "3" in e and "统一社会信用代码" in e for e in refused.errors)
    assert any("5" in e and "18" in e for e in refused.errors)


def test_request_ledger_exports_and_imports_back_all_or_nothing():
    office = user("office")
    e = firm(1)
    request(e, received_on=date(2021, 6, 1))
    data = ledger.request_ledger_export(office, start=date(2021, 1, 1), end=date(2021, 12, 31))
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    assert ws.cell(3, 4).value == "用工"
    back = ledger.request_ledger_import(actor=office, data=data)
    assert back.ok and back.unchanged == 1 and back.created == 0
    headers = [h for _k, h, _w in ledger.REQUEST_COLUMNS]
    new = build_table_xlsx(title="诉求台账", headers=headers, rows=[
        ["", e.credit_code, e.name, "用工", "缺焊工", "2021-07-01", "区人社局", "", "", "", ""],
        ["", e.credit_code, e.name, "飞行", "x", "2021-07-01", "", "", "", "", ""],
    ])  # fmt: skip
    count = AssistanceRequest.objects.count()
    refused = ledger.request_ledger_import(actor=office, data=new)
    assert not refused.ok and AssistanceRequest.objects.count() == count
    assert "4" in refused.errors[0] and "类别" in refused.errors[0] and "飞行" in refused.errors[0]


def test_exports_mask_contacts_for_leaders(client_as):
    firm(1)
    data = client_as("leader").get(reverse("enterprises:export")).content
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    assert ws.cell(3, 8).value == "138****5678"
    data = client_as("office").get(reverse("enterprises:export")).content
    assert load_workbook(io.BytesIO(data)).worksheets[0].cell(3, 8).value == "13812345678"


def test_office_edits_a_category_and_adds_a_policy(client_as):
    from enterprises.models import Policy, RequestCategory

    office = client_as("office")
    labour = RequestCategory.objects.get(code="labour")
    url = reverse("enterprises:lists")
    action = f"category-{labour.pk}"
    refused = office.post(url, {"action": action, f"{action}-name": "用工", f"{action}-due_workdays": "0"})
    assert refused.status_code == 400
    labour.refresh_from_db()
    assert labour.due_workdays == 10
    ok = office.post(url, {"action": action, f"{action}-name": "用工", f"{action}-due_workdays": "5",
                           f"{action}-is_active": "on"})  # fmt: skip
    assert ok.status_code == 302
    req = request(firm(), received_on=date(2021, 6, 1))
    assert req.due_date == date(2021, 6, 8)  # 5 working days
    office.post(url, {"action": "policy-new", "policy-new-title": "演示稳岗政策", "policy-new-issuer": "区人社局"})
    assert Policy.objects.filter(title="演示稳岗政策").exists()
    assert client_as("leader").get(url).status_code == 403


def test_the_office_edits_a_firm_and_a_bad_code_changes_nothing(client_as):
    e = firm(1)
    url = reverse("enterprises:edit", kwargs={"pk": e.pk})
    office = client_as("office")
    form = office.get(url).content.decode()
    assert e.credit_code in form
    data = {"name": "新名称", "credit_code": e.credit_code[:17] + ("0" if e.credit_code[17] != "0" else "1"),
            "size": "medium", "officer_unit": unit("zjj").pk}  # fmt: skip
    refused = office.post(url, data)
    assert refused.status_code == 400 and "18" in refused.content.decode()
    e.refresh_from_db()
    assert e.name == "测试企业1"
    data["credit_code"] = e.credit_code
    assert office.post(url, data).status_code == 302
    e.refresh_from_db()
    assert (e.name, e.size) == ("新名称", "medium")


def test_import_page_refuses_a_file_that_is_not_a_workbook(client_as):
    from django.core.files.uploadedfile import SimpleUploadedFile

    count = Enterprise.objects.count()
    bad = SimpleUploadedFile("名录.xlsx", b"not a zip at all")
    response = client_as("office").post(reverse("enterprises:import"), {"file": bad})
    assert response.status_code == 400 and 'data-testid="import-errors"' in response.content.decode()
    assert Enterprise.objects.count() == count


def test_directory_takes_the_same_queries_for_3_and_30_firms(client_as):
    for i in range(3):
        firm(i + 1)
    client = client_as("office")
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("enterprises:list"))
    for i in range(3, 30):
        firm(i + 1)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("enterprises:list") + "?q=测试企业")
    assert response.content.decode().count("测试企业") >= 30
    assert len(many) == len(few)
