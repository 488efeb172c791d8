"""The supervision API: the success paths and refusals (access per role is in the access matrix)."""

import io
import json

import pytest
from django.utils import timezone
from PIL import Image

from accounts.services import token_issue
from core.workcalendar import work_calendar
from supervision.models import Inspection, Instruction, Rectification, SupervisionOrder
from supervision.tests.access_rows import make_order, make_rectification

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, users):
    class Api:
        def __init__(self):
            self.as_user = "office"
            self.tokens: dict[str, str] = {}

        def _headers(self):
            # One token per person, as a client keeps it (a new one per call would hit the per-user cap).
            if self.as_user not in self.tokens:
                self.tokens[self.as_user] = token_issue(user=users[self.as_user])
            return {"Authorization": f"Bearer {self.tokens[self.as_user]}"}

        def get(self, path, **params):
            return client.get(f"/api/v1{path}", params, headers=self._headers())

        def post(self, path, body=None, **kwargs):
            if kwargs.get("multipart") is not None:
                return client.post(f"/api/v1{path}", kwargs["multipart"], headers=self._headers())
            return client.post(
                f"/api/v1{path}", json.dumps(body or {}), content_type="application/json", headers=self._headers()
            )

    return Api()


@pytest.fixture
def compounds(task_by_object):
    return task_by_object("老旧小区改造提升")


def png_file(name="现场.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), (10, 120, 200)).save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = name
    return buffer


def test_an_order_through_its_whole_cycle(api, compounds):
    created = api.post(f"/tasks/{compounds.pk}/orders", {"kind": "order", "response_workdays": 3})
    assert created.status_code == 201, created.json()
    order = created.json()
    assert order["number"].endswith("1号") and order["kind"] == "order" and order["task_ids"] == [compounds.pk]
    assert "248个老旧小区" in order["content"]  # the red task's proposal fills what was not given
    assert order["due_date"] == work_calendar().add_workdays(timezone.localdate(), 3).isoformat()
    oid = order["id"]

    api.as_user = "zjj_reporter"
    assert [o["id"] for o in api.get("/orders").json()] == [oid]
    assert api.post(f"/orders/{oid}/respond", multipart={"text": "x"}).status_code == 400  # acknowledge first
    assert api.post(f"/orders/{oid}/acknowledge").json()["state"] == "acknowledged"
    empty = api.post(f"/orders/{oid}/respond", multipart={"text": ""})
    assert empty.status_code == 400 and empty.json()["field"] == "text"
    sent = api.post(f"/orders/{oid}/respond", multipart={"text": "已整改", "files": [png_file()]})
    assert sent.status_code == 200
    assert sent.json()["state"] == "responded" and sent.json()["responses"][0]["files"][0]["name"] == "现场.png"

    api.as_user = "office"
    assert api.post(f"/orders/{oid}/return", {"reason": ""}).status_code == 400
    assert api.post(f"/orders/{oid}/return", {"reason": "请补充"}).json()["state"] == "returned"
    api.as_user = "zjj_head"
    api.post(f"/orders/{oid}/respond", multipart={"text": "已补充"})
    api.as_user = "office"
    assert api.post(f"/orders/{oid}/verify", {"note": "同意"}).json()["state"] == "verified"
    closed = api.post(f"/orders/{oid}/close")
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    assert api.get(f"/orders/{oid}").json()["closed_at"] is not None
    assert [o["id"] for o in api.get("/orders", show="done").json()] == [oid]


def test_order_refusals(api, compounds, users):
    holiday = api.post(f"/tasks/{compounds.pk}/orders", {"due_date": "2031-10-04"})  # a Saturday
    assert holiday.status_code == 400 and holiday.json()["field"] == "due_date"
    assert api.post(f"/tasks/{compounds.pk}/orders", {"task_ids": [999999]}).json()["field"] == "task_ids"
    assert api.get("/orders", show="whatever").status_code == 400
    assert not SupervisionOrder.objects.exists()
    order = make_order()
    api.as_user = "fgw_reporter"
    assert api.get(f"/orders/{order.pk}").status_code == 404
    assert api.post(f"/orders/{order.pk}/acknowledge").status_code == 404
    api.as_user = "zjj_reporter"
    assert api.post(f"/orders/{order.pk}/verify").status_code == 403


def test_instructions_are_written_and_answered(api, compounds):
    due = work_calendar().add_workdays(timezone.localdate(), 5).isoformat()
    api.as_user = "leader_cj"
    created = api.post("/instructions", {"text": "加快进度", "task_id": compounds.pk, "due_date": due})
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["target_type"], body["target_id"], body["followup"]["unit"]) == ("task", compounds.pk, "区住建局")
    assert api.post("/instructions", {"text": "x", "due_date": due}).status_code == 400  # no target
    assert [i["id"] for i in api.get("/instructions", mine="true").json()] == [body["id"]]
    api.as_user = "zjj_reporter"
    answered = api.post(f"/followups/{body['followup']['id']}/answer", {"answer": "已落实"})
    assert answered.status_code == 200 and answered.json()["followup"]["state"] == "answered"
    api.as_user = "fgw_reporter"
    assert api.get("/instructions").json() == []
    assert api.get(f"/instructions/{body['id']}").status_code == 404
    assert Instruction.objects.count() == 1


