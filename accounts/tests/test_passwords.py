import re

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import translation

from accounts.models import User
from audit.models import AuditEvent
from conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def field_errors(response) -> list[str]:
    return re.findall(r'<p class="error" role="alert">(.*?)</p>', response.content.decode())


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("Ab1!xyz", "密码太短：至少需要 10 个字符"),
        ("abcdefghijkl", "至少混合"),
        ("1234567890123", "至少混合"),
        ("zjj_reporter-2021X", "不能包含用户名"),
    ],
)
def test_weak_passwords_are_refused_in_chinese(password, fragment, users):
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as info:
            validate_password(password, users["zjj_reporter"])
        assert any(fragment in m for m in info.value.messages), info.value.messages


def test_a_good_password_passes(users):
    validate_password("Gongzuo#Tai2021", users["zjj_reporter"])


def test_changing_own_password(client_as, users):
    client = client_as("zjj_reporter")
    response = client.post(
        "/accounts/password/",
        {"old_password": DEMO_PASSWORD, "new_password1": "Jindu#Tianbao9", "new_password2": "Jindu#Tianbao9"},
    )
    assert response.status_code == 302
    assert User.objects.get(username="zjj_reporter").check_password("Jindu#Tianbao9")
    assert client.get("/").status_code == 200  # the session survives its own password change
    assert AuditEvent.objects.filter(verb="user.password_change", actor_username="zjj_reporter").exists()


def test_a_too_weak_new_password_rerenders_with_field_error_and_changes_nothing(client_as):
    client = client_as("zjj_reporter")
    response = client.post(
        "/accounts/password/", {"old_password": DEMO_PASSWORD, "new_password1": "Qz7#pw", "new_password2": "Qz7#pw"}
    )
    assert response.status_code == 200
    assert field_errors(response) == ["密码太短：至少需要 10 个字符。"]
    assert User.objects.get(username="zjj_reporter").check_password(DEMO_PASSWORD)


def test_wrong_current_password_is_refused(client_as):
    client = client_as("zjj_reporter")
    response = client.post(
        "/accounts/password/",
        {"old_password": "nope-Nope-1", "new_password1": "Jindu#Tianbao9", "new_password2": "Jindu#Tianbao9"},
    )
    assert field_errors(response) == ["当前密码不正确。"]
    assert User.objects.get(username="zjj_reporter").check_password(DEMO_PASSWORD)
