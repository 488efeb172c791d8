import json

import pytest

from accounts.models import ApiToken
from conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db
TOKEN = "/api/v1/auth/token"


def post_json(client, url, body, **extra):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(url, data=data, content_type="application/json", **extra)


def test_token_then_me(client):
    response = post_json(client, TOKEN, {"username": "zjj_reporter", "password": DEMO_PASSWORD})
    assert response.status_code == 200
    token = response.json()["token"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    body = me.json()
    assert body["username"] == "zjj_reporter"
    assert body["unit"]["name"] == "区住建局"
    assert body["roles"] == ["unit_reporter"]
    assert "business.read_unit" in body["permissions"]
    # Only the hash is stored.
    assert not ApiToken.objects.filter(key_hash=token).exists()


def test_wrong_password_gives_401_in_chinese_and_no_token(client):
    response = post_json(client, TOKEN, {"username": "office", "password": "nope"})
    assert response.status_code == 401
    assert response.json()["detail"] == "用户名或密码错误。"
    assert ApiToken.objects.count() == 0


def test_malformed_json_body_gives_400_in_chinese(client):
    response = post_json(client, TOKEN, '{"username": "office"')
    assert response.status_code == 400
    assert response.json()["detail"] == "请求体不是有效的 JSON。"


def test_missing_field_gives_422_with_the_field(client):
    response = post_json(client, TOKEN, {"username": "office"})
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "请求数据不正确。 password 为必填项。"
    assert body["errors"][0]["loc"][-1] == "password"


def test_english_ui_gets_english_api_messages(client):
    response = post_json(client, TOKEN, {"username": "office"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["detail"] == "The request data is not valid. password is required."


def test_api_lockout_after_five_wrong_passwords(client):
    for _ in range(5):
        response = post_json(client, TOKEN, {"username": "fgw_reporter", "password": "wrong-Pass-1"})
    assert response.status_code == 403
    assert "锁定 15 分钟" in response.json()["detail"]
    response = post_json(client, TOKEN, {"username": "fgw_reporter", "password": DEMO_PASSWORD})
    assert response.status_code == 403


def test_an_unknown_or_expired_token_is_401(client, users):
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer not-a-token"}).status_code == 401
    from accounts.services import token_issue

    token = token_issue(user=users["office"])
    ApiToken.objects.update(expires_at="2000-01-01T00:00:00Z")
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_a_deactivated_users_token_stops_working(client, users):
    from accounts.services import token_issue

    token = token_issue(user=users["fgw_reporter"])
    users["fgw_reporter"].is_active = False
    users["fgw_reporter"].save(update_fields=["is_active"])
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_session_login_also_works_for_get(client_as):
    assert client_as("office").get("/api/v1/me").json()["username"] == "office"


def test_units_are_in_pinyin_order(client_as):
    names = [u["name"] for u in client_as("office").get("/api/v1/units").json()]
    assert names.index("区发改委") < names.index("区住建局")
    assert names.index("二七区") < names.index("福华街街道") < names.index("侯寨乡")


def test_openapi_document_and_docs_page_are_local(client, users):
    client.force_login(users["office"])  # both are behind login (accounts/tests/test_tokens.py)
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/auth/token" in schema["paths"]
    docs = client.get("/api/v1/docs").content.decode()
    assert "cdn" not in docs.lower()
    assert "/static/ninja/" in docs
