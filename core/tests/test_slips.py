"""Small things a walk-through tripped on (issue 13, defect 8): as-of, favicon, calendar, rectification unit."""

import datetime as dt

import pytest
from django.utils import timezone

from supervision.tests.access_rows import make_finding

pytestmark = pytest.mark.django_db


def test_a_bad_as_of_in_the_url_is_said_and_today_stays(client_as):
    client = client_as("office")
    response = client.get("/tasks/", {"as_of": "2021-13-45"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="asof-refused"' in page and "2021-13-45" in page and "不是有效日期" in page
    assert response.wsgi_request.as_of is None and 'data-testid="asof-bar"' not in page


def test_a_bad_as_of_keeps_the_date_already_chosen(client_as):
    client = client_as("office")
    client.get("/tasks/", {"as_of": "2021-06-30"})
    response = client.get("/tasks/", {"as_of": "junk"})
    assert response.wsgi_request.as_of == dt.date(2021, 6, 30)
    assert 'data-testid="asof-refused"' in response.content.decode()


def test_a_future_as_of_is_said_and_shows_today(client_as):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = client_as("office").get("/tasks/", {"as_of": tomorrow.isoformat()})
    assert response.wsgi_request.as_of is None
    assert 'data-testid="asof-refused"' in response.content.decode()


def test_a_good_as_of_says_nothing_wrong(client_as):
    response = client_as("office").get("/tasks/", {"as_of": "2021-06-30"})
    assert 'data-testid="asof-refused"' not in response.content.decode()


def test_the_favicon_is_served_from_static_and_linked(client, client_as):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.ico")
    assert 'rel="icon"' in client_as("office").get("/").content.decode()


def test_the_calendar_names_where_a_day_comes_from(client_as):
    page = client_as("office").get("/calendar/", {"year": 2021}).content.decode()
    table = page[page.index("<tbody>") : page.index("</tbody>")]
    assert "法定节假日" in table and ">package<" not in table


def test_the_rectification_unit_starts_as_the_tasks_lead_unit(client_as):
    finding = make_finding()
    response = client_as("office").get(f"/supervision/inspections/{finding.inspection_id}/")
    form = response.context["rectification_forms"][finding.pk]
    assert form.initial["unit"] == finding.target.lead_unit_id
    assert f'<option value="{finding.target.lead_unit_id}" selected>' in response.content.decode()


def test_home_offers_the_demo_plans_year_end_when_all_plans_are_past(client_as):
    response = client_as("office").get("/")  # the demo plan is 2021, a past year
    assert response.context["suggested_as_of"] == dt.date(2021, 12, 31)
    page = response.content.decode()
    hint = page[page.index('data-testid="suggest-asof"') :]
    assert "?as_of=2021-12-31" in hint and "2021年的" not in hint and "属于2021年" in hint
    chosen = client_as("office")
    chosen.get("/tasks/", {"as_of": "2021-06-30"})
    assert chosen.get("/").context["suggested_as_of"] is None
