"""The wall screen's indicators panel: the cockpit's chosen indicators (IndicatorsConfig.ready())."""

import datetime as dt

import pytest

from decomposition.demo import plan_figures
from indicators import selectors
from indicators.demo import load_demo_indicators

pytestmark = pytest.mark.django_db


def test_the_wall_shows_the_cockpits_chosen_indicators(demo_plan, client_as, users):
    load_demo_indicators(plan_figures(demo_plan))
    payload = client_as("kiosk").get("/cockpit/wall/data/?as_of=2021-10-15").json()
    panel = next(p for p in payload["panels"] if p["key"] == "indicators")
    chosen = selectors.cockpit_panel(users["leader"], dt.date(2021, 10, 15))
    assert [r[0] for r in panel["rows"]] == [s.indicator.name for s in chosen][:8]
    assert panel["rows"][0][0] == "地区生产总值" and panel["rows"][0][1] != "—"
    assert all(r[2] in ("", "green", "yellow", "red") for r in panel["rows"])


def test_the_panel_is_empty_when_nothing_is_chosen(client_as):
    payload = client_as("kiosk").get("/cockpit/wall/data/").json()
    assert next(p for p in payload["panels"] if p["key"] == "indicators")["rows"] == []
