"""The API: firms (bad credit codes refused with the position), requests, the answer, the summary."""

import json

import pytest
from django.utils import timezone

from enterprises.models import AssistanceRequest, Enterprise
from enterprises.tests.factories import firm, request

pytestmark = pytest.mark.django_db


def _post(client, path, body):
    return client.post(path, data=json.dumps(body), content_type="application/json")


def test_wrong_credit_code_is_400_naming_the_field_and_position(client_as):
    before = Enterprise.objects.count()
    response = _post(client_as("office"), "/api/v1/enterprises", {"name": "坏码", "credit_code": "91350100M000100Y44"})
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "统一社会信用代码" in detail and "18" in detail
    assert response.json()["field"] == "credit_code"
    response = _post(client_as("office"), "/api/v1/enterprises", {"name": "坏码", "credit_code": "91350100MI00100Y43"})
    assert response.status_code == 400 and "10" in response.json()["detail"]
    assert Enterprise.objects.count() == before


def test_create_read_and_masked_contact(client_as):
    office = client_as("office")
    body = {
        "name": "接口企业",
        "credit_code": "91350100m000100y43",
        "contact_name": "李四",
        "contact_phone": "13900001111",
    }
    created = _post(office, "/api/v1/enterprises", body)
    assert created.status_code == 201
    firm_id = created.json()["id"]
    assert created.json()["credit_code"] == "91350100M000100Y43"
    seen = client_as("leader").get(f"/api/v1/enterprises/{firm_id}").json()
    assert (seen["contact_name"], seen["contact_phone"], seen["contact_masked"]) == ("李*", "139****1111", True)
    assert _post(office, "/api/v1/enterprises", body).status_code == 400  # the same code twice


def test_request_then_answer_then_summary(client_as):
    e = firm()
    today = timezone.localdate().isoformat()
    office = client_as("office")
    made = _post(
        office,
        "/api/v1/assistance/requests",
        {
            "enterprise_id": e.pk,
            "category": "用工",
            "description": "缺普工",
            "received_on": today,
            "unit_id": e.officer_unit_id,
        },
    )
    assert made.status_code == 201, made.json()
    rid = made.json()["id"]
    answered = _post(
        client_as("zjj_reporter"), f"/api/v1/assistance/requests/{rid}/answer", {"answer": "已对接", "jobs": 30}
    )
    assert answered.status_code == 200 and answered.json()["state"] == "answered"
    summary = office.get(f"/api/v1/assistance/summary?from={today}&to={today}&scope=district").json()
    assert set(summary) >= {"enterprises_helped", "requests", "closed", "on_time_rate", "satisfaction_rate",
                            "jobs_filled", "tax_relieved_yuan", "funds_provided_yuan"}  # fmt: skip
    assert summary["requests"] == 1 and summary["jobs_filled"] == 0  # approved by the unit head first
    assert summary["links"]["requests"].startswith("/assistance/figures/enterprises.requests/")


def test_bad_requests_are_refused_and_nothing_is_written(client_as):
    e = firm()
    office = client_as("office")
    before = AssistanceRequest.objects.count()
    unknown = _post(
        office,
        "/api/v1/assistance/requests",
        {"enterprise_id": e.pk, "category": "无此类", "description": "x", "received_on": "2021-06-01"},
    )
    assert unknown.status_code == 400 and "无此类" in unknown.json()["detail"]
    req = request(e)
    negative = _post(
        client_as("zjj_reporter"), f"/api/v1/assistance/requests/{req.pk}/answer", {"answer": "x", "jobs": -3}
    )
    assert negative.status_code == 400
    req.refresh_from_db()
    assert req.state == "assigned" and AssistanceRequest.objects.count() == before + 1
    bad_scope = office.get("/api/v1/assistance/summary?scope=planet:mars")
    assert bad_scope.status_code == 400 and "planet:mars" in bad_scope.json()["detail"]


def test_unit_reader_summary_is_its_own_unit(client_as):
    e = firm(officer_unit="fgw")
    request(e, handler="fgw")
    assert (
        client_as("zjj_reporter").get("/api/v1/assistance/summary?from=2021-01-01&to=2021-12-31").json()["requests"]
        == 0
    )
    assert (
        client_as("fgw_reporter").get("/api/v1/assistance/summary?from=2021-01-01&to=2021-12-31").json()["requests"]
        == 1
    )


def test_list_is_scoped_masked_and_searchable_by_code(client_as):
    mine, other = firm(1, officer_unit="zjj"), firm(2, officer_unit="fgw")
    rows = client_as("zjj_reporter").get("/api/v1/enterprises").json()
    assert [r["id"] for r in rows] == [mine.pk] and rows[0]["contact_phone"] == "13812345678"
    leader_rows = client_as("leader").get(f"/api/v1/enterprises?q={other.credit_code}").json()
    assert [r["id"] for r in leader_rows] == [other.pk] and leader_rows[0]["contact_masked"] is True