def test_inspections_findings_and_rectifications(api, compounds):
    created = api.post(
        "/inspections",
        {
            "inspected_on": timezone.localdate().isoformat(),
            "inspectors": "督查室",
            "place": "现场",
            "task_ids": [compounds.pk],
            "latitude": "34.75",
            "longitude": "113.625",
        },
    )
    assert created.status_code == 201, created.json()
    iid = created.json()["id"]
    assert created.json()["coordinates_source"] == "typed"
    photos = api.post(f"/inspections/{iid}/photos", multipart={"files": [png_file()]})
    assert photos.status_code == 201 and len(photos.json()["photos"]) == 1
    bad = api.post(f"/inspections/{iid}/photos", multipart={"files": [io.BytesIO(b"%PDF-1.4")]})
    assert bad.status_code == 400 and bad.json()["field"] == "files"
    finding = api.post(f"/inspections/{iid}/findings", {"text": "围挡破损", "task_id": compounds.pk})
    assert finding.status_code == 201
    deadline = work_calendar().add_workdays(timezone.localdate(), 10).isoformat()
    opened = api.post(
        f"/findings/{finding.json()['id']}/rectification",
        {"unit_id": compounds.lead_unit_id, "deadline": deadline, "requirement": "修复围挡"},
    )
    assert opened.status_code == 201 and opened.json()["state"] == "open"
    rid = opened.json()["id"]
    assert api.get(f"/inspections/{iid}").json()["findings"][0]["rectification_id"] == rid

    api.as_user = "zjj_reporter"
    assert api.get("/inspections").status_code == 403
    assert [r["id"] for r in api.get("/rectifications").json()] == [rid]
    reported = api.post(f"/rectifications/{rid}/report", multipart={"text": "已修复", "files": [png_file("后.png")]})
    assert reported.status_code == 200 and reported.json()["files"][-1]["stage"] == "after"
    api.as_user = "office"
    assert api.post(f"/rectifications/{rid}/verify").json()["state"] == "verified"
    assert api.post(f"/rectifications/{rid}/close").json()["state"] == "closed"
    assert Inspection.objects.count() == 1 and Rectification.objects.get().state == "closed"


def test_a_rectification_can_be_sent_back(api):
    item = make_rectification("reported")
    response = api.post(f"/rectifications/{item.pk}/return", {"reason": "照片不清晰"})
    assert response.status_code == 200 and response.json()["state"] == "returned"
    api.as_user = "leader"
    assert api.post(f"/rectifications/{item.pk}/close").status_code == 403


def test_the_lists_answer_with_everything_in_a_fixed_number_of_queries(api, users):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from supervision.tests.access_rows import make_finding, make_instruction

    def queries(path: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get(path).status_code == 200
        return len(captured)

    paths = ["/orders?show=all", "/instructions", "/inspections", "/rectifications?show=all"]

    def add_one_of_each():
        make_order("responded")
        make_instruction()
        make_rectification()
        make_finding()

    add_one_of_each()
    api.get("/orders")  # the token's first use is recorded (once a minute): not part of the list's cost
    few = [queries(p) for p in paths]
    for _ in range(3):
        add_one_of_each()
    assert [queries(p) for p in paths] == few


def _responded_order(api, compounds) -> int:
    oid = api.post(f"/tasks/{compounds.pk}/orders", {"kind": "order", "response_workdays": 3}).json()["id"]
    api.as_user = "zjj_reporter"
    api.post(f"/orders/{oid}/acknowledge")
    api.post(f"/orders/{oid}/respond", multipart={"text": "已整改"})
    api.as_user = "office"
    return oid


def test_a_return_due_in_the_year_9999_is_refused_with_a_message_and_changes_nothing(api, compounds):
    oid = _responded_order(api, compounds)
    refused = api.post(f"/orders/{oid}/return", {"reason": "请补充", "due_date": "9999-12-31"})
    assert refused.status_code == 400
    assert refused.json()["field"] == "due_date" and "超出工作日历的范围" in refused.json()["detail"]
    assert SupervisionOrder.objects.get(pk=oid).state == SupervisionOrder.State.RESPONDED


def test_an_order_issued_with_a_due_date_far_beyond_the_calendar_is_refused(api, compounds):
    refused = api.post(f"/tasks/{compounds.pk}/orders", {"kind": "order", "due_date": "2999-06-01"})
    assert refused.status_code == 400 and "超出工作日历的范围" in refused.json()["detail"]
    assert not SupervisionOrder.objects.exists()


def test_returning_an_order_in_the_wrong_state_is_refused_before_any_date_is_computed(api, compounds, monkeypatch):
    oid = api.post(f"/tasks/{compounds.pk}/orders", {"kind": "order", "response_workdays": 3}).json()["id"]

    def no_calendar():
        raise AssertionError("the calendar was built for an order that cannot be sent back")

    monkeypatch.setattr("supervision.services.orders.work_calendar", no_calendar)
    refused = api.post(f"/orders/{oid}/return", {"reason": "请补充", "due_date": "9999-12-31"})
    assert refused.status_code == 400 and "超出工作日历" not in refused.json()["detail"]


@pytest.mark.parametrize("field", ["inspectors", "place"])
def test_an_inspection_with_text_longer_than_its_column_is_a_422_naming_the_field(api, field):
    # Found by bench/probe.py: 70 000 characters reached PostgreSQL's varchar(200) and the API answered 500.
    from supervision.models import Inspection

    body = {"inspected_on": "2021-06-30", "inspectors": "督查室", "place": "现场", field: "长" * 201}
    response = api.post("/inspections", body)
    assert response.status_code == 422 and field in response.json()["detail"]
    assert not Inspection.objects.exists()
