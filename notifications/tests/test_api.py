"""The notifications API: my inbox only, mark read, follow a task."""

import json

import pytest

from notifications.models import Follow, Notification
from notifications.services import notify
from notifications.tests.access_rows import ROLES

pytestmark = pytest.mark.django_db


def _auth(users, name):
    from accounts.services import token_issue

    return {"Authorization": f"Bearer {token_issue(user=users[name])}"}


def test_the_list_is_mine_paginated_and_newest_first(client, users):
    for i in range(3):
        notify(recipients=[users["zjj_reporter"]], kind="report.due", title=f"提醒{i}")
    notify(recipients=[users["zjj_head"]], kind="report.submitted", title="别人的")
    body = client.get("/api/v1/notifications?page_size=2", headers=_auth(users, "zjj_reporter")).json()
    assert (body["count"], body["unread"], body["page"], body["page_size"]) == (3, 3, 1, 2)
    assert [n["title"] for n in body["results"]] == ["提醒2", "提醒1"]
    assert body["results"][0]["kind_label"] and body["results"][0]["read_at"] is None
    page2 = client.get("/api/v1/notifications?page_size=2&page=2", headers=_auth(users, "zjj_reporter")).json()
    assert [n["title"] for n in page2["results"]] == ["提醒0"]


def test_the_inbox_answers_in_two_queries(client, users, django_assert_max_num_queries):
    """Polled by every reporter on Monday (bench/surge.py): the token with roles, one count of all and
    unread; the page itself is one more query when there is something to show."""
    headers = _auth(users, "zjj_reporter")
    client.get("/api/v1/me", headers=headers)  # the token's once-a-minute "last used" write, out of the way
    with django_assert_max_num_queries(2):
        assert client.get("/api/v1/notifications?page_size=20", headers=headers).json()["count"] == 0
    notify(recipients=[users["zjj_reporter"]], kind="report.due", title="提醒")
    with django_assert_max_num_queries(3):
        body = client.get("/api/v1/notifications?page_size=20&unread=true", headers=headers).json()
    assert (body["count"], body["unread"], [n["title"] for n in body["results"]]) == (1, 1, ["提醒"])


def test_read_one_then_all(client, users):
    notes = notify(recipients=[users["zjj_reporter"]], kind="report.due", title="a")
    notify(recipients=[users["zjj_reporter"]], kind="report.due", title="b")
    headers = _auth(users, "zjj_reporter")
    response = client.post(f"/api/v1/notifications/{notes[0].pk}/read", headers=headers)
    assert response.status_code == 200 and response.json()["read_at"]
    unread = client.get("/api/v1/notifications?unread=true", headers=headers).json()
    assert [n["title"] for n in unread["results"]] == ["b"]
    response = client.post("/api/v1/notifications/read-all", headers=headers)
    assert response.status_code == 200 and response.json() == {"marked": 1, "unread": 0}


@pytest.mark.parametrize("role", ROLES)
def test_read_api_matrix(client, users, role):
    """Only the recipient marks a notification read; everyone else gets 404 (no existence leak), anonymous 401."""
    note = notify(recipients=[users["zjj_reporter"]], kind="report.due", title="a")[0]
    headers = {} if role == "anonymous" else _auth(users, role)
    response = client.post(f"/api/v1/notifications/{note.pk}/read", headers=headers)
    # The kiosk (大屏) account may not use the API at all: 403 before any lookup.
    expected = 401 if role == "anonymous" else 403 if role == "kiosk" else 200 if role == "zjj_reporter" else 404
    assert response.status_code == expected
    assert (Notification.objects.get(pk=note.pk).read_at is not None) == (role == "zjj_reporter")


def test_follow_and_unfollow(client, users, task_by_object):
    task = task_by_object("老旧小区改造提升")
    headers = _auth(users, "leader")
    path = f"/api/v1/tasks/{task.pk}/follow"
    assert client.get(path, headers=headers).json() == {"task_id": task.pk, "following": False, "followers": 0}
    response = client.post(path, headers=headers)
    assert response.status_code == 201 and response.json()["following"] is True
    assert client.post(path, headers=headers).json()["followers"] == 1  # idempotent
    assert client.delete(path, headers=headers).json() == {"task_id": task.pk, "following": False, "followers": 0}
    assert not Follow.objects.exists()
    assert client.post(path, headers=_auth(users, "fgw_reporter")).status_code == 404
    assert client.post(path, headers=_auth(users, "sysadmin")).status_code == 403


def test_the_openapi_document_lists_the_routes(client, users):
    client.force_login(users["office"])  # the document is behind login
    paths = json.loads(client.get("/api/v1/openapi.json").content)["paths"]
    assert {"/api/v1/notifications", "/api/v1/notifications/read-all"} <= set(paths)
    assert "post" in paths["/api/v1/notifications/{notification_id}/read"]
