"""Indicator pages and API: catalogue, detail, entering and approving through the pages, the cockpit panel."""

import json

import pytest
from django.urls import reverse

from accounts.services import token_issue
from core.errors import ServiceError
from indicators.models import CockpitIndicator, Indicator, IndicatorValue
from indicators.services import IndicatorData, indicator_create, target_set, value_enter

pytestmark = pytest.mark.django_db


@pytest.fixture
def area(users):
    indicator = indicator_create(
        actor=users["office"],
        data=IndicatorData(
            name="测试绿化面积", unit="平方米", display_unit="万平方米", source_unit=users["zjj_head"].unit
        ),
    )
    target_set(actor=users["office"], indicator=indicator, year=2021, value="3000", unit="万平方米")
    value_enter(actor=users["office"], indicator=indicator, period="2020", value="2569", unit="万平方米")
    return indicator


def test_catalogue_and_detail_show_value_target_and_chart(client_as, area):
    page = client_as("office").get(reverse("indicators:catalogue") + "?q=绿化").content.decode()
    assert "测试绿化面积" in page and "2569" in page and 'class="spark"' not in page  # one value: no sparkline
    detail = client_as("office").get(reverse("indicators:detail", args=[area.pk]))
    chart = json.loads(detail.content.decode().split('id="indicator-data" type="application/json">')[1].split("<")[0])
    assert chart["periods"] == ["2020"] and chart["kinds"]["final"] == [2569.0] and chart["unit"] == "万平方米"


def test_reporter_enters_through_the_page_and_head_approves(client_as, area):
    reporter = client_as("zjj_reporter")
    url = reverse("indicators:value_enter", args=[area.pk])
    bad = reporter.post(url, {"period": "2021-07", "value": "2700", "unit": "万平方米", "kind": "estimate"})
    assert bad.status_code == 400 and "2021-07" in bad.content.decode()
    assert IndicatorValue.objects.filter(indicator=area).count() == 1
    bad = reporter.post(url, {"period": "2021", "value": "两千", "unit": "万平方米", "kind": "estimate"})
    assert bad.status_code == 400 and not IndicatorValue.objects.filter(indicator=area, period="2021").exists()
    assert (
        reporter.post(url, {"period": "2021", "value": "2,700", "unit": "万平方米", "kind": "estimate"}).status_code
        == 302
    )
    value = IndicatorValue.objects.get(indicator=area, period="2021")
    assert value.state == "pending" and value.value == 27_000_000
    assert client_as("fgw_reporter").post(url, {"period": "2021", "value": "1", "kind": "estimate"}).status_code == 404
    head = client_as("zjj_head")
    assert f"approve-{value.pk}" in head.get(reverse("indicators:detail", args=[area.pk])).content.decode()
    head.post(reverse("indicators:value_approve", args=[value.pk]))
    value.refresh_from_db()
    assert value.state == "approved" and value.approved_by.username == "zjj_head"


def test_the_cockpit_panel_shows_the_chosen_indicators(client_as, area):
    office = client_as("office")
    office.post(reverse("indicators:cockpit_choose", args=[area.pk]), {"shown": "1"})
    assert CockpitIndicator.objects.filter(indicator=area).exists()
    page = client_as("office").get(reverse("reports:cockpit")).content.decode()
    assert 'data-testid="indicator-panel"' in page and f'data-testid="panel-{area.pk}"' in page
    assert reverse("indicators:detail", args=[area.pk]) in page
    fgw = client_as("fgw_reporter").get(reverse("reports:cockpit"))
    assert fgw.status_code in (200, 403) and f"panel-{area.pk}" not in fgw.content.decode()


def _api(users, role):
    return {"Authorization": f"Bearer {token_issue(user=users[role])}"}


