"""The evaluation API: periods, the table with linked points, appeals (refusals are 400 with the message)."""

import datetime as dt
import json

import pytest

from accounts.services import token_issue
from evaluation.demo import load_demo_scheme
from evaluation.models import Appeal, Period
from evaluation.services import period_publish

pytestmark = pytest.mark.django_db


def headers(user):
    return {"Authorization": f"Bearer {token_issue(user=user)}"}


@pytest.fixture
def june(users):
    period = Period.objects.get(scheme=load_demo_scheme(users["office"]), start=dt.date(2021, 6, 1))
    return period_publish(actor=users["office"], period=period)


def test_periods_and_scores(client, users, june):
    periods = client.get("/api/v1/evaluations", headers=headers(users["zjj_head"])).json()
    assert [p["label"] for p in periods] == ["2021年6月"]  # a head sees published periods only
    assert len(client.get("/api/v1/evaluations", headers=headers(users["office"])).json()) == 12
    rows = client.get(f"/api/v1/evaluations/{june.pk}/scores", headers=headers(users["leader"])).json()
    zjj = next(r for r in rows if r["unit"] == "区住建局")
    delivery = next(c for c in zjj["components"] if c["key"] == "delivery")
    assert delivery["rows"][0]["url"].startswith("/tasks/") and zjj["rank"] >= 1


def test_appeal_refusals_are_400_and_write_nothing(client, users, june):
    from org.models import Unit

    url = f"/api/v1/evaluations/{june.pk}/appeals"
    other = {"component_key": "delivery", "reason": "x", "unit_id": Unit.objects.get(code="fgw").pk}
    response = client.post(url, json.dumps(other), content_type="application/json", headers=headers(users["zjj_head"]))
    assert response.status_code == 400 and response.json()["field"] == "unit"
    unknown = {"component_key": "nothing", "reason": "x"}
    response = client.post(
        url, json.dumps(unknown), content_type="application/json", headers=headers(users["zjj_head"])
    )
    assert response.status_code == 400
    assert not Appeal.objects.exists()
    ok = {"component_key": "delivery", "reason": "任务已完成"}
    response = client.post(url, json.dumps(ok), content_type="application/json", headers=headers(users["zjj_head"]))
    assert response.status_code == 201 and response.json()["state"] == "pending"
