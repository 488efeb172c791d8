"""Instruction answers carry evidence, can be accepted or sent back, and keep their history (issue 13, defect 5)."""

import io
import json

import pytest
from django.test import override_settings
from django.utils import timezone
from PIL import Image

from accounts.services import token_issue
from core.errors import ServiceError
from core.workcalendar import work_calendar
from notifications.models import Notification
from supervision import services
from supervision.models import Attachment, FollowUp, FollowUpAnswer
from supervision.tests.access_rows import make_order

pytestmark = pytest.mark.django_db


def png() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = "现场照片.png"
    return buffer


@pytest.fixture
def instruction(users, task_by_object):
    due = work_calendar().add_workdays(timezone.localdate(), 5)
    return services.instruction_create(
        actor=users["leader_cj"], text="要倒排工期", due_date=due, task=task_by_object("老旧小区改造提升")
    )


def test_the_unit_answers_with_a_photo_that_the_leader_can_open(client_as, instruction):
    followup = instruction.followup
    head = client_as("zjj_head")
    response = head.post(
        f"/supervision/followups/{followup.pk}/answer/", {"answer": "已成立工作专班", "files": [png()]}
    )
    assert response.status_code == 302
    answer = FollowUpAnswer.objects.get(followup=followup)
    photo = Attachment.objects.get(answer=answer)
    assert photo.original_name == "现场照片.png" and photo.kind == "image"
    page = client_as("leader_cj").get(f"/supervision/instructions/{instruction.pk}/").content.decode()
    assert "现场照片.png" in page and "已成立工作专班" in page
    assert client_as("leader_cj").get(f"/supervision/files/{photo.pk}/").status_code == 200
    assert client_as("fgw_reporter").get(f"/supervision/files/{photo.pk}/").status_code == 404


def test_a_bad_file_refuses_the_whole_answer(client_as, instruction):
    bad = io.BytesIO(b"MZ\x90\x00 not a document")
    bad.name = "tool.exe"
    response = client_as("zjj_head").post(
        f"/supervision/followups/{instruction.followup.pk}/answer/", {"answer": "已办", "files": [bad]}
    )
    assert response.status_code == 400
    instruction.followup.refresh_from_db()
    assert instruction.followup.state == "open" and not FollowUpAnswer.objects.exists()


@override_settings(SUPERVISION_RETURN_WORKDAYS=3)
def test_the_office_sends_an_answer_back_and_the_leader_accepts_the_second_one(client_as, users, instruction):
    followup = instruction.followup
    head = client_as("zjj_head")
    head.post(f"/supervision/followups/{followup.pk}/answer/", {"answer": "已部署"})
    office = client_as("office")
    assert office.post(f"/supervision/followups/{followup.pk}/return/", {"reason": ""}).status_code == 400
    response = office.post(f"/supervision/followups/{followup.pk}/return/", {"reason": "没有具体措施和时限"})
    assert response.status_code == 302
    followup.refresh_from_db()
    assert followup.state == FollowUp.State.RETURNED
    assert followup.due_date == work_calendar().add_workdays(timezone.localdate(), 3)
    assert Notification.objects.filter(recipient=users["zjj_head"], kind="followup.returned").count() == 1

    head.post(f"/supervision/followups/{followup.pk}/answer/", {"answer": "倒排工期到周，每周调度"})
    # Another leader did not write it; the unit cannot judge its own answer.
    assert client_as("leader").post(f"/supervision/followups/{followup.pk}/accept/").status_code == 403
    assert head.post(f"/supervision/followups/{followup.pk}/accept/").status_code == 403
    assert client_as("leader_cj").post(f"/supervision/followups/{followup.pk}/accept/").status_code == 302
    followup.refresh_from_db()
    assert followup.state == FollowUp.State.ACCEPTED
    history = [(a.text, a.decision, a.decision_note) for a in followup.answers.all()]
    assert history == [
        ("已部署", "returned", "没有具体措施和时限"),
        ("倒排工期到周，每周调度", "accepted", ""),
    ]
    page = client_as("zjj_reporter").get(f"/supervision/instructions/{instruction.pk}/").content.decode()
    assert page.index("已部署") < page.index("没有具体措施和时限") < page.index("倒排工期到周")


def test_an_accepted_answer_cannot_be_sent_back(users, instruction):
    services.followup_answer(actor=users["zjj_head"], followup=instruction.followup, answer="已办")
    services.followup_accept(actor=users["office"], followup=instruction.followup)
    with pytest.raises(ServiceError):
        services.followup_return(actor=users["office"], followup=instruction.followup, reason="再看看")


def test_the_api_lists_the_history_and_the_author_decides(client, users, instruction):
    def post(user, path, body):
        headers = {"Authorization": f"Bearer {token_issue(user=users[user])}"}
        return client.post(f"/api/v1{path}", json.dumps(body), content_type="application/json", headers=headers)

    followup = instruction.followup
    assert post("zjj_reporter", f"/followups/{followup.pk}/answer", {"answer": "已办"}).status_code == 200
    assert post("leader", f"/followups/{followup.pk}/return", {"reason": "不具体"}).status_code == 403
    response = post("leader_cj", f"/followups/{followup.pk}/return", {"reason": "不具体"})
    assert response.status_code == 200
    body = response.json()["followup"]
    assert body["state"] == "returned" and [a["decision"] for a in body["answers"]] == ["returned"]


@override_settings(SUPERVISION_RETURN_WORKDAYS=3, SUPERVISION_RESPONSE_WORKDAYS=5)
def test_after_a_send_back_the_order_states_the_return_working_days(client_as, users):
    order = make_order("responded")
    office = client_as("office")
    form_page = office.get(f"/supervision/orders/{order.pk}/").content.decode()
    assert "留空：自今天起3个工作日。" in form_page  # the return form's help text, from the setting
    office.post(f"/supervision/orders/{order.pk}/return/", {"reason": "照片不清晰"})
    order.refresh_from_db()
    assert order.response_workdays == 3
    due = office.get(f"/supervision/orders/{order.pk}/").content.decode()
    assert "（3 个工作日）" in due and "（5 个工作日）" not in due