def test_api_detail_and_post(client, users, area):
    value_enter(actor=users["office"], indicator=area, period="2019", value="2400", unit="万平方米")
    body = client.get(f"/api/v1/indicators/{area.pk}", headers=_api(users, "leader")).json()
    assert [v["period"] for v in body["values"]] == ["2019", "2020"]
    last = body["values"][-1]
    assert last["kind"] == "final" and last["value"] == 2569.0
    assert last["growth_yoy"] == pytest.approx((2569 / 2400 - 1) * 100)
    assert last["multiple"] == pytest.approx(2569 / 2400) and last["cagr"] == pytest.approx(last["growth_yoy"])
    url = f"/api/v1/indicators/{area.pk}/values"
    for bad, field in (({"period": "2021-13", "value": 1}, "period"), ({"period": "2021", "value": "abc"}, "value"),
                       ({"period": "2021", "value": 1, "unit": "万元"}, "unit"),
                       ({"period": "2020", "value": 1, "kind": "final"}, "period")):  # fmt: skip
        response = client.post(
            url, data=json.dumps(bad), content_type="application/json", headers=_api(users, "office")
        )
        assert response.status_code == 400 and response.json()["field"] == field, bad
    assert IndicatorValue.objects.filter(indicator=area).count() == 2
    listed = client.get("/api/v1/indicators", headers=_api(users, "office")).json()
    assert any(i["id"] == area.pk and i["target"] == 3000.0 for i in listed)


def test_the_office_takes_an_indicator_off_the_cockpit(client_as, area):
    CockpitIndicator.objects.create(indicator=area, rank=1)
    client_as("office").post(reverse("indicators:cockpit_choose", args=[area.pk]), {"shown": "0"})
    assert not CockpitIndicator.objects.filter(indicator=area).exists()
    page = client_as("office").get(reverse("reports:cockpit")).content.decode()
    assert f"panel-{area.pk}" not in page


def test_share_of_a_total_on_the_detail_page_and_api(client, users, area):
    from indicators.services import indicator_update

    office = users["office"]
    named = IndicatorData(name="建成区绿化总面积", unit="平方米", display_unit="万平方米")
    total = indicator_create(actor=office, data=named)
    for period, value in (("2019", "12000"), ("2020", "12845")):
        value_enter(actor=office, indicator=total, period=period, value=value, unit="万平方米")
    other = indicator_create(actor=office, data=IndicatorData(name="人口", unit="人"))
    with pytest.raises(ServiceError) as refused:  # a share of a total in another unit means nothing
        indicator_update(actor=office, indicator=area, data=IndicatorData(name=area.name, unit=area.unit, total=other))
    assert refused.value.field == "total" and Indicator.objects.get(pk=area.pk).total_id is None
    data = IndicatorData(name=area.name, unit=area.unit, display_unit=area.display_unit, total=total)
    indicator_update(actor=office, indicator=area, data=data)
    body = client.get(f"/api/v1/indicators/{area.pk}", headers=_api(users, "leader")).json()
    assert body["values"][-1]["period"] == "2020" and body["values"][-1]["share"] == pytest.approx(2569 / 12845 * 100)
    client.force_login(users["leader"])
    page = client.get(f"/indicators/{area.pk}/").content.decode()
    assert 'data-testid="share">20%' in page and "建成区绿化总面积" in page


def test_merge_page_refuses_a_clash_with_a_message_and_merges(client, users, area):
    office = users["office"]
    new = indicator_create(actor=office, data=IndicatorData(name="绿化面积（新）", unit="平方米", reviewed=False))
    value_enter(actor=office, indicator=new, period="2020", value="2500", unit="万平方米")
    client.force_login(office)
    page = client.get(f"/indicators/{new.pk}/").content.decode()
    assert 'data-testid="merge-form"' in page
    response = client.post(f"/indicators/{new.pk}/merge/", {"into": area.pk})
    assert response.status_code == 400 and "2020" in response.content.decode()
    assert IndicatorValue.objects.filter(indicator=new).count() == 1
    response = client.post(f"/indicators/{new.pk}/merge/", {"into": ""})
    assert response.status_code == 400
    IndicatorValue.objects.filter(indicator=new).update(period="2018", period_key="2018-12-2")
    response = client.post(f"/indicators/{new.pk}/merge/", {"into": area.pk})
    assert response.status_code == 302 and not Indicator.objects.filter(pk=new.pk).exists()
    assert area.values.filter(period="2018").exists()
    CockpitIndicator.objects.create(indicator=area, rank=1)
    other = indicator_create(actor=office, data=IndicatorData(name="另一指标", unit="元"))
    CockpitIndicator.objects.create(indicator=other, rank=2)
    cockpit = client.get("/cockpit/").content.decode()
    assert f'data-testid="up-{other.pk}"' in cockpit and f'data-testid="up-{area.pk}"' not in cockpit
    assert client.post(f"/indicators/{other.pk}/cockpit/move/", {"direction": "up"}).status_code == 302
    assert list(CockpitIndicator.objects.order_by("rank").values_list("indicator_id", flat=True)) == [other.pk, area.pk]
