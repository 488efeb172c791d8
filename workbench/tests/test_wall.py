"""The wall screen (大屏) and the kiosk account held to it."""

import pytest

from accounts.roles import Perm, RoleConflict, perms_for, role_grant_conflict

pytestmark = pytest.mark.django_db


def test_the_kiosk_role_reads_only_the_wall_and_holds_no_other_role():
    assert perms_for(["kiosk"]) == {Perm.WALL_VIEW}
    assert role_grant_conflict(held=["leader"], new="kiosk", grantee_id=1, grantor_id=2) == RoleConflict.KIOSK_ALONE
    assert role_grant_conflict(held=["kiosk"], new="office", grantee_id=1, grantor_id=2) == RoleConflict.KIOSK_ALONE
    assert role_grant_conflict(held=[], new="kiosk", grantee_id=1, grantor_id=2) is None


def test_the_kiosk_session_is_held_to_the_wall(client_as, task_by_object):
    kiosk = client_as("kiosk")
    assert kiosk.get("/").status_code == 302 and kiosk.get("/")["Location"] == "/cockpit/wall/"
    assert kiosk.get("/cockpit/wall/").status_code == 200
    data = kiosk.get("/cockpit/wall/data/")
    assert data.status_code == 200
    task = task_by_object("老旧小区改造提升")
    for url in ("/cockpit/", "/tasks/", f"/tasks/{task.pk}/", "/map/", "/accounts/tokens/", "/notifications/"):
        assert kiosk.get(url).status_code == 403, url
    assert kiosk.get("/public/").status_code == 200


def test_the_kiosk_cannot_use_the_api(client, users):
    from accounts.services import token_issue

    token = token_issue(user=users["kiosk"])
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403


def test_the_wall_payload_reads_like_a_leader_for_the_kiosk(client_as):
    kiosk = client_as("kiosk").get("/cockpit/wall/data/?as_of=2021-10-15").json()
    leader = client_as("leader").get("/cockpit/wall/data/?as_of=2021-10-15").json()
    for key in ("kpis", "areas", "league_top", "league_bottom", "red", "map", "panels"):
        assert kiosk[key] == leader[key] or key == "map", key
    total = next(k["value"] for k in kiosk["kpis"] if k["key"] == "total")
    assert total > 0 and kiosk["areas"]["names"]
    top = [r["name"] for r in kiosk["league_top"]]
    bottom = [r["name"] for r in kiosk["league_bottom"]]
    assert not set(top) & set(bottom)  # a short league is not shown twice


def test_the_wall_page_has_no_navigation(client_as):
    html = client_as("leader").get("/cockpit/wall/").content.decode()
    assert 'class="sidenav"' not in html and 'class="topbar"' not in html
    assert "wall.js" in html and "map.js" in html


def test_a_registered_wall_panel_is_in_the_payload(client_as):
    from core import publishing

    panel = publishing.WallPanel(key="test-investment", title="投资", rows=lambda q: [("完成投资", "12亿元", "green")])
    publishing.register_wall_panel(panel)
    try:
        data = client_as("leader").get("/cockpit/wall/data/").json()
        assert {"key": "test-investment", "title": "投资", "rows": [["完成投资", "12亿元", "green"]]} in data["panels"]
    finally:
        publishing._PANELS.pop("test-investment")
